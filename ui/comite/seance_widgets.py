"""The séance's building blocks (see `ui/comite/seance.py`): sizes and colours for a projector, the
agenda and montants models, the live bar of enveloppes and cotation F/H, the style sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount
from instructeur.services.comites import (
    EnveloppeState,
    FinanceurMontants,
    PointRow,
    Tableau,
)
from ui.charts import COLORS, euros
from ui.comite import DECISION_LABELS, decision_icon
from ui.models.table import ALIGN_LEFT, ALIGN_RIGHT, Column, RowTableModel

NBSP = "\u00a0"
TEXT = "#111111"
INK = "#0b1f33"  # top bar background
OVER = "#b00020"  # exceeded enveloppe only
WARN_BG, WARN_FG = "#fff1c2", "#4a3000"  # conflicts, inline messages
DECISION_COLORS = {"retenu": "#1b5e20", "ajourne": "#7a4b00", "refuse": "#37474f"}
AVIS_LABELS = {"favorable": "favorable", "reserve": "réservé", "defavorable": "défavorable"}


def base_point_size(width: int, height: int) -> float:
    """Base font of the séance: 17 pt at 1920×1080, proportionally smaller on smaller screens."""
    scale = min(height / 1080, width / 1920)
    return max(10.0, round(17.0 * scale, 1))


def _decimal(value: Any, digits: int = 1) -> str:
    return f"{float(value):.{digits}f}".replace(".", ",")


def _short_name(nom: str) -> str:
    """« État — Préfecture (crédits politique de la ville) » → without the parenthesis."""
    return nom.split(" (", 1)[0].strip() or nom


def _amount_text(cents: int | None) -> str:
    return "" if cents is None else format_amount(cents)


# --- models ------------------------------------------------------------------------------------


class AgendaListModel(QAbstractListModel):
    """The ordre du jour, one line per point: « ✓ 7. Porteur — référence »."""

    RowRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PointRow] = []

    def set_rows(self, rows: list[PointRow]) -> None:
        self.beginResetModel()
        try:
            self._rows = list(rows)
        finally:
            self.endResetModel()

    def replace(self, row: int, point: PointRow) -> None:
        self._rows[row] = point
        ix = self.index(row, 0)
        self.dataChanged.emit(ix, ix)

    @property
    def rows(self) -> list[PointRow]:
        return list(self._rows)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            icon = decision_icon(p.decision)
            return f"{icon}  {index.row() + 1}. {p.porteur}"
        if role == Qt.ItemDataRole.ToolTipRole:
            state = DECISION_LABELS.get(p.decision or "", "à décider")
            return f"{p.reference} — {p.intitule} ({state})"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = DECISION_LABELS.get(p.decision or "", "à décider")
            return f"Point {index.row() + 1} : {p.porteur}, {state}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(DECISION_COLORS.get(p.decision or "", TEXT))
        if role == self.RowRole:
            return p
        return None


def _bold(font_source: QFont) -> QFont:
    f = QFont(font_source)
    f.setBold(True)
    return f


_MONTANT_COLUMNS: tuple[Column[FinanceurMontants], ...] = (
    Column("financeur", "Financeur", lambda m: _short_name(m.nom), ALIGN_LEFT, stretch=1),
    Column("demande", "Demandé", lambda m: m.demande_cents, ALIGN_RIGHT, format_amount),
    Column("propose", "Proposé", lambda m: m.propose_cents, ALIGN_RIGHT, format_amount),
    Column("vote", "Voté", lambda m: m.vote_cents, ALIGN_RIGHT, format_amount),
)


class MontantsModel(RowTableModel[FinanceurMontants]):
    """Financeurs of the current dossier with demandé / proposé / voté, and a bold total line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_MONTANT_COLUMNS, parent)

    def set_point(self, point: PointRow | None) -> None:
        if point is None:
            self.set_rows([])
            return
        lines = [m for m in point.montants if m.demande_cents or m.propose_cents or m.vote_cents]
        total = FinanceurMontants(
            0,
            "",
            "Total",
            sum(m.demande_cents for m in lines),
            sum(m.propose_cents or 0 for m in lines)
            if any(m.propose_cents is not None for m in lines)
            else None,
            sum(m.vote_cents or 0 for m in lines) if any(m.vote_cents is not None for m in lines) else None,
        )
        self.set_rows([*lines, total] if len(lines) > 1 else lines)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            row = self.row_at(index.row()) if 0 <= index.row() < self.rowCount() else None
            if row is not None and row.financeur_id == 0:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class ElidedLabel(QLabel):
    """A one-line label that gives up room (« … ») instead of widening the window."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        try:
            rect = self.contentsRect()
            text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
            painter.setPen(self.palette().color(self.foregroundRole()))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        finally:
            painter.end()

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()


# --- the decision panel ------------------------------------------------------------------------


@dataclass
class Draft:
    """What is typed in the panel for one point (kept when moving to another point)."""

    decision: str | None = None
    votes: dict[int, str] = field(default_factory=dict)
    conditions: str = ""
    motivation: str = ""


class MiniBullet(QWidget):
    """One financeur's bullet bar: the enveloppe as a track, the voté over it, red beyond it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vote = 0
        self.enveloppe = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, vote: int, enveloppe: int) -> None:
        self.vote, self.enveloppe = vote, enveloppe
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(80, max(12, self.fontMetrics().height() // 2))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(40, self.sizeHint().height())

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        try:
            r = self.rect().adjusted(1, 1, -2, -1)
            top = max(self.vote, self.enveloppe, 1)

            def w(v: int) -> int:
                return round(r.width() * max(v, 0) / top)

            if self.enveloppe > 0:
                p.setPen(QPen(COLORS["track_border"], 1))
                p.setBrush(COLORS["track"])
                p.drawRect(QRect(r.left(), r.top(), w(self.enveloppe), r.height()))
            inner = r.adjusted(0, 3, 0, -3)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(COLORS["vote"])
            within = min(self.vote, self.enveloppe) if self.enveloppe > 0 else self.vote
            p.drawRect(QRect(inner.left(), inner.top(), w(within), inner.height()))
            if self.enveloppe > 0 and self.vote > self.enveloppe:
                p.setBrush(QColor(OVER))
                p.drawRect(
                    QRect(
                        inner.left() + w(self.enveloppe),
                        inner.top(),
                        w(self.vote) - w(self.enveloppe),
                        inner.height(),
                    )
                )
            if self.enveloppe > 0:
                p.setPen(QPen(QColor(TEXT), 2))
                x = r.left() + w(self.enveloppe)
                p.drawLine(x, r.top() - 1, x, r.bottom() + 1)
        finally:
            p.end()


class EnveloppeTile(QFrame):
    """« ETAT », the bullet bar, « 24 400 € / 916 000 € », « reste 891 600 € » (red when exceeded)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enveloppeTile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(1)
        self.code = QLabel()
        self.code.setObjectName("tileCode")
        self.bar = MiniBullet()
        self.figures = QLabel()
        self.figures.setObjectName("tileFigures")
        self.reste = QLabel()
        self.reste.setObjectName("tileReste")
        for w in (self.code, self.bar, self.figures, self.reste):
            layout.addWidget(w)
        self.state: EnveloppeState | None = None

    def set_state(self, e: EnveloppeState) -> None:
        self.state = e
        self.code.setText(e.code or e.nom)
        self.bar.set_values(e.vote_cents, e.enveloppe_cents)
        if e.enveloppe_cents > 0:
            self.figures.setText(f"{euros(e.vote_cents)} / {euros(e.enveloppe_cents)}")
            if e.exceeded:
                self.reste.setText(f"dépassé de {euros(-e.reste_cents)}")
            else:
                self.reste.setText(f"reste {euros(e.reste_cents)}")
        else:
            self.figures.setText(f"{euros(e.vote_cents)} voté")
            self.reste.setText("sans enveloppe")
        self.reste.setProperty("exceeded", "true" if e.exceeded else "false")
        self.reste.style().unpolish(self.reste)
        self.reste.style().polish(self.reste)
        text = (
            f"{e.nom} : enveloppe {format_amount(e.enveloppe_cents)}, voté {format_amount(e.vote_cents)}, "
            f"reste {format_amount(e.reste_cents)}" + (" — enveloppe dépassée" if e.exceeded else "")
        )
        self.setToolTip(text)
        self.setAccessibleName(text)


class LiveBar(QFrame):
    """Enveloppe / voté / reste per financeur (tiles with a bullet bar) and € per cotation F/H."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveBar")
        self.setAccessibleName("Enveloppes et cotation F/H en direct")
        self.tableau: Tableau | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(14)
        left = QVBoxLayout()
        left.setSpacing(2)
        self.summary = QLabel()
        self.summary.setObjectName("liveSummary")
        self.summary.setAccessibleName("Total voté")
        left.addWidget(self.summary)
        self.tiles_grid = QGridLayout()
        self.tiles_grid.setHorizontalSpacing(6)
        self.tiles_grid.setVerticalSpacing(4)
        left.addLayout(self.tiles_grid)
        left.addStretch(1)
        layout.addLayout(left, 1)
        self.tiles: list[EnveloppeTile] = []

        right = QVBoxLayout()
        right.setSpacing(1)
        head = QLabel("Cotation F/H : demandé → voté")
        head.setObjectName("liveHead")
        right.addWidget(head)
        self.cotation_box = QWidget()
        self.cotation_grid = QGridLayout(self.cotation_box)
        self.cotation_grid.setContentsMargins(0, 0, 0, 0)
        self.cotation_grid.setHorizontalSpacing(14)
        self.cotation_grid.setVerticalSpacing(1)
        right.addWidget(self.cotation_box)
        right.addStretch(1)
        layout.addLayout(right)
        self.cotation_labels: list[tuple[QLabel, QLabel, QLabel]] = []

    def set_tableau(self, t: Tableau) -> None:
        self.tableau = t
        self.summary.setText(
            f"Voté : {euros(t.total_vote_cents)}   ·   {t.nb_decides} / {t.nb_points} dossiers décidés"
        )
        shown = [e for e in t.enveloppes if e.enveloppe_cents > 0 or e.vote_cents > 0]
        while len(self.tiles) < len(shown):
            self.tiles.append(EnveloppeTile())
        while len(self.tiles) > len(shown):
            tile = self.tiles.pop()
            tile.setParent(None)
            tile.deleteLater()
        for tile, e in zip(self.tiles, shown, strict=True):
            tile.set_state(e)
        self.layout_tiles()

        while self.cotation_grid.count():
            item = self.cotation_grid.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.cotation_labels = []
        for col, text in enumerate(("", "Demandé", "Voté")):
            h = QLabel(text)
            h.setObjectName("cotationHead")
            h.setAlignment(Qt.AlignmentFlag.AlignRight if col else Qt.AlignmentFlag.AlignLeft)
            self.cotation_grid.addWidget(h, 0, col)
        for n, c in enumerate(t.cotations, start=1):
            name = f"Niveau {c.niveau}" if c.niveau is not None else "Non cotée"
            labels = (QLabel(name), QLabel(euros(c.demande_cents)), QLabel(euros(c.vote_cents)))
            for col, lab in enumerate(labels):
                lab.setObjectName("cotationCell")
                lab.setToolTip(c.label)
                if col:
                    lab.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.cotation_grid.addWidget(lab, n, col)
            self.cotation_labels.append(labels)

    def layout_tiles(self) -> None:
        """As many tiles per line as the width allows (one line on a wide screen, else balanced lines)."""
        for tile in self.tiles:
            self.tiles_grid.removeWidget(tile)
        if not self.tiles:
            return
        fm = self.fontMetrics()
        tile_w = fm.horizontalAdvance("dépassé de 888 888 €") + 18
        width = self.width() if self.isVisible() else self.window().width() - 20
        available = max(width - 380, tile_w)
        per_line = max(1, min(len(self.tiles), available // tile_w))
        lines = -(-len(self.tiles) // per_line)
        per_line = -(-len(self.tiles) // lines)
        for n, tile in enumerate(self.tiles):
            self.tiles_grid.addWidget(tile, n // per_line, n % per_line)
        for col in range(per_line):
            self.tiles_grid.setColumnStretch(col, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.layout_tiles()

    def enveloppe_texts(self) -> list[tuple[str, str, str]]:
        return [(t.code.text(), t.figures.text(), t.reste.text()) for t in self.tiles]


# --- the window --------------------------------------------------------------------------------


def _style(pt: float) -> str:
    def s(k: float) -> str:
        return f"{pt * k:.1f}pt"

    return f"""
QWidget {{ font-size: {s(1.0)}; }}
#seanceWindow {{ background: #ffffff; color: {TEXT}; }}
#seanceWindow QLabel {{ color: {TEXT}; }}
#topBar {{ background: {INK}; }}
#topBar QLabel {{ color: #ffffff; }}
#topTitle {{ font-size: {s(1.15)}; font-weight: 700; }}
#topPosition {{ font-size: {s(1.3)}; font-weight: 700; }}
#topProgress {{ font-size: {s(1.0)}; font-weight: 600; }}
#keysHint {{ font-size: {s(0.7)}; }}
#agendaList {{ background: #f7f9fb; border: 1px solid #8a96a3; color: {TEXT}; font-size: {s(0.85)}; }}
#agendaList::item {{ padding: 3px 4px; }}
#agendaList::item:selected {{ background: {INK}; color: #ffffff; }}
#centre {{ background: #ffffff; }}
#porteurTitle {{ font-size: {s(1.45)}; font-weight: 700; }}
#intituleTitle {{ font-size: {s(1.1)}; font-weight: 600; }}
#conflictWarning {{ background: {WARN_BG}; color: {WARN_FG}; border: 2px solid #b07a00;
    border-radius: 4px; padding: 4px 8px; font-weight: 700; }}
#factCaption {{ font-weight: 700; }}
#montantsTable {{ font-size: {s(1.0)}; color: {TEXT}; border: 1px solid #8a96a3;
    alternate-background-color: #eef2f6; background: #ffffff; }}
#montantsTable QHeaderView::section {{ font-size: {s(0.9)}; font-weight: 700; color: {TEXT};
    background: #dde3ea; padding: 3px 8px; border: none; }}
#historiqueText {{ font-size: {s(0.85)}; }}
#decisionPanel {{ background: #f4f6f9; border: 1px solid #8a96a3; border-radius: 6px; }}
#panelTitle {{ font-size: {s(1.15)}; font-weight: 700; }}
#decisionPanel QPushButton {{ padding: 6px 10px; border: 2px solid #4a5663; border-radius: 6px;
    background: #ffffff; color: {TEXT}; font-weight: 600; }}
#decision_retenu, #decision_ajourne, #decision_refuse {{ font-size: {s(1.05)}; font-weight: 700;
    min-height: {s(2.6)}; }}
#decision_retenu:checked {{ background: {DECISION_COLORS["retenu"]}; color: #ffffff; border-color: #000000; }}
#decision_ajourne:checked {{ background: {DECISION_COLORS["ajourne"]}; color: #ffffff; border-color: #000000; }}
#decision_refuse:checked {{ background: {DECISION_COLORS["refuse"]}; color: #ffffff; border-color: #000000; }}
#validateButton {{ background: {INK}; color: #ffffff; font-size: {s(1.0)}; font-weight: 700; }}
#decisionPanel #validateButton {{ background: {INK}; color: #ffffff; }}
#decisionPanel QLineEdit, #decisionPanel QPlainTextEdit {{ background: #ffffff; color: {TEXT};
    border: 1px solid #4a5663; padding: 2px 4px; }}
#decisionPanel QLineEdit:disabled {{ background: #e6e9ed; }}
#decisionSummary {{ font-size: {s(1.1)}; font-weight: 700; }}
#voteTotal, #votesHead {{ font-weight: 700; }}
#inlineMessage {{ background: {WARN_BG}; color: {WARN_FG}; border: 2px solid #b07a00; border-radius: 4px;
    padding: 4px 8px; font-weight: 700; }}
#inlineMessage[kind="ok"] {{ background: #e3f1e4; color: #0f3d12; border-color: #1b5e20; }}
#historyText {{ font-size: {s(0.75)}; }}
#liveBar {{ background: #ffffff; border-top: 3px solid {INK}; }}
#liveSummary, #liveHead {{ font-weight: 700; }}
#enveloppeTile {{ border: 1px solid #8a96a3; border-radius: 4px; background: #ffffff; }}
#tileCode {{ font-weight: 700; font-size: {s(0.95)}; }}
#tileFigures {{ font-size: {s(0.95)}; }}
#tileReste {{ font-size: {s(0.95)}; font-weight: 600; }}
#tileReste[exceeded="true"] {{ color: {OVER}; font-weight: 800; }}
#cotationCell, #cotationHead {{ font-size: {s(0.95)}; }}
#cotationHead {{ font-weight: 700; }}
"""
