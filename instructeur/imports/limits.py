"""Opening a user's spreadsheet safely: size limits checked before any parser runs.

Every .xlsx the app reads from a user (dossier import, QPV import, offline scoring file) goes
through `open_workbook`: the zip is inspected first (declared sizes, compression ratio, number of
members, no DTD in the XML parts), then openpyxl parses it with defusedxml (installed as a
dependency; openpyxl uses it when present). `zipfile` stops reading a member at its declared size,
so the declared sizes checked here bound what openpyxl can inflate.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from instructeur.errors import UserError

__all__ = [
    "CSV_FIELD_LIMIT",
    "MAX_CELL_CHARS",
    "MAX_CELLS",
    "MAX_CSV_BYTES",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED",
    "check_cell",
    "check_csv_size",
    "check_xlsx",
    "fr_int",
    "open_workbook",
    "xml_guard",
]

MB = 1024 * 1024
MAX_UNCOMPRESSED = 200 * MB  # all members of the zip, once inflated
MAX_SHARED_STRINGS = 50 * MB  # openpyxl keeps every shared string in memory, even read-only
MAX_RATIO = 100  # inflated / compressed, for members large enough to matter
RATIO_FLOOR = 5 * MB  # small members may compress as much as they like
MAX_MEMBERS = 10_000
MAX_ROWS = 200_000  # non-empty rows of one sheet
MAX_CELLS = 5_000_000  # cells of one sheet
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_CSV_BYTES = 100 * MB
CSV_FIELD_LIMIT = 131_072  # the csv module's default field limit
_PROLOG_BYTES = 64 * 1024  # a DOCTYPE can only stand before the root element
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# What a damaged or exotic zip raises (encrypted member: RuntimeError; bad deflate data: zlib.error).
_CORRUPT = (
    zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError, zlib.error,
)  # fmt: skip


def fr_int(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def _refused(path: Path, reason: str) -> UserError:
    return UserError(f"fichier refusé : {path.name} {reason}")


def _not_xlsx(path: Path) -> UserError:
    return _refused(path, "n'est pas un classeur Excel (.xlsx) valide")


def _entities(path: Path) -> UserError:
    return _refused(path, "contient des déclarations XML interdites (entités)")


def check_xlsx(path: Path, *, max_uncompressed: int = MAX_UNCOMPRESSED) -> None:
    """Refuse a file that is not a sane .xlsx zip, before openpyxl reads a byte of it."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _refused(path, f"contient trop d'éléments ({fr_int(len(infos))})")
            total = 0
            for info in infos:
                total += info.file_size
                if total > max_uncompressed:
                    raise _refused(
                        path, f"est trop volumineux une fois décompressé (plus de {max_uncompressed // MB} Mo)"
                    )
                if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    ratio = info.file_size // max(info.compress_size, 1)
                    raise _refused(path, f"a un taux de compression suspect ({ratio}:1, « {info.filename} »)")
                if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > MAX_SHARED_STRINGS:
                    raise _refused(path, f"contient trop de texte (plus de {MAX_SHARED_STRINGS // MB} Mo)")
            for info in infos:
                if info.filename.lower().endswith(_XML_SUFFIXES):
                    with archive.open(info) as member:
                        head = member.read(_PROLOG_BYTES)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _entities(path)
    except _CORRUPT as exc:
        raise _not_xlsx(path) from exc
    except OSError as exc:
        raise UserError(f"{path.name} : lecture impossible ({exc.strerror or exc})") from exc


@contextmanager
def xml_guard(path: Path) -> Iterator[None]:
    """What openpyxl's lazy parsing may raise, as « fichier refusé : … »: defusedxml's refusals,
    a corrupt member (bad deflate data, CRC), malformed XML."""
    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]

    try:
        yield
    except DefusedXmlException as exc:
        raise _entities(path) from exc
    except (*_CORRUPT, ParseError) as exc:
        raise (_entities(path) if _defused_in_chain(exc) else _not_xlsx(path)) from exc


def _defused_in_chain(exc: BaseException | None) -> bool:
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def open_workbook(path: Path, *, read_only: bool, max_uncompressed: int = MAX_UNCOMPRESSED) -> Any:
    """The workbook (openpyxl, cached values) once the zip passed `check_xlsx`."""
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # a broken install must not silently parse entities
        raise UserError("lecture des classeurs impossible : le module defusedxml est absent")
    check_xlsx(path, max_uncompressed=max_uncompressed)
    with xml_guard(path):
        try:
            return load_workbook(path, read_only=read_only, data_only=True)
        except (*_CORRUPT, KeyError, TypeError, IndexError, ParseError) as exc:
            # openpyxl wraps what its parser raised in a ValueError: look inside.
            raise (_entities(path) if _defused_in_chain(exc) else _not_xlsx(path)) from exc
        except OSError as exc:
            raise UserError(f"{path.name} : lecture impossible ({exc.strerror or exc})") from exc


def check_cell(path: Path, sheet: str, row: int, column: str, value: object) -> None:
    """A text cell longer than Excel allows is refused, naming where it is."""
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise UserError(
            f"{path.name}, feuille « {sheet} », ligne {row}, colonne {column} : "
            f"cellule trop longue (plus de {fr_int(MAX_CELL_CHARS)} caractères)"
        )


def check_csv_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise _refused(path, f"est trop volumineux ({size // MB} Mo, au plus {MAX_CSV_BYTES // MB} Mo)")


def csv_cell_too_long(path: Path, row: int) -> UserError:
    return UserError(f"{path.name}, ligne {row} : cellule trop longue (plus de {fr_int(CSV_FIELD_LIMIT)} caractères)")
