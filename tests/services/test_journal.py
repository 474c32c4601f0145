"""The Historique (services/journal.py) reads as French: labels of every audited field, amounts in
euros, the questionnaire's answers in words, never a column name nor JSON."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from instructeur.domain.journal_labels import FIELD_LABELS, field_label
from instructeur.domain.scoring import DEFAULT_QUESTIONS
from instructeur.services.dossiers import DossierData, DossierService
from instructeur.services.fiche import FicheService
from instructeur.services.instruction import InstructionService
from instructeur.storage.db import Database
from tests.factories import build_world, create_dossier

NBSP = "\u00a0"
SOURCES = Path(__file__).resolve().parents[2] / "instructeur"


def _audited_dossier_keys() -> set[str]:
    """Every key the code writes into a dossier's audit line: dict literals passed to (or built
    for) `audit.record(…, "dossier", …)`, keys assigned to that dict, and DossierData's fields."""
    keys = {f.name for f in dataclasses.fields(DossierData)}
    for path in SOURCES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for call in ast.walk(func):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "record"
                    and len(call.args) >= 6
                    and isinstance(call.args[2], ast.Constant)
                    and call.args[2].value == "dossier"
                ):
                    continue
                keys |= _keys_of(call.args[5], func)
    return keys


def _keys_of(node: ast.expr, func: ast.FunctionDef) -> set[str]:
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    if not isinstance(node, ast.Name):
        return set()
    keys: set[str] = set()
    for sub in ast.walk(func):
        if isinstance(sub, ast.Assign | ast.AnnAssign):
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id == node.id and sub.value is not None:
                    keys |= _keys_of(sub.value, func)
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == node.id
                ):
                    key = target.slice
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        keys.add(key.value)
                    elif isinstance(key, ast.JoinedStr) and isinstance(key.values[0], ast.Constant):
                        keys.add(f"{key.values[0].value}X")  # « propose_{code} » → « propose_X »
    return keys


def test_every_audited_dossier_field_has_a_french_label() -> None:
    keys = _audited_dossier_keys()
    assert {"cotation_reponses", "avis_motivation", "cout_total_cents", "lignes", "recevabilite"} <= keys
    # Keys written as identifiers need a label; keys already in French (« Décision ») do not.
    missing = sorted(
        k
        for k in keys
        if re.fullmatch(r"[a-z_]+", k) and k not in FIELD_LABELS and not k.startswith("propose_")
    )
    assert not missing, f"champs du journal sans libellé français : {missing}"
    assert field_label("cotation_reponses") == "réponses au questionnaire égalité F/H"
    assert field_label("avis_motivation") == "motivation de l'avis"
    assert field_label("propose_ETAT") == "montant proposé ETAT"


def test_historique_of_an_instructed_dossier_reads_as_french(db: Database) -> None:
    world = build_world(db)
    did = create_dossier(db, world)
    dossiers = DossierService(db, user="alice")
    detail = dossiers.get(did)
    version = dossiers.update(
        did, detail.version, dataclasses.replace(detail.data, cout_total_cents=5_000_00)
    )
    instruction = InstructionService(db, user="bob")
    answers = {code: code in ("diagnostic", "objectifs") for code, _ in DEFAULT_QUESTIONS}
    version = instruction.save_cotation(did, version, answers, 0)
    instruction.save_avis(did, version, "reserve", "budget à préciser", {world.financeurs["ETAT"]: 4_500_00})

    journal = FicheService(db).journal(did)
    text = "\n".join(r.text for r in journal)
    assert f"Coût total : 12{NBSP}500,00{NBSP}€ → 5{NBSP}000,00{NBSP}€" in text
    question = dict(DEFAULT_QUESTIONS)["diagnostic"]
    assert f"Questionnaire égalité F/H, « {question} » : oui" in text
    assert f"Questionnaire égalité F/H, « {dict(DEFAULT_QUESTIONS)['principal']} » : non" in text
    assert "Cotation F/H proposée par le questionnaire : (vide) → 0 (" in text
    assert "Avis technique : (vide) → favorable avec réserves" in text
    assert "Motivation de l'avis : (vide) → « budget à préciser »" in text
    assert f"Montant proposé ETAT : (vide) → 4{NBSP}500,00{NBSP}€" in text
    # Never a column name, a code in cents or JSON.
    for leak in ("cotation_reponses", "avis_motivation", "_cents", "500000", "{", "}", '"', "true", "True"):
        assert leak not in text, leak
    assert [r.action for r in journal].count("Modification") == 3


def test_comite_decisions_and_letters_appear_in_words(db: Database) -> None:
    """The séance's decision (comite_point line) and the letter's steps (notification lines) are
    part of the dossier's Historique, amounts in euros."""
    from datetime import date

    from sqlalchemy import select

    from instructeur.services import audit
    from instructeur.services.comites import ComiteService
    from instructeur.storage.models import ComitePoint, Notification
    from tests.services.test_comites import _instruit_dossiers

    world = build_world(db)
    (did,) = _instruit_dossiers(db, world, ["26-000031"])
    comites = ComiteService(db, user="test")
    comite_id = comites.create(world.campagne_id, "financeurs", date(2026, 4, 9), None, [])
    comites.add_points(comite_id, [did], order="manuel")
    with db.session() as s:
        point_id = s.scalar(select(ComitePoint.id).where(ComitePoint.dossier_id == did))
        assert point_id is not None
        audit.record(s, "présidente", "comite_point", point_id, "decision", {
            "dossier": "26-000031",
            "decision": [None, "retenu"],
            "votes": [[], [["ETAT", 5_500_00]]],
            "conditions": [None, "Fournir le bilan"],
            "motivation": [None, None],
            "depassements": {"ETAT": 500_00},
            "derogation": "Priorité du contrat",
        })  # fmt: skip
        letter = Notification(dossier_id=did, modele="attribution", etat="a_notifier")
        s.add(letter)
        s.flush()
        audit.record(s, "claire", "notification", letter.id, "update", {"etat": ["a_signer", "a_notifier"], "date": "2026-04-20"})  # fmt: skip

    journal = FicheService(db).journal(did)
    decision = next(r for r in journal if r.action == "Décision du comité")
    assert decision.utilisateur == ("présidente" if db.is_sqlite else "postgres")  # PostgreSQL: session_user
    assert decision.text.split("\n") == [
        f"Décision : Retenu (ETAT 5{NBSP}500,00{NBSP}€)",
        "Conditions : « Fournir le bilan »",
        f"Dérogation à l'enveloppe (ETAT 500,00{NBSP}€) : « Priorité du contrat »",
    ]
    letter_row = next(r for r in journal if r.action == "Lettre")
    assert letter_row.text == "Lettre d'attribution : À signer → À notifier le 20/04/2026"
