"""Identifiers of the politique de la ville: SIREN/SIRET, RNA (associations), QPV codes.

Each ``*_problem`` function returns None when the value is valid, otherwise one French sentence
explaining why; ``normalize_*`` functions remove the decorations people type (spaces, dots).
"""

from __future__ import annotations

import re

__all__ = [
    "LA_POSTE_SIREN",
    "make_siret",
    "normalize_qpv_code",
    "normalize_rna",
    "normalize_siren",
    "normalize_siret",
    "qpv_code_problem",
    "rna_problem",
    "siren_problem",
    "siret_problem",
]

LA_POSTE_SIREN = "356000000"
_DECORATIONS = re.compile(r"[\s.\u00a0\u202f]+")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_siret(text: str) -> str:
    """Remove spaces (including no-break ones) and dots: « 732 829 320 00074 » → « 73282932000074 »."""
    return _DECORATIONS.sub("", text.strip())


def normalize_siren(text: str) -> str:
    """Same cleaning as `normalize_siret`."""
    return normalize_siret(text)


def _is_ascii_digits(text: str, length: int) -> bool:
    return len(text) == length and text.isascii() and text.isdigit()


def siren_problem(text: str) -> str | None:
    """None if `text` is a valid SIREN (9 digits, Luhn key), else a French reason."""
    siren = normalize_siren(text)
    if not _is_ascii_digits(siren, 9):
        return f"SIREN invalide : « {text.strip()} » doit comporter 9 chiffres"
    if not _luhn_ok(siren):
        return f"SIREN invalide : « {siren} » (clé de contrôle erronée)"
    return None


def siret_problem(text: str) -> str | None:
    """None if `text` is a valid SIRET, else a French reason.

    A SIRET has 14 digits and a Luhn key. La Poste establishments (SIREN 356000000) are numbered
    differently: their SIRET is valid when the sum of its 14 digits is a multiple of 5 (the head
    office 35600000000048 also satisfies Luhn, which is accepted too).
    """
    siret = normalize_siret(text)
    if not _is_ascii_digits(siret, 14):
        return f"SIRET invalide : « {text.strip()} » doit comporter 14 chiffres"
    if _luhn_ok(siret):
        return None
    if siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0:
        return None
    return f"SIRET invalide : « {siret} » (clé de contrôle erronée)"


def make_siret(prefix13: str) -> str:
    """Complete a 13-digit prefix with the key digit that makes a valid SIRET (demo data).

    Raises ValueError (programming error) when the prefix is not 13 digits.
    """
    prefix = normalize_siret(prefix13)
    if not _is_ascii_digits(prefix, 13):
        raise ValueError(f"make_siret attend 13 chiffres, reçu {prefix13!r}")
    for key in "0123456789":
        candidate = prefix + key
        if siret_problem(candidate) is None:
            return candidate
    raise AssertionError("unreachable: one key digit always satisfies Luhn")  # pragma: no cover


# --- RNA (Répertoire national des associations) ---------------------------------------------

# « W » + 9 characters. Normally 9 digits; the 3 characters after « W » identify the greffe and
# may contain letters (Corse: « W2A… », « W2B… »), so letters are tolerated there only.
_RNA_RE = re.compile(r"W[0-9A-Z]{3}[0-9]{6}")


def normalize_rna(text: str) -> str:
    """Upper-case and remove spaces/dots: « w751 234 567 » → « W751234567 »."""
    return _DECORATIONS.sub("", text.strip()).upper()


def rna_problem(text: str) -> str | None:
    """None if `text` is an RNA number (« W » followed by 9 characters, normally digits)."""
    rna = normalize_rna(text)
    if not rna.startswith("W"):
        return f"numéro RNA invalide : « {text.strip()} » doit commencer par W"
    if len(rna) != 10 or not rna.isascii() or _RNA_RE.fullmatch(rna) is None:
        return f"numéro RNA invalide : « {text.strip()} » doit comporter W suivi de 9 chiffres"
    return None


# --- QPV codes --------------------------------------------------------------------------------

# 2024 geography: « QN » + 3-character department + 2-digit number + 1 letter/digit (« QN06201M »).
# 2015 geography: « QP » + 3-character department + 3-digit number (« QP062001 »).
# The department part is digits, or 02A/02B for Corse.
_DEPARTMENT = r"(?:[0-9]{3}|02[AB])"
_QPV_2024_RE = re.compile(rf"QN{_DEPARTMENT}[0-9]{{2}}[A-Z0-9]")
_QPV_2015_RE = re.compile(rf"QP{_DEPARTMENT}[0-9]{{3}}")


def normalize_qpv_code(text: str) -> str:
    """Upper-case and remove spaces: « qn 06201m » → « QN06201M »."""
    return _DECORATIONS.sub("", text.strip()).upper()


def qpv_code_problem(text: str) -> str | None:
    """None for a QPV code of the 2024 (« QN06201M ») or 2015 (« QP062001 ») geography."""
    code = normalize_qpv_code(text)
    if code.isascii() and (_QPV_2024_RE.fullmatch(code) or _QPV_2015_RE.fullmatch(code)):
        return None
    return (
        f"code QPV invalide : « {text.strip()} » (attendu QN + 5 chiffres + 1 lettre, "
        "par ex. QN06201M, ou QP + 6 chiffres, par ex. QP062001)"
    )
