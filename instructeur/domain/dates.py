"""Date helpers: read what people type or what Excel stores, write French dates."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from instructeur.errors import UserError

__all__ = ["MONTHS", "DateError", "format_date", "format_date_long", "parse_date"]

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 = 1900-03-01 once the fake 1900-02-29 is skipped
_EXCEL_MAX_SERIAL = (date.max - _EXCEL_EPOCH).days
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


class DateError(UserError):
    """A date that cannot be read; the message is French and quotes the input."""


def _unreadable(value: object) -> DateError:
    return DateError(f"date illisible : « {value} »")


def _two_digit_year(yy: int) -> int:
    """Same pivot as Python's ``%y``: 00–68 → 2000–2068, 69–99 → 1969–1999."""
    return 2000 + yy if yy <= 68 else 1900 + yy


def _from_excel_serial(value: int | float) -> date:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _unreadable(value)
        serial = math.floor(value)  # the fraction is the time of day
    else:
        serial = value
    # 1900 date system: serial 1 = 1900-01-01; Excel counts a 1900-02-29 (serial 60) that never was.
    if serial < 1 or serial == 60 or serial > _EXCEL_MAX_SERIAL:
        raise _unreadable(value)
    if serial < 60:
        return _EXCEL_EPOCH + timedelta(days=serial + 1)
    return _EXCEL_EPOCH + timedelta(days=serial)


def parse_date(value: str | date | datetime | int | float) -> date:
    """Read a date.

    Strings: « 15/03/2025 », « 15/03/25 », « 15-03-2025 », « 15.03.2025 » (day first), and ISO
    « 2025-03-15 » (optionally followed by a time, ignored). Two-digit years follow Python's
    ``%y`` pivot (00–68 → 20xx). `datetime` gives its date, `date` is returned as is; int and
    float are Excel serial numbers in the 1900 date system (45731 → 2025-03-15, fraction = time).
    Anything else, or an impossible date (« 31/02/2025 »), raises `DateError`.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _unreadable(value)
    if isinstance(value, int | float):
        return _from_excel_serial(value)
    if not isinstance(value, str):
        raise _unreadable(value)
    text = value.strip()
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year_text = int(match[1]), int(match[3]), match[4]
        year = int(year_text) if len(year_text) == 4 else _two_digit_year(int(year_text))
    elif match := _ISO.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        raise _unreadable(text)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _unreadable(text) from exc


def format_date(d: date) -> str:
    """« 15/03/2025 »."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_date_long(d: date) -> str:
    """« 15 mars 2025 », « 1er mars 2025 »."""
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"


def echeance_crf(campagne_annee: int, date_fin: date | None) -> date:
    """Due date of the compte rendu financier (CERFA 15059): six months after the end of the
    exercice, i.e. 30 June of the year after the campagne's year or the action's end year if later."""
    exercice = max(campagne_annee, date_fin.year if date_fin else campagne_annee)
    return date(exercice + 1, 6, 30)
