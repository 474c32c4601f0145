"""The font family shipped with the app (DejaVu Serif, `resources/fonts/`), registered once for ReportLab.

`register_fonts()` returns the family name to use in `ParagraphStyle(fontName=…)`; `addMapping`
makes `<b>`, `<i>` and `<b><i>` pick the right files. The fonts are embedded (as subsets) in every
PDF, so letters look the same on a machine without DejaVu (Windows).
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from instructeur.resources import resource_path

__all__ = ["FAMILY", "FAMILY_BOLD", "register_fonts"]

FAMILY = "InstructeurSerif"
FAMILY_BOLD = f"{FAMILY}-Bold"
_FILES = {
    FAMILY: "DejaVuSerif.ttf",
    FAMILY_BOLD: "DejaVuSerif-Bold.ttf",
    f"{FAMILY}-Italic": "DejaVuSerif-Italic.ttf",
    f"{FAMILY}-BoldItalic": "DejaVuSerif-BoldItalic.ttf",
}
_lock = threading.Lock()
_registered = False


def register_fonts() -> str:
    """Register the shipped TTF family (idempotent, thread-safe) and return its name."""
    global _registered
    with _lock:
        if not _registered:
            for name, filename in _FILES.items():
                path = resource_path("fonts", filename)
                if not path.exists():
                    from instructeur.errors import UserError

                    raise UserError(f"police introuvable : {path} (installation incomplète)")
                pdfmetrics.registerFont(TTFont(name, str(path)))
            addMapping(FAMILY, 0, 0, FAMILY)
            addMapping(FAMILY, 1, 0, FAMILY_BOLD)
            addMapping(FAMILY, 0, 1, f"{FAMILY}-Italic")
            addMapping(FAMILY, 1, 1, f"{FAMILY}-BoldItalic")
            _registered = True
    return FAMILY
