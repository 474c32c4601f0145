"""Cotation F/H settings: levels, questions and rule edited per campagne, validation, preview."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidgetItem

from instructeur.domain.scoring import CotationSettings
from instructeur.services.campagnes import CampagneService
from instructeur.services.grilles import GrilleService
from instructeur.storage.db import Database
from ui.cotation_settings import CotationSettingsWindow


class CotationDialogs:
    def __init__(self) -> None:
        self.answers: list[str] = []

    def ask_save_discard_cancel(self, parent: object, title: str, text: str) -> str:
        return self.answers.pop(0) if self.answers else "cancel"


def campagne(db: Database, annee: int = 2026) -> int:
    return next(c.id for c in CampagneService(db).all() if c.annee == annee)


def make(qtbot, db: Database, dialogs: CotationDialogs | None = None) -> CotationSettingsWindow:
    window = CotationSettingsWindow(db, campagne(db), dialogs=dialogs or CotationDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def test_defaults_and_live_preview(qtbot, db: Database) -> None:
    window = make(qtbot, db)
    assert window.settings() == CotationSettings()
    assert window.levels_table.rowCount() == 3 and window.questions_table.rowCount() == 5
    assert not window.save_button.isEnabled()  # nothing modified
    assert window.proposed_level() == 0
    assert window.preview_label.text().startswith("Avec ces réponses (0 oui) → niveau proposé : 0 — ")
    window.set_answers({"diagnostic": True, "objectifs": True, "moyens": True})
    assert window.proposed_level() == 1
    assert "niveau proposé : 1 — L'égalité F/H est un objectif significatif" in window.preview_label.text()
    window.preview_checks["principal"].setChecked(True)
    assert window.proposed_level() == 2
    window.threshold_spin.setValue(2)  # rule edited: two yes suffice now
    window.set_answers({"diagnostic": True, "indicateurs": True})
    assert window.proposed_level() == 1


def test_edit_levels_questions_rule_and_save(qtbot, db: Database) -> None:
    window = make(qtbot, db)
    window.levels_table.item(2, 1).setText("Objectif principal de l'action")
    window.add_level()
    window.levels_table.item(3, 1).setText("Action spécifique pour les femmes")
    assert window.levels_table.item(3, 0).text() == "3"
    window.add_question()
    row = window.questions_table.rowCount() - 1
    window.questions_table.setItem(row, 0, QTableWidgetItem("public"))
    window.questions_table.setItem(row, 1, QTableWidgetItem("Le public est-il mixte ?"))
    assert "public" in window.preview_checks
    assert window.principal_combo.findData("public") > 0
    window.principal_combo.setCurrentIndex(window.principal_combo.findData("principal"))
    window.implies_spin.setValue(3)
    assert window.save_button.isEnabled()
    assert window.save()
    saved = GrilleService(db).cotation_settings(campagne(db))
    assert saved.levels[3] == (3, "Action spécifique pour les femmes")
    assert saved.levels[2][1] == "Objectif principal de l'action"
    assert saved.questions[-1] == ("public", "Le public est-il mixte ?")
    assert saved.rule["principal_implies"] == 3 and saved.rule["principal_question"] == "principal"
    window.preview_checks["principal"].setChecked(True)
    assert window.proposed_level() == 3


def test_invalid_rule_refused(qtbot, db: Database) -> None:
    dialogs = CotationDialogs()
    window = make(qtbot, db, dialogs)
    window.threshold_spin.setValue(9)  # only 4 other questions
    assert not window.save_button.isEnabled()
    assert "seuil du niveau 1 doit être entre 1 et 4" in window.problems_label.text()
    assert window.proposed_level() is None
    assert "Corrigez" in window.preview_label.text()
    assert not window.save()
    assert "Enregistrement refusé" in window.problems_label.text()
    assert GrilleService(db).cotation_settings(campagne(db)) == CotationSettings()
    window.threshold_spin.setValue(3)
    window.questions_table.item(0, 0).setText("objectifs")  # duplicate code
    assert "code unique" in window.problems_label.text()
    window.remove_level()
    window.remove_level()
    assert "au moins deux" in window.problems_label.text()
    dialogs.answers.append("cancel")
    assert not window.close()
    dialogs.answers.append("discard")
    assert window.close()
