from __future__ import annotations

from decimal import Decimal

import pytest

from instructeur.domain.money import AmountError, amount_in_words, format_amount, parse_amount, percent
from instructeur.errors import UserError

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12 500,00 €", 1_250_000),
        ("12500", 1_250_000),
        ("1 234,5", 123_450),
        ("1.234,50", 123_450),
        ("12,500.00", 1_250_000),
        ("1,234,567.89", 123_456_789),
        ("1.234.567", 123_456_700),
        (f"12{NBSP}500{NBSP}€", 1_250_000),
        (f"12{NNBSP}500,00{NNBSP}€", 1_250_000),
        ("12 500 EUR", 1_250_000),
        ("12500 eur", 1_250_000),
        ("EUR 12,50", 1250),
        ("€12.50", 1250),
        ("-1 234,50 €", -123_450),
        ("\u22121 234,50", -123_450),
        ("€ -3", -300),
        ("+7", 700),
        ("  42  ", 4200),
        ("0", 0),
        ("0,05", 5),
        ("12.5", 1250),
        ("12.50", 1250),
        ("10 euros", 1000),
        ("1,005", 101),  # more than two decimals: rounded half-up
    ],
)
def test_parse_amount_text(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


def test_single_separator_ambiguity_rule() -> None:
    # « , » is always decimal; « . » followed by exactly 3 digits separates thousands.
    assert parse_amount("1,234") == 123
    assert parse_amount("1.234") == 123_400
    assert parse_amount("1.23") == 123
    assert parse_amount("1.2345") == 123


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (12500, 1_250_000),
        (-3, -300),
        (12.5, 1250),
        (0.1 + 0.2, 30),
        (12.345, 1235),  # half-up on the decimal repr, not binary float
        (2.675, 268),
        (-2.675, -268),
        (Decimal("1234.565"), 123_457),
    ],
)
def test_parse_amount_numbers(value: int | float | Decimal, cents: int) -> None:
    assert parse_amount(value) == cents


@pytest.mark.parametrize(
    "text",
    ["abc", "12,", "1 23", "1234 567", "1,2,3.4", "1.234.56", "--1", "1e5", "12 €€", ",50", "12-", "1,23,4"],
)
def test_parse_amount_garbage(text: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert info.value.message == f"montant illisible : « {text} »"
    assert isinstance(info.value, UserError)


@pytest.mark.parametrize("text", ["", "   ", NBSP])
def test_parse_amount_empty_raises(text: str) -> None:
    with pytest.raises(AmountError, match="montant vide"):
        parse_amount(text)


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), Decimal("NaN"), Decimal("1E+40"), "9" * 40, True]
)
def test_parse_amount_non_finite(value: float | Decimal | bool) -> None:
    with pytest.raises(AmountError):
        parse_amount(value)


def test_format_amount() -> None:
    assert format_amount(1_250_000) == f"12{NBSP}500,00{NBSP}€"
    assert format_amount(-123_450) == f"-1{NBSP}234,50{NBSP}€"
    assert format_amount(5) == f"0,05{NBSP}€"
    assert format_amount(-5) == f"-0,05{NBSP}€"
    assert format_amount(0) == f"0,00{NBSP}€"
    assert format_amount(123_456_789_00) == f"123{NBSP}456{NBSP}789,00{NBSP}€"
    assert format_amount(1_250_000, symbol=False) == f"12{NBSP}500,00"
    assert NNBSP not in format_amount(123_456_789_00)


