"""Letter templates as formatted text: the stored syntax (exports/letters.py) ⇄ a QTextDocument.

The stored format stays the one `exports/letters.py` renders, so templates saved before the
formatted editor open unchanged (only their « # » comment lines, help for the old plain-text
editor, are dropped on the next save):

* paragraphs separated by a blank line, a line break inside a paragraph (Maj+Entrée here);
* ``- `` bullets (a Qt list here), ``**gras**``, ``*italique*``;
* ``{champ}`` (a coloured chip carrying the field's name here);
* ``[[si champ]] … [[sinon]] … [[fin]]`` alone on their lines (a framed, coloured block here, whose
  first paragraph, « Si … : », is a caption regenerated on save; « Sinon : » is a separator).

A marker inside a line (old templates) stays visible as text and is saved as written.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrame,
    QTextFrameFormat,
    QTextListFormat,
)

__all__ = [
    "condition_caption",
    "condition_frame_format",
    "document_to_template",
    "field_format",
    "paragraph_format",
    "role_format",
    "template_to_document",
]

FIELD = 0x100000 + 1  # char: merge field name
FIELD_ID = 0x100000 + 2  # char: one id per inserted chip (two adjacent chips stay two fields)
CONDITION = 0x100000 + 3  # frame: « si champ » / « si non champ »
ROLE = 0x100000 + 4  # block: "caption" or "sinon" (not letter text)
LINE_BREAK = "\u2028"

_MARKER_LINE = re.compile(r"^\s*\[\[\s*(sinon|si\s+non|si|fin)\s*([a-z0-9_]*)\s*\]\]\s*$", re.IGNORECASE)
_INLINE = re.compile(r"\*\*|\*|\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}")
_chip_ids = itertools.count(1)


def condition_caption(condition: str, labels: Mapping[str, str]) -> str:
    """« Si « motivation de la décision » est renseigné : »; a yes/no field reads as its rule:
    « Si le montant dépasse 23 000 € (convention obligatoire) : »."""
    negate = condition.startswith("si non ")
    name = condition.split()[-1]
    label = labels.get(name, name)
    if label.startswith("« oui » si "):
        return f"{'Sauf si' if negate else 'Si'} {label.removeprefix('« oui » si ')} :"
    return f"Si « {label} » est {'vide' if negate else 'renseigné'} :"


def field_format(name: str) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setProperty(FIELD, name)
    fmt.setProperty(FIELD_ID, next(_chip_ids))
    fmt.setBackground(QBrush(QColor("#dbe8fb")))
    fmt.setForeground(QBrush(QColor("#123e7c")))
    fmt.setToolTip(f"Champ de fusion {{{name}}}")
    return fmt


def condition_frame_format(condition: str) -> QTextFrameFormat:
    fmt = QTextFrameFormat()
    fmt.setProperty(CONDITION, condition)
    fmt.setBorder(1)
    fmt.setBorderBrush(QBrush(QColor("#c58a00")))
    fmt.setBackground(QBrush(QColor("#fff6df")))
    fmt.setPadding(4)
    fmt.setMargin(4)
    return fmt


def paragraph_format() -> QTextBlockFormat:
    """A letter paragraph: spaced like the PDF's, so that paragraphs read as paragraphs."""
    fmt = QTextBlockFormat()
    fmt.setBottomMargin(6)
    return fmt


def role_format(role: str) -> tuple[QTextBlockFormat, QTextCharFormat]:
    block = QTextBlockFormat()
    block.setProperty(ROLE, role)
    char = QTextCharFormat()
    char.setFontItalic(True)
    char.setForeground(QBrush(QColor("#8a5a00")))
    return block, char


# --- stored text → document ----------------------------------------------------------------


