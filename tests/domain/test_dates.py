from __future__ import annotations

from datetime import date, datetime

import pytest

from instructeur.domain.dates import DateError, format_date, format_date_long, parse_date
from instructeur.errors import UserError


@pytest.mark.parametrize(
    "text",
    [
        "15/03/2025",
        "15/03/25",
        "2025-03-15",
        "15-03-2025",
        "15.03.2025",
        " 15/3/2025 ",
        "2025-03-15 00:00:00",
        "2025-03-15T10:30",
    ],
)
def test_parse_date_strings(text: str) -> None:
    assert parse_date(text) == date(2025, 3, 15)


def test_two_digit_year_pivot() -> None:
    assert parse_date("01/01/68") == date(2068, 1, 1)
    assert parse_date("01/01/69") == date(1969, 1, 1)
    assert parse_date("01/01/00") == date(2000, 1, 1)


def test_parse_date_objects() -> None:
    assert parse_date(date(2025, 3, 15)) == date(2025, 3, 15)
    result = parse_date(datetime(2025, 3, 15, 14, 30))
    assert result == date(2025, 3, 15)
    assert type(result) is date


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (45731, date(2025, 3, 15)),
        (45731.75, date(2025, 3, 15)),
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (36526, date(2000, 1, 1)),
        (43831, date(2020, 1, 1)),
    ],
)
def test_parse_excel_serial(serial: int | float, expected: date) -> None:
    assert parse_date(serial) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2025",
        "abc",
        "",
        "2025/03/15",
        "15/03",
        "15/03/2025/1",
        "15/03-2025",
        "32/01/2025",
        "0000-01-01",
    ],
)
def test_parse_date_garbage(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.message == f"date illisible : « {text.strip()} »"
    assert isinstance(info.value, UserError)


def test_parse_date_error_message_exact() -> None:
    with pytest.raises(DateError, match="^date illisible : « 31/02/2025 »$"):
        parse_date("31/02/2025")


@pytest.mark.parametrize("serial", [0, -5, 60, 10**9, float("nan"), float("inf"), True])
def test_parse_excel_serial_invalid(serial: int | float) -> None:
    with pytest.raises(DateError):
        parse_date(serial)


def test_format_date() -> None:
    assert format_date(date(2025, 3, 15)) == "15/03/2025"
    assert format_date(date(2025, 1, 5)) == "05/01/2025"


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2025, 3, 15), "15 mars 2025"),
        (date(2025, 3, 1), "1er mars 2025"),
        (date(2024, 2, 29), "29 février 2024"),
        (date(2025, 8, 2), "2 août 2025"),
        (date(2025, 12, 31), "31 décembre 2025"),
        (date(2025, 1, 10), "10 janvier 2025"),
    ],
)
def test_format_date_long(d: date, text: str) -> None:
    assert format_date_long(d) == text


def test_round_trip() -> None:
    d = date(2031, 7, 4)
    assert parse_date(format_date(d)) == d
