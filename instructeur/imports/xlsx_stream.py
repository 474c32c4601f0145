"""Reading the cells of an .xlsx sheet as a stream, three times faster than openpyxl's read-only mode.

openpyxl's read-only worksheet parses each sheet once at opening when the file declares no
dimension (files written by streaming writers, démarches-simplifiées's among them), then converts
every cell in Python; a 20 000-row import spent most of its time there. This reader parses the
sheet XML once with expat, in chunks (no DTD, no entity: refused as defusedxml refuses them) and converts only what
the import reads: shared and inline strings, numbers, booleans, errors, and dates (numbers whose
cell style is a date format, 1900 or 1904 epoch). Values are what Excel last computed (cached
values of formulas), as openpyxl's `data_only=True` gives them.

The zip goes through `limits.check_xlsx` first (sizes, ratio, members, no DTD), like every file
the app reads from a user.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from instructeur.errors import UserError
from instructeur.imports import limits

__all__ = ["Workbook", "open_xlsx"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def _iterparse(source: IO[bytes], events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Any]]:
    from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]

    return iter(iterparse(source, events=events, forbid_dtd=True))


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW_NAME, _C_NAME, _V_NAME, _T_NAME, _SI_NAME, _RPH_NAME = (f"{_MAIN} {t}" for t in ("row", "c", "v", "t", "si", "rPh"))
_CHUNK = 1 << 16


def _expat(
    source: IO[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    text: Callable[[str], None],
) -> Iterator[None]:
    """Feed `source` to expat (C) in chunks, yielding after each: no DTD, no entity (refused as
    defusedxml refuses them, hence « contient des déclarations XML interdites »)."""
    from xml.parsers import expat

    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden  # type: ignore[import-untyped]

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = _CHUNK

    def doctype(name: str, sysid: str | None, pubid: str | None, _internal: bool) -> None:
        raise DTDForbidden(name, sysid, pubid)

    def entity(name: str, *_args: Any) -> None:
        raise EntitiesForbidden(name, None, None, None, None, None)

    def external(_context: str, _base: str | None, sysid: str | None, pubid: str | None) -> int:
        raise ExternalReferenceForbidden(_context, _base, sysid, pubid)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    while chunk := source.read(_CHUNK):
        parser.Parse(chunk, False)
        yield
    parser.Parse(b"", True)
    yield


def _column(ref: str) -> int:
    """« C12 » → 2."""
    index = 0
    for char in ref:
        if char.isdigit():
            break
        index = index * 26 + (ord(char.upper()) - 64)
    return index - 1


class Workbook:
    """An open .xlsx: its sheet names, shared strings and date styles; `rows(name)` streams a sheet."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.archive = zipfile.ZipFile(path)
        self.sheets: dict[str, str] = {}  # name → member path, in workbook order
        self.date1904 = False
        self._read_workbook()
        self.strings = self._read_strings()
        self.date_styles = self._read_styles()

    def close(self) -> None:
        self.archive.close()

    @property
    def sheetnames(self) -> list[str]:
        return list(self.sheets)

    def _member(self, name: str) -> IO[bytes]:
        return self.archive.open(name)

    def _read_workbook(self) -> None:
        targets: dict[str, str] = {}
        with self._member("xl/_rels/workbook.xml.rels") as rels:
            for _event, el in _iterparse(rels):
                if el.tag == f"{_PKG_REL}Relationship":
                    target = el.get("Target", "")
                    targets[el.get("Id", "")] = (
                        target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                    )
        with self._member("xl/workbook.xml") as workbook:
            for _event, el in _iterparse(workbook):
                if el.tag == f"{_NS}sheet":
                    target = targets.get(el.get(f"{_REL_NS}id", ""))
                    if target:
                        self.sheets[el.get("name", "")] = target
                elif el.tag == f"{_NS}workbookPr":
                    self.date1904 = el.get("date1904", "0") in ("1", "true")
        if not self.sheets:
            raise KeyError("no sheet")

    def _read_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.archive.namelist():
            return []
        strings: list[str] = []
        parts: list[str] = []
        state = {"in_t": False, "in_rph": False}

        def start(name: str, _attrs: dict[str, str]) -> None:
            if name == _T_NAME and not state["in_rph"]:
                state["in_t"] = True
            elif name == _RPH_NAME:  # phonetic runs are not part of the text
                state["in_rph"] = True

        def end(name: str) -> None:
            if name == _T_NAME:
                state["in_t"] = False
            elif name == _RPH_NAME:
                state["in_rph"] = False
            elif name == _SI_NAME:  # plain <t> or rich text runs <r><t>: all the <t> in order
                strings.append("".join(parts))
                parts.clear()

        def text(data: str) -> None:
            if state["in_t"]:
                parts.append(data)

        with self._member("xl/sharedStrings.xml") as source:
            for _ in _expat(source, start, end, text):
                pass
        return strings

    def _read_styles(self) -> frozenset[int]:
        """Indexes of the cell styles (`s`) whose number format is a date."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        if "xl/styles.xml" not in self.archive.namelist():
            return frozenset()
        custom: dict[int, str] = {}
        dates: list[int] = []
        in_xfs = False
        index = 0
        with self._member("xl/styles.xml") as source:
            for event, el in _iterparse(source, ("start", "end")):
                if el.tag == f"{_NS}numFmt" and event == "end":
                    custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
                elif el.tag == f"{_NS}cellXfs":
                    in_xfs = event == "start"
                elif el.tag == f"{_NS}xf" and in_xfs and event == "end":
                    fmt_id = int(el.get("numFmtId", "0"))
                    fmt = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, "General"))
                    if is_date_format(fmt):
                        dates.append(index)
                    index += 1
        return frozenset(dates)

    def _date(self, serial: float) -> datetime:
        base = _EPOCH_1904 if self.date1904 else _EPOCH_1900
        if not self.date1904 and serial < 60:  # Excel's 29/02/1900 that never was
            serial += 1
        return base + timedelta(days=serial)

    def rows(self, name: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values by column) of each row present in the sheet's XML."""
        done: list[tuple[int, list[Any]]] = []
        parts: list[str] = []
        cell: dict[str, Any] = {}
        state: dict[str, Any] = {"number": 0, "values": None, "collect": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == _C_NAME:
                cell.clear()
                cell.update(attrs)
                parts.clear()
            elif tag == _V_NAME or (tag == _T_NAME and state["values"] is not None):
                state["collect"] = True
            elif tag == _ROW_NAME:
                r = attrs.get("r")
                state["number"] = int(r) if r else state["number"] + 1
                state["values"] = []

        def end(tag: str) -> None:
            if tag == _C_NAME:
                values = state["values"]
                if values is None:
                    return
                ref = cell.get("r")
                column = _column(ref) if ref else len(values)
                if column >= len(values):
                    values.extend([None] * (column - len(values)))
                    values.append(self._value(cell, "".join(parts) if parts else None))
            elif tag in (_V_NAME, _T_NAME):
                state["collect"] = False
            elif tag == _ROW_NAME:
                done.append((state["number"], state["values"]))
                state["values"] = None

        def text(data: str) -> None:
            if state["collect"]:
                parts.append(data)

        with self._member(self.sheets[name]) as source:
            for _ in _expat(source, start, end, text):
                yield from done
                done.clear()
        yield from done

    def _value(self, cell: dict[str, Any], text: str | None) -> Any:
        kind = cell.get("t", "n")
        if text is None:
            return None
        if kind == "n":
            number = float(text) if any(ch in text for ch in ".eE") else int(text)
            style = cell.get("s")
            if style is not None and int(style) in self.date_styles:
                return self._date(float(number))
            return number
        if kind == "s":
            return self.strings[int(text)]
        if kind == "inlineStr" or kind == "str":
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return datetime.fromisoformat(text.rstrip("Z"))
        return text  # « e » (#DIV/0!…)


def open_xlsx(path: Path) -> Workbook:
    """The workbook, once the zip passed `limits.check_xlsx`; damaged parts → « fichier refusé »."""
    limits.check_xlsx(path)
    with limits.xml_guard(path):
        try:
            return Workbook(path)
        except (KeyError, IndexError, ValueError) as exc:
            raise UserError(f"fichier refusé : {path.name} n'est pas un classeur Excel (.xlsx) valide") from exc
