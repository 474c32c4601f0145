"""Money helpers: amounts are always integer cents (never floats).

`parse_amount` reads what people type or paste (French or English notation, Excel cells),
`format_amount` writes French notation, `amount_in_words` spells an amount in French the way
administrative letters do (traditional spelling, not the 1990 reform), `percent` computes a ratio.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from instructeur.errors import UserError

__all__ = [
    "AmountError",
    "amount_in_words",
    "ceiling_problem",
    "effective_ceiling",
    "format_amount",
    "parse_amount",
    "percent",
]

NBSP = "\u00a0"
_CENT = Decimal("0.01")
# Spaces that may separate groups of thousands: plain, no-break, narrow no-break, thin, figure.
_SPACES = " \u00a0\u202f\u2009\u2007\t"
_MINUSES = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash (Word's "auto-correct" of "-")
_CURRENCY_RE = re.compile(r"^(?:€|eur|euros?)\s*|\s*(?:€|eur|euros?)$", re.IGNORECASE)


class AmountError(UserError):
    """An amount that cannot be read; the message is French and quotes the input."""


def _unreadable(text: object) -> AmountError:
    return AmountError(f"montant illisible : « {text} »")


def _decimal_to_cents(value: Decimal, original: object) -> int:
    if not value.is_finite():
        raise _unreadable(original)
    try:
        return int(value.quantize(_CENT, rounding=ROUND_HALF_UP).scaleb(2))
    except InvalidOperation as exc:  # more digits than the decimal context holds: not an amount
        raise _unreadable(original) from exc


def parse_amount(text: str | int | float | Decimal) -> int:
    """Read an amount and return it in integer cents.

    Accepted: « 12 500,00 € », « 12500 », « 1 234,5 », « 1.234,50 », « 12,500.00 » (English),
    « 12 500 EUR », groups separated by plain, no-break (U+00A0) or narrow no-break (U+202F) spaces,
    a leading « - » (or « − ») for negatives, a leading « + », and numbers coming from Excel
    (int, float, Decimal). Floats go through ``Decimal(str(x))`` so that 0.1 stays 0.1.

    Separator rules:

    * spaces always separate thousands;
    * when both « , » and « . » occur, the last one is the decimal separator, the other one
      separates thousands (« 1.234,50 » and « 1,234.50 » are both 1 234,50 €);
    * a separator occurring several times separates thousands (« 1.234.567 », « 1,234,567 »);
    * a single « , » is always decimal (French habit): « 1,234 » is 1,234 € → 1,23 €;
    * a single « . » followed by exactly 3 digits separates thousands (« 1.234 » is 1 234 €),
      otherwise it is decimal (« 12.5 », « 12.50 »).

    Thousands groups after the first must have exactly 3 digits. More than 2 decimals are rounded
    half-up to the cent (like Excel values). Anything else, including an empty string, raises
    `AmountError`; callers decide whether an empty field is allowed.
    """
    if isinstance(text, bool):
        raise _unreadable(text)
    if isinstance(text, int):
        return text * 100
    if isinstance(text, float):
        return _decimal_to_cents(Decimal(str(text)), text)
    if isinstance(text, Decimal):
        return _decimal_to_cents(text, text)
    if not isinstance(text, str):
        raise _unreadable(text)
    return _parse_text(text)


def _parse_text(original: str) -> int:
    shown = original.strip()
    s = shown.strip(_SPACES)
    if not s:
        raise AmountError("montant vide")
    negative = False
    if s[0] in _MINUSES + "+":
        negative = s[0] != "+"
        s = s[1:].strip(_SPACES)
    # The currency may stand before or after the number, the sign may follow a leading « € ».
    s = _CURRENCY_RE.sub("", s).strip(_SPACES)
    if s and s[0] in _MINUSES + "+" and not negative:
        negative = s[0] != "+"
        s = s[1:].strip(_SPACES)
    if not s or any(c not in "0123456789,." and c not in _SPACES for c in s):
        raise _unreadable(shown)

    decimal_sep, thousands_seps = _separators(s)
    if decimal_sep is not None:
        integer_part, _, fraction = s.rpartition(decimal_sep)
        if not fraction.isdigit():
            raise _unreadable(shown)
    else:
        integer_part, fraction = s, ""
    groups = re.split("[" + re.escape(_SPACES + thousands_seps) + "]", integer_part)
    if not groups[0].isdigit():
        raise _unreadable(shown)
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 or not g.isdigit() for g in groups[1:])):
        raise _unreadable(shown)
    value = Decimal("".join(groups) + ("." + fraction if fraction else ""))
    cents = _decimal_to_cents(value, shown)
    return -cents if negative else cents


def _separators(s: str) -> tuple[str | None, str]:
    """Return (decimal separator or None, thousands separators other than spaces)."""
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
        other = "." if decimal_sep == "," else ","
        if s.count(decimal_sep) > 1:
            return None, "?"  # forces an error: two decimal separators
        return decimal_sep, other
    if commas > 1:
        return None, ","
    if dots > 1:
        return None, "."
    if commas == 1:
        return ",", ""
    if dots == 1:
        after = s.split(".", 1)[1]
        if len(after) == 3 and after.isdigit():
            return None, "."
        return ".", ""
    return None, ""


def format_integer(n: int) -> str:
    """« 18 379 »: thousands grouped with U+00A0, as in amounts."""
    return f"{n:,}".replace(",", NBSP)


def format_amount(cents: int, *, symbol: bool = True) -> str:
    """« 12 500,00 € »: groups and the space before « € » are U+00A0 (never U+202F)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", NBSP)
    text = f"{sign}{grouped},{rest:02d}"
    return f"{text}{NBSP}€" if symbol else text


