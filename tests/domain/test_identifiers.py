from __future__ import annotations

import pytest

from instructeur.domain.identifiers import (
    make_siret,
    normalize_qpv_code,
    normalize_rna,
    normalize_siren,
    normalize_siret,
    qpv_code_problem,
    rna_problem,
    siren_problem,
    siret_problem,
)

NBSP = "\u00a0"
NNBSP = "\u202f"


def test_normalize_siret() -> None:
    assert normalize_siret(" 732 829 320 00074 ") == "73282932000074"
    assert normalize_siret(f"732{NBSP}829{NNBSP}320.00074") == "73282932000074"
    assert normalize_siren("732.829.320") == "732829320"


@pytest.mark.parametrize(
    "siret",
    ["73282932000074", "732 829 320 00074", f"732{NBSP}829{NBSP}320{NBSP}00074", "55222333000010"],
)
def test_valid_siret(siret: str) -> None:
    assert siret_problem(siret) is None


def test_wrong_key() -> None:
    assert siret_problem("73282932000075") == "SIRET invalide : « 73282932000075 » (clé de contrôle erronée)"
    assert siret_problem("732 829 320 00073") == (
        "SIRET invalide : « 73282932000073 » (clé de contrôle erronée)"
    )


@pytest.mark.parametrize("siret", ["7328293200007", "732829320000745", "7328293200007A", "", "abc"])
def test_siret_wrong_length(siret: str) -> None:
    assert siret_problem(siret) == f"SIRET invalide : « {siret} » doit comporter 14 chiffres"


def test_siret_rejects_non_ascii_digits() -> None:
    # Arabic-Indic digits are str.isdigit() but not a SIRET.
    assert siret_problem("٧٣٢٨٢٩٣٢٠٠٠٠٧٤") is not None


def test_la_poste_head_office() -> None:
    assert siret_problem("35600000000048") is None


def test_la_poste_sum_multiple_of_five() -> None:
    # Not Luhn-valid, but the digits add up to 50: valid for La Poste only.
    assert sum(int(c) for c in "35600000049837") % 5 == 0
    assert siret_problem("35600000049837") is None
    # Neither Luhn-valid nor a multiple of 5.
    assert siret_problem("35600000049838") == "SIRET invalide : « 35600000049838 » (clé de contrôle erronée)"


def test_non_la_poste_sum_multiple_of_five_is_not_enough() -> None:
    candidate = "73282932000072"
    assert sum(int(c) for c in candidate) % 5 == 0
    assert siret_problem(candidate) == f"SIRET invalide : « {candidate} » (clé de contrôle erronée)"


def test_siren() -> None:
    assert siren_problem("732829320") is None
    assert siren_problem("732 829 320") is None
    assert siren_problem("356000000") is None
    assert siren_problem("732829321") == "SIREN invalide : « 732829321 » (clé de contrôle erronée)"
    assert siren_problem("73282932") == "SIREN invalide : « 73282932 » doit comporter 9 chiffres"


@pytest.mark.parametrize(
    ("prefix", "siret"),
    [("7328293200007", "73282932000074"), ("5522233300001", "55222333000010")],
)
def test_make_siret(prefix: str, siret: str) -> None:
    assert make_siret(prefix) == siret


@pytest.mark.parametrize("prefix", [f"{n:013d}" for n in range(1_234_567_890_000, 1_234_567_890_040)])
def test_make_siret_always_valid(prefix: str) -> None:
    result = make_siret(prefix)
    assert result.startswith(prefix)
    assert len(result) == 14
    assert siret_problem(result) is None


def test_make_siret_la_poste_prefix() -> None:
    assert siret_problem(make_siret("3560000004983")) is None


@pytest.mark.parametrize("prefix", ["123", "12345678901234", "123456789012A"])
def test_make_siret_rejects_bad_prefix(prefix: str) -> None:
    with pytest.raises(ValueError):
        make_siret(prefix)


def test_rna() -> None:
    assert normalize_rna(" w751 234 567 ") == "W751234567"
    assert rna_problem("W751234567") is None
    assert rna_problem("w751234567") is None
    assert rna_problem("W2A1000123") is None  # Corse
    assert rna_problem("X751234567") == "numéro RNA invalide : « X751234567 » doit commencer par W"
    assert (
        rna_problem("W75123456") == "numéro RNA invalide : « W75123456 » doit comporter W suivi de 9 chiffres"
    )
    assert rna_problem("W7512345678") is not None
    assert rna_problem("W751234A67") is not None
    assert rna_problem("") == "numéro RNA invalide : «  » doit commencer par W"


@pytest.mark.parametrize(
    "code", ["QN06201M", "qn06201m", "QN 062 01M", "QN062011", "QN02A01M", "QP062001", "QP02B001"]
)
def test_valid_qpv_codes(code: str) -> None:
    assert qpv_code_problem(code) is None


@pytest.mark.parametrize(
    "code", ["QN0620M", "QN062011M", "QP06201", "QP0620011", "QX062001", "QN06201-", "", "QP06200A"]
)
def test_invalid_qpv_codes(code: str) -> None:
    assert qpv_code_problem(code) == (
        f"code QPV invalide : « {code} » (attendu QN + 5 chiffres + 1 lettre, "
        "par ex. QN06201M, ou QP + 6 chiffres, par ex. QP062001)"
    )


def test_normalize_qpv_code() -> None:
    assert normalize_qpv_code(" qn 06201m ") == "QN06201M"
