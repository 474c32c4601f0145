"""Évaluateurs window: list with workload, create / edit, dossiers confiés, unassign."""

from __future__ import annotations

from instructeur.services.campagnes import CampagneService
from instructeur.services.dossiers import DossierService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from ui.evaluateurs import EvaluateursWindow


def test_list_create_edit_and_dossiers(qtbot, qtmodeltester, db: Database) -> None:
    campagne = next(c for c in CampagneService(db).all() if c.annee == 2026)
    service = EvaluateurService(db, user="test")
    claire = service.create(campagne.contrat_id, "Claire Vandenbussche", email="claire@exemple.invalid")
    dossiers = sorted(DossierService(db).list_rows(campagne.id), key=lambda r: r.reference)
    service.assign([d.id for d in dossiers[:3]], claire)
    notation = NotationService(db, user="test")
    first = notation.matrix(campagne.id, claire).rows[0]
    grille = notation.matrix(campagne.id, claire).columns
    notation.save_notes(first.evaluation_id, first.version, {c.id: 2 for c in grille})
    second = notation.matrix(campagne.id, claire).rows[1]
    notation.declare_conflict(second.evaluation_id, second.version, "Trésorière du porteur")

    window = EvaluateursWindow(db, campagne.id)
    qtbot.addWidget(window)
    window.show()
    qtmodeltester.check(window.model)
    qtmodeltester.check(window.dossiers_model)
    entry = window.model.rows[0]
    assert (entry.nom, entry.confies, entry.notes, entry.conflits) == ("Claire Vandenbussche", 3, 1, 1)
    assert window.nom_edit.text() == "Claire Vandenbussche"
    assert window.email_edit.text() == "claire@exemple.invalid"
    assert window.dossiers_model.rowCount() == 3
    etat = window.dossiers_model.column_index("etat")
    assert [window.dossiers_model.index(r, etat).data() for r in range(3)] == [
        "Noté : 13,33 /20",
        "Conflit d'intérêts",
        "À noter",
    ]
    assert "3 (1 noté, 1 en conflit)" in window.dossiers_title.text()

    # Edit: financeur and email; a blank name is refused with the service's message.
    window.nom_edit.setText("  ")
    assert window.save() is None and "nom obligatoire" in window.message.text()
    window.nom_edit.setText("Claire Vandenbussche (déléguée du préfet)")
    window.financeur_combo.setCurrentIndex(window.financeur_combo.findText("État (ANCT)"))
    assert window.save() == claire
    row = EvaluateurService(db).all(campagne.contrat_id)[0]
    assert (row.nom, row.financeur) == ("Claire Vandenbussche (déléguée du préfet)", "État (ANCT)")

    # Create a second one.
    window.new_button.click()
    assert window.nom_edit.text() == ""
    window.nom_edit.setText("Karim Lemaitre")
    karim = window.save()
    assert karim is not None and window.current_id() == karim
    assert window.model.rowCount() == 2 and window.dossiers_model.rowCount() == 0

    # Unassign: the scored dossier is kept, the others go.
    assert window.select(claire)
    window.dossiers_table.selectAll()
    window.unassign_button.click()
    assert window.dossiers_model.rowCount() == 1
    assert "déjà noté" in window.statusBar().currentMessage()

    opened: list[int] = []
    window.open_matrix.connect(opened.append)
    window.matrix_button.click()
    assert opened == [claire]
