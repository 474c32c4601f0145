"""Letter rendering without a database: template engine, typography, PDF content and pages."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

from instructeur.exports.letter_batch import render_letters
from instructeur.exports.letters import (
    LetterData,
    merge_text,
    render_letter,
    template_problems,
)
from instructeur.exports.typo import french, para

NBSP = "\u00a0"
FIELDS = {
    "porteur": "Projet & Cie <b>",
    "montant": f"12{NBSP}500,00{NBSP}€",
    "montant_lettres": "douze mille cinq cents euros",
    "grand": "",
    "autres": "État : 1\u202f000,00 €\nCAF : 500,00 €",
}
TEMPLATE = """# commentaire ignoré
Objet : Subvention — {porteur}

Madame la Présidente,

Montant : **{montant}** ({montant_lettres}).
[[si grand]]
Une convention est requise.
[[sinon]]
Pas de convention.
[[fin]]
[[si non grand]]Petit montant.[[fin]]

- {autres}
"""


def letter(**overrides: object) -> LetterData:
    values: dict[str, object] = dict(
        dossier_id=1,
        modele="attribution",
        reference="26-000001",
        porteur="Projet & Cie",
        template=TEMPLATE,
        fields=FIELDS,
        expediteur=("Communauté d'agglomération", "Service politique de la ville"),
        destinataire=("Projet & Cie", "3 rue Pasteur", "62200 BOULOGNE"),
        lieu_date="Boulogne, le 1er mars 2026",
        signataire="Jean Martin",
        fonction_signataire="Le Président",
    )
    values.update(overrides)
    return LetterData(**values)  # type: ignore[arg-type]


def test_typography() -> None:
    assert french("12\u202f500,00 €") == f"12{NBSP}500,00{NBSP}€"
    assert french("« Élan »  ; ok ?") == f"«{NBSP}Élan{NBSP}»{NBSP}; ok{NBSP}?"
    assert french("https://x.fr/?q=1") == "https://x.fr/?q=1"
    assert para("A & B ; <i>") == f"A &amp; B{NBSP}; &lt;i&gt;"
    assert "\u202f" not in french("1\u202f000\u2009€")


def test_merge_text_conditions_and_bullets() -> None:
    text = merge_text(TEMPLATE, FIELDS)
    assert text.startswith(f"Objet{NBSP}: Subvention — Projet & Cie <b>")
    assert "commentaire" not in text and "[[" not in text
    assert "Pas de convention." in text and "Une convention" not in text and "Petit montant." in text
    assert f"- État{NBSP}: 1{NBSP}000,00{NBSP}€\n- CAF" in text
    big = merge_text(TEMPLATE, {**FIELDS, "grand": "oui"})
    assert "Une convention est requise." in big and "Petit montant" not in big


def test_template_problems() -> None:
    assert template_problems(TEMPLATE, FIELDS) == []
    problems = template_problems("Objet : x\n[[si a]]{b}", {"a"})
    assert any("{b}" in p for p in problems) and any("[[fin]]" in p for p in problems)


def test_render_letter(tmp_path: Path) -> None:
    path = tmp_path / "l.pdf"
    pages = render_letter(letter(), path)
    reader = PdfReader(str(path))
    assert pages == len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Projet & Cie <b>" in text  # escaped, not markup
    assert "douze mille cinq cents euros" in text and "Pas de convention." in text
    assert "12 500,00 €" in text.replace(NBSP, " ") and "\u202f" not in text
    assert "1 / 1" in text.replace(NBSP, " ") and "Jean Martin" in text
    assert b"\xe2\x80\xaf" not in path.read_bytes()
    fonts = {str(f) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # embedded TrueType subsets of the shipped family


def test_long_letter_page_numbers_and_hyphenation(tmp_path: Path) -> None:
    long_text = " ".join(["Les actions départementales sont exceptionnellement subventionnées."] * 120)
    path = tmp_path / "long.pdf"
    pages = render_letter(letter(fields={**FIELDS, "montant_lettres": long_text}), path)
    assert pages >= 2
    text = "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)
    assert f"1 / {pages}" in text.replace(NBSP, " ") and f"{pages} / {pages}" in text.replace(NBSP, " ")
    assert "-\n" in text  # some words were hyphenated (pyphen)


def test_render_letters_merged(tmp_path: Path) -> None:
    jobs = [(letter(reference=f"26-00000{n}"), tmp_path / f"{n}.pdf") for n in range(3)]
    seen: list[tuple[int, int]] = []
    result = render_letters(jobs, tmp_path / "all.pdf", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3) and len(result.files) == 3
    assert len(PdfReader(str(tmp_path / "all.pdf")).pages) == sum(result.pages) == 3
    cancelled = render_letters(jobs, tmp_path / "none.pdf", cancel=lambda: True)
    assert cancelled.cancelled and not (tmp_path / "none.pdf").exists()


def test_logo_and_signature_images(tmp_path: Path) -> None:
    png = tmp_path / "logo.png"
    # A tiny valid PNG (1x1, red).
    png.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
            "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082"
        )
    )
    path = tmp_path / "img.pdf"
    render_letter(letter(logo=png, signature=png), path)
    page = PdfReader(str(path)).pages[0]
    assert len(page.images) == 1  # one XObject (same file), drawn twice
    assert len(re.findall(rb"/FormXob\S* Do\b", page.get_contents().get_data())) == 2
    render_letter(letter(logo=tmp_path / "missing.png"), tmp_path / "noimg.pdf")  # skipped, no crash


CLOSING_TEMPLATE = """Objet : Notification d'attribution

Madame la Présidente,

{remplissage}

Dernier paragraphe avant la formule de politesse : merci de citer les financeurs.

Je vous prie d'agréer, Madame la Présidente, l'expression de mes salutations distinguées.
"""


def _page_of(reader: PdfReader, needle: str) -> int:
    pages = [n for n, page in enumerate(reader.pages) if needle in re.sub(r"\s+", " ", page.extract_text())]
    assert len(pages) == 1, (needle, pages)
    return pages[0]


def test_signature_stays_with_last_paragraph_and_closing(tmp_path: Path) -> None:
    """Bodies that end anywhere near the bottom of page 1: the last paragraph, the closing formula
    and the signataire's name are always on one page."""
    moved = 0
    for words in range(300, 560, 12):
        filler = " ".join(f"mot{n}" for n in range(words))
        path = tmp_path / f"l{words}.pdf"
        render_letter(
            letter(template=CLOSING_TEMPLATE, fields={"remplissage": filler}, signataire="Camille Exemple"),
            path,
        )
        reader = PdfReader(str(path))
        last = _page_of(reader, "Dernier paragraphe avant")
        assert _page_of(reader, "salutations distinguées") == last
        assert _page_of(reader, "Camille Exemple") == last
        if last == 1 and f"mot{words - 1}" in reader.pages[0].extract_text():
            moved += 1  # the body ends on page 1, the block moved to page 2 as a whole
    assert moved  # the sweep really reached the page break