@pytest.mark.parametrize("cents", [0, 5, -123_450, 1_250_000, 99_999_999_99])
def test_format_then_parse_round_trip(cents: int) -> None:
    assert parse_amount(format_amount(cents)) == cents


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (0, "zéro euro"),
        (100, "un euro"),
        (200, "deux euros"),
        (101, "un euro et un centime"),
        (1, "un centime"),
        (50, "cinquante centimes"),
        (1_000, "dix euros"),
        (1_700, "dix-sept euros"),
        (2_100, "vingt et un euros"),
        (2_150, "vingt et un euros et cinquante centimes"),
        (2_200, "vingt-deux euros"),
        (3_100, "trente et un euros"),
        (4_100, "quarante et un euros"),
        (5_100, "cinquante et un euros"),
        (6_100, "soixante et un euros"),
        (7_000, "soixante-dix euros"),
        (7_100, "soixante et onze euros"),
        (7_200, "soixante-douze euros"),
        (7_900, "soixante-dix-neuf euros"),
        (8_000, "quatre-vingts euros"),
        (8_100, "quatre-vingt-un euros"),
        (8_500, "quatre-vingt-cinq euros"),
        (9_000, "quatre-vingt-dix euros"),
        (9_100, "quatre-vingt-onze euros"),
        (9_900, "quatre-vingt-dix-neuf euros"),
        (10_000, "cent euros"),
        (10_100, "cent un euros"),
        (18_000, "cent quatre-vingts euros"),
        (20_000, "deux cents euros"),
        (20_100, "deux cent un euros"),
        (28_000, "deux cent quatre-vingts euros"),
        (100_000, "mille euros"),
        (100_100, "mille un euros"),
        (200_000, "deux mille euros"),
        (2_100_000, "vingt et un mille euros"),
        (8_000_000, "quatre-vingt mille euros"),
        (20_000_000, "deux cent mille euros"),
        (1_250_000, "douze mille cinq cents euros"),
        (1_258_000, "douze mille cinq cent quatre-vingts euros"),
        (100_000_000, "un million d'euros"),
        (200_000_000, "deux millions d'euros"),
        (120_000_000, "un million deux cent mille euros"),
        (100_000_100, "un million un euros"),
        (20_000_000_000, "deux cents millions d'euros"),
        (8_000_000_000, "quatre-vingts millions d'euros"),
        (100_000_000_000, "un milliard d'euros"),
        (300_000_000_000, "trois milliards d'euros"),
        (150_000_000_000, "un milliard cinq cents millions d'euros"),
        (-2_150, "moins vingt et un euros et cinquante centimes"),
        (
            99_999_999,
            "neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf euros"
            " et quatre-vingt-dix-neuf centimes",
        ),
        (
            123_456_789_012,
            "un milliard deux cent trente-quatre millions cinq cent soixante-sept mille"
            " huit cent quatre-vingt-dix euros et douze centimes",
        ),
    ],
)
def test_amount_in_words(cents: int, words: str) -> None:
    assert amount_in_words(cents) == words


def test_amount_in_words_cents_plural() -> None:
    assert amount_in_words(80) == "quatre-vingts centimes"
    assert amount_in_words(181) == "un euro et quatre-vingt-un centimes"


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (1, 3, Decimal("33.33")),
        (2, 3, Decimal("66.67")),
        (1, 8, Decimal("12.50")),
        (1, 200, Decimal("0.50")),
        (1, 800, Decimal("0.13")),  # 0.125 → half-up
        (-1, 800, Decimal("-0.13")),
        (0, 5, Decimal("0.00")),
        (150, 100, Decimal("150.00")),
        (5, -10, Decimal("-50.00")),
    ],
)
def test_percent(num: int, den: int, expected: Decimal) -> None:
    result = percent(num, den)
    assert result == expected
    assert str(result) == str(expected)


def test_percent_zero_denominator() -> None:
    assert percent(100, 0) is None
    assert percent(0, 0) is None


# --- plausibility ceiling ---------------------------------------------------------------------

from instructeur.domain.money import (  # noqa: E402
    AMOUNT_CEILING_DEFAULT_CENTS,
    AMOUNT_HARD_MAX_CENTS,
    ceiling_problem,
    effective_ceiling,
)


def test_ceiling_problem_is_one_french_line_naming_field_and_ceiling() -> None:
    assert ceiling_problem(AMOUNT_CEILING_DEFAULT_CENTS, AMOUNT_CEILING_DEFAULT_CENTS, "coût total") is None
    line = ceiling_problem(10**17 * 100, AMOUNT_CEILING_DEFAULT_CENTS, "coût total")
    assert line == (
        "coût total : montant trop élevé : 100\u00a0000\u00a0000\u00a0000\u00a0000\u00a0000,00\u00a0€ "
        "dépasse le plafond de 100\u00a0000\u00a0000,00\u00a0€ (Paramètres › Contrat)"
    )
    assert "\n" not in line


def test_ceiling_never_above_the_hard_bound() -> None:
    assert effective_ceiling(None) == AMOUNT_CEILING_DEFAULT_CENTS
    assert effective_ceiling("garbage") == AMOUNT_CEILING_DEFAULT_CENTS
    assert effective_ceiling("0") == AMOUNT_CEILING_DEFAULT_CENTS
    assert effective_ceiling(str(500_000_00)) == 500_000_00
    assert effective_ceiling(str(10**30)) == AMOUNT_HARD_MAX_CENTS
    assert ceiling_problem(AMOUNT_HARD_MAX_CENTS + 1, 10**30) is not None
    assert ceiling_problem(-(10**19), AMOUNT_CEILING_DEFAULT_CENTS) is not None
