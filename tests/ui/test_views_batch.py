"""Saved views, column chooser and batch actions on a multi-selection (fake dialogs)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSettings, Qt
from sqlalchemy import select

from instructeur.domain.statuts import Statut
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, Evaluation, Transition
from tests.ui.test_main_window import FakeDialogs, column_texts, make_window
from ui.main_window import MainWindow
from ui.models.dossiers import DossierFilters
from ui.views import ViewState, ViewStore


class BatchDialogs(FakeDialogs):
    def __init__(self) -> None:
        super().__init__()
        self.choices: list[str | None] = []
        self.texts: list[str | None] = []
        self.confirms: list[bool] = []
        self.asked: list[list[str]] = []
        self.reports: list[tuple[str, list[str]]] = []
        self.infos: list[str] = []

    def ask_choice(
        self, parent: object, title: str, label: str, options: list[str], **kw: object
    ) -> str | None:
        self.asked.append(options)
        return self.choices.pop(0)

    def ask_text(self, parent: object, title: str, label: str, default: str = "", **kw: object) -> str | None:
        return self.texts.pop(0)

    def confirm(self, parent: object, title: str, message: str, ok: str = "") -> bool:
        return self.confirms.pop(0)

    def report(self, parent: object, title: str, message: str, details: list[str] | None = None) -> None:
        self.reports.append((message, list(details or [])))

    def info(self, parent: object, title: str, message: str) -> None:
        self.infos.append(message)


def select_refs(window: MainWindow, refs: list[str]) -> None:
    selection = QItemSelection()
    col = window.model.column_index("reference")
    for r in range(window.proxy.rowCount()):
        if window.proxy.index(r, col).data() in refs:
            selection.select(window.proxy.index(r, 0), window.proxy.index(r, window.proxy.columnCount() - 1))
    window.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def selected_refs(window: MainWindow) -> list[str]:
    return sorted(r.reference for r in window.workspace.batch.selected_rows())


def test_column_chooser_hides_and_shows(qtbot, qtmodeltester, db: Database) -> None:
    window = make_window(qtbot, db)
    chooser = window.workspace.columns
    chooser.actions["quartiers"].setChecked(False)
    chooser.actions["labels"].setChecked(True)
    headers = [
        window.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(window.proxy.columnCount())
    ]
    assert headers == ["Référence", "Porteur", "Intitulé", "Montant demandé", "Statut", "Labels"]
    assert window.table.itemDelegateForColumn(window.proxy.column_of("statut")) is window._pill
    window.table.sortByColumn(window.proxy.column_of("porteur"), Qt.SortOrder.AscendingOrder)
    assert (
        column_texts(window, "reference")[0] == "2026-004"
    )  # Association Azur (proxy column = model's here)
    qtmodeltester.check(window.proxy)
    chooser.set_visible(["reference"])
    assert not chooser.actions["reference"].isEnabled()  # the last column cannot go
    chooser.reset_action.trigger()
    assert window.proxy.columnCount() == 6
    assert not window.grab().isNull()


def test_saved_view_round_trip(qtbot, db: Database) -> None:
    QSettings().clear()
    dialogs = BatchDialogs()
    window = make_window(qtbot, db, dialogs)
    ws = window.workspace
    views = ws.views
    assert [v.name for v in views.views()] == ["Tous", "À instruire", "Prêts pour le comité"]
    assert not views.delete_action.isEnabled()
    ws.panel.set_filters(DossierFilters(statuts=frozenset({Statut.DEPOSE, Statut.REFUSE})))
    ws._on_filters(ws.panel.filters())
    window.search_edit.setText("a")
    ws.columns.actions["cotation"].setChecked(True)
    window.table.sortByColumn(window.proxy.column_of("porteur"), Qt.SortOrder.DescendingOrder)
    dialogs.texts.append("Mes dossiers")
    views.ask_save()
    assert views.combo.currentText() == "Mes dossiers" and views.delete_action.isEnabled()

    assert views.select("À instruire")
    assert column_texts(window, "reference") == ["2026-002"]
    assert window.search_edit.text() == "" and window.proxy.columnCount() == 6
    assert views.select("Tous")
    assert window.proxy.rowCount() == 5

    # A new window on the same database finds the view and restores everything.
    window.close()
    other = make_window(qtbot, db, dialogs)
    assert other.workspace.views.select("Mes dossiers")
    assert other.search_edit.text() == "a"
    assert other.workspace.panel.filters().statuts == {Statut.DEPOSE, Statut.REFUSE}
    assert "cotation" in other.proxy.visible_columns
    assert column_texts(other, "porteur") == ["Zèbre Théâtre", "Association Azur"]
    state = other.workspace.state()
    assert state.sort_key == "porteur" and state.sort_descending
    assert ViewState.from_dict(state.to_dict()) == state
    dialogs.confirms.append(True)
    other.workspace.views.ask_delete()
    assert [v.name for v in ViewStore(db.display_name).load()] == []
    assert other.workspace.views.combo.currentText() == "Tous"


def test_batch_statut_with_shared_motivation_reports_refused(qtbot, db: Database) -> None:
    dialogs = BatchDialogs()
    window = make_window(qtbot, db, dialogs)
    window.workspace.batch.statut_action.trigger()  # nothing selected: explained, no crash
    assert "Aucun dossier sélectionné" in dialogs.infos[-1]
    select_refs(window, ["2026-001", "2026-002", "2026-005"])  # déposé, en instruction, ajourné
    assert "3 dossiers sélectionnés" in window.workspace.selection_label.text()
    dialogs.choices.append("Irrecevable (possible pour 1 sur 3)")
    dialogs.texts.append("Pièces manquantes après relance")
    window.workspace.batch.statut_action.trigger()
    assert "Irrecevable (possible pour 1 sur 3)" in dialogs.asked[-1]
    message, refused = dialogs.reports[-1]
    assert message == "1 dossier passé à « Irrecevable »."
    assert len(refused) == 2 and all("non autorisé" in r for r in refused)
    assert any("2026-002" in r for r in refused)
    with db.session() as s:
        statuts = dict(s.execute(select(Dossier.reference, Dossier.statut)).all())
        assert statuts["2026-001"] == "irrecevable" and statuts["2026-002"] == "en_instruction"
        t = s.scalars(select(Transition).where(Transition.vers_statut == "irrecevable")).one()
        assert t.motivation == "Pièces manquantes après relance" and t.de_statut == "depose"
    assert selected_refs(window) == ["2026-001", "2026-002", "2026-005"]  # selection kept
    assert "Irrecevable" in column_texts(window, "statut")

    # Going back to « déposé » needs a motivation: cancelling it changes nothing.
    select_refs(window, ["2026-001"])
    dialogs.choices.append("Déposé")
    dialogs.texts.append(None)
    window.workspace.batch.statut_action.trigger()
    with db.session() as s:
        assert s.scalar(select(Dossier.statut).where(Dossier.reference == "2026-001")) == "irrecevable"


def test_batch_assign_and_label_then_filter(qtbot, db: Database) -> None:
    dialogs = BatchDialogs()
    window = make_window(qtbot, db, dialogs)
    contrat_id = window.current_campagne.contrat_id
    claire = EvaluateurService(db, user="t").create(contrat_id, "Claire")
    select_refs(window, ["2026-001", "2026-003"])
    dialogs.choices.append("Claire")
    window.workspace.batch.assign_action.trigger()
    assert dialogs.reports[-1] == ("2 dossiers confiés à Claire.", [])
    select_refs(window, ["2026-001", "2026-004"])
    dialogs.choices.append("Claire")
    window.workspace.batch.assign_action.trigger()
    message, skipped = dialogs.reports[-1]
    assert message == "1 dossier confié à Claire." and "déjà confié" in skipped[0]
    with db.session() as s:
        assert len(s.scalars(select(Evaluation).where(Evaluation.evaluateur_id == claire)).all()) == 3

    select_refs(window, ["2026-002", "2026-005"])
    dialogs.choices.append("Priorité préfet")
    window.workspace.batch.label_action.trigger()
    assert dialogs.reports[-1][0] == "Label « Priorité préfet » ajouté à 2 dossiers."
    panel = window.workspace.panel
    panel.label_combo.setCurrentIndex(panel.label_combo.findText("Priorité préfet (2)"))
    assert column_texts(window, "reference") == ["2026-002", "2026-005"]
    panel.clear()
    panel.evaluateur_combo.setCurrentIndex(panel.evaluateur_combo.findData(claire))
    assert column_texts(window, "reference") == ["2026-001", "2026-003", "2026-004"]
    # Context menu and Dossier menu carry the same actions.
    assert window.workspace.batch.label_action in window.workspace.dossier_menu.actions()


def test_porteurs_menu_opens_directory(qtbot, db: Database, tmp_path: Path) -> None:
    window = make_window(qtbot, db)
    window.workspace.porteurs_action.trigger()
    directory = window.workspace._porteurs
    assert directory is not None and directory.isVisible()
    assert window.workspace.porteurs_action.shortcut().toString() == "Ctrl+P"
    assert directory.model.rowCount() == 5
