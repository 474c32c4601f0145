"""Small charts drawn with QPainter (PySide6-Essentials has no QtCharts).

* `BarChart`: horizontal bars, one row per category, one thin bar per series in each row
  (« demandé » and « voté » side by side), the category label on the left (elided, full text in
  the tooltip), the value written after each bar (`12 500 €`), a legend on top.
* `BulletChart`: one row per financeur: a light track for the enveloppe, a solid bar for the voté
  (red when the enveloppe is exceeded), « voté / enveloppe — reste » after it.

Both only draw what they are given (plain numbers, cents for money): the figures come from the
services. Every bar has a tooltip, and the whole chart an accessible description listing every
value (screen readers cannot see pixels). They paint on any paint device, offscreen included
(`render_to_image` in tests and screenshots).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

__all__ = [
    "COLORS",
    "BarChart",
    "BulletChart",
    "BulletRow",
    "Series",
    "euros",
    "integer",
    "render_to_image",
]

NBSP = "\u00a0"

# Calm, colour-blind safe colours (Okabe–Ito / IBM-like blues and an orange), text stays dark.
COLORS = {
    "count": QColor("#4c78a8"),
    "demande": QColor("#6fa8dc"),
    "vote": QColor("#1c4f82"),
    "accent": QColor("#e08a2c"),
    "track": QColor("#e4e9f0"),
    "track_border": QColor("#b8c2cf"),
    "over": QColor("#c0392b"),
    "text": QColor("#1f2933"),
    "muted": QColor("#5f6b7a"),
    "grid": QColor("#d9dee5"),
}


def integer(n: int) -> str:
    """« 1 234 » (no-break space between groups)."""
    return f"{n:,}".replace(",", NBSP)


def euros(cents: int) -> str:
    """Money for charts, rounded to the euro: « 12 500 € » (no-break spaces)."""
    sign = "-" if cents < 0 else ""
    whole = (abs(cents) + 50) // 100
    return f"{sign}{integer(whole)}{NBSP}€"


@dataclass(frozen=True)
class Series:
    """One series of a `BarChart`: a name (legend), a colour and one value per category.

    `texts` (optional) replaces the formatted value written after each bar (« 12 500 € · 45 % »).
    """

    name: str
    values: tuple[int, ...]
    color: QColor = field(default_factory=lambda: QColor(COLORS["count"]))
    texts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class BulletRow:
    label: str
    value: int  # voté
    target: int  # enveloppe (0: none)


def render_to_image(widget: QWidget, size: QSize | None = None) -> QImage:
    """The widget painted on a white QImage (works offscreen, without showing it)."""
    size = size or widget.sizeHint()
    widget.resize(size)
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    widget.render(image)
    return image


class _Chart(QWidget):
    """Common frame: a title, a legend, rows with a label column; tooltips per hit area."""

    PADDING = 8
    BAR = 13  # thickness of one bar
    GAP = 3  # between the bars of one row
    ROW_GAP = 9  # between rows
    LABEL_MAX_SHARE = 0.40  # of the width, for the label column

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._formatter: Callable[[int], str] = integer
        self._hits: list[tuple[QRect, str]] = []
        self._empty_text = "Aucune donnée"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setAccessibleName(title or "Graphique")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable: its description is read aloud

    # --- to override -----------------------------------------------------------------------

    def labels(self) -> list[str]:
        raise NotImplementedError

    def legend(self) -> list[tuple[str, QColor]]:
        return []

    def bars_per_row(self) -> int:
        return 1

    def describe(self) -> str:
        raise NotImplementedError

    # --- common ----------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self._title

    def set_empty_text(self, text: str) -> None:
        self._empty_text = text
        self.update()

    def _refresh(self) -> None:
        self.setAccessibleDescription(self.describe())
        self.setToolTip("")
        self.updateGeometry()
        self.update()

    def _font(self, *, bold: bool = False, delta: float = 0) -> QFont:
        font = QFont(self.font())
        if delta:
            font.setPointSizeF(max(6.0, font.pointSizeF() + delta))
        font.setBold(bold)
        return font

    def _row_height(self) -> int:
        n = self.bars_per_row()
        return max(n * self.BAR + (n - 1) * self.GAP, QFontMetrics(self.font()).height()) + self.ROW_GAP

    def _legend_height(self) -> int:
        return QFontMetrics(self.font()).height() + 8 if self.legend() else 0

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        rows = max(len(self.labels()), 1)
        height = 2 * self.PADDING + self._legend_height() + rows * self._row_height()
        return QSize(420, height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(260, self.sizeHint().height())

    def hit_areas(self) -> list[tuple[QRect, str]]:
        """(rectangle, tooltip) of every bar as last painted."""
        return list(self._hits)

    def tooltip_at(self, pos: QPoint) -> str | None:
        for rect, text in self._hits:
            if rect.adjusted(0, -2, 0, 2).contains(pos):
                return text
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def _label_width(self, width: int) -> int:
        fm = QFontMetrics(self.font())
        widest = max((fm.horizontalAdvance(t) for t in self.labels()), default=0)
        return min(widest + 10, int(width * self.LABEL_MAX_SHARE))

    def _paint_legend(self, p: QPainter, x: int, y: int) -> None:
        fm = QFontMetrics(self.font())
        for name, color in self.legend():
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            side = fm.ascent() - 2
            p.drawRoundedRect(QRectF(x, y + (fm.height() - side) / 2, side, side), 2, 2)
            p.setPen(COLORS["text"])
            x += side + 5
            p.drawText(
                QRect(x, y, fm.horizontalAdvance(name) + 2, fm.height()), Qt.AlignmentFlag.AlignVCenter, name
            )
            x += fm.horizontalAdvance(name) + 18

    def _paint_label(self, p: QPainter, rect: QRect, text: str) -> None:
        fm = QFontMetrics(self.font())
        p.setPen(COLORS["text"])
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width() - 6)
        p.drawText(
            rect.adjusted(0, 0, -6, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown
        )
        if shown != text:
            self._hits.append((rect, text))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setFont(self.font())
            self._hits = []
            rect = self.rect().adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
            if self.legend():
                self._paint_legend(p, rect.left(), rect.top())
                rect.setTop(rect.top() + self._legend_height())
            if not self.labels():
                p.setPen(COLORS["muted"])
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._empty_text)
                return
            self._paint_rows(p, rect)
        finally:
            p.end()

    def _paint_rows(self, p: QPainter, rect: QRect) -> None:
        raise NotImplementedError


class BarChart(_Chart):
    """Horizontal bars; `set_data(labels, series, formatter)`.

    >>> chart.set_data(["Déposé", "Retenu"], [Series("Dossiers", (4, 12))])
    """

    def __init__(self, title: str = "", parent: QWidget | None = None, *, labels_above: bool = False) -> None:
        super().__init__(title, parent)
        self._labels: list[str] = []
        self._series: list[Series] = []
        self._label_tips: list[str] = []
        self.labels_above = labels_above  # long labels: on their own line above the bars

    def _row_height(self) -> int:
        height = super()._row_height()
        return height + QFontMetrics(self.font()).height() if self.labels_above else height

    def set_data(
        self,
        labels: Sequence[str],
        series: Sequence[Series],
        formatter: Callable[[int], str] = integer,
        *,
        tooltips: Sequence[str] | None = None,
    ) -> None:
        """`tooltips`: one extra line per category, added to each bar's tooltip."""
        for s in series:
            if len(s.values) != len(labels) or (s.texts is not None and len(s.texts) != len(labels)):
                raise ValueError(f"série « {s.name} » : {len(s.values)} valeurs pour {len(labels)} libellés")
        self._labels = list(labels)
        self._series = list(series)
        self._formatter = formatter
        self._label_tips = list(tooltips) if tooltips is not None else [""] * len(labels)
        self._refresh()

    # Data as given (tests, accessibility)
    def labels(self) -> list[str]:
        return list(self._labels)

    def series(self) -> list[Series]:
        return list(self._series)

    def values(self, series: int = 0) -> list[int]:
        return list(self._series[series].values)

    def text(self, row: int, series: int = 0) -> str:
        s = self._series[series]
        return s.texts[row] if s.texts is not None else self._formatter(s.values[row])

    def legend(self) -> list[tuple[str, QColor]]:
        return [(s.name, s.color) for s in self._series if s.name]

    def bars_per_row(self) -> int:
        return max(len(self._series), 1)

    def describe(self) -> str:
        parts = []
        for row, label in enumerate(self._labels):
            values = ", ".join(
                f"{s.name} {self.text(row, n)}" if len(self._series) > 1 else self.text(row, n)
                for n, s in enumerate(self._series)
            )
            parts.append(f"{label} : {values}")
        return f"{self._title}. " + " ; ".join(parts) if parts else f"{self._title}. Aucune donnée."

    def _paint_rows(self, p: QPainter, rect: QRect) -> None:
        fm = QFontMetrics(self.font())
        label_w = 0 if self.labels_above else self._label_width(rect.width())
        label_h = fm.height() if self.labels_above else 0
        text_w = max(
            (
                fm.horizontalAdvance(self.text(r, n))
                for r in range(len(self._labels))
                for n in range(len(self._series))
            ),
            default=0,
        )
        bar_x = rect.left() + label_w
        bar_w = max(rect.right() - bar_x - text_w - 8, 10)
        top = max((v for s in self._series for v in s.values), default=0)
        row_h = self._row_height()
        if not self.labels_above:
            p.setPen(QPen(COLORS["grid"], 1))
            p.drawLine(bar_x, rect.top(), bar_x, rect.top() + row_h * len(self._labels) - self.ROW_GAP)
        for row, label in enumerate(self._labels):
            y = rect.top() + row * row_h
            if self.labels_above:
                self._paint_label(p, QRect(rect.left(), y, rect.width(), label_h), label)
                y += label_h
            inner_h = row_h - self.ROW_GAP - label_h
            if not self.labels_above:
                self._paint_label(p, QRect(rect.left(), y, label_w, inner_h), label)
            bars_h = len(self._series) * self.BAR + (len(self._series) - 1) * self.GAP
            by = y + (inner_h - bars_h) // 2
            for n, s in enumerate(self._series):
                value = s.values[row]
                length = 0 if top <= 0 else round(bar_w * max(value, 0) / top)
                if value > 0:
                    length = max(length, 2)
                bar = QRect(bar_x + 1, by, length, self.BAR)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(s.color)
                p.drawRect(bar)
                text = self.text(row, n)
                p.setPen(COLORS["text"])
                p.drawText(
                    QRect(bar.right() + 6, by - 3, text_w + 4, self.BAR + 6),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    text,
                )
                tip = f"{label}\n{s.name} : {text}" if s.name else f"{label} : {text}"
                if self._label_tips[row]:
                    tip += f"\n{self._label_tips[row]}"
                self._hits.append((QRect(bar_x, by, max(length, 1) + text_w + 8, self.BAR), tip))
                by += self.BAR + self.GAP


