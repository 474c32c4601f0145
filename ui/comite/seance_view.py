"""The séance window's layout (see `ui/comite/seance.py` for what it does): top bar, agenda, the
current dossier, the decision panel, the live bar, and the scale of fonts from the window size.
`SeanceWindow` (in `seance.py`) adds the behaviour: data, navigation, decisions, shortcuts."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.services.comites import (
    ComiteRow,
    ComiteService,
)
from instructeur.storage.db import Database
from ui.comite.seance_panel import DecisionPanel
from ui.comite.seance_widgets import (
    AgendaListModel,
    Draft,
    ElidedLabel,
    LiveBar,
    MontantsModel,
    _style,
    base_point_size,
)
from ui.dialogs import Dialogs
from ui.screen_fit import FitsScreen


class SeanceView(FitsScreen, QWidget):
    """The widgets of the séance, laid out; no data and no behaviour."""

    def __init__(
        self,
        db: Database,
        comite_id: int,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
        user: str | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("seanceWindow")
        self.setAccessibleName("Séance du comité")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._db = db
        self._dialogs = dialogs or Dialogs()
        self.service = ComiteService(db, user)
        self.comite_id = comite_id
        self.comite: ComiteRow | None = None
        self.current = -1
        self.drafts: dict[int, Draft] = {}
        self._base_pt = 0.0
        self.setAutoFillBackground(True)

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_top_bar())
        body = QHBoxLayout()
        body.setContentsMargins(10, 8, 10, 4)
        body.setSpacing(12)
        self.agenda_model = AgendaListModel(self)
        self.agenda = QListView()
        self.agenda.setObjectName("agendaList")
        self.agenda.setAccessibleName("Ordre du jour")
        self.agenda.setModel(self.agenda_model)
        self.agenda.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.agenda.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys belong to the séance
        self.agenda.setUniformItemSizes(True)
        self.agenda.setTextElideMode(Qt.TextElideMode.ElideRight)
        body.addWidget(self.agenda, 20)

        self.centre = self._build_centre()
        scroll = QScrollArea()
        scroll.setObjectName("centreScroll")
        scroll.setWidget(self.centre)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.centre_scroll = scroll
        body.addWidget(scroll, 47)

        self.panel = DecisionPanel()
        panel_scroll = QScrollArea()
        panel_scroll.setObjectName("panelScroll")
        panel_scroll.setWidget(self.panel)
        panel_scroll.setWidgetResizable(True)
        panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.panel_scroll = panel_scroll
        body.addWidget(panel_scroll, 33)
        root.addLayout(body, 1)

        self.live = LiveBar()
        root.addWidget(self.live)
        self.resize(self.sizeHint())  # fonts and tiles are computed for a real screen, not 640×480

    # --- construction ------------------------------------------------------------------------

    def _build_top_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("topBar")
        bar.setAutoFillBackground(True)
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(16, 8, 16, 8)
        self.title_label = ElidedLabel()
        self.title_label.setObjectName("topTitle")
        self.title_label.setAccessibleName("Comité")
        self.position_label = QLabel()
        self.position_label.setObjectName("topPosition")
        self.position_label.setAccessibleName("Position dans l'ordre du jour")
        self.progress_label = QLabel()
        self.progress_label.setObjectName("topProgress")
        self.progress_label.setAccessibleName("Dossiers décidés")
        layout.addWidget(self.title_label, 1)
        layout.addSpacing(24)
        layout.addWidget(self.progress_label)
        layout.addSpacing(24)
        layout.addWidget(self.position_label)
        self.top_bar = bar
        return bar

    def _build_centre(self) -> QWidget:
        w = QWidget()
        w.setObjectName("centre")
        layout = QVBoxLayout(w)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(8)
        self.porteur_label = QLabel()
        self.porteur_label.setObjectName("porteurTitle")
        self.porteur_label.setWordWrap(True)
        self.porteur_label.setAccessibleName("Porteur")
        self.intitule_label = QLabel()
        self.intitule_label.setObjectName("intituleTitle")
        self.intitule_label.setWordWrap(True)
        self.intitule_label.setAccessibleName("Intitulé")
        layout.addWidget(self.porteur_label)
        layout.addWidget(self.intitule_label)

        self.conflict_label = QLabel()
        self.conflict_label.setObjectName("conflictWarning")
        self.conflict_label.setWordWrap(True)
        self.conflict_label.setAccessibleName("Conflits d'intérêts")
        layout.addWidget(self.conflict_label)

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        self.facts: dict[str, QLabel] = {}
        for n, (key, caption) in enumerate(
            (
                ("quartiers", "Quartiers"),
                ("public", "Public prévu"),
                ("cout", "Coût total"),
                ("axe", "Axe"),
                ("score", "Score"),
                ("cotation", "Cotation F/H"),
                ("avis", "Avis"),
            )
        ):
            cap = QLabel(caption)
            cap.setObjectName("factCaption")
            value = QLabel()
            value.setObjectName("factValue")
            value.setWordWrap(True)
            value.setAccessibleName(caption)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(cap, n, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, n, 1)
            self.facts[key] = value
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)

        self.montants_model = MontantsModel(self)
        self.montants = QTableView()
        self.montants.setObjectName("montantsTable")
        self.montants.setAccessibleName("Financeurs : demandé, proposé, voté")
        self.montants.setModel(self.montants_model)
        self.montants.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.montants.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.montants.verticalHeader().setVisible(False)
        self.montants.setShowGrid(False)
        self.montants.setAlternatingRowColors(True)
        self.montants.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.montants.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        hh = self.montants.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2, 3):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.montants)

        self.historique_label = QLabel()
        self.historique_label.setObjectName("historiqueText")
        self.historique_label.setWordWrap(True)
        self.historique_label.setAccessibleName("Financements des années précédentes")
        layout.addWidget(self.historique_label)
        layout.addStretch(1)
        return w

    @property
    def base_pt(self) -> float:
        return self._base_pt

    def apply_scale(self) -> None:
        """Fonts and paddings from the window size (called on every resize that changes them)."""
        pt = base_point_size(max(self.width(), 1), max(self.height(), 1))
        if abs(pt - self._base_pt) < 0.05:
            return
        self._base_pt = pt
        font = QFont(self.font())
        font.setPointSizeF(pt)
        self.setFont(font)
        self.setStyleSheet(_style(pt))
        self._fit_montants()
        self._fit_panel()

    def _fit_panel(self) -> None:
        """The decision panel never scrolls sideways; the motivation shows three lines."""
        fm = self.panel.fontMetrics()
        self.panel.motivation.setFixedHeight(fm.lineSpacing() * 3 + 12)
        self.panel.ensurePolished()
        width = (
            self.panel.minimumSizeHint().width()
            + self.panel_scroll.verticalScrollBar().sizeHint().width()
            + 4
        )
        self.panel_scroll.setMinimumWidth(width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.apply_scale()

    def _fit_montants(self) -> None:
        rows = self.montants_model.rowCount()
        fm = self.montants.fontMetrics()
        row_h = fm.height() + 10
        self.montants.verticalHeader().setDefaultSectionSize(row_h)
        header_h = self.montants.horizontalHeader().sizeHint().height()
        self.montants.setFixedHeight(header_h + rows * row_h + 4)

    # --- size ------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(1366, 768)
