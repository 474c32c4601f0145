from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from instructeur.domain.text import fold, needs_formula_guard, safe_filename, sort_key


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Élan", "elan"),
        ("dépôt", "depot"),
        ("DÉPÔT", "depot"),
        ("Œuvre", "oeuvre"),
        ("cœur", "coeur"),
        ("Lætitia", "laetitia"),
        ("Straße", "strasse"),
        ("  Maison\u00a0des\u202fjeunes \t et\n de la culture  ", "maison des jeunes et de la culture"),
        ("Ça", "ca"),
        ("ﬁchier", "fichier"),  # compatibility ligature
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_for_search() -> None:
    assert fold("elan") in fold("Association Élan Solidaire")
    assert fold("depot") in fold("Dépôt de dossier")


def test_sort_key_french_order() -> None:
    names = ["Zoé", "élan", "Eric", "eau", "Ecole", "Élodie"]
    assert sorted(names, key=sort_key) == ["eau", "Ecole", "élan", "Élodie", "Eric", "Zoé"]


def test_sort_key_ligature_sorts_with_o() -> None:
    names = ["Pomme", "Oasis", "Œuvre", "Ouest", "Nord"]
    assert sorted(names, key=sort_key) == ["Nord", "Oasis", "Œuvre", "Ouest", "Pomme"]


def test_sort_key_accents_then_case() -> None:
    assert sorted(["côte", "Cote", "cote", "Côte"], key=sort_key) == ["cote", "Cote", "côte", "Côte"]
    assert sorted(["é", "e", "E", "f"], key=sort_key) == ["e", "E", "é", "f"]


def test_sort_key_ignores_punctuation_keeps_spaces() -> None:
    assert sort_key("l'école")[0] == "lecole"
    assert sort_key("« Jeunes-Talents »")[0] == "jeunestalents"
    assert sort_key("  Les   Amis ")[0] == "les amis"
    # A space sorts before any letter.
    assert sorted(["Les amis", "Lesa"], key=sort_key) == ["Les amis", "Lesa"]


def test_sort_key_total_order() -> None:
    assert sort_key("A-B") != sort_key("AB")
    assert sorted(["AB", "A-B"], key=sort_key) == ["A-B", "AB"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Élan Solidaire", "Elan_Solidaire"),
        ("Dossier n°12 : Cœur de ville", "Dossier_no12_Coeur_de_ville"),
        ("../../etc/passwd", "etc_passwd"),
        ("a/b\\c", "a_b_c"),
        ("rapport..final", "rapport_final"),
        ("fin...", "fin"),
        ("  espaces  ", "espaces"),
        ("tiret-et_souligné", "tiret-et_souligne"),
        ("", "sans_nom"),
        ("///", "sans_nom"),
        ("日本語", "sans_nom"),
        ("CON", "CON_"),
        ("con", "con_"),
        ("Com1", "Com1_"),
        ("lpt9", "lpt9_"),
        ("nul.pdf", "nul_pdf"),
        ("CONSEIL", "CONSEIL"),
        ("COM10", "COM10"),
    ],
)
def test_safe_filename(text: str, name: str) -> None:
    assert safe_filename(text) == name


def test_safe_filename_max_len() -> None:
    assert safe_filename("a" * 200) == "a" * 80
    assert safe_filename("abc def ghi", max_len=4) == "abc"
    assert len(safe_filename("é" * 100, max_len=10)) == 10


def test_safe_filename_is_ascii_and_clean() -> None:
    name = safe_filename('Les « Amis » : <Quartier> | "Nord" ? *')
    assert name == "Les_Amis_Quartier_Nord"
    assert name.isascii()


@pytest.mark.parametrize("text", ["=SUM(A1)", "+33 6 12", "-2", "@cmd", "\tx", "\rx", "＝1"])
def test_needs_formula_guard_true(text: str) -> None:
    assert needs_formula_guard(text) is True


@pytest.mark.parametrize("text", ["", "Association", "12 500", " =1", "a=b", "'=1"])
def test_needs_formula_guard_false(text: str) -> None:
    assert needs_formula_guard(text) is False


@pytest.mark.parametrize(
    "text", ["26-000123", "Club sportif L'Escale", "CCAS du Portel (62)", "  A  b\tC", "x_y-z", "ab.cd, EF"]
)
def test_ascii_fast_path_gives_the_general_key(text: str) -> None:
    from instructeur.domain.text import _ascii_sort_key

    general = sort_key.__wrapped__(text + "é")  # a non-ASCII character forces the general path
    assert _ascii_sort_key(text)[:3] == (general[0][:-1], general[1][:-1], general[2][:-1])


# --- clean_text: what users and files bring in ------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from instructeur.domain.text import clean_text  # noqa: E402

_FORBIDDEN = (
    {chr(c) for c in range(0x20) if chr(c) not in "\t\n"}
    | {chr(c) for c in range(0x7F, 0xA0)}
    | set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
    | set("\u200b\u200c\u200d\u2060\ufeff")
)
_FRENCH = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'-()/")
        + list("éèêëàâäîïôöùûüÿçÉÈÊÀÂÎÔÙÛÇœŒæÆ«»’€\u00a0\u202f°")
    )
)


@given(st.text())
def test_clean_text_is_idempotent_and_removes_the_forbidden_set(text: str) -> None:
    for multiline in (True, False):
        cleaned = clean_text(text, multiline=multiline)
        assert clean_text(cleaned, multiline=multiline) == cleaned
        assert not set(cleaned) & _FORBIDDEN
        assert unicodedata.is_normalized("NFC", cleaned)
        if not multiline:
            assert "\n" not in cleaned and "\t" not in cleaned


@given(_FRENCH)
def test_clean_text_keeps_french_text(text: str) -> None:
    assert clean_text(text) == text
    assert clean_text(text, multiline=False) == text


@given(_FRENCH, st.lists(st.sampled_from(sorted(_FORBIDDEN - {"\r", "\x85"})), min_size=1), st.randoms())
def test_clean_text_removes_what_was_slipped_in(text: str, junk: list[str], rnd: Any) -> None:
    chars = list(text)
    for j in junk:
        chars.insert(rnd.randint(0, len(chars)), j)
    assert clean_text("".join(chars)) == text


@pytest.mark.parametrize(
    ("text", "multiline", "cleaned"),
    [
        ("Élan\x00 Solidaire", True, "Élan Solidaire"),
        ("\u202eAssociation\u202c", True, "Association"),
        ("Ze\u200bro\ufeff", True, "Zero"),
        ("ligne 1\r\nligne 2\rligne 3", True, "ligne 1\nligne 2\nligne 3"),
        ("ligne 1\r\nligne 2\tfin", False, "ligne 1 ligne 2 fin"),
        ("e\u0301te\u0301", True, "été"),  # decomposed accents composed (NFC)
        ("« Œuvre » à 5\u00a0000,00\u00a0€ — l’été", True, "« Œuvre » à 5\u00a0000,00\u00a0€ — l’été"),
    ],
)
def test_clean_text_examples(text: str, multiline: bool, cleaned: str) -> None:
    assert clean_text(text, multiline=multiline) == cleaned
