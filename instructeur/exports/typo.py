"""French typography for ReportLab paragraphs (DESIGN.md §8, P15, P17).

* U+202F (narrow no-break space, what `QLocale` puts in numbers) and thin spaces become U+00A0:
  ReportLab treats U+202F as a breakable space and writes a plain one.
* A no-break space before « ; : ! ? » » and after « « », inside grouped numbers (« 23 000 »),
  before « € » and « % », after « n° » and the civilités « M. », « Mme »: no line ends there.
* `escape` makes user text safe for `Paragraph` markup (« Projet & Cie », « <b> » typed by someone).

`french(text)` does the spacing only; `para(text)` does spacing then escaping (the usual case).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as _xml_escape

__all__ = ["NBSP", "escape", "french", "para"]

NBSP = "\u00a0"
_NARROW = str.maketrans({"\u202f": NBSP, "\u2009": NBSP, "\u2007": NBSP})
_SPACE = "[ \t\u00a0]"
# An existing space before a high punctuation sign becomes a no-break space.
_BEFORE_HIGH = re.compile(_SPACE + r"+([;:!?»])")
# A missing space is added before « ; ! ? » » after a letter when the sign ends a word
# (so « https://…?q=1 » and « 10:30 » are left alone), and before « : » only after a letter
# followed by a space (« Objet: » → « Objet : »).
_GLUED_HIGH = re.compile(r"(?<=[^\W\d_])([;!?])(?=\s|$)|(?<=[^\W\d_])(:)(?=\s)|(?<=[\w.!?…)])(»)")
_AFTER_GUILLEMET = re.compile(r"«" + _SPACE + "*")
_GROUPED = re.compile(r"(?<![\d,.])\d{1,3}(?:[ \u00a0]\d{3})+(?!\d)")
_BEFORE_UNIT = re.compile(r"(?<=\d)" + _SPACE + r"+(?=(?:€|%|euros?\b))")
_AFTER_ABBREV = re.compile(r"(?<![^\W_])(n°|N°|M\.|Mme|Mlle|art\.|p\.)" + _SPACE + r"+(?=\w)")


def french(text: str) -> str:
    """French no-break spacing; never produces U+202F."""
    text = text.translate(_NARROW)
    text = _GLUED_HIGH.sub(lambda m: NBSP + (m.group(1) or m.group(2) or m.group(3)), text)
    text = _BEFORE_HIGH.sub(NBSP + r"\1", text)
    text = _AFTER_GUILLEMET.sub("«" + NBSP, text)
    text = _GROUPED.sub(lambda m: m.group(0).replace(" ", NBSP), text)
    text = _BEFORE_UNIT.sub(NBSP, text)
    text = _AFTER_ABBREV.sub(lambda m: m.group(1) + NBSP, text)
    return text


def escape(text: str) -> str:
    """XML-escape for `Paragraph` markup (&, <, >)."""
    return _xml_escape(text)


def para(text: str) -> str:
    """User text ready for a `Paragraph`: French spacing, then escaping (escaping first would
    turn the « ; » of « &amp; » into a spaced sign)."""
    return escape(french(text))
