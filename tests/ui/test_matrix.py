"""Notation matrix: keyboard scoring, running totals, conflicts, all-or-nothing save, refusals."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from instructeur.domain.scoring import CritereSpec, weighted_total_20
from instructeur.services.campagnes import CampagneService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from ui.matrix import MatrixWindow
from ui.matrix_model import format_total, modifications_text


class MatrixDialogs:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.answers: list[str] = []
        self.asked: list[str] = []

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def ask_save_discard_cancel(self, parent: object, title: str, text: str) -> str:
        self.asked.append(text)
        return self.answers.pop(0) if self.answers else "cancel"


@dataclass
class Setup:
    campagne_id: int
    claire: int
    karim: int


def setup(db: Database) -> Setup:
    campagne = next(c for c in CampagneService(db).all() if c.annee == 2026)
    service = EvaluateurService(db, user="test")
    claire = service.create(campagne.contrat_id, "Claire Vandenbussche")
    karim = service.create(campagne.contrat_id, "Karim Lemaître")
    ids = [d.id for d in _dossiers(db, campagne.id)]
    service.assign(ids[:4], claire)
    service.assign(ids[:2], karim)
    return Setup(campagne.id, claire, karim)


def _dossiers(db: Database, campagne_id: int) -> list:
    from instructeur.services.dossiers import DossierService

    rows = DossierService(db).list_rows(campagne_id)
    return sorted(rows, key=lambda r: r.reference)


def make(qtbot, db: Database, s: Setup, dialogs: MatrixDialogs | None = None) -> MatrixWindow:
    window = MatrixWindow(db, s.campagne_id, evaluateur_id=s.claire, dialogs=dialogs or MatrixDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    return window


def specs(window: MatrixWindow, row: int) -> list[CritereSpec]:
    dto = window.model.dto
    assert dto is not None
    criteria = dto.grilles[window.model.row_at(row).grille_id]
    return [CritereSpec(c.id, c.poids, c.echelle_min, c.echelle_max, c.eliminatoire) for c in criteria]


def type_note(qtbot, window: MatrixWindow, key: Qt.Key, then: Qt.Key) -> None:
    qtbot.keyClick(window.view, key)
    editor = window.view.editor()
    assert editor is not None, "a digit opens the editor"
    qtbot.keyClick(editor, then)


def test_keyboard_scoring_and_running_total(qtbot, qtmodeltester, db: Database) -> None:
    s = setup(db)
    window = make(qtbot, db, s)
    model, view = window.model, window.view
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    first = model.criterion_column(0)
    assert model.headerData(first, Qt.Orientation.Horizontal) == "1. Public et\nterritoire"
    tooltip = model.headerData(first, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "QPV" in tooltip and "Échelle 0–3" in tooltip and "3 très satisfaisant" in tooltip
    assert model.headerData(model.total_column, Qt.Orientation.Horizontal) == "Total /20"

    view.setCurrentIndex(model.index(0, first))
    qtbot.keyClick(view, Qt.Key.Key_2)  # a digit starts editing with that digit
    editor = view.editor()
    assert editor is not None and editor.text() == "2"
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # commit, move right to the next criterion
    assert view.editor() is None
    assert model.index(0, first).data() == "2"
    assert view.currentIndex() == model.index(0, first + 1)
    type_note(qtbot, window, Qt.Key.Key_3, Qt.Key.Key_Return)  # Enter: same criterion, next dossier
    assert view.currentIndex() == model.index(1, first + 1)
    assert model.index(0, first + 1).data() == "3"
    assert model.index(0, model.total_column).data() == "2/8 notes"
    assert window.modified_label.text() == modifications_text(2) == "2 modifications non enregistrées"
    assert model.index(0, first).data(Qt.ItemDataRole.FontRole).bold()

    # Fill the rest of row 0 by keyboard: Tab walks the criteria, the total appears at once.
    view.setCurrentIndex(model.index(0, first + 2))
    for key in (Qt.Key.Key_1, Qt.Key.Key_0, Qt.Key.Key_3, Qt.Key.Key_2, Qt.Key.Key_1, Qt.Key.Key_2):
        type_note(qtbot, window, key, Qt.Key.Key_Tab)
    assert view.currentIndex() == model.index(1, first)  # wrapped to the next dossier
    expected = weighted_total_20(
        specs(window, 0), {c.id: v for c, v in zip(specs(window, 0), [2, 3, 1, 0, 3, 2, 1, 2], strict=True)}
    )
    assert expected is not None
    assert model.total_of(0) == expected
    assert model.index(0, model.total_column).data() == format_total(expected) == "11,67"
    assert window.modified_label.text() == "8 modifications non enregistrées"

    # Delete erases a note; typing the stored value back is not a modification.
    view.setCurrentIndex(model.index(0, first))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert model.index(0, first).data() == ""
    assert model.total_of(0) is None
    qtmodeltester.check(model)


def test_out_of_range_refused_with_status_message(qtbot, db: Database) -> None:
    s = setup(db)
    window = make(qtbot, db, s)
    model, view = window.model, window.view
    first = model.criterion_column(0)
    view.setCurrentIndex(model.index(0, first))
    type_note(qtbot, window, Qt.Key.Key_7, Qt.Key.Key_Tab)
    assert model.index(0, first).data() == ""
    assert view.currentIndex() == model.index(0, first)  # stays on the cell to retype
    message = window.statusBar().currentMessage()
    assert "note 7 refusée" in message and "de 0 à 3" in message
    assert not model.is_modified()
    assert not model.setData(model.index(0, first), "x")
    assert model.setData(model.index(0, first), "3")


def test_conflict_rows_are_read_only(qtbot, db: Database) -> None:
    s = setup(db)
    notation = NotationService(db, user="test")
    dto = notation.matrix(s.campagne_id, s.claire)
    row = dto.rows[1]
    notation.declare_conflict(row.evaluation_id, row.version, "Membre du bureau du porteur")
    window = make(qtbot, db, s)
    model, view = window.model, window.view
    first = model.criterion_column(0)
    assert model.row_at(1).conflit
    assert not model.flags(model.index(1, first)) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(1, model.comment_column)) & Qt.ItemFlag.ItemIsEditable
    assert model.index(1, first).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(1, model.total_column).data() == "conflit"
    view.setCurrentIndex(model.index(1, first))
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert view.editor() is None
    assert "conflit d'intérêts" in window.statusBar().currentMessage()
    # Enter from row 0 skips the conflicted row.
    view.setCurrentIndex(model.index(0, first))
    type_note(qtbot, window, Qt.Key.Key_1, Qt.Key.Key_Return)
    assert view.currentIndex().row() == 2
    assert "1 en conflit" in window.info_label.text()


def test_save_all_at_once_and_concurrent_refusal_keeps_edits(qtbot, db: Database) -> None:
    s = setup(db)
    dialogs = MatrixDialogs()
    window = make(qtbot, db, s, dialogs)
    model = window.model
    first = model.criterion_column(0)
    assert not window.save_button.isEnabled()
    model.setData(model.index(0, first), "2")
    model.setData(model.index(0, first + 1), "1")
    model.setData(model.index(2, first), "3")
    model.setData(model.index(2, model.comment_column), "Action solide, budget clair.")
    assert window.modified_label.text() == "4 modifications non enregistrées"
    assert window.save_button.isEnabled()
    window.save_action.trigger()  # Ctrl+S
    assert not model.is_modified()
    assert window.modified_label.text() == "Aucune modification"
    notation = NotationService(db)
    saved = notation.matrix(s.campagne_id, s.claire)
    c0, c1 = saved.columns[0].id, saved.columns[1].id
    assert saved.rows[0].notes == {c0: 2, c1: 1}
    assert saved.rows[2].notes == {c0: 3}
    assert saved.rows[2].commentaire == "Action solide, budget clair."

    # Another user saves row 0 meanwhile: our save is refused, names them, and keeps our edits.
    model.setData(model.index(0, first), "0")
    model.setData(model.index(3, first), "1")
    other = NotationService(db, user="m.durand")
    row0 = other.matrix(s.campagne_id, s.claire).rows[0]
    other.save_notes(row0.evaluation_id, row0.version, {c0: 3})
    assert not window.save()
    assert window.banner.isVisibleTo(window)
    assert "m.durand" in window.banner.text() and "Rien n'a été enregistré" in window.banner.text()
    assert window.reload_button.isVisibleTo(window)
    assert model.index(0, first).data() == "0" and model.index(3, first).data() == "1"
    assert model.modification_count() == 2
    assert notation.matrix(s.campagne_id, s.claire).rows[3].notes == {}  # all or nothing
    # Reload keeping the edits, then save: ours win, knowingly.
    window.reload_button.click()
    assert model.modification_count() == 2 and model.index(0, first).data() == "0"
    assert window.save()
    assert notation.matrix(s.campagne_id, s.claire).rows[0].notes[c0] == 0


def test_revert_and_close_guard(qtbot, db: Database) -> None:
    s = setup(db)
    dialogs = MatrixDialogs()
    window = make(qtbot, db, s, dialogs)
    model = window.model
    first = model.criterion_column(0)
    model.setData(model.index(0, first), "2")
    assert window.revert_button.isEnabled()
    window.revert_button.click()
    assert not model.is_modified() and model.index(0, first).data() == ""
    model.setData(model.index(0, first), "2")
    dialogs.answers.append("cancel")
    assert not window.close()
    assert "1 modification non enregistrée" in dialogs.asked[-1]
    dialogs.answers.append("cancel")
    assert not window.select_evaluateur(s.karim)
    assert window.evaluateur_id == s.claire
    dialogs.answers.append("discard")
    assert window.select_evaluateur(s.karim)
    assert window.model.rowCount() == 2 and not window.model.is_modified()
    window.model.setData(window.model.index(0, first), "1")
    dialogs.answers.append("save")
    assert window.close()
    assert NotationService(db).matrix(s.campagne_id, s.karim).rows[0].notes


@pytest.mark.qt_log_ignore("does not support raise")  # offscreen: raise_() of an open window
def test_instruction_menu_opens_each_window_once(qtbot, db: Database) -> None:
    from ui.cotation_settings import CotationSettingsWindow
    from ui.evaluateurs import EvaluateursWindow
    from ui.grille_editor import GrilleEditor
    from ui.main_window import MainWindow

    s = setup(db)
    main = MainWindow(db, dialogs=MatrixDialogs())  # type: ignore[arg-type]
    qtbot.addWidget(main)
    main.select_campagne(s.campagne_id)
    actions = main.instruction
    menu = next(a.menu() for a in main.menuBar().actions() if a.text() == "&Campagne")
    actions.populate()  # what opening the menu does (it is rebuilt with the campagnes)
    assert [a.text() for a in menu.actions() if a.text()][-4:] == [
        "&Grille d'analyse…",
        "&Cotation égalité F/H…",
        "É&valuateurs…",
        "&Notation (matrice)…",
    ]
    assert actions.matrix_action.shortcut().toString() == "Ctrl+M"
    for action, kind in (
        (actions.grille_action, GrilleEditor),
        (actions.cotation_action, CotationSettingsWindow),
        (actions.evaluateurs_action, EvaluateursWindow),
        (actions.matrix_action, MatrixWindow),
    ):
        action.trigger()
        opened = [w for w in main.findChildren(kind)]
        assert len(opened) == 1 and opened[0].isWindow()
        action.trigger()
        assert len(main.findChildren(kind)) == 1
    matrix = main.findChildren(MatrixWindow)[0]
    assert matrix.evaluateur_id == s.claire and matrix.model.rowCount() == 4
    actions.open_matrix_for(s.karim)
    assert matrix.evaluateur_id == s.karim
    for w in main.findChildren(QMainWindow):
        w.close()
