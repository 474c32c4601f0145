"""`instructeur export releve --comite ID -o FICHIER.pdf` and `instructeur comites list --campagne ID`.

`add_releve_action(actions)` is one of `export_commands.ACTIONS`; `register(sub)` adds the
top-level `comites` command (listed in `cli.main.build_parser`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO, cast

from instructeur.errors import UserError

if TYPE_CHECKING:
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
