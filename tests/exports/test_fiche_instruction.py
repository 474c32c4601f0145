"""Fiche d'instruction PDF: summary, plan de financement, scores per évaluateur with a conflict,
cotation F/H, avis; batch merged PDF."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from instructeur.exports.fiche_instruction import render_fiche_instruction, render_fiches_instruction
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereData
from instructeur.services.instruction import InstructionService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from tests.factories import build_world, create_dossier, create_grille
from tests.services.conftest import db  # noqa: F401 - the two-engine fixture

NBSP = "\u00a0"


def _case(db: Database) -> tuple[int, list[int]]:  # noqa: F811
    world = build_world(db)
    _, (a, b) = create_grille(
        db,
        world.campagne_id,
        [
            CritereData("Public QPV", poids=1, echelle_min=0, echelle_max=3),
            CritereData("Budget maîtrisé", poids=1, echelle_min=0, echelle_max=3),
        ],
    )
    dossiers = [create_dossier(db, world, reference=f"26-00000{k}") for k in (1, 2)]
    service = EvaluateurService(db, user="chef")
    notation = NotationService(db, user="chef")
    for nom, notes, conflit in (
        ("Claire Vandenbussche", {a: 3, b: 2}, False),
        ("Karim Lemaître", {a: 2, b: 1}, False),
        ("Inès Boutry", {}, True),
    ):
        eid = service.create(world.contrat_id, nom)
        service.assign(dossiers, eid)
        ev = notation.evaluation(dossiers[0], eid)
        if conflit:
            notation.declare_conflict(ev.id, ev.version, "Administratrice du porteur")
        else:
            notation.save_notes(ev.id, ev.version, notes, "Projet solide")
    instruction = InstructionService(db, user="chef")
    cot = instruction.cotation(dossiers[0])
    instruction.save_cotation(
        dossiers[0], cot.version, {"diagnostic": True, "objectifs": True, "moyens": True}, 1
    )
    cot = instruction.cotation(dossiers[0])
    instruction.save_avis(
        dossiers[0], cot.version, "reserve", "Budget à préciser", {world.financeurs["ETAT"]: 4_500_00}
    )
    return world.campagne_id, dossiers


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_fiche_content(db: Database, tmp_path: Path) -> None:  # noqa: F811
    campagne_id, dossiers = _case(db)
    path = render_fiche_instruction(db, dossiers[0], tmp_path / "fiche.pdf")
    raw = _text(path)
    text = raw.replace(NBSP, " ")  # pypdf gives U+00A0 back as a space: check amounts stay on one line
    assert "Fiche d'instruction — dossier n°" in text and "26-000001" in text
    assert "Élan Solidaire" in text and "Atelier sociolinguistique" in text
    assert "\n12 500,00 €\n" in text  # coût total: one line, never split at the group separator
    assert "\n 5 000,00 €\n 4 500,00 €\n" in text  # demandé, proposé of the État
    assert "\u202f" not in raw
    for name in ("Claire Vandenbussche", "Karim Lemaître", "Inès Boutry"):
        assert name in text
    assert "conflit — exclu" in text and "Administratrice du porteur" in text
    assert "16,67" in text and "10,00" in text  # totals /20 of Claire (5/6) and Karim (3/6)
    assert "Score du dossier : 13,33" in text and "rang 1" in text
    assert "Désaccord entre évaluateurs" in text  # 6,67 points apart
    assert "Cotation égalité femmes-hommes" in text and "Retenue par l'instruction" in text
    assert "Avis : Favorable avec réserves" in text and "Budget à préciser" in text
    assert "Page 1 / 1" in text


def test_batch_merged(db: Database, tmp_path: Path) -> None:  # noqa: F811
    campagne_id, dossiers = _case(db)
    seen: list[tuple[int, int]] = []
    result = render_fiches_instruction(
        db, campagne_id, tmp_path / "fiches.pdf", progress=lambda done, total: seen.append((done, total))
    )
    assert result.merged is not None and seen[-1] == (2, 2)
    assert len(PdfReader(result.merged).pages) == sum(result.pages) >= 2
    assert "26-000002" in _text(result.merged)
