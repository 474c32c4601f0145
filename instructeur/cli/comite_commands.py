"""`instructeur export releve --comite ID -o FICHIER.pdf`, `instructeur comites list --campagne ID` and
`instructeur comites reviser --dossier REF --decision retenu --vote ETAT=12000 --motivation "…"`.

`add_releve_action(actions)` is one of `export_commands.ACTIONS`; `register(sub)` adds the
top-level `comites` command (listed in `cli.main.build_parser`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO, cast

from instructeur.errors import UserError

if TYPE_CHECKING:
    from instructeur.storage.db import Database

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction


def add_releve_action(actions: SubParsers) -> None:
    p = actions.add_parser(
        "releve",
        help="relevé de décisions d'un comité (PDF)",
        description="Relevé de décisions d'un comité des financeurs : présents, décisions, montants votés, "
        "enveloppes, cotation F/H avant et après le comité.",
    )
    p.add_argument("--comite", required=True, type=int, metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FICHIER.pdf")
    p.set_defaults(handler=releve)


def releve(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.cli.export_commands import _output
    from instructeur.exports.releve import render_releve
    from instructeur.services.comites import ComiteService

    target = _output(args.output, ".pdf")
    db = open_existing(args)
    try:
        row, _ = ComiteService(db).get(args.comite)
        path = render_releve(db, args.comite, target)
    finally:
        db.close()
    state = "" if row.statut == "clos" else " (provisoire : séance non close)"
    print(f"Relevé de décisions écrit : {path}{state}", file=out)
    return 0


def register(sub: SubParsers) -> None:
    from instructeur.cli.main import FrenchArgumentParser

    parser = sub.add_parser("comites", help="comités (financeurs, technique, pilotage)")
    actions = cast(
        SubParsers,
        parser.add_subparsers(
            dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
        ),
    )
    p = actions.add_parser("list", help="liste les comités d'une campagne")
    p.add_argument("--campagne", required=True, type=int, metavar="ID")
    p.set_defaults(handler=comites_list)
    add_reviser_action(actions)


# --- issue 9 (helper A): « Modifier la décision » from the command line -----------------------


def add_reviser_action(actions: SubParsers) -> None:
    p = actions.add_parser(
        "reviser",
        help="modifie la décision d'un comité clos sur un dossier (avec une motivation)",
        description="Modifie la décision du comité sur un dossier une fois la séance terminée : mêmes "
        "contrôles qu'en séance (total voté ≤ coût total, enveloppes, motivation) ; la révision est "
        "inscrite à l'historique et une lettre déjà générée passe « À refaire ».",
    )
    p.add_argument("--dossier", required=True, metavar="REF", help="référence du dossier")
    p.add_argument(
        "--campagne", type=int, metavar="ID", help="campagne (si la référence existe dans plusieurs)"
    )
    p.add_argument(
        "--decision", required=True, choices=("retenu", "ajourne", "refuse"), help="nouvelle décision"
    )
    p.add_argument(
        "--vote",
        action="append",
        default=[],
        metavar="FINANCEUR=MONTANT",
        help="montant voté par un financeur (code du financeur, montant en euros), répétable",
    )
    p.add_argument("--conditions", metavar="TEXTE", help="conditions posées par le comité")
    p.add_argument(
        "--motivation", required=True, metavar="TEXTE", help="motivation de la révision (obligatoire)"
    )
    p.add_argument(
        "--derogation", metavar="TEXTE", help="motivation de dérogation si une enveloppe est dépassée"
    )
    p.set_defaults(handler=reviser)


def reviser(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.domain.money import format_amount
    from instructeur.services.comites import ComiteService
    from instructeur.services.dossiers import DossierService

    db = open_existing(args)
    try:
        dossier_id = _dossier_id(db, args.dossier, args.campagne)
        votes = _votes(db, dossier_id, args.vote)
        version = DossierService(db).get(dossier_id).version
        result = ComiteService(db).revise_decision(
            dossier_id, version, args.decision, votes, args.conditions, args.motivation, args.derogation
        )
        form = ComiteService(db).revision_form(dossier_id)
    finally:
        db.close()
    voted = ", ".join(f"{m.code} {format_amount(m.vote_cents)}" for m in form.montants if m.vote_cents)
    print(
        f"Décision du dossier {args.dossier} modifiée : {args.decision}" + (f" ({voted})" if voted else ""),
        file=out,
    )
    for warning in result.warnings:
        print(f"Attention : {warning}", file=out)
    return 0


def _dossier_id(db: Database, reference: str, campagne_id: int | None) -> int:
    from sqlalchemy import select

    from instructeur.storage.models import Dossier

    query = select(Dossier.id, Dossier.campagne_id).where(Dossier.reference == reference.strip())
    if campagne_id is not None:
        query = query.where(Dossier.campagne_id == campagne_id)
    with db.session() as s:
        rows = s.execute(query).all()
    if not rows:
        raise UserError(f"--dossier : référence « {reference} » introuvable")
    if len(rows) > 1:
        raise UserError(
            f"--dossier : la référence « {reference} » existe dans plusieurs campagnes "
            f"({', '.join(str(r.campagne_id) for r in rows)}) : précisez --campagne"
        )
    return int(rows[0].id)


def _votes(db: Database, dossier_id: int, items: list[str]) -> dict[int, int]:
    """`CODE=MONTANT` → {financeur id: cents}; every unreadable item is one French line."""
    from sqlalchemy import select

    from instructeur.domain.money import parse_amount
    from instructeur.errors import ValidationError
    from instructeur.storage.models import Campagne, Dossier, Financeur

    with db.session() as s:
        contrat = (
            select(Campagne.contrat_id)
            .join(Dossier, Dossier.campagne_id == Campagne.id)
            .where(Dossier.id == dossier_id)
            .scalar_subquery()
        )
        codes = {
            code.casefold(): fid
            for fid, code in s.execute(
                select(Financeur.id, Financeur.code).where(Financeur.contrat_id == contrat)
            )
        }
    votes: dict[int, int] = {}
    problems = []
    for item in items:
        code, sep, amount = item.partition("=")
        fid = codes.get(code.strip().casefold())
        if not sep or fid is None:
            problems.append(
                f"--vote « {item} » : attendu FINANCEUR=MONTANT avec un code de financeur du contrat "
                f"({', '.join(sorted(c.upper() for c in codes))})"
            )
            continue
        try:
            votes[fid] = votes.get(fid, 0) + parse_amount(amount)
        except UserError as exc:
            problems.append(f"--vote « {item} » : {exc.message}")
    if problems:
        raise ValidationError(problems)
    return votes


def comites_list(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.services.comites import COMITE_STATUT_LABELS, COMITE_TYPE_LABELS, ComiteService
    from instructeur.storage.models import Campagne

    db = open_existing(args)
    try:
        with db.session() as s:
            if s.get(Campagne, args.campagne) is None:
                raise UserError(f"campagne {args.campagne} introuvable")
        rows = ComiteService(db).all(args.campagne)
    finally:
        db.close()
    if not rows:
        print(f"Aucun comité pour la campagne {args.campagne}.", file=out)
    for r in rows:
        when = f"{r.date_seance:%d/%m/%Y}" if r.date_seance else "date à fixer"
        print(
            f"{r.id:>4}  {COMITE_TYPE_LABELS.get(r.type, r.type)} du {when} — {r.lieu or 'lieu à fixer'} — "
            f"{COMITE_STATUT_LABELS.get(r.statut, r.statut)}, {r.nb_decides}/{r.nb_points} décisions",
            file=out,
        )
    return 0
