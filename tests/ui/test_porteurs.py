"""Porteurs directory: search, history, editing a porteur, merge through the UI (side by side)."""

from __future__ import annotations

from sqlalchemy import select

from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, Porteur
from tests.ui.test_main_window import FakeDialogs
from tests.ui.test_views_batch import BatchDialogs
from ui.models.table import RowTableModel
from ui.porteurs import PorteurEntry, PorteursWindow


def names(window: PorteursWindow) -> list[str]:
    return [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())]


def make(qtbot, db: Database, dialogs: FakeDialogs | None = None) -> PorteursWindow:
    window = PorteursWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def entry(window: PorteursWindow, name: str) -> PorteurEntry:
    for r in range(window.model.rowCount()):
        e = window.model.index(r, 0).data(RowTableModel.RowRole)
        if e.raison_sociale == name:
            return e
    raise KeyError(name)


def test_directory_search_and_totals(qtbot, qtmodeltester, db: Database) -> None:
    window = make(qtbot, db)
    assert names(window) == [
        "Association Azur",
        "Eau Vive",
        "Ecole des parents",
        "Élan Solidaire",
        "Zèbre Théâtre",
    ]
    qtmodeltester.check(window.proxy)
    qtmodeltester.check(window.history_model)
    eau = entry(window, "Eau Vive")
    assert (eau.nb_dossiers, eau.vote_cents) == (2, 0)
    window.search_edit.setText("ELAN")  # set, not typed (accents abort keyClicks, P3)
    assert names(window) == ["Élan Solidaire"]
    assert window.count_label.text() == "5 porteurs — 1 affiché"
    window.search_edit.setText("zebre theatre")
    assert names(window) == ["Zèbre Théâtre"]
    window.search_edit.clear()
    assert len(names(window)) == 5


def test_history_of_selected_porteur(qtbot, db: Database) -> None:
    window = make(qtbot, db)
    assert window.select_porteur(entry(window, "Zèbre Théâtre").id)
    rows = window.history_model.rows
    assert [(r.annee, r.reference) for r in rows] == [(2026, "2026-001"), (2025, "2025-002")]
    assert "2 dossiers" in window.history_title.text()
    assert window.history_model.index(0, window.history_model.column_index("statut")).data() == "Déposé"
    assert not window.merge_button.isEnabled()
    assert not window.grab().isNull()


def test_merge_two_porteurs_through_the_ui(qtbot, db: Database) -> None:
    dialogs = BatchDialogs()
    window = make(qtbot, db, dialogs)
    eau, ecole = entry(window, "Eau Vive"), entry(window, "Ecole des parents")
    window.select_porteur(eau.id)
    window.select_porteur(ecole.id, add=True)
    assert window.merge_button.isEnabled()
    window.merge_button.click()  # both side by side: cancelled, nothing moves
    dialog = window.merge_dialog
    assert dialog.keep.data.raison_sociale == "Eau Vive"  # more dossiers: proposed as kept
    assert "1 dossier de « Ecole des parents » passera à « Eau Vive », qui aura alors 3 dossiers" in (
        dialog.summary.text()
    )
    dialog.keep_buttons[1].click()  # the other way round: the summary follows
    assert dialog.summary.text().startswith("2 dossiers de « Eau Vive » passeront à « Ecole des parents »")
    dialog.buttons.rejected.emit()
    assert len(names(window)) == 5
    window.merge_button.click()
    dialog = window.merge_dialog
    assert dialog.keep.data.raison_sociale == "Eau Vive"
    dialog.merge_button.click()
    assert "Ecole des parents" not in names(window)
    assert entry(window, "Eau Vive").nb_dossiers == 3
    assert [p.raison_sociale for p in window.selected()] == ["Eau Vive"]
    with db.session() as s:
        assert s.scalar(select(Porteur).where(Porteur.raison_sociale == "Ecole des parents")) is None
        assert s.scalar(select(Dossier.porteur_id).where(Dossier.reference == "2026-005")) == eau.id
    window.select_porteur(eau.id)
    dialogs.infos.clear()
    window.merge_action.trigger()  # one porteur only: explained
    assert "exactement deux" in dialogs.infos[-1]


def test_edit_a_porteur_with_validation_and_optimistic_locking(qtbot, db: Database) -> None:
    from instructeur.services.porteurs import PorteurService

    window = make(qtbot, db)
    eau = entry(window, "Eau Vive")
    window.select_porteur(eau.id)
    assert window.edit_button.isEnabled()
    dialog = window.edit_selected()
    assert dialog is not None
    dialog.edits["raison_sociale"].clear()
    dialog.edits["raison_sociale"].textEdited.emit("")
    assert dialog.problems.isVisible() and "raison sociale : obligatoire" in dialog.problems.text()
    dialog.edits["raison_sociale"].setText("Eau Vive Boulogne")
    dialog.edits["raison_sociale"].textEdited.emit("Eau Vive Boulogne")
    assert not dialog.problems.isVisible()  # the banner goes once the field is filled
    dialog.edits["siret"].setText("123 456 789 00012")  # wrong check digit
    assert not dialog.save() and "SIRET" in dialog.problems.text()
    dialog.edits["siret"].setText("")
    dialog.edits["ville"].setText("Boulogne-sur-Mer")
    # Someone else saves the porteur meanwhile: refused, what was typed stays.
    service = PorteurService(db, user="collègue")
    row = service.get(eau.id)
    service.update(eau.id, row.version, row.data.__class__(**{**row.data.__dict__, "sigle": "EV"}))
    assert not dialog.save()
    assert "modifié" in dialog.problems.text() and dialog.edits["ville"].text() == "Boulogne-sur-Mer"
    dialog.version = service.get(eau.id).version  # read again
    assert dialog.save()
    assert entry(window, "Eau Vive Boulogne").ville == "Boulogne-sur-Mer"
    assert service.get(eau.id).data.ville == "Boulogne-sur-Mer"
