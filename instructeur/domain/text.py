"""French text helpers: cleaning what users and files bring in, accent-insensitive search, French
collation, safe file names, formula guard."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["SortKey", "clean_text", "fold", "needs_formula_guard", "optional_text", "safe_filename", "sort_key"]

# Invisible characters that change how text reads or compares without showing: C0/C1 controls,
# bidi embeddings/overrides/isolates and marks (a « RLO » makes « exe.txt » read « txt.exe »),
# zero-width spaces/joiners, word joiner and BOM. Tab and line breaks are handled apart.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")
_SINGLE_LINE = re.compile("[\t\n]")


def optional_text(text: str | None) -> str | None:
    """A typed text without its surrounding spaces, or None when nothing is left (motivations,
    conditions, lieux: an empty answer is no answer)."""
    return (text or "").strip() or None


def clean_text(text: str, *, multiline: bool = True) -> str:
    """The text as stored: invisible controls removed, NFC (« é » is one code point).

    Removed: NUL and the other C0/C1 controls, bidi overrides, embeddings, isolates and marks
    (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), zero-width characters (U+200B–U+200D,
    U+2060–U+2064, U+FEFF). Line breaks become « \n »; with ``multiline=False`` (one-line fields)
    tabs and line breaks become spaces. Ordinary French text (accents, œ, « », ’, €, no-break
    spaces) is returned unchanged; the function is idempotent.
    """
    if text.isascii() and text.isprintable():  # the common case: nothing to remove or compose
        return text
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    if not multiline:
        text = _SINGLE_LINE.sub(" ", text)
    return unicodedata.normalize("NFC", text)


# Letters that Unicode does not decompose but French readers treat as two letters.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS"})


def _strip_marks(text: str) -> str:
    """NFKD then drop combining marks; no-break spaces become plain spaces (NFKD compatibility)."""
    if text.isascii():  # most références, sigles and many names: nothing to decompose
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


# Combining marks (diacritics of Latin scripts and the supplements), removed at C speed.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=1 << 16)  # porteurs, quartiers and statuts repeat across thousands of rows
def fold(text: str) -> str:
    """Search form: casefold, no accents, œ→oe, æ→ae, whitespace collapsed to single spaces.

    « Élan » and « elan » fold the same; « dépôt » folds to « depot ».
    """
    folded = _strip_marks(text.translate(_LIGATURES)).casefold()
    return " ".join(folded.split())


SortKey = tuple[str, tuple[str, ...], tuple[int, ...], str]


@lru_cache(maxsize=4096)
def _char_parts(char: str) -> tuple[str, str]:
    """A character's base letters and its combining marks (« é » → « e », « \u0301 »)."""
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base, "".join(c for c in decomposed if unicodedata.combining(c))


@lru_cache(maxsize=1 << 16)
def sort_key(text: str) -> SortKey:
    """French collation key, pure Python (three levels, like ICU/CLDR French).

    * primary: letters and digits without accents nor case (« Œ » counts as « OE »); spaces are
      kept (collapsed) and sort before letters; punctuation (' - « » . , etc.) is ignored;
    * secondary: accents, unaccented before accented (« cote » < « côte »);
    * tertiary: case, lowercase before uppercase;
    * the original text breaks the remaining ties, so the order is total and stable.

    Numbers inside strings compare character by character (« 10 » < « 9 »).
    """
    if text.isascii():
        return _ascii_sort_key(text)
    primary: list[str] = []
    accents: list[str] = []
    cases: list[int] = []
    pending_space = False
    for char in text.translate(_LIGATURES):
        base, marks = _char_parts(char)
        for b in base:
            if b.isspace():
                pending_space = bool(primary)
                continue
            if not b.isalnum():
                continue
            if pending_space:
                primary.append(" ")
                accents.append("")
                cases.append(0)
                pending_space = False
            for folded in b.casefold():
                primary.append(folded)
                accents.append(marks)
                cases.append(1 if b != b.lower() else 0)
    return "".join(primary), tuple(accents), tuple(cases), text


_ASCII_DROP = re.compile(r"[^A-Za-z0-9 \t\n\r\f\v]+")


def _ascii_sort_key(text: str) -> SortKey:
    """`sort_key` for ASCII text (références, most sigles): no accents to weigh, so the levels come
    from string operations instead of a loop over characters."""
    kept = " ".join(_ASCII_DROP.sub("", text).split())
    return kept.lower(), ("",) * len(kept), tuple(1 if char.isupper() else 0 for char in kept), text


_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
)
_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9_-]+")
_FILENAME_EXTRA = str.maketrans({"°": "o"})  # « n° 12 » → « no_12 »


def safe_filename(text: str, max_len: int = 80) -> str:
    """A portable file name stem built from user text (for PDF names).

    ASCII only (accents removed, « œ » → « oe »), keeps letters, digits, « - » and « _ »; every
    other run of characters (spaces, path separators, dots, quotes…) becomes a single « _ ».
    Never empty (« sans_nom »), at most `max_len` characters, no leading/trailing « _ », « . » or
    space, and Windows reserved names (CON, PRN, AUX, NUL, COM1–9, LPT1–9, any case, with or
    without extension) get a trailing « _ ».
    """
    ascii_text = (
        _strip_marks(text.translate(_LIGATURES).translate(_FILENAME_EXTRA))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    name = _UNSAFE_RUN.sub("_", ascii_text).strip("_. ")
    limit = max(max_len, 1)
    name = name[:limit].rstrip("_. ")
    if not name or set(name) <= {"-", "_"}:
        name = "sans_nom"[:limit]
    stem = name.split(".", 1)[0]
    if stem.upper() in _WINDOWS_RESERVED:
        if len(name) >= limit:
            name = name[: limit - 1]
        name = f"{name[: len(stem)]}_{name[len(stem) :]}"
    return name


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def needs_formula_guard(text: str) -> bool:
    """True when a spreadsheet could read user text as a formula (CSV/formula injection).

    Such cells must be written explicitly as strings (openpyxl ``data_type = "s"``).
    """
    return text.startswith(_FORMULA_STARTS)
