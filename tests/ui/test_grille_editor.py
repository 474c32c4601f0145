"""Grille editor: wording edits, structural refusal once scored, versions, copy, default grille."""

from __future__ import annotations

from instructeur.services.campagnes import CampagneService
from instructeur.services.dossiers import DossierService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import GrilleService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from ui.grille_editor import GrilleEditor


class GrilleDialogs:
    def __init__(self) -> None:
        self.confirms: list[bool] = []
        self.answers: list[str] = []
        self.asked: list[str] = []

    def confirm(self, parent: object, title: str, message: str, ok: str = "Confirmer") -> bool:
        self.asked.append(message)
        return self.confirms.pop(0) if self.confirms else False

    def ask_save_discard_cancel(self, parent: object, title: str, text: str) -> str:
        self.asked.append(text)
        return self.answers.pop(0) if self.answers else "cancel"

    def error(self, parent: object, title: str, message: str) -> None:
        raise AssertionError(message)


def campagne(db: Database, annee: int) -> int:
    return next(c.id for c in CampagneService(db).all() if c.annee == annee)


def make(qtbot, db: Database, campagne_id: int, dialogs: GrilleDialogs | None = None) -> GrilleEditor:
    window = GrilleEditor(db, campagne_id, dialogs=dialogs or GrilleDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def score_one(db: Database, campagne_id: int) -> None:
    """An évaluateur scores one dossier of the campagne (default grille created on assignment)."""
    contrat_id = next(c.contrat_id for c in CampagneService(db).all() if c.id == campagne_id)
    evaluateurs = EvaluateurService(db, user="test")
    eid = evaluateurs.create(contrat_id, "Claire")
    dossier = DossierService(db).list_rows(campagne_id)[0].id
    evaluateurs.assign([dossier], eid)
    notation = NotationService(db, user="test")
    ev = notation.evaluation(dossier, eid)
    notation.save_notes(ev.id, ev.version, {ev.criteres[0].id: 2})


def test_default_grille_then_wording_edit_saved(qtbot, db: Database) -> None:
    cid = campagne(db, 2026)
    window = make(qtbot, db, cid)
    assert window.grille is None
    assert "pas encore de grille" in window.state_label.text()
    assert not window.save_button.isEnabled()
    window.default_button.click()
    assert window.grille is not None and len(window.criteria) == 8
    assert window.state_label.text() == "Version 1 · aucune évaluation notée : tout est modifiable"
    assert not window.new_version_button.isVisibleTo(window)
    assert window.table.item(0, 0).text() == "Public et territoire"
    assert window.niveaux_table.rowCount() == 4
    assert window.niveaux_table.item(3, 1).text() == "très satisfaisant"

    window.table.setCurrentCell(1, 1)
    window.libelle_edit.setText("Cohérence avec le contrat de ville")
    window.libelle_edit.textEdited.emit(window.libelle_edit.text())
    window.aide_edit.setPlainText("Première ligne\nDeuxième ligne")
    assert window.is_modified() and window.table.item(1, 1).text() == "Cohérence avec le contrat de ville"
    assert window.save()
    saved = GrilleService(db).get_for_campagne(cid)
    assert saved is not None
    assert saved.criteres[1].libelle == "Cohérence avec le contrat de ville"
    assert saved.criteres[1].aide == "Première ligne\nDeuxième ligne"
    assert not window.is_modified()


def test_scale_change_resizes_levels_and_list_editing(qtbot, db: Database) -> None:
    cid = campagne(db, 2026)
    GrilleService(db).create_default(cid)
    window = make(qtbot, db, cid)
    window.table.setCurrentCell(0, 1)
    window.max_spin.setValue(5)
    assert window.niveaux_table.rowCount() == 6
    assert window.niveaux_table.item(5, 0).text() == "5"
    assert window.table.item(0, 3).text() == "0–5"
    window.max_spin.setValue(3)
    assert window.criteria[0].niveaux == ("insuffisant", "partiel", "satisfaisant", "très satisfaisant")
    window.poids_spin.setValue(2)
    window.eliminatoire_check.setChecked(True)
    window.add_button.click()
    assert len(window.criteria) == 9 and window.current_row() == 1
    assert window.criteria[1].libelle == "Nouveau critère"
    window.down_button.click()
    assert window.current_row() == 2 and window.criteria[2].libelle == "Nouveau critère"
    window.up_button.click()
    window.remove_button.click()
    assert len(window.criteria) == 8
    assert window.save()
    saved = GrilleService(db).get_for_campagne(cid)
    assert saved is not None and (saved.criteres[0].poids, saved.criteres[0].eliminatoire) == (2, True)


def test_structural_change_refused_once_scored_then_new_version(qtbot, db: Database) -> None:
    cid = campagne(db, 2026)
    score_one(db, cid)
    window = make(qtbot, db, cid)
    assert window.state_label.text() == (
        "Version 1 · 1 évaluation — structure figée : seules les formulations peuvent changer"
    )
    assert window.new_version_button.isVisibleTo(window)
    window.table.setCurrentCell(2, 1)
    window.poids_spin.setValue(3)
    assert not window.save()
    assert window.banner.isVisibleTo(window)
    assert "La grille a déjà 1 évaluation : créez une nouvelle version" in window.banner.text()
    assert window.criteria[2].poids == 3  # the edit is kept
    # A new version carries the edit over and accepts it.
    assert window.create_new_version()
    assert window.grille is not None and window.grille.numero_version == 2
    assert window.state_label.text().startswith("Version 2 (sur 2) · aucune évaluation notée")
    assert window.criteria[2].poids == 3 and window.is_modified()
    assert window.save()
    latest = GrilleService(db).get_for_campagne(cid)
    assert latest is not None and latest.numero_version == 2 and latest.criteres[2].poids == 3


def test_lock_and_copy_from_another_campagne(qtbot, db: Database) -> None:
    cid, old = campagne(db, 2026), campagne(db, 2025)
    grilles = GrilleService(db, user="test")
    gid = grilles.create_default(old)
    dto = grilles.get(gid)
    grilles.save(gid, dto.version, [c.data() for c in dto.criteres[:3]], nom="Grille 2025 courte")
    dialogs = GrilleDialogs()
    window = make(qtbot, db, cid, dialogs)
    assert window.source_combo.count() == 1
    assert window.copy_selected()  # no grille yet: no confirmation needed
    assert len(window.criteria) == 3 and window.nom_edit.text() == "Grille 2025 courte"
    window.lock_button.click()
    assert window.grille is not None and window.grille.verrouillee
    assert "verrouillée" in window.state_label.text()
    assert window.lock_button.text() == "Dé&verrouiller"
    window.table.setCurrentCell(0, 1)
    # A frozen structure offers no Ajouter / Supprimer (issue 11); a weight change is still refused.
    assert not window.add_button.isEnabled() and not window.remove_button.isEnabled()
    frozen_inputs = (window.poids_spin, window.min_spin, window.max_spin, window.eliminatoire_check)
    assert not any(w.isEnabled() for w in frozen_inputs) and window.libelle_edit.isEnabled()
    window.poids_spin.setValue(window.poids_spin.value() + 1)
    assert not window.save()
    assert "La grille est verrouillée" in window.banner.text()
    window.reload()
    dialogs.confirms.append(True)
    assert window.copy_from(old)
    assert window.grille.numero_version == 2 and "version 2" in dialogs.asked[-1]
    # Default grille on an existing grille that is not frozen: loaded as an unsaved edit.
    assert window.use_default() and window.is_modified() and len(window.criteria) == 8
    dialogs.answers.append("cancel")
    assert not window.close()
    dialogs.answers.append("discard")
    assert window.close()
