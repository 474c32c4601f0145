"""The layout of the fiche dossier window: header, message banner, tabs and buttons
(`FicheLayout`); what they do is `FicheDossier` in ui/fiche/window.py (layout apart from
behaviour, as TagStudio's `qt/views` and `qt/controllers`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from instructeur.services.fiche import FicheContext
from instructeur.services.porteurs import PorteurService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.fiche.fields import INVALID_STYLE
from ui.fiche.financement import FinancementTab
from ui.fiche.historique import HistoriqueTab
from ui.fiche.identification import IdentificationTab
from ui.fiche.instruction import InstructionTab
from ui.fiche.porteur import PorteurTab
from ui.fiche.public import PublicTab
from ui.fiche.rattachement import RattachementTab
from ui.fiche.recevabilite import RecevabiliteTab
from ui.fiche.statut import StatutTab
from ui.fiche.suivi import SuiviTab
from ui.screen_fit import FitsScreen

__all__ = ["FicheLayout"]

_STYLE = (
    INVALID_STYLE
    + """
#ficheHeader { background: palette(base); border-bottom: 1px solid palette(mid); }
#ficheTitle { font-size: 15pt; font-weight: 600; }
#ficheSubtitle { color: palette(placeholder-text); }
#ficheBanner { background: #fdecea; border: 1px solid #e57373; border-radius: 4px; }
#ficheBanner QLabel { color: #7f1d1d; }
QTabWidget::pane { border-top: 1px solid palette(mid); }
QGroupBox { font-weight: 600; margin-top: 10px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }
QGroupBox > QWidget { font-weight: normal; }
"""
)


class FicheLayout(FitsScreen, QMainWindow):
    """The fiche's widgets, laid out; no behaviour."""

    _db: Database
    _user: str | None
    _dialogs: Dialogs
    context: FicheContext
    porteurs: PorteurService

    def _build_layout(self) -> None:
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("ficheDossier")
        self.setStyleSheet(_STYLE)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_header())
        self._build_banner()
        self._build_tabs()
        buttons = self._build_buttons()
        banner_holder = QVBoxLayout()
        banner_holder.setContentsMargins(12, 8, 12, 0)
        banner_holder.addWidget(self.banner)
        layout.addLayout(banner_holder)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.setCentralWidget(central)

    def _build_header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("ficheHeader")
        header.setAutoFillBackground(True)
        hl = QHBoxLayout(header)
        hl.setContentsMargins(18, 10, 18, 10)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        self.title_label = QLabel()
        self.title_label.setObjectName("ficheTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setAccessibleName("Dossier")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("ficheSubtitle")
        self.subtitle_label.setTextFormat(Qt.TextFormat.PlainText)
        titles.addWidget(self.title_label)
        titles.addWidget(self.subtitle_label)
        self.statut_pill = QLabel()
        self.statut_pill.setAccessibleName("Statut du dossier")
        hl.addLayout(titles, 1)
        hl.addWidget(self.statut_pill, 0, Qt.AlignmentFlag.AlignVCenter)
        return header

    def _build_banner(self) -> None:
        self.banner = QFrame()
        self.banner.setObjectName("ficheBanner")
        bl = QHBoxLayout(self.banner)
        bl.setContentsMargins(12, 8, 8, 8)
        self.banner_label = QLabel()
        self.banner_label.setAccessibleName("Message")
        self.banner_label.setWordWrap(True)
        self.banner_label.setTextFormat(Qt.TextFormat.RichText)
        self.banner_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload_button = QPushButton("Re&charger le dossier")
        self.reload_button.setToolTip("Abandonne vos modifications et affiche la version enregistrée")
        banner_close = QPushButton("×")
        banner_close.setAccessibleName("Masquer le message")
        banner_close.setFlat(True)
        banner_close.setFixedWidth(28)
        banner_close.clicked.connect(self.banner.hide)
        bl.addWidget(self.banner_label, 1)
        bl.addWidget(self.reload_button)
        bl.addWidget(banner_close, 0, Qt.AlignmentFlag.AlignTop)
        self.banner.hide()

    def _build_tabs(self) -> None:
        self.identification = IdentificationTab()
        self.porteur = PorteurTab(self.porteurs)
        self.public = PublicTab(self.context)
        self.rattachement = RattachementTab(self.context)
        self.financement = FinancementTab(self.context)
        self.recevabilite = RecevabiliteTab()
        self.instruction = InstructionTab(self._db, self.context, self._dialogs, self._user)
        self.suivi = SuiviTab(self._db, self._user)
        self.statut = StatutTab()
        self.historique = HistoriqueTab()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Onglets de la fiche")
        self.tabs.setDocumentMode(True)
        for widget, label in (
            (self.identification, "&1 Identification"),
            (self.porteur, "&2 Porteur"),
            (self.public, "&3 Public et territoire"),
            (self.rattachement, "&4 Rattachement"),
            (self.financement, "&5 Plan de financement"),
            (self.recevabilite, "&6 Recevabilité"),
            (self.instruction, "&7 Instruction"),
            (self.suivi, "&8 Comité et suivi"),
            (self.statut, "&9 Statut"),
            (self.historique, "&0 Historique"),
        ):
            self.tabs.addTab(widget, label)

    def _build_buttons(self) -> QHBoxLayout:
        self.save_button = QPushButton("&Enregistrer")
        self.save_button.setToolTip("Enregistrer le dossier (Ctrl+S)")
        self.save_button.setDefault(True)
        self.revert_button = QPushButton("Annuler les &modifications")
        self.close_button = QPushButton("&Fermer")
        self.close_button.setToolTip("Fermer la fiche (Échap)")
        self.state_label = QLabel()
        self.state_label.setAccessibleName("État de la fiche")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(16, 8, 16, 10)
        buttons.addWidget(self.state_label, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        return buttons
