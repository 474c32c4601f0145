"""« Paramètres » of a contrat and its campagnes (DESIGN.md §7 screen 6).

Tabs: Contrat (identification, signataires), Quartiers (QPV and other quartiers), Cadre stratégique
(editor: trees, classifications, axes transversaux), Financeurs, Campagne (libellé, statut, dates, enveloppes with the voté so far,
recevabilité list, links to the grille, cotation F/H and letters settings windows).

Each editable tab has its own « Enregistrer » and reports `modified`; closing the window (or
switching to another campagne) with unsaved changes asks « Enregistrer / Ne pas enregistrer /
Annuler ». Saving goes through the services (`ContratService`, `CampagneService`), whose French
refusals are shown in the tab. One module per tab (`contrat.py`, `quartiers.py`, `cadre.py`, `financeurs.py`, `campagne.py` with
`campagne_models.py`), shared pieces in `common.py`; this module assembles the window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QTabWidget,
    QWidget,
)

from instructeur.services.contrats import (
    ContratService,
)
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.parametres.cadre import CadreTab
from ui.parametres.campagne import CampagneTab
from ui.parametres.campagne_models import EnveloppeLine, EnveloppesModel, RecevabiliteLine, RecevabiliteModel
from ui.parametres.common import (
    _note,
    _problems_label,
    _Tab,
    _table,
    plural,
    problems_text,
)
from ui.parametres.contrat import ContratTab
from ui.parametres.financeurs import FinanceurLine, FinanceursModel, FinanceursTab, TypeDelegate
from ui.parametres.quartiers import QuartierDialog, QuartiersTab, quartiers_model
from ui.screen_fit import FitsScreen

# --- the window --------------------------------------------------------------------------------


class ParametresWindow(FitsScreen, QMainWindow):
    """Paramètres of one contrat (and of one of its campagnes)."""

    changed = Signal()  # something was saved: the main window reloads
    open_campagne_window = Signal(str, int)  # "grille" / "cotation" / "lettres", campagne id
    new_campagne = Signal(int)  # contrat id

    TABS = ("contrat", "quartiers", "cadre", "financeurs", "campagne", "equipe")

    def __init__(
        self,
        db: Database,
        contrat_id: int,
        campagne_id: int | None = None,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("parametres")
        self.db = db
        self.contrat_id = contrat_id
        self.dialogs = dialogs or Dialogs()
        contrat = ContratService(db).get(contrat_id)
        self.setWindowTitle(f"Paramètres — {contrat.nom}[*]")
        self.contrat_tab = ContratTab(db, contrat_id, self.dialogs)
        self.quartiers_tab = QuartiersTab(db, contrat_id, self.dialogs)
        self.cadre_tab = CadreTab(db, contrat_id, self.dialogs)
        self.financeurs_tab = FinanceursTab(db, contrat_id, self.dialogs)
        self.campagne_tab = CampagneTab(db, contrat_id, campagne_id, self.dialogs)
        # --- team mode: Équipe tab (ui/parametres/equipe.py) ---
        from ui.parametres.equipe import EquipeTab

        self.equipe_tab = EquipeTab(db, contrat_id)
        # --- end team mode ---
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Paramètres")
        self._titles = {
            self.contrat_tab: "C&ontrat",
            self.quartiers_tab: "&Quartiers",
            self.cadre_tab: "Ca&dre stratégique",
            self.financeurs_tab: "&Financeurs",
            self.campagne_tab: "Ca&mpagne",
            self.equipe_tab: "É&quipe",  # team mode
        }
        for widget, title in self._titles.items():
            self.tabs.addTab(widget, title)
        self.setCentralWidget(self.tabs)
        for tab in self.editable_tabs():
            tab.modified_changed.connect(lambda _m, t=tab: self._on_modified(t))
            tab.saved.connect(self._on_saved)
        self.quartiers_tab.saved.connect(self.changed.emit)
        self.cadre_tab.saved.connect(self.changed.emit)  # cadre editor (issue 13)
        # Financeurs change the enveloppe lines of the campagne.
        self.financeurs_tab.saved.connect(self._reload_campagne_if_clean)
        self.campagne_tab.open_window.connect(self.open_campagne_window.emit)
        self.campagne_tab.new_campagne.connect(lambda: self.new_campagne.emit(self.contrat_id))
        save = self.addAction("Enregistrer l'onglet")
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(self.save_current)
        self.resize(1100, 720)

    def editable_tabs(self) -> tuple[_Tab, ...]:
        return (self.contrat_tab, self.financeurs_tab, self.campagne_tab)

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(self.TABS.index(name))

    @property
    def modified(self) -> bool:
        return any(t.modified for t in self.editable_tabs())

    def save_current(self) -> bool:
        tab = self.tabs.currentWidget()
        return tab.save() if isinstance(tab, _Tab) and tab.modified else True

    def _on_modified(self, tab: _Tab) -> None:
        title = self._titles[tab]
        self.tabs.setTabText(self.tabs.indexOf(tab), f"{title} •" if tab.modified else title)
        self.setWindowModified(self.modified)

    def _on_saved(self) -> None:
        self.statusBar().showMessage("Enregistré", 4000)
        self.changed.emit()

    def _reload_campagne_if_clean(self) -> None:
        if not self.campagne_tab.modified:
            self.campagne_tab.load()

    def closeEvent(self, event: QCloseEvent) -> None:
        dirty = [t for t in self.editable_tabs() if t.modified]
        if dirty:
            names = ", ".join(self._titles[t].replace("&", "") for t in dirty)
            answer = self.dialogs.ask_save_discard_cancel(
                self,
                "Fermer les paramètres",
                f"Modifications non enregistrées ({names}). Les enregistrer ?",
            )
            if answer == "cancel" or (answer == "save" and not all(t.save() for t in dirty)):
                event.ignore()
                return
        event.accept()


__all__ = [
    "CampagneTab",
    "QuartierDialog",
    "RecevabiliteLine",
    "_note",
    "_problems_label",
    "_table",
    "plural",
    "problems_text",
    "EnveloppeLine",
    "EnveloppesModel",
    "FinanceurLine",
    "FinanceursModel",
    "ParametresWindow",
    "RecevabiliteModel",
    "TypeDelegate",
    "quartiers_model",
]
