"""Notification letters (attribution, refus, ajournement) as PDF, with ReportLab (DESIGN.md §8).

The letter body comes from an editable text template; the layout (header, sender and recipient
blocks, références, signature, page numbers) is fixed here.

Template syntax (documented to users in the default templates' comment lines):

* lines starting with ``#`` are comments and are dropped;
* the first line starting with ``Objet :`` is the subject (shown in bold after the références);
* ``{champ}`` is replaced by the value of a merge field (``{{`` and ``}}`` write braces); an unknown
  field is left as written, and `template_problems` reports it;
* ``[[si champ]] … [[fin]]`` keeps its content only when the field is not empty,
  ``[[si non champ]] … [[fin]]`` only when it is, ``[[sinon]]`` gives the other branch; blocks
  nest; a marker alone on its line removes the whole line;
* a blank line separates paragraphs; a single line break stays a line break;
* a line starting with ``- `` is a bullet; a bullet made of a multi-line field gives one bullet
  per line (``- {autres_financeurs_liste}``);
* ``**texte**`` is set in bold, ``*texte*`` in italic (template text only; merged values are
  always escaped). The GUI's formatted editor (ui/letter_rich_text.py) reads and writes this syntax.

Rendering: one `doc.build` per letter (its own « 1 / 2 » numbering); `letter_batch` renders many
on every core and concatenates them for the merged PDF to sign.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from instructeur.exports.pdf_fonts import register_fonts
from instructeur.exports.pdf_page import numbered_canvas
from instructeur.exports.typo import escape, french, para

__all__ = [
    "LetterData",
    "MODELES",
    "letter_footer",
    "letter_metadata",
    "letter_story",
    "merge_text",
    "prepare",
    "render_letter",
    "template_fields",
    "template_problems",
]

MODELES = ("attribution", "refus", "ajournement")

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 18 * mm
MARGIN_BOTTOM = 22 * mm
COLUMN = (PAGE_W - 2 * MARGIN_X) / 2
GREY = colors.HexColor("#4a4a4a")
RULE = colors.HexColor("#9a9a9a")


@dataclass(frozen=True)
class LetterData:
    """Everything a letter needs, already resolved (no database access while rendering)."""

    dossier_id: int
    modele: str  # attribution, refus, ajournement
    reference: str
    porteur: str
    template: str
    fields: Mapping[str, str]
    expediteur: tuple[str, ...] = ()  # sender block, first line = the institution
    destinataire: tuple[str, ...] = ()  # recipient block, first line = the porteur
    lieu_date: str = ""  # « Boulogne-sur-Mer, le 12 mars 2026 »
    signataire: str = ""
    fonction_signataire: str = ""
    affaire_suivie: str = ""  # « Affaire suivie par : … »
    logo: Path | None = None
    signature: Path | None = None
    financeur_id: int | None = None
    title: str = ""  # PDF metadata; defaults to the subject


# --- Template engine ----------------------------------------------------------------------------

_FIELD = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}")
_MARKER = re.compile(r"\[\[\s*(sinon|si\s+non\b|si\b|fin)\s*([a-z0-9_]*)\s*\]\]", re.IGNORECASE)
_MARKER_LINE = re.compile(r"^[ \t]*(\[\[[^\]]*\]\])[ \t]*$\n?", re.MULTILINE)


def _truthy(value: str | None) -> bool:
    return bool(value and value.strip() and value.strip().lower() not in {"0", "non", "faux", "false"})


def _strip_comments(template: str) -> str:
    lines = template.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("#"))


def _conditionals(text: str, fields: Mapping[str, str]) -> str:
    """Evaluate ``[[si …]]`` blocks (nested). Unbalanced markers are kept as text."""
    text = _MARKER_LINE.sub(lambda m: m.group(1), text)  # a marker alone on its line takes the line
    out: list[str] = []
    stack: list[tuple[bool, bool]] = []  # (parent active, this branch active)
    active = True
    pos = 0
    for m in _MARKER.finditer(text):
        if active:
            out.append(text[pos : m.start()])
        pos = m.end()
        kind = re.sub(r"\s+", " ", m.group(1).lower())
        name = m.group(2)
        if kind in ("si", "si non"):
            cond = _truthy(fields.get(name))
            if kind == "si non":
                cond = not cond
            stack.append((active, cond))
            active = active and cond
        elif kind == "sinon" and stack:
            parent, cond = stack[-1]
            stack[-1] = (parent, not cond)
            active = parent and not cond
        elif kind == "fin" and stack:
            active = stack.pop()[0]
        elif active:
            out.append(m.group(0))
    if active:
        out.append(text[pos:])
    return "".join(out)


def template_fields(template: str) -> set[str]:
    """Merge fields and condition names used by a template."""
    text = _strip_comments(template)
    names = {m.group(1) for m in _FIELD.finditer(text) if m.group(1)}
    names |= {m.group(2) for m in _MARKER.finditer(text) if m.group(2)}
    return names


def template_problems(template: str, known: Iterable[str]) -> list[str]:
    """French problems of a template: unknown fields, unbalanced ``[[si]]``/``[[fin]]``, no subject."""
    problems: list[str] = []
    known_set = set(known)
    unknown = sorted(template_fields(template) - known_set)
    if unknown:
        problems.append("champs inconnus : " + ", ".join("{" + n + "}" for n in unknown))
    depth = 0
    for m in _MARKER.finditer(_strip_comments(template)):
        kind = m.group(1).lower()
        if kind.startswith("si") and kind != "sinon":
            if not m.group(2):
                problems.append(f"« {m.group(0)} » : nom de champ manquant")
            depth += 1
        elif kind == "fin":
            depth -= 1
            if depth < 0:
                problems.append("[[fin]] sans [[si …]] correspondant")
                depth = 0
    if depth > 0:
        problems.append(f"{depth} bloc(s) [[si …]] sans [[fin]]")
    if not any(line.strip().startswith("Objet") for line in _strip_comments(template).split("\n")):
        problems.append("ligne « Objet : … » manquante")
    return problems


@dataclass(frozen=True)
class _Block:
    kind: str  # "p" or "li"
    parts: tuple[tuple[bool, str], ...]  # (is a merged value, text)


def _split(template: str, fields: Mapping[str, str]) -> tuple[str, list[_Block]]:
    """(subject with fields merged as plain text parts, body blocks)."""
    text = _conditionals(_strip_comments(template), fields)
    lines = text.split("\n")
    subject = ""
    for n, line in enumerate(lines):
        if line.strip().startswith("Objet"):
            subject = re.sub(r"^\s*Objet\s*:\s*", "", line)
            del lines[n]
            break
        if line.strip():
            break
    blocks: list[_Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(_Block("p", _parts("\n".join(paragraph), fields)))
            paragraph.clear()

    for line in lines:
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("- "):
            flush()
            parts = _parts(stripped[2:], fields)
            if len(parts) == 1 and parts[0][0] and "\n" in parts[0][1]:
                for item in parts[0][1].split("\n"):
                    if item.strip():
                        blocks.append(_Block("li", ((True, item.strip()),)))
            else:
                blocks.append(_Block("li", parts))
        else:
            paragraph.append(line.rstrip())
    flush()
    return _plain(_parts(subject, fields)), [b for b in blocks if _plain(b.parts).strip()]


def _parts(text: str, fields: Mapping[str, str]) -> tuple[tuple[bool, str], ...]:
    parts: list[tuple[bool, str]] = []
    pos = 0
    for m in _FIELD.finditer(text):
        literal = text[pos : m.start()]
        token = m.group(0)
        if token in ("{{", "}}"):
            literal += token[0]
            parts.append((False, literal))
        else:
            parts.append((False, literal))
            name = m.group(1)
            if name in fields:
                parts.append((True, fields[name]))
            else:
                parts.append((False, token))
        pos = m.end()
    parts.append((False, text[pos:]))
    return tuple(p for p in parts if p[1])


_EMPHASIS = re.compile(r"\*\*|\*")


def _plain(parts: Sequence[tuple[bool, str]]) -> str:
    return "".join(text if v else _EMPHASIS.sub("", text) for v, text in parts) if parts else ""


def _markup(parts: Sequence[tuple[bool, str]]) -> str:
    """Paragraph markup: template text escaped with ``**bold**`` and ``*italic*``, values escaped
    verbatim (a value's own asterisks stay asterisks). Tags are closed and reopened at each change
    so they always nest; a lone ``*`` with no partner in the paragraph stays an asterisk (older
    templates may contain one)."""
    singles = sum(1 for v, t in parts if not v for m in _EMPHASIS.finditer(t) if m.group(0) == "*")
    out: list[str] = []
    state = {"b": False, "i": False}
    seen = 0
    for is_value, text in parts:
        if is_value:
            out.append(para(text).replace("\n", "<br/>"))
            continue
        pos = 0
        for m in _EMPHASIS.finditer(text):
            out.append(para(text[pos : m.start()]).replace("\n", "<br/>"))
            pos = m.end()
            tag = "b" if m.group(0) == "**" else "i"
            if tag == "i":
                seen += 1
                if singles % 2 and seen == singles:
                    out.append("*")
                    continue
            out.extend(f"</{t}>" for t in ("i", "b") if state[t])
            state[tag] = not state[tag]
            out.extend(f"<{t}>" for t in ("b", "i") if state[t])
        out.append(para(text[pos:]).replace("\n", "<br/>"))
    out.extend(f"</{t}>" for t in ("i", "b") if state[t])
    return "".join(out)


def merge_text(template: str, fields: Mapping[str, str]) -> str:
    """The merged letter as plain text (preview): « Objet : … », then paragraphs and bullets."""
    subject, blocks = _split(template, fields)
    chunks = [f"Objet : {subject}"] if subject else []
    for block in blocks:
        text = _plain(block.parts)
        chunks.append(("- " + text) if block.kind == "li" else text)
    out: list[str] = []
    for n, chunk in enumerate(chunks):
        if n and not (blocks and chunk.startswith("- ") and out[-1].startswith("- ")):
            out.append("")
        out.append(chunk)
    return french("\n".join(out)).strip() + "\n"


# --- Layout -----------------------------------------------------------------------------------


_OBJET_INDENT = 15 * mm


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    family = register_fonts()
    body = ParagraphStyle(
        "body",
        fontName=family,
        fontSize=10,
        leading=13.6,
        alignment=TA_JUSTIFY,
        spaceAfter=6,
        hyphenationLang="fr_FR",
        embeddedHyphenation=1,
        uriWasteReduce=0.3,
    )
    return {
        "body": body,
        "bullet": ParagraphStyle("bullet", parent=body, spaceAfter=3),
        "objet": ParagraphStyle("objet", parent=body, alignment=TA_LEFT, spaceAfter=0),
        "sender_head": ParagraphStyle("sender_head", fontName=family, fontSize=10, leading=12.5),
        "sender": ParagraphStyle("sender", fontName=family, fontSize=8.5, leading=11, textColor=GREY),
        "small": ParagraphStyle("small", fontName=family, fontSize=8.5, leading=11, textColor=GREY),
        "recipient": ParagraphStyle("recipient", fontName=family, fontSize=10, leading=13),
        "date": ParagraphStyle("date", fontName=family, fontSize=10, leading=13),
        "sign": ParagraphStyle("sign", fontName=family, fontSize=10, leading=13, alignment=TA_LEFT),
        "footer": ParagraphStyle("footer", fontName=family, fontSize=7.5, leading=9, textColor=GREY),
    }


def prepare() -> None:
    """Register the fonts and build the styles now (each letter worker does it once, at start)."""
    _styles()


@lru_cache(maxsize=16)
def _image_size(path: str) -> tuple[float, float]:
    width, height = ImageReader(path).getSize()
    return float(width), float(height)


def _image(path: Path | None, max_w: float, max_h: float, align: str = "LEFT") -> Image | None:
    if path is None or not Path(path).is_file():
        return None
    try:
        w, h = _image_size(str(path))
    except Exception:  # noqa: BLE001 - an unreadable image is skipped, the letter still goes out
        return None
    scale = min(max_w / w, max_h / h)
    img = Image(str(path), width=w * scale, height=h * scale)
    img.hAlign = align
    return img


def _lines(lines: Iterable[str], style: ParagraphStyle, first: ParagraphStyle | None = None) -> list[Any]:
    out: list[Any] = []
    for n, line in enumerate(line for line in lines if line.strip()):
        text = para(line)
        if n == 0 and first is not None:
            out.append(Paragraph(f"<b>{text}</b>", first))
        else:
            out.append(Paragraph(text, style))
    return out


def _cell_table(rows: list[list[Any]], widths: Sequence[float]) -> Table:
    table = Table(rows, colWidths=list(widths))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    table.hAlign = "LEFT"
    return table


def _story(letter: LetterData) -> tuple[list[Flowable], str]:
    st = _styles()
    subject, blocks = _split(letter.template, letter.fields)
    right_x = COLUMN + 5 * mm  # the recipient column: inside a right-hand envelope window
    left_w, right_w = right_x, PAGE_W - 2 * MARGIN_X - right_x

    sender: list[Any] = []
    logo = _image(letter.logo, 45 * mm, 22 * mm)
    if logo is not None:
        sender += [logo, Spacer(1, 3 * mm)]
    sender += _lines(letter.expediteur, st["sender"], st["sender_head"])
    date_cell = [Paragraph(para(letter.lieu_date), st["date"])] if letter.lieu_date else []

    refs = [Paragraph(f"Réf.{escape(chr(0xA0))}: {para(letter.reference)}", st["small"])]
    if letter.affaire_suivie:
        refs.append(Paragraph(para(letter.affaire_suivie).replace("\n", "<br/>"), st["small"]))
    recipient = _lines(letter.destinataire, st["recipient"], st["recipient"])

    recipient_cell: list[Any] = [*recipient, Spacer(1, 6 * mm), *date_cell]
    story: list[Flowable] = [
        _cell_table([[sender]], [PAGE_W - 2 * MARGIN_X]),
        Spacer(1, 10 * mm),
        _cell_table([[refs, recipient_cell]], [left_w, right_w]),
        Spacer(1, 10 * mm),
    ]
    if subject:
        # The label sits in the hanging indent; the subject's lines align after it.
        label = Paragraph(f"<b>Objet{chr(0xA0)}:</b>", st["objet"])
        text = Paragraph(f"<b>{_markup(((True, subject),))}</b>", st["objet"])
        story.append(_cell_table([[label, text]], [_OBJET_INDENT, PAGE_W - 2 * MARGIN_X - _OBJET_INDENT]))
        story.append(Spacer(1, 6 * mm))

    items: list[ListItem] = []

    def flush_items() -> None:
        if items:
            story.append(
                ListFlowable(
                    list(items),
                    bulletType="bullet",
                    start="–",
                    leftIndent=8 * mm,
                    bulletFontName=st["body"].fontName,
                    bulletFontSize=10,
                    spaceAfter=6,
                )
            )
            items.clear()

    # The last paragraph, the closing formula and the signature move to a new page together:
    # a signature never stands alone, and never without the text it signs.
    closing: list[Flowable] = []
    kept = 0
    for block in reversed(blocks):
        if block.kind != "p" or kept == 2:
            break
        kept += 1
    for block in blocks[len(blocks) - kept :]:
        closing.append(Paragraph(_markup(block.parts), st["body"]))
    blocks = blocks[: len(blocks) - kept]
    for block in blocks:
        if block.kind == "li":
            items.append(ListItem(Paragraph(_markup(block.parts), st["bullet"])))
        else:
            flush_items()
            story.append(Paragraph(_markup(block.parts), st["body"]))
    flush_items()

    signature: list[Any] = []
    if letter.fonction_signataire:
        signature.append(Paragraph(para(letter.fonction_signataire).replace("\n", "<br/>"), st["sign"]))
    image = _image(letter.signature, 50 * mm, 24 * mm)
    signature.append(image if image is not None else Spacer(1, 20 * mm))
    if letter.signataire:
        signature.append(Paragraph(f"<b>{para(letter.signataire)}</b>", st["sign"]))
    story.append(
        KeepTogether([*closing, Spacer(1, 4 * mm), _cell_table([["", signature]], [left_w, right_w])])
    )
    return story, subject


def letter_story(letter: LetterData) -> tuple[list[Flowable], str]:
    """The letter's flowables and its subject (the « Objet : » line)."""
    return _story(letter)


def letter_footer(letter: LetterData) -> str:
    """« Communauté d'agglomération — Dossier n° 26-000123 », beside « 1 / 2 » on every page."""
    head = letter.expediteur[0] if letter.expediteur else ""
    return french(" — ".join(x for x in (head, f"Dossier n° {letter.reference}") if x))


def letter_metadata(letter: LetterData, subject: str) -> dict[str, str]:
    """The PDF's document information (title, author, subject)."""
    return {
        "title": letter.title or f"{subject} — {letter.porteur}",
        "author": letter.expediteur[0] if letter.expediteur else "Instructeur",
        "subject": subject,
    }


def render_letter(letter: LetterData, path: Path) -> int:
    """Write one letter as a PDF; returns its number of pages. (Many letters: `letter_batch`.)"""
    story, subject = _story(letter)
    canvas_class = numbered_canvas(letter_footer(letter), margin_x=MARGIN_X, margin_bottom=MARGIN_BOTTOM)
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        creator="Instructeur",
        lang="fr-FR",
        **letter_metadata(letter, subject),
    )
    doc.build(story, canvasmaker=canvas_class)
    return int(doc.page)
