"""Saint-Omer's seven ambitions › engagements and the ambition × objectif matrix, against seed 002.

The seed (../shared/seeds/002_…txt, a PDF conversion) holds the ambitions as chapters (L915–L1445, each with
its « Objectifs identifiés » lists and sub-headings) and the « TABLEAU SYNTHETIQUE DES OBJECTIFS »
(L1486–L1534) whose ■ marks cross the objectifs with the ambitions. Each test reads the seed itself.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from instructeur.referentiels import ClassificationRef, Referentiel, load_referentiel

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "002_8a3f1d45293c7ad7.txt"

# Headings inside the ambition chapters that are constats or groupings, not engagements (each checked to
# exist in the seed, so that a change of the seed cannot silently empty this list).
NOT_ENGAGEMENTS = (
    "Objectifs identifiés :",
    "La chaîne de l'accessibilité",
    "Coordonner les acteurs de la réussite éducative",  # groups A2.1–A2.3
    "Coordonner les parcours d'insertion",  # groups A2.4–A2.7
    "Les objectifs suivants seront pris en compte :",
    "Le portrait statistique du TAS met en exergue :",
    "La précarité est un déterminant important de santé.",
    "Le territoire, comme pratiquement l'intégralité du département, est repris dans les zonages prioritaires de l'ARS :",
    "Cette réalité ne doit en revanche pas effacer",
    "INJEP - chiffres clefs du sport",
    "Le logement est le premier défi identifié par les habitants",
    "L'évaluation a démontré :",
    "En complément ou en poursuite sont identifiées plusieurs pistes d'actions :",
)


def _clean(line: str) -> str:
    """A seed line without Markdown heading marks, bold marks and list bullets, spaces collapsed."""
    line = re.sub(r"^\s*(#+|-|\d+\.)\s*", "", line).replace("**", "")
    return " ".join(line.split())


def _bare(title: str) -> str:
    """A heading without its final « : », « ; » or « . » (the référentiel drops them)."""
    return re.sub(r"\s*[:;.]$", "", title)


@cache
def _lines() -> tuple[str, ...]:
    return tuple(SEED.read_text(encoding="utf-8").splitlines())


@pytest.fixture
def seed() -> tuple[str, ...]:
    if not SEED.is_file():
        pytest.skip(f"../shared/seeds absent: {SEED} not found (the seed documents sit beside the clone)")
    return _lines()


@pytest.fixture(scope="module")
def so() -> Referentiel:
    return load_referentiel("saint-omer-2024")


def _ambitions(so: Referentiel) -> ClassificationRef:
    (amb,) = [c for c in so.classifications if c.code == "AMB"]
    return amb


def _index(seed: tuple[str, ...], predicate: str, start: int = 0) -> int:
    return next(i for i in range(start, len(seed)) if _clean(seed[i]) == predicate)


def _chapters(seed: tuple[str, ...], so: Referentiel) -> list[tuple[int, int]]:
    """(first, last) line indexes of each ambition's chapter, in the référentiel's order."""
    start = _index(seed, "DES AMBITIONS POUR LES QUARTIERS")
    heads = []
    for node in _ambitions(so).noeuds:
        at = next(i for i in range(start, len(seed)) if seed[i].startswith("#") and _bare(_clean(seed[i])) == node.titre)
        heads.append(at)
        start = at + 1
    ends = heads[1:] + [_index(seed, "DES VALEURS SOCLES")]
    return list(zip(heads, ends, strict=True))


# --------------------------------------------------------------------------- structure (no seed needed)


def test_classification_is_the_seven_ambitions_with_their_engagements(so: Referentiel) -> None:
    amb = _ambitions(so)
    assert amb.niveaux == ("Ambition", "Engagement")
    assert [n.code for n in amb.noeuds] == [f"A{i}" for i in range(1, 8)]
    assert [n.titre for n in amb.noeuds] == [a.titre for a in so.ambitions]
    assert [len(n.enfants) for n in amb.noeuds] == [5, 7, 2, 6, 5, 5, 5]
    for ambition in amb.noeuds:
        assert [e.code for e in ambition.enfants] == [f"{ambition.code}.{i}" for i in range(1, len(ambition.enfants) + 1)]
        assert all(not e.enfants for e in ambition.enfants)


def test_links_carry_the_matrix_and_every_objectif_reaches_an_ambition(so: Referentiel) -> None:
    ambition_level = {(a, o) for a, o in so.liens if "." not in a}
    assert ambition_level == {(a.code, o) for a in so.ambitions for o in a.objectifs}
    reached = {(a.split(".")[0], o) for a, o in so.liens}
    deduced = {(a.code, o) for a in so.ambitions for o in a.objectifs_deduits}
    assert deduced <= reached, "each ambition deduced from the narrative has an engagement-level link"
    objectifs = {n.code for n in so.walk() if n.niveau == 1}
    assert {o for _, o in so.liens} == objectifs
    assert len(so.liens) == len(set(so.liens))


# --------------------------------------------------------------------------- against the seed


@pytest.mark.seeds
def test_ambition_titles_are_chapter_headings_in_order(seed: tuple[str, ...], so: Referentiel) -> None:
    chapters = _chapters(seed, so)
    assert [first for first, _ in chapters] == sorted(first for first, _ in chapters)
    assert [first + 1 for first, _ in chapters] == [927, 986, 1054, 1099, 1176, 1259, 1385]


@pytest.mark.seeds
def test_engagements_verbatim_in_their_ambition_chapter(seed: tuple[str, ...], so: Referentiel) -> None:
    missing = []
    for ambition, (first, last) in zip(_ambitions(so).noeuds, _chapters(seed, so), strict=True):
        chapter = " ".join(_clean(line) for line in seed[first:last])
        missing += [f"{e.code} « {e.titre} »" for e in ambition.enfants if e.titre not in chapter]
    assert not missing, "engagements absent from their ambition's chapter:\n" + "\n".join(missing)


@pytest.mark.seeds
def test_every_listed_objective_and_heading_of_a_chapter_is_an_engagement(
    seed: tuple[str, ...], so: Referentiel
) -> None:
    """Both ways: the « Objectifs identifiés » items and the chapters' headings are all engagements."""
    seen_exclusions = set()
    orphans = []
    for ambition, (first, last) in zip(_ambitions(so).noeuds, _chapters(seed, so), strict=True):
        titres = [e.titre for e in ambition.enfants]
        in_list = False
        for line in seed[first + 1 : last]:
            text = _clean(line)
            if line.startswith("#"):
                in_list = _bare(text) in ("Objectifs identifiés", "Les objectifs suivants seront pris en compte")
                if text in NOT_ENGAGEMENTS:
                    seen_exclusions.add(text)
                elif _bare(text) not in titres:
                    orphans.append(f"{ambition.code} : intertitre « {text} »")
            elif in_list and re.match(r"^\s*(-|\d+\.)\s", line):
                if not any(text.startswith(t) for t in titres):
                    orphans.append(f"{ambition.code} : objectif « {text[:90]} »")
            elif in_list and text:
                in_list = False
    assert not orphans, "texts of the seed that no engagement carries:\n" + "\n".join(orphans)
    assert seen_exclusions == set(NOT_ENGAGEMENTS)


