"""The main window and its dossiers model (offscreen; no app.exec(), every top-level added to qtbot)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut
from instructeur.services.campagnes import CampagneService
from instructeur.services.dossiers import DossierService
from instructeur.storage.db import Database
from tests.ui.conftest import CONTRAT, build_database
from ui.main_window import MainWindow, count_text
from ui.models.dossiers import DossierFilterProxy, DossierTableModel
from ui.models.table import RowTableModel

NBSP = "\u00a0"


class FakeDialogs:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.errors: list[str] = []
        self.abouts: list[str] = []

    def ask_open_path(self, *args: object) -> Path | None:
        return self.path

    def ask_save_path(self, *args: object) -> Path | None:
        return self.path

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def info(self, parent: object, title: str, message: str) -> None:
        pass

    def about(self, parent: object, title: str, html: str) -> None:
        self.abouts.append(html)


def make_window(qtbot, db: Database, dialogs: FakeDialogs | None = None) -> MainWindow:
    window = MainWindow(db, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1400, 800)
    with qtbot.waitExposed(window):
        window.show()
    return window


def column_texts(window: MainWindow, key: str) -> list[str]:
    col = window.model.column_index(key)
    return [window.proxy.index(r, col).data() for r in range(window.proxy.rowCount())]


def campagne_id(db: Database, annee: int) -> int:
    return next(c.id for c in CampagneService(db).all() if c.annee == annee)


# --- models -------------------------------------------------------------------------------------


def test_model_and_proxy_pass_qtmodeltester(qtmodeltester, db: Database) -> None:
    model = DossierTableModel()
    model.set_rows(DossierService(db).list_rows(campagne_id(db, 2026)))
    qtmodeltester.check(model)
    proxy = DossierFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    proxy.sort(model.column_index("porteur"), Qt.SortOrder.DescendingOrder)
    proxy.set_search("elan")
    qtmodeltester.check(proxy)
    assert proxy.rowCount() == 1


def test_model_roles(db: Database) -> None:
    model = DossierTableModel()
    rows = DossierService(db).list_rows(campagne_id(db, 2026))
    model.set_rows(rows)
    col = model.column_index("demande")
    ix = model.index(1, col)
    assert ix.data() == f"12{NBSP}500,00{NBSP}€" == format_amount(1_250_000)
    assert ix.data(RowTableModel.SortRole) == 1_250_000
    assert ix.data(RowTableModel.RowRole) == rows[1]
    assert Qt.AlignmentFlag(ix.data(Qt.ItemDataRole.TextAlignmentRole)) & Qt.AlignmentFlag.AlignRight
    statut = model.index(1, model.column_index("statut"))
    assert statut.data() == "En instruction"
    assert statut.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Référence"
    assert model.rowCount(model.index(0, 0)) == 0


def test_sort_keeps_persistent_indexes_and_survives_reload(db: Database) -> None:
    model = DossierTableModel()
    rows = DossierService(db).list_rows(campagne_id(db, 2026))
    model.set_rows(rows)
    col = model.column_index("porteur")
    elan = QPersistentModelIndex(model.index(1, col))
    assert elan.data() == "Élan Solidaire"
    model.sort(col, Qt.SortOrder.AscendingOrder)
    assert elan.data() == "Élan Solidaire" and elan.row() == 3
    model.set_rows(list(reversed(rows)))  # new rows come sorted like the last sort
    assert [model.index(r, col).data() for r in range(5)][:2] == ["Association Azur", "Eau Vive"]


# --- window ---------------------------------------------------------------------------------------


def test_window_shows_contrat_campagne_and_dossiers(qtbot, db: Database) -> None:
    window = make_window(qtbot, db)
    assert window.windowTitle() == f"Instructeur — {CONTRAT} — Appel à projets 2026"
    assert window.contrat_label.text() == CONTRAT
    assert "2026" in window.campagne_label.text()
    assert window.statut_pill.text() == "En instruction"
    assert window.proxy.rowCount() == 5
    assert window.count_label.text() == "5 dossiers"
    assert window.count_figure.value.text() == "5"
    assert window.total_figure.value.text() == format_amount(
        750_000 + 1_250_000 + 300_000 + 200_000 + 100_000
    )
    assert f"12{NBSP}500,00{NBSP}€" in column_texts(window, "demande")
    assert "Refusé" in column_texts(window, "statut")
    assert window.campagne_combo.currentText() == "2026 — Appel à projets (5 dossiers)"
    assert window.campagne_combo.count() == 2
    headers = [
        window.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(window.proxy.columnCount())
    ]
    assert headers == ["Référence", "Porteur", "Intitulé", "Quartiers", "Montant demandé", "Statut"]
    # Painting must not raise (offscreen does not paint by itself, P6).
    assert not window.grab().isNull()


def test_french_sort_order_by_clicking_header(qtbot, db: Database) -> None:
    window = make_window(qtbot, db)
    col = window.model.column_index("porteur")
    window.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    porteurs = column_texts(window, "porteur")
    assert porteurs == [
        "Association Azur",
        "Eau Vive",
        "Ecole des parents",
        "Élan Solidaire",
        "Zèbre Théâtre",
    ]
    window.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert column_texts(window, "porteur") == list(reversed(porteurs))
    amounts = window.model.column_index("demande")
    window.table.sortByColumn(amounts, Qt.SortOrder.DescendingOrder)
    assert column_texts(window, "reference")[0] == "2026-002"  # 12 500 € > 7 500 € (not text order)


def test_search_is_accent_insensitive_and_counts(qtbot, db: Database) -> None:
    window = make_window(qtbot, db)
    window.search_edit.setText("elan")  # set, not typed: keyClicks aborts on accents (P3)
    assert column_texts(window, "porteur") == ["Élan Solidaire"]
    assert window.count_label.text() == "5 dossiers — 1 affiché"
    window.search_edit.setText("THEATRE")
    assert column_texts(window, "porteur") == ["Zèbre Théâtre"]
    window.search_edit.setText("parents café")  # every word, in any order
    assert column_texts(window, "reference") == ["2026-005"]
    window.search_edit.setText("introuvable")
    assert window.proxy.rowCount() == 0
    assert window.search_count.text() == "Aucun dossier ne correspond"
    window.search_edit.clear()
    assert window.proxy.rowCount() == 5
    assert window.count_label.text() == "5 dossiers"


def test_ctrl_f_focuses_search(qtbot, db: Database) -> None:
    window = make_window(qtbot, db)
    with qtbot.waitActive(window):
        window.activateWindow()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.search_edit
    assert window.search_action.shortcut().toString() == "Ctrl+F"


def test_switching_campagne_reloads(qtbot, db: Database) -> None:
    window = make_window(qtbot, db)
    window.search_edit.setText("eau")
    c2025 = campagne_id(db, 2025)
    index = window.campagne_combo.findData(c2025)
    window.campagne_combo.setCurrentIndex(index)
    window.campagne_combo.activated.emit(index)
    assert window.current_campagne is not None and window.current_campagne.annee == 2025
    assert window.proxy.rowCount() == 1  # the search stays: « Eau Vive » in 2025
    window.search_edit.clear()
    assert column_texts(window, "reference") == ["2025-001", "2025-002"]
    assert window.windowTitle().endswith("2025")
    assert window.statut_pill.text() == "Clôturée"
    checked = [a.data() for a in window.campagne_group.actions() if a.isChecked()]
    assert checked == [c2025]
    # The menu switches back.
    back = next(a for a in window.campagne_group.actions() if a.data() != c2025)
    back.trigger()
    assert window.current_campagne.annee == 2026
    assert window.proxy.rowCount() == 5


def test_refresh_sees_new_dossiers(qtbot, db: Database) -> None:
    from instructeur.storage.models import Dossier, Porteur

    window = make_window(qtbot, db)
    with db.session() as s:
        s.add(
            Dossier(
                campagne_id=window.current_campagne.id,
                porteur=Porteur(raison_sociale="Œuvre"),
                reference="2026-006",
                intitule="Nouveau",
            )
        )
    window.refresh_action.trigger()
    assert window.proxy.rowCount() == 6
    assert window.campagne_combo.currentText() == "2026 — Appel à projets (6 dossiers)"


def test_empty_database_shows_empty_state(qtbot, empty_db: Database) -> None:
    window = make_window(qtbot, empty_db)
    assert window.stack.currentWidget() is window.empty_state
    assert "Cette base est vide" in window.empty_state.text()
    assert "instructeur demo" not in window.empty_state.text()  # no command line to type
    panel = window.empty_state
    assert [b.isVisible() for b in (panel.create_contrat_button, panel.demo_button, panel.open_button)] == [
        True,
        True,
        True,
    ]
    assert window.windowTitle() == "Instructeur"
    assert not window.campagne_combo.isEnabled()
    window.refresh_action.trigger()  # no crash either
    assert not window.grab().isNull()


def test_open_another_database_and_backup(qtbot, db: Database, tmp_path: Path) -> None:
    other = build_database(tmp_path / "autre.sqlite", with_data=False)
    other.close()
    dialogs = FakeDialogs(tmp_path / "autre.sqlite")
    window = make_window(qtbot, db, dialogs)
    window.open_action.trigger()
    assert window.db.path == (tmp_path / "autre.sqlite").resolve()
    assert window.stack.currentWidget() is window.empty_state

    dialogs.path = tmp_path / "copie"
    window.backup_action.trigger()
    assert (tmp_path / "copie.sqlite").exists()
    window.backup_action.trigger()  # exists now: refused with a French message, no crash
    assert dialogs.errors and "existe déjà" in dialogs.errors[-1]

    dialogs.path = tmp_path / "pas-une-base.sqlite"
    dialogs.path.write_text("bonjour")
    window.open_action.trigger()
    assert "n'est pas une base" in dialogs.errors[-1]
    assert window.db.path == (tmp_path / "autre.sqlite").resolve()  # unchanged
    window.db.close()


def test_about_names_version_and_database(qtbot, db: Database) -> None:
    import instructeur

    dialogs = FakeDialogs()
    window = make_window(qtbot, db, dialogs)
    window.about_action.trigger()
    assert instructeur.__version__ in dialogs.abouts[0]
    assert "petite.sqlite" in dialogs.abouts[0]


def test_menus_are_french_and_have_no_dead_items(qtbot, db: Database) -> None:
    window = make_window(qtbot, db)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&Fichier", "&Campagne", "&Dossier", "Co&mité", "&Porteurs", "&Affichage", "A&ide"]
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.isSeparator():
                continue
            assert action.isEnabled()
            assert action.receivers("2triggered(bool)") > 0 or action.actionGroup() is not None, action.text()
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert window.refresh_action.shortcut().toString() == "F5"


def test_accessible_names(qtbot, db: Database) -> None:
    window = make_window(qtbot, db)
    for widget in (window.table, window.search_edit, window.campagne_combo, window.contrat_label):
        assert widget.accessibleName()


def test_count_text() -> None:
    assert count_text(85, 85) == "85 dossiers"
    assert count_text(85, 7) == "85 dossiers — 7 affichés"
    assert count_text(1, 1) == "1 dossier"
    assert count_text(85, 0) == "85 dossiers — 0 affiché"
    assert count_text(20_000, 1_250) == f"20{NBSP}000 dossiers — 1{NBSP}250 affichés"


def test_french_translations_and_locale(qapp) -> None:
    from ui.app import make_application

    app = make_application()
    assert app is qapp
    assert QLocale().language() == QLocale.Language.French
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    try:
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Annuler"
    finally:
        box.deleteLater()


def test_every_statut_has_a_colour_family() -> None:
    from ui.models.dossiers import STATUT_FAMILY

    assert set(STATUT_FAMILY) == set(Statut)


def test_run_gui_refuses_a_file_that_is_not_a_database(qapp, tmp_path: Path, monkeypatch) -> None:
    import ui.app

    shown: list[str] = []
    monkeypatch.setattr(ui.app.QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    bad = tmp_path / "notes.sqlite"
    bad.write_text("pas une base")
    assert ui.app.run_gui(bad) == 2
    assert "n'est pas une base de données SQLite" in shown[0]


def test_window_size_from_env(monkeypatch) -> None:
    from ui.app import window_size_from_env

    monkeypatch.setenv("INSTRUCTEUR_WINDOW_SIZE", "1600x900")
    assert window_size_from_env() == (1600, 900)
    monkeypatch.setenv("INSTRUCTEUR_WINDOW_SIZE", "grand")
    assert window_size_from_env() is None


class _UnsavedWork(QWidget):
    """A tool window (matrix, grille…) stand-in that keeps its unsaved work until allowed to close."""

    def __init__(self) -> None:
        super().__init__()
        self.allow = False

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt API
        if self.allow:
            event.accept()
        else:
            event.ignore()


def test_work_windows_close_before_another_base_or_quitting(qtbot, db: Database, tmp_path: Path) -> None:
    other = build_database(tmp_path / "autre.sqlite", with_data=False)
    other.close()
    window = make_window(qtbot, db, FakeDialogs(tmp_path / "autre.sqlite"))
    tool = _UnsavedWork()
    qtbot.addWidget(tool)
    tool.show()
    assert not window.open_database(tmp_path / "autre.sqlite")  # the tool kept its unsaved work
    assert window.db is db and tool.isVisible()
    assert not window.close() and window.isVisible()
    tool.allow = True
    assert window.open_database(tmp_path / "autre.sqlite")
    assert not tool.isVisible()  # nothing may write to the previous base any more
    window.db.close()


def test_start_up_does_not_load_the_export_libraries() -> None:
    """ReportLab and openpyxl cost a tenth of a second each: the window must not import them
    before an export or a letter is asked for (launch target ≤ 1.5 s, docs/PERFORMANCE.md)."""
    import subprocess
    import sys

    code = "import sys, ui.main_window; print(sorted({'reportlab', 'openpyxl'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
