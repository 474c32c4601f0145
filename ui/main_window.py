"""The main window: menus, the campagne header and the list of its dossiers."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QWidget,
)

import instructeur
from instructeur.domain.money import format_amount
from instructeur.domain.statuts import CAMPAGNE_STATUT_LABELS
from instructeur.errors import UserError
from instructeur.services.dossier_list import CampagneRow, DossierRow, default_campagne
from ui.actions import (
    CoinstructionActions,
    FicheRegistry,
    ReportingActions,
)
from ui.dialogs import DATABASE_FILTER, Dialogs
from ui.first_run import FirstRun
from ui.help import HelpActions
from ui.main_menus import build_menus
from ui.main_window_view import MainWindowLayout
from ui.models.dossiers import DossierTableModel
from ui.views import DossiersWorkspace

if TYPE_CHECKING:
    from instructeur.services.first_paint import FirstPaint
    from instructeur.storage.db import Database
    from ui.fiche import FicheDossier

APP_NAME = "Instructeur"

# Campagne statut → (text, background) of its pill in the header.
_CAMPAGNE_PILL = {
    "preparation": ("#37474f", "#eceff1"),
    "ouverte": ("#174a7c", "#e3eefa"),
    "instruction": ("#174a7c", "#e3eefa"),
    "comite": ("#7a4b00", "#fdf0d5"),
    "cloturee": ("#1b5e20", "#e2f3e4"),
}


def campagne_name(row: CampagneRow) -> str:
    """« Appel à projets 2026 » (the year is not repeated when the libellé already holds it)."""
    return row.libelle if str(row.annee) in row.libelle else f"{row.libelle} {row.annee}"


def campagne_label(row: CampagneRow, *, with_contrat: bool = False) -> str:
    """« 2026 — Appel à projets (85 dossiers) »."""
    n = row.nb_dossiers
    count = f"{n} dossier{'s' if n > 1 else ''}"
    name = row.libelle if str(row.annee) in row.libelle else f"{row.annee} — {row.libelle}"
    text = f"{name} ({count})"
    return f"{row.contrat} · {text}" if with_contrat else text


def int_fr(n: int) -> str:
    """« 20 000 » (U+00A0 between groups, like the amounts)."""
    return f"{n:,}".replace(",", "\u00a0")


def count_text(total: int, shown: int) -> str:
    """« 85 dossiers », or « 85 dossiers — 7 affichés » when a search hides some."""
    text = f"{int_fr(total)} dossier{'s' if total > 1 else ''}"
    if shown != total:
        text += f" — {int_fr(shown)} affiché{'s' if shown > 1 else ''}"
    return text


class MainWindow(MainWindowLayout):
    """The window on an open base (`db`), or first on what `first_paint` read of it.

    With `first_paint` (the launch, issue 12), the window shows the campagnes and the list read
    without SQLAlchemy; `finish_opening(db)` then binds the open base and completes the rest
    (filter choices, scores). The launcher has it done after the first paint
    (`open_after_first_paint`), or earlier if anything asks for `db` first."""

    def __init__(
        self,
        db: Database | None,
        *,
        first_paint: FirstPaint | None = None,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self._dialogs = dialogs or Dialogs()
        self._db = db
        self._campagnes: list[CampagneRow] = []
        self._campagne: CampagneRow | None = None
        self._user_sized_columns = False
        self._fitting = False
        self._after_paint: list[Callable[[], None]] = []
        self._opener: Callable[[], None] | None = None
        self.fiches = FicheRegistry(self, self._dialogs)  # open fiches dossier, one per dossier
        build_menus(self)  # ui/main_menus.py
        self.search_edit.textChanged.connect(self.proxy.set_search)
        self.table.horizontalHeader().sectionResized.connect(self._on_section_resized)
        self.table.activated.connect(self._open_fiche_at)  # Entrée and double-click
        self.campagne_combo.activated.connect(self._on_combo_activated)
        self.workspace = DossiersWorkspace(self)  # filters, views, columns, batch actions, porteurs
        self.reporting = ReportingActions(self)  # tableau de bord, exports, notifications
        self.coinstruction = CoinstructionActions(self)  # notation hors ligne, fiches d'instruction
        self.first_run = FirstRun(self)  # the empty states' buttons
        self.help = HelpActions(self, self.help_menu)  # guide (F1), raccourcis clavier
        self.proxy.rowsInserted.connect(self._update_counts)
        self.proxy.rowsRemoved.connect(self._update_counts)
        self.proxy.modelReset.connect(self._update_counts)
        self.proxy.layoutChanged.connect(self._update_counts)

        if first_paint is not None:
            self._show_first_paint(first_paint)
        else:
            assert db is not None, "MainWindow needs an open base or a first paint"
            self._bind(db)
            self.reload()

    # --- data --------------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        if self._db is None:
            self._open_now()  # something needs the base before the queued opening ran
        assert self._db is not None, "no base, and none being opened"
        return self._db

    @property
    def open_db(self) -> Database | None:
        """The base, None until `finish_opening` after a first paint."""
        return self._db

    def open_after_first_paint(self, opener: Callable[[], None]) -> None:
        """`opener` opens the base and calls `finish_opening`: after the first paint, or as soon
        as anything asks for `db` before that."""
        self._opener = opener
        self.after_first_paint(self._open_now)

    def _open_now(self) -> None:
        opener, self._opener = self._opener, None
        if opener is not None:
            opener()

    def after_first_paint(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the window has painted, list included: the user sees it meanwhile.

        Not a zero timer: Qt handles those before the (low-priority) paint."""
        self._after_paint.append(callback)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        # The whole window paints at its first show, this widget first: its children paint in
        # the same pass, before the queued callbacks run.
        for callback in self._after_paint:
            QTimer.singleShot(0, callback)
        self._after_paint = []

    @property
    def current_campagne(self) -> CampagneRow | None:
        return self._campagne

    def _bind(self, db: Database) -> None:
        self._db = db
        self._show_base_name(db.display_name)
        self.workspace.bind(db)

    def _show_base_name(self, name: str) -> None:
        self.db_label.setText(_short_path(name))
        self.db_label.setToolTip(name)
        self.workspace.show_base(name)

    def _show_first_paint(self, first: FirstPaint) -> None:
        self._show_base_name(first.display_name)
        self._campagnes = first.campagnes
        self._fill_campagne_choices()
        self._show_campagne(first.campagne, rows=first.rows)

    def finish_opening(self, db: Database) -> None:
        """After a first paint: bind the open base and complete what needs the services."""
        self._bind(db)
        self.workspace.finish_first_paint()

    def set_database(self, db: Database) -> None:
        """Show another database in this window; the previous one is closed."""
        old = self._db
        self._bind(db)
        self._campagne = None
        self.search_edit.clear()
        self.reload()
        if old is not None and old is not db:
            old.close()

    def reload(self) -> None:
        """Re-read campagnes and dossiers (F5); keeps the campagne, the search and the sort."""
        from instructeur.services.campagnes import CampagneService

        with _WaitCursor():
            self._campagnes = CampagneService(self.db).all()
            current = self._campagne.id if self._campagne else None
            chosen = next((c for c in self._campagnes if c.id == current), None)
            chosen = chosen or default_campagne(self._campagnes)
            self._fill_campagne_choices()
            self._show_campagne(chosen)

    def select_campagne(self, campagne_id: int) -> None:
        row = next((c for c in self._campagnes if c.id == campagne_id), None)
        if row is None:
            raise UserError(f"campagne {campagne_id} introuvable")
        if self._campagne is None or row.id != self._campagne.id:
            with _WaitCursor():
                self._show_campagne(row)

    def _fill_campagne_choices(self) -> None:
        several_contrats = len({c.contrat_id for c in self._campagnes}) > 1
        self.campagne_combo.blockSignals(True)
        try:
            self.campagne_combo.clear()
            for row in self._campagnes:
                self.campagne_combo.addItem(campagne_label(row, with_contrat=several_contrats), row.id)
        finally:
            self.campagne_combo.blockSignals(False)
        self.campagne_combo.setEnabled(bool(self._campagnes))
        for action in self.campagne_group.actions():
            self.campagne_group.removeAction(action)
            action.deleteLater()
        self.campagne_menu.clear()
        if not self._campagnes:
            none = self.campagne_menu.addAction("Aucune campagne dans cette base")
            none.setEnabled(False)
            return
        for n, row in enumerate(self._campagnes):
            text = campagne_label(row, with_contrat=several_contrats).replace("&", "&&")
            # « &1 2026 — … »: the digit is the access key, like Ctrl+1 is the shortcut.
            action = QAction(f"&{n + 1} {text}" if n < 9 else text, self.campagne_group)
            action.setCheckable(True)
            action.setData(row.id)
            if n < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{n + 1}"))
            action.triggered.connect(lambda _checked=False, cid=row.id: self.select_campagne(cid))
            self.campagne_menu.addAction(action)

    def _show_campagne(self, row: CampagneRow | None, rows: list[DossierRow] | None = None) -> None:
        """Show a campagne: its rows are read, or given by the first paint."""
        self._campagne = row
        if row is None:
            from instructeur.services.contrats import ContratService

            self.model.set_rows([])
            self.stack.setCurrentWidget(self.empty_state)
            contrats = ContratService(self.db).all()
            self.empty_state.set_contrat(contrats[0].nom if contrats else None)
            self.setWindowTitle(APP_NAME)
            self.contrat_label.setText("Aucun contrat de ville")
            self.campagne_label.setText("Base sans campagne")
            self.statut_pill.hide()
            self.count_figure.set_value("0")
            self.total_figure.set_value(format_amount(0))
            self.search_edit.setEnabled(False)
            self._update_counts()
            return
        self.stack.setCurrentIndex(0)
        self.search_edit.setEnabled(True)
        self.workspace.load_rows(row, rows)
        self.setWindowTitle(f"{APP_NAME} — {row.contrat} — {campagne_name(row)}")
        self.contrat_label.setText(row.contrat)
        in_libelle = str(row.annee) in row.libelle
        self.campagne_label.setText(row.libelle if in_libelle else f"Campagne {row.annee} — {row.libelle}")
        fg, bg = _CAMPAGNE_PILL.get(row.statut, ("#37474f", "#eceff1"))
        self.statut_pill.setText(CAMPAGNE_STATUT_LABELS.get(row.statut, row.statut))
        self.statut_pill.setStyleSheet(f"color: {fg}; background: {bg};")
        self.statut_pill.show()
        total = self.model.rowCount()
        self.list_stack.setCurrentWidget(self.table if total else self.empty_list)
        self.count_figure.set_value(int_fr(total))
        self.count_figure.caption.setText("dossier" if total <= 1 else "dossiers")
        self.total_figure.set_value(format_amount(self.model.total_demande_cents()))
        index = self.campagne_combo.findData(row.id)
        self.campagne_combo.setCurrentIndex(index)
        for action in self.campagne_group.actions():
            action.setChecked(action.data() == row.id)
        self._update_counts()

    def _on_combo_activated(self, index: int) -> None:
        campagne_id = self.campagne_combo.itemData(index)
        if campagne_id is not None:
            self.select_campagne(int(campagne_id))

    def _update_counts(self, *_args: object) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        text = count_text(total, shown) if self._campagne else "Aucune campagne"
        self.count_label.setText(text)
        if self._campagne is None or not (self.proxy.search or self.proxy.filters.count):
            self.search_count.setText("")
        elif shown == 0:
            self.search_count.setText("Aucun dossier ne correspond")
        else:
            self.search_count.setText(f"{int_fr(shown)} sur {int_fr(total)}")

    # --- columns -------------------------------------------------------------------------------

    def createPopupMenu(self) -> None:
        return None  # no « hide the toolbar » context menu: nothing to get lost

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._user_sized_columns:
            QTimer.singleShot(0, self._fit_columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._user_sized_columns and self.isVisible():
            QTimer.singleShot(0, self._fit_columns)

    def _fit_columns(self, force: bool = False) -> None:
        """Preferred widths adjusted to the visible width, shared out by the columns' weights.

        Follows the window until the user resizes a column by hand; « Ajuster les colonnes »
        goes back to that behaviour.
        """
        if force:
            self._user_sized_columns = False
        if self._user_sized_columns:
            return
        hh = self.table.horizontalHeader()
        columns = [self.model.columns[self.model.column_index(k)] for k in self.proxy.visible_columns]
        fm = self.table.fontMetrics()
        floor = [max(fm.horizontalAdvance(c.header) + 36, hh.minimumSectionSize()) for c in columns]
        widths = [max(c.width or 0, f) for c, f in zip(columns, floor, strict=True)]
        extra = self.table.viewport().width() - sum(widths)
        weights = sum(c.stretch for c in columns)
        if weights and extra > 0:
            for n, c in enumerate(columns):
                widths[n] += extra * c.stretch // weights
        elif weights and extra < 0:  # narrow window: the text columns give up room first
            for n, c in enumerate(columns):
                if c.stretch:
                    widths[n] = max(floor[n] + 60, widths[n] + extra * c.stretch // weights)
        self._fitting = True
        try:
            for n, w in enumerate(widths):
                hh.resizeSection(n, w)
        finally:
            self._fitting = False

    def _on_section_resized(self, *_args: object) -> None:
        if not self._fitting:
            self._user_sized_columns = True

    # --- actions -----------------------------------------------------------------------------

    def open_fiche(self, dossier_id: int) -> FicheDossier | None:
        """The fiche of a dossier in its own window (the one already open is brought forward)."""
        try:
            with _WaitCursor():
                fiche = self.fiches.open(self._db, dossier_id)
        except UserError as exc:
            self._dialogs.error(self, "Ouverture impossible", exc.message)
            return None
        if not getattr(fiche, "list_connected", False):
            fiche.saved.connect(self._on_fiche_saved)
            fiche.list_connected = True  # type: ignore[attr-defined]
        return fiche

    def open_current_fiche(self) -> FicheDossier | None:
        index = self.table.currentIndex()
        return self._open_fiche_at(index) if index.isValid() else None

    def _open_fiche_at(self, index: QModelIndex) -> FicheDossier | None:
        row = index.siblingAtColumn(0).data(DossierTableModel.RowRole)
        return self.open_fiche(row.id) if row is not None else None

    def new_dossier(self) -> FicheDossier | None:
        if self._campagne is None:
            self._dialogs.error(self, "Nouveau dossier", "Aucune campagne : créez d'abord une campagne.")
            return None
        fiche = self.fiches.new(self._db, self._campagne.id)
        fiche.saved.connect(self._on_fiche_saved)
        fiche.list_connected = True  # type: ignore[attr-defined]
        return fiche

    def _on_fiche_saved(self, dossier_id: int) -> None:
        """A fiche saved: the list, counts and totals are read again; the dossier stays selected."""
        self.reload()
        workspace = getattr(self, "workspace", None)
        if workspace is not None:
            workspace.select_ids([dossier_id])
            return
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if getattr(index.data(DossierTableModel.RowRole), "id", None) == dossier_id:
                self.table.selectRow(r)
                self.table.scrollTo(index)
                break

    def focus_search(self) -> None:
        if self.search_edit.isEnabled():
            self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.search_edit.selectAll()

    def ask_open_database(self) -> None:
        start = str(self._db.path.parent) if self._db.path else ""
        path = self._dialogs.ask_open_path(self, "Ouvrir une base Instructeur", start, DATABASE_FILTER)
        if path is not None:
            self.open_database(path)

    def open_database(self, target: str | Path) -> bool:
        if not self.close_work_windows():  # they hold the current base: nothing may write to it later
            return False
        try:
            with _WaitCursor():
                # --- an empty server base: ask before creating the schema (ui/open_database.py) ---
                from ui.open_database import open_or_create

                opened = open_or_create(target, self._dialogs, self)
        except UserError as exc:
            self._dialogs.error(self, "Ouverture impossible", exc.message)
            return False
        if opened is None:
            return False
        db = opened
        # --- end empty server base ---
        self.set_database(db)
        self.statusBar().showMessage(f"Base ouverte : {db.display_name}", 5000)
        return True

    def ask_backup(self) -> None:
        folder = self._db.path.parent if self._db.path else Path.home()
        suggested = folder / f"instructeur-copie-{date.today().isoformat()}.sqlite"
        path = self._dialogs.ask_save_path(
            self, "Sauvegarder une copie de la base", str(suggested), DATABASE_FILTER
        )
        if path is not None:
            self.backup(path)

    def backup(self, destination: Path) -> Path | None:
        from instructeur.storage.backup import backup_to

        if not destination.suffix:
            destination = destination.with_suffix(".sqlite")
        try:
            with _WaitCursor():
                written = backup_to(self._db, destination)
        except UserError as exc:
            self._dialogs.error(self, "Sauvegarde impossible", exc.message)
            return None
        self.statusBar().showMessage(f"Copie enregistrée : {written}", 8000)
        return written

    def show_about(self) -> None:
        from PySide6 import __version__ as pyside_version

        where = html.escape(self._db.display_name)
        text = (
            f"<h3>Instructeur {html.escape(instructeur.__version__)}</h3>"
            "<p>Instruction des appels à projets de la politique de la ville.</p>"
            f"<p><b>Base de données&nbsp;:</b><br>{where}</p>"
            f"<p style='color:gray'>PySide6 {html.escape(pyside_version)}</p>"
        )
        self._dialogs.about(self, "À propos d'Instructeur", text)

    def close_work_windows(self) -> bool:
        """Close the fiches and every other window working on this database (matrix, grille,
        séance, import…); each asks about its unsaved work. False if one stayed open."""
        if not self.fiches.close_all():
            return False
        others = [
            w for w in QApplication.topLevelWidgets() if w is not self and w.isWindow() and w.isVisible()
        ]
        return all(w.close() for w in others)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_work_windows():  # a window with unsaved changes stayed open
            event.ignore()
            return
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)

    def restore_geometry(self) -> bool:
        geometry = QSettings().value("main_window/geometry")
        return bool(geometry) and self.restoreGeometry(geometry)


def _short_path(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


class _WaitCursor:
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()


__all__ = ["MainWindow", "campagne_label", "count_text", "default_campagne"]
