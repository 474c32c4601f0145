"""The page furniture shared by every PDF (letters, relevé, fiche d'instruction): a two-pass canvas
that knows the page count, a rule and a footer line with « n / total », an optional running header
from page 2 on. Each document gives its margins and texts through `numbered_canvas`."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from instructeur.exports.pdf_fonts import register_fonts

NBSP = "\u00a0"
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")


class NumberedCanvas(Canvas):  # type: ignore[misc]
    """Keeps every page's state, then decorates each page once the total is known."""

    footer_text = ""
    header_text = ""  # drawn from page 2 on, above the top margin
    page_label = ""  # « Page » before « n / total », or nothing
    margin_x = 20 * mm
    margin_top = 20 * mm
    margin_bottom = 20 * mm
    footer_gap = 8 * mm  # footer baseline below the bottom margin
    font_size = 7.5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab API
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        width, height = A4
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.setFont(register_fonts(), self.font_size)
        self.setFillColor(GREY)
        y = self.margin_bottom - self.footer_gap
        self.line(self.margin_x, y + 3.2 * mm, width - self.margin_x, y + 3.2 * mm)
        self.drawString(self.margin_x, y, self.footer_text)
        label = f"{self.page_label}{NBSP}" if self.page_label else ""
        self.drawRightString(width - self.margin_x, y, f"{label}{self._pageNumber}{NBSP}/{NBSP}{total}")
        if self.header_text and self._pageNumber > 1:
            self.drawString(self.margin_x, height - self.margin_top + 5 * mm, self.header_text)
        self.restoreState()


def numbered_canvas(footer: str, **settings: Any) -> type[NumberedCanvas]:
    """A canvas class for one document (`canvasmaker=`), e.g. `numbered_canvas(f, margin_x=18 * mm)`."""
    return type("DocumentCanvas", (NumberedCanvas,), {"footer_text": footer, **settings})
