"""The fiche obeys the rules on recevabilité and cotation F/H, and its amount fields behave:
« Recevable » refused with the missing points named (fiche and batch action), « Cotation retenue »
preselected from the questionnaire, « non cotée » not called a success, an override without
justification refused, an amount typed into a field is the amount stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView

from instructeur.domain.cotation import JUSTIFICATION_REQUIRED
from instructeur.domain.money import parse_amount
from instructeur.domain.statuts import Statut
from instructeur.services.dossiers import DossierService
from instructeur.services.instruction import InstructionService
from instructeur.storage.db import Database, open_database
from tests.factories import World, build_world, create_dossier, tick_recevabilite
from tests.ui.test_fiche import FakeDialogs
from tests.ui.test_views_batch import BatchDialogs, select_refs
from ui.delegates import AmountDelegate
from ui.fiche import FicheDossier
from ui.fiche.fields import AmountEdit
from ui.fiche.instruction import InstructionTab, plain_text
from ui.main_window import MainWindow

CER = "Contrat d'engagement républicain signé"
YES = ("diagnostic", "objectifs", "moyens")  # three « oui »: level 1 by the default rule


@pytest.fixture
def world_db(tmp_path: Path) -> Iterator[tuple[Database, World]]:
    db = open_database(tmp_path / "issue9.sqlite")
    yield db, build_world(db)
    db.close()


def open_fiche(qtbot, db: Database, dossier_id: int, dialogs: FakeDialogs) -> FicheDossier:  # type: ignore[no-untyped-def]
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitExposed(window):
        window.show()
    fiche = window.open_fiche(dossier_id)
    assert fiche is not None
    fiche.resize(1366, 768)
    fiche.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is fiche)
    return fiche


def en_instruction(db: Database, world: World) -> int:
    did = create_dossier(db, world, cotation_declaree=2)
    tick_recevabilite(db, did)
    dossiers = DossierService(db, user="test")
    dossiers.change_statut(did, Statut.RECEVABLE)
    dossiers.change_statut(did, Statut.EN_INSTRUCTION)
    return did


def instruction_tab(
    qtbot, db: Database, did: int, dialogs: FakeDialogs
) -> tuple[FicheDossier, InstructionTab]:  # type: ignore[no-untyped-def]
    fiche = open_fiche(qtbot, db, did, dialogs)
    fiche.tabs.setCurrentWidget(fiche.instruction)
    QApplication.processEvents()
    return fiche, fiche.instruction


def answer(tab: InstructionTab, *codes: str) -> None:
    for code in codes:
        tab.question_boxes[code].click()


# --- recevabilité ---------------------------------------------------------------------------


def test_recevable_refused_from_the_fiche_with_the_missing_points(qtbot, world_db) -> None:  # type: ignore[no-untyped-def]
    db, world = world_db
    did = create_dossier(db, world, reference="26-000123")
    dialogs = FakeDialogs()
    fiche = open_fiche(qtbot, db, did, dialogs)
    fiche.tabs.setCurrentWidget(fiche.statut)
    # Said before the user tries.
    hint = plain_text(fiche.statut.missing_text())
    assert "« Recevable » sera refusé" in hint and CER in hint
    assert CER in fiche.statut.buttons[Statut.RECEVABLE].toolTip()

    fiche.statut.buttons[Statut.RECEVABLE].click()
    assert not fiche.banner.isHidden()
    banner = fiche.banner_label.text().replace("&#x27;", "'")
    assert banner.startswith(
        "dossier 26-000123 : recevabilité incomplète — points obligatoires non cochés : "
    )
    assert CER in banner
    assert DossierService(db).get(did).statut is Statut.DEPOSE

    # Ticking the points in the fiche clears the hint; the move saves them first, then passes.
    for box in fiche.recevabilite.checks:
        box.setChecked(True)
    assert fiche.statut.missing_text() == ""
    dialogs.answer = "save"
    fiche.statut.buttons[Statut.RECEVABLE].click()
    assert DossierService(db).get(did).statut is Statut.RECEVABLE
    assert fiche.banner.isHidden()


def test_batch_recevable_moves_the_complete_and_lists_the_refused(qtbot, world_db) -> None:  # type: ignore[no-untyped-def]
    db, world = world_db
    ids = [create_dossier(db, world, reference=f"26-00002{n}") for n in range(3)]
    tick_recevabilite(db, ids[2])
    dialogs = BatchDialogs()
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitExposed(window):
        window.show()
    select_refs(window, ["26-000020", "26-000021", "26-000022"])
    dialogs.choices.append("Recevable")
    window.workspace.batch.statut_action.trigger()
    message, refused = dialogs.reports[-1]
    assert message == "1 dossier passé à « Recevable »."
    assert len(refused) == 2
    for reference, reason in zip(("26-000020", "26-000021"), refused, strict=True):
        assert reason.startswith(
            f"dossier {reference} : recevabilité incomplète — points obligatoires non cochés"
        )
        assert CER in reason
    statuts = [DossierService(db).get(i).statut for i in ids]
    assert statuts == [Statut.DEPOSE, Statut.DEPOSE, Statut.RECEVABLE]


# --- cotation F/H ---------------------------------------------------------------------------


def test_cotation_retenue_follows_the_questionnaire_until_the_user_chooses(qtbot, world_db) -> None:  # type: ignore[no-untyped-def]
    db, world = world_db
    did = en_instruction(db, world)
    _fiche, tab = instruction_tab(qtbot, db, did, FakeDialogs())
    assert tab.retained_level() is None  # questionnaire untouched: nothing preselected
    answer(tab, *YES)
    assert tab.proposed_level() == 1 and tab.retained_level() == 1
    assert tab.level_combo.currentText().startswith("1 — ")
    assert "enregistrez la cotation" in plain_text(tab.pending_label.text())
    answer(tab, "principal")
    assert tab.proposed_level() == 2 and tab.retained_level() == 2  # still following
    answer(tab, "principal")
    assert tab.retained_level() == 1

    # Saved as proposed: no justification asked, recorded, « instruit » no longer misses it.
    assert tab.save_cotation()
    assert "Cotation égalité F/H enregistrée." in tab.cotation_message.plain()
    cotation = InstructionService(db).cotation(did)
    assert (cotation.proposee, cotation.instruite, cotation.justification) == (1, 1, None)
    assert "cotation égalité F/H instruite" not in InstructionService(db).missing(did)
    assert not tab.pending_label.isVisibleTo(tab)

    # The user's own choice is kept when the answers change.
    tab.choose_level(0)
    answer(tab, "indicateurs")
    assert tab.proposed_level() == 1 and tab.retained_level() == 0


def test_saving_non_cotee_is_not_a_success(qtbot, world_db) -> None:  # type: ignore[no-untyped-def]
    db, world = world_db
    did = en_instruction(db, world)
    _fiche, tab = instruction_tab(qtbot, db, did, FakeDialogs())
    answer(tab, *YES)
    tab.choose_level(None)
    assert "ne pourra pas passer à « instruit »" in plain_text(tab.pending_label.text())
    assert not tab.save_cotation()
    message = tab.cotation_message.plain()
    assert "cotation non enregistrée" in message and "Cotation égalité F/H enregistrée" not in message
    cotation = InstructionService(db).cotation(did)
    assert cotation.instruite is None and cotation.answers["diagnostic"] is True  # answers kept
    assert "cotation égalité F/H instruite" in tab.refresh_completeness()


def test_override_without_justification_is_refused_then_asked(qtbot, world_db) -> None:  # type: ignore[no-untyped-def]
    db, world = world_db
    did = en_instruction(db, world)
    dialogs = FakeDialogs()
    _fiche, tab = instruction_tab(qtbot, db, did, dialogs)
    answer(tab, *YES)
    tab.choose_level(2)
    dialogs.text = None  # the user cancels the question
    assert not tab.save_cotation()
    assert "diffère de la cotation proposée par le questionnaire (1)" in dialogs.asked[-1]
    assert JUSTIFICATION_REQUIRED in tab.cotation_message.plain()
    assert InstructionService(db).cotation(did).instruite is None

    dialogs.text = "  Public exclusivement féminin  "
    assert tab.save_cotation()
    cotation = InstructionService(db).cotation(did)
    assert (cotation.proposee, cotation.instruite) == (1, 2)
    assert cotation.justification == "Public exclusivement féminin"
    assert tab.justification.toPlainText() == "Public exclusivement féminin"


# --- amounts --------------------------------------------------------------------------------


def click_type_leave(qtbot, edit: QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    """Click into the field (where the cursor would land at the start), type, leave with Tab."""
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=QPoint(4, edit.height() // 2))
    assert edit.hasFocus()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)


def test_cout_total_click_type_12000_stores_12000_euros(qtbot, world_db) -> None:  # type: ignore[no-untyped-def]
    db, world = world_db
    did = create_dossier(db, world, cout_total_cents=0, lignes=())
    dialogs = FakeDialogs()
    fiche = open_fiche(qtbot, db, did, dialogs)
    fiche.tabs.setCurrentWidget(fiche.financement)
    edit = fiche.financement.cout_total
    assert isinstance(edit, AmountEdit)
    assert edit.text() == "" and edit.placeholderText() == "0,00 €"  # empty, not « 0,00 € » typed
    click_type_leave(qtbot, edit, "12000")
    assert edit.text() == "12\u00a0000,00\u00a0€"
    assert fiche.save()
    assert DossierService(db).get(did).data.cout_total_cents == 1_200_000
    # An amount already there is replaced, not extended.
    click_type_leave(qtbot, edit, "9500")
    assert edit.cents() == 950_000


def test_amount_delegate_edits_with_the_amount_input(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = QStandardItemModel(1, 1)
    model.setHorizontalHeaderLabels(["Demandé"])
    model.setData(model.index(0, 0), "5 000,00", Qt.ItemDataRole.EditRole)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegate(AmountDelegate(view, zero_as_empty=True))
    with qtbot.waitExposed(view):
        view.show()
    view.edit(model.index(0, 0))
    editor = view.viewport().findChild(AmountEdit)
    assert editor is not None and editor.selectedText() == "5 000,00"
    qtbot.keyClicks(editor, "12000")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.viewport().findChild(AmountEdit) is None)
    # The model receives the French text (the plan's model parses it): 12 000 €, not 125 000.
    assert model.data(model.index(0, 0), Qt.ItemDataRole.EditRole) == "12\u00a0000,00\u00a0€"
    assert parse_amount(model.data(model.index(0, 0), Qt.ItemDataRole.EditRole)) == 1_200_000
