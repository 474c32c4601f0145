"""Live preview of a letter: the real PDF (services/letter_preview.py) drawn as an image.

The installed PySide6 wheel (Essentials) has no QtPdf, and no PDF rasteriser ships with the app, so
page 1 is drawn here from the PDF itself: pypdf walks the page's content stream and gives every
text run with its position, font and size, and every stroked line; Qt paints them with the same
DejaVu Serif faces that ReportLab embedded. What the secretary sees is therefore the generated
letter's real layout — line breaks, page break, bold and italic faces — not a re-layout of the
template. Images (logo, signature) are shown as their frames.

Edits are debounced (`DEBOUNCE_MS`) and the PDF is rendered in a worker thread; a result that
arrives after a newer request is dropped.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from pypdf import PdfReader
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from instructeur.resources import resource_path
from ui.workers import sync_jobs

__all__ = ["DEBOUNCE_MS", "LetterPdfPreview", "PageDrawing", "read_page"]

DEBOUNCE_MS = 400
_FONT_FILES = (
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic.ttf",
)
_families: list[str] = []

Matrix = tuple[float, float, float, float, float, float]


def _mult(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n  # noqa: N806 - matrix notation
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


@dataclass(frozen=True)
class TextRun:
    x: float
    y: float  # PDF points, origin bottom-left
    text: str
    font: str  # the PDF's BaseFont, e.g. « AAAAAA+InstructeurSerif-Bold »
    size: float


@dataclass
class PageDrawing:
    width: float
    height: float
    pages: int
    runs: list[TextRun] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    images: list[tuple[float, float, float, float]] = field(default_factory=list)


def read_page(pdf: bytes, number: int = 0) -> PageDrawing:
    """Text runs, stroked lines and image frames of one page of `pdf`."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[number]
    box = page.mediabox
    drawing = PageDrawing(float(box.width), float(box.height), len(reader.pages))
    path: list[tuple[float, float]] = []
    segments: list[tuple[float, float, float, float]] = []

    line_state: dict[str, object] = {"key": None, "x": 0.0, "tw": 0.0}

    def on_text(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        # pypdf gives every run of a line the line's matrix: the runs after the first one (a font
        # change, e.g. a bold word) start where the previous run ends, measured with the very
        # metrics ReportLab used.
        m = _mult(tuple(tm), tuple(cm))  # type: ignore[arg-type]
        key = (tuple(tm), tuple(cm))
        x = float(line_state["x"]) if line_state["key"] == key else m[4]  # type: ignore[arg-type]
        name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
        pts = size * abs(m[3] or 1)
        lines = text.split("\n")
        for n, line in enumerate(lines):
            if line.strip():
                drawing.runs.append(TextRun(x if n == 0 else m[4], m[5] - n * size * 1.2, line, name, pts))
        last = lines[-1]
        ended = len(lines) > 1
        start = m[4] if ended else x
        width = _string_width(last, name, pts) + float(line_state["tw"]) * last.count(" ")  # type: ignore[arg-type]
        line_state.update(key=None if ended and not last else key, x=start + width)

    def on_op(op: bytes, args: list[object], cm: list[float], tm: list[float]) -> None:
        def at(x: object, y: object) -> tuple[float, float]:
            a, b, c, d, e, f = cm
            fx, fy = float(x), float(y)  # type: ignore[arg-type]
            return (a * fx + c * fy + e, b * fx + d * fy + f)

        if op == b"Tw" and args:
            line_state["tw"] = float(args[0])  # type: ignore[arg-type]
        elif op == b"m":
            path[:] = [at(args[0], args[1])]
        elif op == b"l" and path:
            p = at(args[0], args[1])
            segments.append((*path[-1], *p))
            path.append(p)
        elif op == b"re":
            x, y, w, h = (float(v) for v in args)  # type: ignore[arg-type]
            corners = [at(x, y), at(x + w, y), at(x + w, y + h), at(x, y + h)]
            for n in range(4):
                segments.append((*corners[n], *corners[(n + 1) % 4]))
        elif op in (b"S", b"s", b"B", b"b"):
            drawing.lines.extend(segments)
            segments.clear()
        elif op in (b"n", b"f", b"F", b"f*"):
            segments.clear()
        elif op == b"Do":
            x0, y0 = at(0, 0)
            x1, y1 = at(1, 1)
            drawing.images.append((min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)))

    page.extract_text(visitor_text=on_text, visitor_operand_before=on_op)
    return drawing


