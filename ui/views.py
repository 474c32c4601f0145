"""Saved views of the dossiers list: name + search + filters + visible columns + sort.

Stored with QSettings, one list per database file (ids in filters belong to that database).
Built-in views (« Tous », « À instruire », « Prêts pour le comité ») cannot be deleted.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMenuBar,
    QScrollArea,
    QToolBar,
    QToolButton,
    QWidget,
)

from instructeur.domain.statuts import Statut
from instructeur.services.dossier_list import CampagneRow, DossierRow
from ui.dialogs import Dialogs
from ui.models.dossiers import DEFAULT_COLUMNS, DossierFilters
from ui.models.table import RowTableModel

if TYPE_CHECKING:
    from instructeur.storage.db import Database
    from ui.main_window import MainWindow
    from ui.porteurs import PorteursWindow


@dataclass(frozen=True)
class ViewState:
    search: str = ""
    filters: DossierFilters = field(default_factory=DossierFilters)
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    sort_key: str | None = "reference"
    sort_descending: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "filters": self.filters.to_dict(),
            "columns": list(self.columns),
            "sort": [self.sort_key, "desc" if self.sort_descending else "asc"],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ViewState:
        sort = data.get("sort") or ["reference", "asc"]
        columns = tuple(str(c) for c in data.get("columns") or DEFAULT_COLUMNS)
        return cls(
            search=str(data.get("search") or ""),
            filters=DossierFilters.from_dict(data.get("filters") or {}),
            columns=columns,
            sort_key=str(sort[0]) if sort and sort[0] else None,
            sort_descending=len(sort) > 1 and sort[1] == "desc",
        )


@dataclass(frozen=True)
class SavedView:
    name: str
    state: ViewState
    builtin: bool = False


BUILTIN_VIEWS: tuple[SavedView, ...] = (
    SavedView("Tous", ViewState(), builtin=True),
    SavedView(
        "À instruire",
        ViewState(filters=DossierFilters(statuts=frozenset({Statut.RECEVABLE, Statut.EN_INSTRUCTION}))),
        builtin=True,
    ),
    SavedView(
        "Prêts pour le comité",
        ViewState(
            filters=DossierFilters(statuts=frozenset({Statut.INSTRUIT})),
            columns=(*DEFAULT_COLUMNS, "cotation", "evaluateurs"),
        ),
        builtin=True,
    ),
)


class ViewStore:
    """The user's views of one database, in QSettings (« views/<hash of the database> »)."""

    def __init__(self, database_name: str, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings()
        digest = hashlib.sha1(database_name.encode("utf-8")).hexdigest()[:16]
        self._key = f"dossier_views/{digest}"

    def load(self) -> list[SavedView]:
        raw = self._settings.value(self._key, "")
        try:
            data = json.loads(str(raw)) if raw else []
        except ValueError:
            data = []
        views = []
        for item in data if isinstance(data, list) else []:
            if isinstance(item, dict) and item.get("name"):
                views.append(SavedView(str(item["name"]), ViewState.from_dict(item.get("state") or {})))
        return views

    def save(self, views: list[SavedView]) -> None:
        payload = [{"name": v.name, "state": v.state.to_dict()} for v in views if not v.builtin]
        self._settings.setValue(self._key, json.dumps(payload, ensure_ascii=False))
        self._settings.sync()


class ViewsBar(QWidget):
    """« Vue : [combo] [⋯] » — picking a view applies it; the menu saves or deletes views."""

    applied = Signal(str)

    def __init__(
        self,
        get_state: Callable[[], ViewState],
        apply_state: Callable[[ViewState], None],
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._get_state, self._apply_state, self._dialogs = get_state, apply_state, dialogs
        self._store: ViewStore | None = None
        self._user_views: list[SavedView] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Vue :")
        self.combo = QComboBox()
        self.combo.setAccessibleName("Vue enregistrée")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumContentsLength(16)
        label.setBuddy(self.combo)
        self.combo.activated.connect(self._on_activated)
        self.save_action = QAction("&Enregistrer la vue…", self)
        self.save_action.triggered.connect(self.ask_save)
        self.delete_action = QAction("&Supprimer la vue", self)
        self.delete_action.triggered.connect(self.ask_delete)
        menu = QMenu(self)
        menu.addAction(self.save_action)
        menu.addAction(self.delete_action)
        self.menu = menu
        self.button = QToolButton()
        self.button.setText("Vues")
        self.button.setAccessibleName("Gérer les vues")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(menu)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addWidget(self.button)
        self._fill("Tous")

    # --- content -----------------------------------------------------------------------------

    def views(self) -> list[SavedView]:
        return [*BUILTIN_VIEWS, *self._user_views]

    def set_store(self, store: ViewStore) -> None:
        self._store = store
        self._user_views = store.load()
        self._fill("Tous")

    def current(self) -> SavedView | None:
        name = self.combo.currentData()
        return next((v for v in self.views() if v.name == name), None)

    def select(self, name: str) -> bool:
        """Applies the view called `name`."""
        view = next((v for v in self.views() if v.name == name), None)
        if view is None:
            return False
        self.combo.setCurrentIndex(self.combo.findData(name))
        self._apply_state(view.state)
        self._update_actions()
        self.applied.emit(name)
        return True

    def _fill(self, current: str | None) -> None:
        self.combo.blockSignals(True)
        try:
            self.combo.clear()
            for view in self.views():
                self.combo.addItem(view.name, view.name)
                if view.builtin:
                    self.combo.setItemData(self.combo.count() - 1, "Vue fournie", Qt.ItemDataRole.ToolTipRole)
            index = self.combo.findData(current) if current else -1
            self.combo.setCurrentIndex(max(index, 0))
        finally:
            self.combo.blockSignals(False)
        self._update_actions()

    def _update_actions(self) -> None:
        view = self.current()
        self.delete_action.setEnabled(view is not None and not view.builtin)

    def _on_activated(self, index: int) -> None:
        name = self.combo.itemData(index)
        if name:
            self.select(str(name))

    # --- saving --------------------------------------------------------------------------------

    def save_view(self, name: str) -> SavedView:
        name = " ".join(name.split())
        view = SavedView(name, self._get_state())
        self._user_views = [v for v in self._user_views if v.name != name] + [view]
        if self._store is not None:
            self._store.save(self._user_views)
        self._fill(name)
        return view

    def delete_view(self, name: str) -> bool:
        if any(v.name == name for v in BUILTIN_VIEWS):
            return False
        before = len(self._user_views)
        self._user_views = [v for v in self._user_views if v.name != name]
        if self._store is not None:
            self._store.save(self._user_views)
        self._fill("Tous")
        return len(self._user_views) != before

    def ask_save(self) -> None:
        current = self.current()
        suggested = current.name if current and not current.builtin else ""
        name = self._dialogs.ask_text(self, "Enregistrer la vue", "Nom de la vue :", suggested)
        if name is None or not name.strip():
            return
        clean = " ".join(name.split())
        if any(v.name == clean for v in BUILTIN_VIEWS):
            self._dialogs.error(
                self, "Enregistrer la vue", f"« {clean} » est une vue fournie : choisissez un autre nom."
            )
            return
        if any(v.name == clean for v in self._user_views) and not self._dialogs.confirm(
            self, "Enregistrer la vue", f"La vue « {clean} » existe déjà. La remplacer ?", "Remplacer"
        ):
            return
        self.save_view(clean)

    def ask_delete(self) -> None:
        view = self.current()
        if view is None or view.builtin:
            return
        if self._dialogs.confirm(
            self, "Supprimer la vue", f"Supprimer la vue « {view.name} » ?", "Supprimer"
        ):
            self.delete_view(view.name)
            self.select("Tous")


# --- the workspace: wires the filter panel, the views, the columns and the batch actions ------


class DossiersWorkspace(QObject):
    """Everything the main window's dossiers list gained for real work, kept out of the window:
    the filter dock, the « Vue » bar, the column chooser, the batch toolbar and menus, the
    porteurs directory. A view is exactly this object's state (`state()` / `apply()`)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from ui.batch import BatchActions
        from ui.columns import ColumnChooser
        from ui.filters import FilterPanel

        self.window = w = window
        self._porteurs: PorteursWindow | None = None
        self._contrat_id: int | None = None
        self._base_name: str | None = None

        # Filters: a left dock, and a summary with « Effacer » beside the search field.
        self.panel = FilterPanel()
        self.panel.changed.connect(self._on_filters)
        self.dock = QDockWidget("Filtres", w)
        self.dock.setObjectName("filtersDock")
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        self.dock.setWidget(scroll)
        self.dock.setMinimumWidth(250)
        w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock)
        self.filter_summary = QLabel()
        self.filter_summary.setObjectName("filterChips")
        self.filter_summary.setAccessibleName("Filtres actifs")
        self.filter_summary.setTextFormat(Qt.TextFormat.RichText)
        self.filter_summary.linkActivated.connect(lambda _link: self.panel.clear())

        # Views and columns.
        self.views = ViewsBar(self.state, self.apply, w._dialogs)
        self.columns = ColumnChooser(w.proxy, w.table.horizontalHeader(), w)
        self.columns.changed.connect(self._on_columns)
        bar = w.search_bar
        bar.insertWidget(bar.count() - 1, self.filter_summary)
        bar.addWidget(self.views)

        # Batch actions: toolbar, Dossier menu, table context menu.
        self.batch = BatchActions(
            w, w.table, lambda: w.db, lambda: self._contrat_id, self.reload_keeping, w._dialogs
        )
        toolbar = QToolBar("Actions groupées", w)
        toolbar.setObjectName("batchToolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.selection_label = QLabel("  Aucun dossier sélectionné  ")
        self.selection_label.setAccessibleName("Dossiers sélectionnés")
        toolbar.addWidget(self.selection_label)
        for action in self.batch.actions:
            toolbar.addAction(action)
        w.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar
        w.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        w.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        w.table.customContextMenuRequested.connect(self.batch.context_menu)
        w.table.selectionModel().selectionChanged.connect(self._on_selection)
        w.proxy.modelReset.connect(self._on_selection)
        w.proxy.layoutChanged.connect(self._on_selection)
        QTimer.singleShot(0, self, self._follow_tabs)  # the dashboard tabs are built after this

        menubar = w.menuBar()
        before = _menu_action(menubar, "affichage")
        dossier = _menu_action(menubar, "dossier")
        if dossier is not None and dossier.menu() is not None:
            self.dossier_menu = dossier.menu()
            self.dossier_menu.addSeparator()
        else:
            self.dossier_menu = QMenu("&Dossier", w)
            menubar.insertMenu(before, self.dossier_menu) if before else menubar.addMenu(self.dossier_menu)
        self.batch.populate_menu(self.dossier_menu)
        # --- Ctrl+C on rows, « Exporter la liste affichée… » (ui/list_export.py) ---
        from ui.list_export import ListExportActions

        self.list_export = ListExportActions(w, self.dossier_menu)
        # --- end list export ---
        self.porteurs_menu = QMenu("&Porteurs", w)
        self.porteurs_action = QAction("&Annuaire des porteurs…", w)
        self.porteurs_action.setShortcut(QKeySequence("Ctrl+P"))
        self.porteurs_action.triggered.connect(self.show_porteurs)
        self.porteurs_menu.addAction(self.porteurs_action)
        menubar.insertMenu(before, self.porteurs_menu) if before else menubar.addMenu(self.porteurs_menu)
        w.addAction(self.porteurs_action)
        # Strict and generous évaluateurs made comparable (DESIGN.md §6): off by default.
        self.normalise_action = QAction("Notes &normalisées par évaluateur (z-score)", w)
        self.normalise_action.setCheckable(True)
        self.normalise_action.toggled.connect(
            lambda _on: self.reload_keeping([row.id for row in self.batch.selected_rows()])
        )
        affichage = before.menu() if before is not None else None
        if affichage is not None:
            self.filters_action = self.dock.toggleViewAction()
            self.filters_action.setText("Panneau des &filtres")
            self.filters_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
            affichage.addSeparator()
            affichage.addAction(self.filters_action)
            self.columns_action = QAction("Choisir les &colonnes…", w)
            self.columns_action.triggered.connect(self._popup_columns)
            affichage.addAction(self.columns_action)
            affichage.addAction(self.views.save_action)
            affichage.addAction(self.normalise_action)
            w.addAction(self.filters_action)
        self._show_summary()

    # --- database and campagne -------------------------------------------------------------

    def show_base(self, name: str) -> None:
        """The saved views of the base called `name` (known before it is open, at first paint)."""
        if name != self._base_name:
            self._base_name = name
            self.views.set_store(ViewStore(name))

    def bind(self, db: Database) -> None:
        self.show_base(db.display_name)
        if self._porteurs is not None:
            self._porteurs.set_database(db)

    def load_rows(self, campagne: CampagneRow, rows: list[DossierRow] | None = None) -> None:
        """Rows of the campagne into the model, and the filter choices of its contrat. `rows`:
        the first paint's, read before the base was open; `finish_first_paint` completes them."""
        w = self.window
        if campagne.contrat_id != self._contrat_id:
            self._contrat_id = campagne.contrat_id
            if rows is None:
                self.refresh_choices()
        # The search texts and the grille scores (the costly part) come each in its own event
        # loop turn: what the user already asked for is handled first. At launch they wait for
        # the window's first paint (`finish_first_paint`); zero timers alone would not, since Qt
        # handles them before the paint.
        token = self._load_token = self._load_token + 1
        if rows is not None:
            w.model.set_rows(rows)
            return
        from instructeur.services.dossiers import DossierService

        normalise = self.normalise_action.isChecked()
        w.model.set_rows(DossierService(w.db).list_rows(campagne.id, normalise=normalise, with_scores=False))
        self._complete_rows(token)

    def finish_first_paint(self) -> None:
        """The base is open: the filter choices, then what `load_rows` completes."""
        self.refresh_choices()
        self._complete_rows(self._load_token)

    def _complete_rows(self, token: int) -> None:
        """The search texts, then the scores of the loaded rows, each in its own event loop turn
        (what the user does meanwhile is handled between them)."""
        QTimer.singleShot(0, self.window.model.search_texts)
        QTimer.singleShot(0, lambda: self._fill_scores(token))

    def _fill_scores(self, token: int) -> None:
        from instructeur.services.dossiers import DossierService

        w = self.window
        campagne = w.current_campagne
        if token == self._load_token and campagne is not None:
            normalise = self.normalise_action.isChecked()
            w.model.set_scores(DossierService(w.db).list_scores(campagne.id, normalise=normalise))

    def refresh_choices(self) -> None:
        from instructeur.services.contrats import ContratService
        from instructeur.services.evaluateurs import EvaluateurService
        from instructeur.services.labels import LabelService

        db = self.window.db
        if self._contrat_id is None:
            self.panel.set_choices()
            return
        contrats = ContratService(db)
        from instructeur.services.cadre import CadreService
        from instructeur.services.classifications import ClassificationService

        cadre = CadreService(db)
        classifications = [  # one filter per additional classification (issue 13)
            cadre.arbre(self._contrat_id, k.id)
            for k in ClassificationService(db).classifications(self._contrat_id)
        ]
        self.panel.set_choices(
            contrats.objectifs(self._contrat_id),
            contrats.quartiers(self._contrat_id),
            contrats.financeurs(self._contrat_id),
            EvaluateurService(db).all(self._contrat_id),
            LabelService(db).all(),
            classifications,
        )

    _load_token = 0  # a later load cancels the pending score fill of an earlier one

    def reload_keeping(self, selected_ids: list[int]) -> None:
        """After a batch action: re-read the rows (same campagne, search, filters, sort) and
        select the same dossiers again."""
        w = self.window
        campagne = w.current_campagne
        if campagne is None:
            return
        self.refresh_choices()
        self._load_token += 1
        w.model.set_rows(self._list(campagne.id))
        self.select_ids(selected_ids)
        w._update_counts()

    def _list(self, campagne_id: int) -> list[DossierRow]:
        from instructeur.services.dossiers import DossierService

        return DossierService(self.window.db).list_rows(
            campagne_id, normalise=self.normalise_action.isChecked()
        )

    def select_ids(self, ids: list[int]) -> None:
        w = self.window
        wanted = set(ids)
        selection = QItemSelection()
        last = w.proxy.columnCount() - 1
        for r in range(w.proxy.rowCount()):
            row = w.proxy.index(r, 0).data(RowTableModel.RowRole)
            if isinstance(row, DossierRow) and row.id in wanted:
                selection.select(w.proxy.index(r, 0), w.proxy.index(r, last))
        w.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    # --- state (what a view stores) ----------------------------------------------------------

    def state(self) -> ViewState:
        w = self.window
        key, order = w.proxy.sorted_key()
        return ViewState(
            search=w.search_edit.text().strip(),
            filters=self.panel.filters(),
            columns=w.proxy.visible_columns,
            sort_key=key,
            sort_descending=order == Qt.SortOrder.DescendingOrder,
        )

    def apply(self, state: ViewState) -> None:
        w = self.window
        self.columns.set_visible(state.columns)
        self.panel.set_filters(state.filters)
        w.proxy.set_filters(self.panel.filters())
        w.search_edit.setText(state.search)
        if state.sort_key:
            order = Qt.SortOrder.DescendingOrder if state.sort_descending else Qt.SortOrder.AscendingOrder
            w.proxy.sort_by_key(state.sort_key, order)
            column = w.proxy.column_of(state.sort_key)
            if column >= 0:
                w.table.horizontalHeader().setSortIndicator(column, order)
        self._show_summary()

    # --- reactions ---------------------------------------------------------------------------

    def _on_filters(self, filters: DossierFilters) -> None:
        self.window.proxy.set_filters(filters)
        self._show_summary()
        self.window._update_counts()

    def _on_columns(self, _keys: tuple[str, ...]) -> None:
        w = self.window
        for n in range(w.proxy.columnCount()):
            w.table.setItemDelegateForColumn(n, None)  # type: ignore[arg-type]
        statut = w.proxy.column_of("statut")
        if statut >= 0:
            w.table.setItemDelegateForColumn(statut, w._pill)
        key, order = w.proxy.sorted_key()
        column = w.proxy.column_of(key) if key else -1
        w.table.horizontalHeader().setSortIndicator(column, order)
        w._fit_columns(force=True)

    def _popup_columns(self) -> None:
        header = self.window.table.horizontalHeader()
        self.columns.menu.popup(header.mapToGlobal(header.rect().bottomLeft()))

    def _show_summary(self) -> None:
        from ui.filters import summary_text

        filters = self.panel.filters()
        if filters.count:
            self.filter_summary.setText(f"{html.escape(summary_text(filters))} — <a href='clear'>effacer</a>")
        else:
            self.filter_summary.setText("")

    def _follow_tabs(self) -> None:
        tabs = getattr(getattr(self.window, "reporting", None), "tabs", None)
        if tabs is not None:
            tabs.currentChanged.connect(self.update_enabled)
        self.update_enabled()

    def _on_selection(self, *_args: object) -> None:
        n = len(self.window.table.selectionModel().selectedRows())
        text = (
            "Aucun dossier sélectionné"
            if n == 0
            else f"{n} dossier{'s' if n > 1 else ''} sélectionné{'s' if n > 1 else ''}"
        )
        self.selection_label.setText(f"  {text}  ")
        self.update_enabled()

    def update_enabled(self, *_args: object) -> None:
        """Batch actions, their toolbar and the filters only where there are dossiers to act on:
        not on an empty base, not on the dashboard tab (issue 11)."""
        w = self.window
        reporting = getattr(w, "reporting", None)
        tabs, page = getattr(reporting, "tabs", None), getattr(reporting, "dossiers_page", None)
        on_list = tabs is None or page is None or tabs.currentWidget() is page
        usable = on_list and w.model.rowCount() > 0
        self.toolbar.setEnabled(usable)
        for action in self.batch.actions:
            action.setEnabled(usable)
        self.panel.setEnabled(w.model.rowCount() > 0)
        list_export = getattr(self, "list_export", None)
        if list_export is not None:
            list_export.export_action.setEnabled(usable)

    # --- porteurs ----------------------------------------------------------------------------

    def show_porteurs(self) -> PorteursWindow:
        from ui.porteurs import PorteursWindow

        if self._porteurs is None:
            from ui.busy import busy_cursor

            with busy_cursor():  # every porteur and its totals are read (never silent)
                self._porteurs = PorteursWindow(
                    self.window.db, parent=self.window, dialogs=self.window._dialogs
                )
            self._porteurs.merged.connect(lambda *_: self.window.reload())
        self._porteurs.show()
        if QGuiApplication.platformName() != "offscreen":  # offscreen warns that it cannot raise
            self._porteurs.raise_()
            self._porteurs.activateWindow()
        return self._porteurs


def _menu_action(menubar: QMenuBar, name: str) -> QAction | None:
    """The menu-bar entry whose title reads `name` (accents, case and « & » ignored)."""
    from instructeur.domain.text import fold

    for action in menubar.actions():
        if fold(action.text().replace("&", "")) == name:
            return action
    return None