class BulletChart(_Chart):
    """Voté against enveloppe, one row per financeur; `set_rows(rows, formatter)`."""

    BAR = 16

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._rows: list[BulletRow] = []

    def set_rows(self, rows: Sequence[BulletRow], formatter: Callable[[int], str] = euros) -> None:
        self._rows = list(rows)
        self._formatter = formatter
        self._refresh()

    def rows(self) -> list[BulletRow]:
        return list(self._rows)

    def labels(self) -> list[str]:
        return [r.label for r in self._rows]

    def legend(self) -> list[tuple[str, QColor]]:
        return [("Voté", COLORS["vote"]), ("Enveloppe", COLORS["track"]), ("Dépassement", COLORS["over"])]

    def exceeded(self, row: int) -> bool:
        r = self._rows[row]
        return r.target > 0 and r.value > r.target

    def text(self, row: int) -> str:
        r = self._rows[row]
        f = self._formatter
        if r.target <= 0:
            return f"{f(r.value)} voté, sans enveloppe"
        reste = r.target - r.value
        pct = f"{r.value * 100 / r.target:.0f}".replace(".", ",")
        tail = f"reste {f(reste)}" if reste >= 0 else f"dépassement {f(-reste)}"
        return f"{f(r.value)} / {f(r.target)} ({pct}{NBSP}%) — {tail}"

    def describe(self) -> str:
        parts = [f"{r.label} : {self.text(n)}" for n, r in enumerate(self._rows)]
        return f"{self._title}. " + " ; ".join(parts) if parts else f"{self._title}. Aucune donnée."

    def _paint_rows(self, p: QPainter, rect: QRect) -> None:
        fm = QFontMetrics(self.font())
        label_w = self._label_width(rect.width())
        text_w = max((fm.horizontalAdvance(self.text(n)) for n in range(len(self._rows))), default=0)
        bar_x = rect.left() + label_w
        bar_w = max(rect.right() - bar_x - text_w - 10, 10)
        top = max((max(r.value, r.target) for r in self._rows), default=0)
        row_h = self._row_height()
        for n, r in enumerate(self._rows):
            y = rect.top() + n * row_h
            inner_h = row_h - self.ROW_GAP
            self._paint_label(p, QRect(rect.left(), y, label_w, inner_h), r.label)
            by = y + (inner_h - self.BAR) // 2

            def scaled(v: int) -> int:
                return 0 if top <= 0 else round(bar_w * max(v, 0) / top)

            track = QRect(bar_x, by, scaled(r.target), self.BAR)
            if r.target > 0:
                p.setPen(QPen(COLORS["track_border"], 1))
                p.setBrush(COLORS["track"])
                p.drawRect(track)
            inner = QRect(
                bar_x, by + 3, scaled(min(r.value, r.target) if r.target > 0 else r.value), self.BAR - 6
            )
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(COLORS["vote"])
            p.drawRect(inner)
            if self.exceeded(n):
                over = QRect(track.right() + 1, by + 3, scaled(r.value) - scaled(r.target), self.BAR - 6)
                p.setBrush(COLORS["over"])
                p.drawRect(over)
            if r.target > 0:  # the enveloppe's end, visible even when the voté covers it
                p.setPen(QPen(COLORS["text"], 2))
                p.drawLine(track.right(), by - 1, track.right(), by + self.BAR + 1)
            end = max(track.right(), bar_x + scaled(r.value))
            text = self.text(n)
            p.setPen(COLORS["over"] if self.exceeded(n) else COLORS["text"])
            p.setFont(self._font(bold=self.exceeded(n)))
            p.drawText(
                QRect(end + 8, by - 3, text_w + 10, self.BAR + 6),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                text,
            )
            p.setFont(self.font())
            self._hits.append((QRect(bar_x, by, end - bar_x + text_w + 10, self.BAR), f"{r.label}\n{text}"))