# ---------------------------------------------------------------------------------------------
# Amount in words (traditional spelling)

_UNITS = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
    "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept", "dix-huit", "dix-neuf",
)  # fmt: skip
_TENS = ("", "", "vingt", "trente", "quarante", "cinquante", "soixante")


def _below_100(n: int, final: bool) -> str:
    """1..99; `final` tells whether « quatre-vingt » may take its plural « s »."""
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    if tens in (7, 9):  # soixante-dix…, quatre-vingt-dix…
        base = "soixante" if tens == 7 else "quatre-vingt"
        rest = 10 + unit
        if rest == 11 and tens == 7:
            return "soixante et onze"
        return f"{base}-{_UNITS[rest]}"
    if tens == 8:
        if unit == 0:
            return "quatre-vingts" if final else "quatre-vingt"
        return f"quatre-vingt-{_UNITS[unit]}"
    if unit == 0:
        return _TENS[tens]
    if unit == 1:
        return f"{_TENS[tens]} et un"
    return f"{_TENS[tens]}-{_UNITS[unit]}"


def _below_1000(n: int, final: bool) -> str:
    """1..999; `final` is False right before « mille » (« deux cent mille », « quatre-vingt mille »)."""
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds == 1:
        words.append("cent")
    elif hundreds > 1:
        words.append(f"{_UNITS[hundreds]} cents" if rest == 0 and final else f"{_UNITS[hundreds]} cent")
    if rest:
        words.append(_below_100(rest, final))
    return " ".join(words)


def _number_in_words(n: int) -> str:
    """Spell a non-negative integer; « million » and « milliard » are nouns, « mille » is invariable."""
    if n == 0:
        return "zéro"
    words: list[str] = []
    milliards, n = divmod(n, 10**9)
    if milliards:
        words.append("un milliard" if milliards == 1 else f"{_number_in_words(milliards)} milliards")
    millions, n = divmod(n, 10**6)
    if millions:
        # Before a noun, « vingts »/« cents » keep their plural: « deux cents millions ».
        words.append("un million" if millions == 1 else f"{_below_1000(millions, True)} millions")
    thousands, n = divmod(n, 1000)
    if thousands:
        words.append("mille" if thousands == 1 else f"{_below_1000(thousands, False)} mille")
    if n:
        words.append(_below_1000(n, True))
    return " ".join(words)


def amount_in_words(cents: int) -> str:
    """Spell an amount in French, traditional administrative spelling.

    « douze mille cinq cents euros », « quatre-vingts euros », « vingt et un euros et cinquante
    centimes », « un million d'euros », « zéro euro », « cinquante centimes »; negatives start
    with « moins ».
    """
    negative = cents < 0
    euros, rest = divmod(abs(cents), 100)
    parts: list[str] = []
    if euros or not rest:
        words = _number_in_words(euros)
        if euros <= 1:
            parts.append(f"{words} euro")
        elif euros % 10**6 == 0:
            parts.append(f"{words} d'euros")
        else:
            parts.append(f"{words} euros")
    if rest:
        parts.append(f"{_number_in_words(rest)} centime" + ("s" if rest > 1 else ""))
    text = " et ".join(parts)
    return f"moins {text}" if negative else text


def percent(numerator_cents: int, denominator_cents: int) -> Decimal | None:
    """numerator / denominator × 100 with 2 decimals (half-up, away from zero); None if denominator is 0."""
    if denominator_cents == 0:
        return None
    negative = (numerator_cents < 0) != (denominator_cents < 0)
    quotient, remainder = divmod(abs(numerator_cents) * 10_000, abs(denominator_cents))
    if 2 * remainder >= abs(denominator_cents):
        quotient += 1
    if negative:
        quotient = -quotient
    return (Decimal(quotient) / 100).quantize(_CENT)


# Plausibility (every entry point: storage/guards.py checks each money column at flush time,
# imports and the CLI check while parsing so that the message names the file, row and column).
CEILING_SETTING = "plafond_montant_cents"
CEILING_WHERE = "Paramètres › Contrat"


def effective_ceiling(setting: str | int | None) -> int:
    """The ceiling in force: the setting when it is a positive whole number of cents, never above
    the hard bound; the default when it is missing or unreadable."""
    try:
        value = int(setting) if setting is not None else AMOUNT_CEILING_DEFAULT_CENTS
    except ValueError:
        value = AMOUNT_CEILING_DEFAULT_CENTS
    if value <= 0:
        value = AMOUNT_CEILING_DEFAULT_CENTS
    return min(value, AMOUNT_HARD_MAX_CENTS)


def ceiling_problem(cents: int, ceiling_cents: int, field: str | None = None) -> str | None:
    """One French line when `cents` is above the ceiling (or the hard bound), else None.

    « coût total : montant trop élevé : 1 000 000 000,00 € dépasse le plafond de
    100 000 000,00 € (Paramètres › Contrat) ».
    """
    ceiling = min(ceiling_cents, AMOUNT_HARD_MAX_CENTS)
    if abs(cents) <= ceiling:
        return None
    where = f"{field} : " if field else ""
    return (
        f"{where}montant trop élevé : {format_amount(cents)} dépasse le plafond de "
        f"{format_amount(ceiling)} ({CEILING_WHERE})"
    )


# Plausibility: an amount above the contrat's ceiling (a Setting, default below) is refused;
# the database refuses anything above the hard bound whatever the setting says.
AMOUNT_CEILING_DEFAULT_CENTS = 100_000_000_00  # 100 000 000 €
AMOUNT_HARD_MAX_CENTS = 10**13  # 100 000 000 000 €: CHECK constraints on every money column