def _matrix(seed: tuple[str, ...]) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """The table's ambition columns and, for each objectif row, the column indexes of its ■ marks."""
    first = _index(seed, "TABLEAU SYNTHETIQUE DES OBJECTIFS")
    last = _index(seed, "DES INVESTISSEMENTS STRUCTURANTS POUR ACCOMPAGNER LES QUARTIERS")
    columns: list[str] = []
    rows: list[tuple[str, list[int]]] = []
    for line in seed[first:last]:
        cells = [c.strip() for c in line.split("\t")]
        if "Mieux repérer" in cells:
            names = [c for c in cells[cells.index("Mieux repérer") :] if c]
            assert not columns or names == columns, "both halves of the table head the same ambitions"
            columns = names
        elif len(cells) > 2 and cells[1] and cells[1] != "Objectifs":
            rows.append((cells[1], [i - 2 for i, c in enumerate(cells) if c == "■"]))
    return columns, rows


@pytest.mark.seeds
def test_matrix_links_are_the_tables_marks(seed: tuple[str, ...], so: Referentiel) -> None:
    columns, rows = _matrix(seed)
    assert columns == [a.nom_court for a in so.ambitions]
    by_titre = {n.titre: n.code for n in so.walk() if n.niveau == 1}
    assert [by_titre[titre] for titre, _ in rows] == [n.code for axe in so.cadre for n in axe.enfants]
    marks, beyond = set(), []
    for titre, indexes in rows:
        for i in indexes:
            if i < len(columns):
                marks.add((so.ambitions[i].code, by_titre[titre]))
            else:
                beyond.append(titre)
    # The one mark outside the seven columns (L1534), documented in the référentiel's notes and ignored.
    assert beyond == ["Renforcer la présence humaine dans les quartiers"]
    assert "L1534 a un second ■ hors colonne" in so.notes
    assert marks == {(a, o) for a, o in so.liens if "." not in a}
    assert len(marks) == 28
    # The first half (EMANCIPATION, TRANSITIONS) lost its marks in the conversion: its links are
    # engagement-level ones deduced from the narrative, each to an engagement of the right chapter.
    unmarked = {by_titre[titre] for titre, indexes in rows if not indexes}
    assert unmarked == {n.code for axe in so.cadre[:2] for n in axe.enfants}
    assert unmarked <= {o for a, o in so.liens if "." in a}