@dataclass
class _Loader:
    cursor: QTextCursor
    labels: Mapping[str, str]
    fresh: bool = True  # the cursor's block is empty and unused
    in_list: bool = False

    def block(self, fmt: QTextBlockFormat | None = None, char: QTextCharFormat | None = None) -> None:
        fmt = fmt or paragraph_format()
        if self.fresh:
            self.cursor.setBlockFormat(fmt)
            self.cursor.setBlockCharFormat(char or QTextCharFormat())
        else:
            self.cursor.insertBlock(fmt, char or QTextCharFormat())
        self.fresh = False

    def paragraph(self, text: str) -> None:
        self.block()
        self.in_list = False
        self.inline(text)

    def bullet(self, text: str) -> None:
        was_list = self.in_list and not self.fresh
        self.block()
        if was_list and self.cursor.block().previous().textList() is not None:
            prev = self.cursor.block().previous().textList()
            assert prev is not None
            prev.add(self.cursor.block())
        else:
            self.cursor.createList(QTextListFormat.Style.ListDisc)
        self.in_list = True
        self.inline(text)

    def inline(self, text: str) -> None:
        bold = italic = False
        pos = 0
        for m in _INLINE.finditer(text):
            self._text(text[pos : m.start()], bold, italic)
            token = m.group(0)
            if token == "**":
                bold = not bold
            elif token == "*":
                italic = not italic
            elif token in ("{{", "}}"):
                self._text(token[0], bold, italic)
            else:
                fmt = field_format(m.group(1))
                fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
                fmt.setFontItalic(italic)
                self.cursor.insertText(m.group(1), fmt)
            pos = m.end()
        self._text(text[pos:], bold, italic)

    def _text(self, text: str, bold: bool, italic: bool) -> None:
        if text:
            fmt = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
            fmt.setFontItalic(italic)
            self.cursor.insertText(text.replace("\n", LINE_BREAK), fmt)

    def open_condition(self, condition: str) -> None:
        if not self.fresh:
            self.cursor.insertBlock()
        self.cursor.setBlockFormat(paragraph_format())
        self.cursor.insertFrame(condition_frame_format(condition))
        block, char = role_format("caption")
        self.cursor.setBlockFormat(block)
        self.cursor.insertText(condition_caption(condition, self.labels), char)
        self.fresh, self.in_list = False, False

    def sinon(self) -> None:
        block, char = role_format("sinon")
        self.block(block, char)
        self.cursor.insertText("Sinon :", char)
        self.in_list = False

    def close_condition(self) -> None:
        frame = self.cursor.currentFrame()
        if frame is None or frame.parentFrame() is None:
            return  # [[fin]] without [[si]]: template_problems reports it
        self.cursor = frame.lastCursorPosition()
        self.cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
        self.fresh, self.in_list = True, False


def template_to_document(
    template: str, labels: Mapping[str, str], doc: QTextDocument | None = None
) -> QTextDocument:
    doc = doc or QTextDocument()
    doc.clear()
    loader = _Loader(QTextCursor(doc), labels)
    text = template.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line for line in text.split("\n") if not line.startswith("#")]
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            loader.paragraph("\n".join(paragraph))
            paragraph.clear()

    for line in lines:
        marker = _MARKER_LINE.match(line)
        stripped = line.strip()
        if marker:
            flush()
            kind = re.sub(r"\s+", " ", marker.group(1).lower())
            if kind == "fin":
                loader.close_condition()
            elif kind == "sinon":
                loader.sinon()
            else:
                loader.open_condition(f"{kind} {marker.group(2)}")
        elif not stripped:
            flush()
        elif stripped.startswith("- "):
            flush()
            loader.bullet(stripped[2:])
        else:
            paragraph.append(line.rstrip())
    flush()
    doc.setModified(False)
    return doc


# --- document → stored text ----------------------------------------------------------------


def document_to_template(doc: QTextDocument) -> str:
    lines: list[str] = []
    last: list[str] = [""]  # kind of the last content unit: "", "p" or "li"
    _frame_lines(doc.rootFrame(), lines, last)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n"


def _frame_lines(frame: QTextFrame, lines: list[str], last: list[str]) -> None:
    it = frame.begin()
    while not it.atEnd():
        child = it.currentFrame()
        if child is not None:
            condition = str(child.frameFormat().property(CONDITION) or "")
            if condition:
                lines.append(f"[[{condition}]]")
                _frame_lines(child, lines, last)
                lines.append("[[fin]]")
            else:
                _frame_lines(child, lines, last)
        else:
            block = it.currentBlock()
            role = block.blockFormat().property(ROLE)
            if role == "sinon":
                lines.append("[[sinon]]")
            elif role != "caption":
                text = _inline_text(block)
                if text.strip():
                    kind = "li" if block.textList() is not None else "p"
                    if last[0] and not (kind == "li" and last[0] == "li"):
                        lines.append("")
                    lines.append(f"- {text}" if kind == "li" else text)
                    last[0] = kind
        it += 1


def _inline_text(block: object) -> str:
    from PySide6.QtGui import QTextBlock

    assert isinstance(block, QTextBlock)
    out: list[str] = []
    bold = italic = False
    chip: object = None
    it = block.begin()
    while not it.atEnd():
        frag = it.fragment()
        it += 1
        if not frag.isValid():
            continue
        fmt = frag.charFormat()
        b = fmt.fontWeight() >= QFont.Weight.DemiBold
        i = fmt.fontItalic()
        if italic and (not i or b != bold):
            out.append("*")
            italic = False
        if b != bold:
            out.append("**")
            bold = b
        if i != italic:
            out.append("*")
            italic = i
        name = fmt.property(FIELD)
        if name:
            chip_id = fmt.property(FIELD_ID)
            if chip_id != chip:
                out.append(f"{{{name}}}")
            chip = chip_id
            continue
        chip = None
        text = frag.text().replace("{", "{{").replace("}", "}}").replace(LINE_BREAK, "\n")
        out.append(text)
    if italic:
        out.append("*")
    if bold:
        out.append("**")
    return "".join(out).rstrip()