def _string_width(text: str, base_font: str, size: float) -> float:
    """Width in points as ReportLab measured it (the PDF's DejaVu faces are the app's fonts)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from instructeur.exports.pdf_fonts import FAMILY, register_fonts

    register_fonts()
    face = base_font.split("+")[-1].lstrip("/")
    name = face.replace("DejaVuSerif", FAMILY) if face.startswith("DejaVuSerif") else "Helvetica"
    return float(stringWidth(text, name, size))


def _family() -> str:
    if not _families:
        for name in _FONT_FILES:
            fid = QFontDatabase.addApplicationFont(str(resource_path("fonts", name)))
            families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
            if families and families[0] not in _families:
                _families.append(families[0])
        if not _families:
            _families.append("serif")
    return _families[0]


def paint(drawing: PageDrawing, width_px: int) -> QImage:
    """The page as an image `width_px` wide (white paper, black text)."""
    scale = width_px / drawing.width
    image = QImage(width_px, round(drawing.height * scale), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setPen(QPen(QColor("#9a9a9a"), 0.6))
    for x0, y0, x1, y1 in drawing.lines:
        painter.drawLine(
            QPointF(x0 * scale, (drawing.height - y0) * scale),
            QPointF(x1 * scale, (drawing.height - y1) * scale),
        )
    for x, y, w, h in drawing.images:
        painter.drawRect(QRectF(x * scale, (drawing.height - y - h) * scale, w * scale, h * scale))
    painter.setPen(QColor("black"))
    family = _family()
    for run in drawing.runs:
        # Drawn 10× larger then scaled down: fractional sizes and ReportLab's advance widths
        # (no hinting, no kerning), so runs that follow each other on a line do not overlap.
        font = QFont(family)
        font.setPixelSize(max(1, round(run.size * 10)))
        font.setKerning(False)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        font.setBold("Bold" in run.font)
        font.setItalic("Italic" in run.font or "Oblique" in run.font)
        painter.save()
        painter.translate(run.x * scale, (drawing.height - run.y) * scale)
        painter.scale(scale / 10, scale / 10)
        painter.setFont(font)
        painter.drawText(QPointF(0, 0), run.text)
        painter.restore()
    painter.end()
    return image


class _Relay(QObject):
    done = Signal(int, object)  # request number, bytes or an exception


class LetterPdfPreview(QWidget):
    """Page 1 of the letter's PDF, refreshed `DEBOUNCE_MS` after the last `request()`."""

    def __init__(self, render: Callable[[], bytes], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._render = render
        self._serial = 0
        self.pdf: bytes = b""
        self.drawing: PageDrawing | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh_now)
        self._relay = _Relay()
        self._relay.done.connect(self._show)

        self.status = QLabel("")
        self.status.setAccessibleName("État de l'aperçu")
        self.status.setWordWrap(True)
        self.page_label = QLabel()
        self.page_label.setAccessibleName("Aperçu PDF de la lettre (page 1)")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page_label.setStyleSheet("background: #e6e6e6; padding: 6px;")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.page_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)

    def request(self) -> None:
        """Schedule a refresh (edits restart the delay)."""
        self.timer.start()

    def refresh_now(self) -> None:
        self.timer.stop()
        self._serial += 1
        serial = self._serial
        self.status.setText("Aperçu en cours…")
        if sync_jobs():
            self._show(serial, self._safe_render())
            return
        threading.Thread(
            target=lambda: self._relay.done.emit(serial, self._safe_render()), daemon=True
        ).start()

    def _safe_render(self) -> object:
        try:
            return self._render()
        except Exception as exc:  # shown in the status line; the editor stays usable
            return exc

    def _show(self, serial: int, result: object) -> None:
        if serial != self._serial:
            return  # a newer request is on its way
        if isinstance(result, BaseException):
            message = getattr(result, "message", None) or str(result)
            self.status.setText(f"Aperçu impossible : {message}")
            return
        assert isinstance(result, bytes)
        self.pdf = result
        self.drawing = read_page(result)
        width = max(420, min(900, self.page_label.width() - 16))
        self.page_label.setPixmap(QPixmap.fromImage(paint(self.drawing, width)))
        pages = self.drawing.pages
        self.status.setText(
            f"Aperçu du PDF généré : page 1 sur {pages}." if pages > 1 else "Aperçu du PDF généré (1 page)."
        )
