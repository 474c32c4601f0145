"""Hostile .xlsx files built in the tests: zip bomb, XXE, billion laughs (never stored in the repo)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
BOMB_BYTES = 1_300_000_000  # > 1 GB once inflated


def valid_xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Référence", "Intitulé"])
    ws.append(["D-1", "Projet"])
    wb.save(path)
    return path


def _rewrite(source: Path, target: Path, replace: dict[str, bytes], extra: dict[str, int] | None = None) -> Path:
    """Copy `source` member by member, replacing some members' bytes; `extra` members are streamed zeros."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if extra and info.filename in extra:
                continue
            out.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, size in (extra or {}).items():
            # Streamed: the sheet is written 1 MB at a time, never held whole in memory.
            with out.open(name, "w", force_zip64=True) as member:
                head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                member.write(head)
                chunk = b" " * (1 << 20)
                for _ in range((size - len(head)) // len(chunk)):
                    member.write(chunk)
                member.write(b"</sheetData></worksheet>")
    return target


def zip_bomb_xlsx(tmp: Path) -> Path:
    base = valid_xlsx(tmp / "base.xlsx")
    return _rewrite(base, tmp / "bombe.xlsx", {}, extra={SHEET: BOMB_BYTES})


def _sheet_with_doctype(doctype: str, cell: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>{cell}</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()


XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE r [<!ENTITY l0 "ha">'
    + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def xxe_xlsx(tmp: Path, *, padding: int = 0) -> Path:
    """External entity to /etc/passwd; `padding` pushes the DOCTYPE beyond the quick scan."""
    base = valid_xlsx(tmp / "base.xlsx")
    sheet = _sheet_with_doctype(XXE, "&xxe;")
    if padding:
        sheet = sheet.replace(b"\n", b"\n<!--" + b"x" * padding + b"-->\n", 1)
    return _rewrite(base, tmp / "xxe.xlsx", {SHEET: sheet})


def laughs_xlsx(tmp: Path) -> Path:
    base = valid_xlsx(tmp / "base.xlsx")
    return _rewrite(base, tmp / "rires.xlsx", {SHEET: _sheet_with_doctype(LAUGHS, "&l9;")})


def bytes_of(path: Path) -> io.BytesIO:
    return io.BytesIO(path.read_bytes())
