"""Deleting what was created by mistake (services/deletion.py):

* `instructeur dossiers supprimer REF [--campagne ID] [--oui]`;
* `instructeur comites supprimer ID [--oui]`;
* `instructeur campagnes supprimer ID [--oui]`.

Without `--oui` the command asks for confirmation on the terminal (« oui » to go on); with no
terminal to answer (CI, scripts) it stops: pass `--oui`. A refusal (a decision, a letter, notes,
dossiers in the campagne…) exits 2 with the reason on one line.

`register(sub)` adds them (listed in `cli.main.build_parser`), joining the existing `comites` and
`campagnes` commands.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO, cast

from instructeur.errors import UserError

if TYPE_CHECKING:
    from instructeur.services.deletion import DeletionPreview
    from instructeur.storage.db import Database

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction

_OUI_HELP = "supprime sans demander de confirmation"


def _actions_of(parser: argparse.ArgumentParser) -> SubParsers:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub: SubParsers) -> None:
    from instructeur.cli.main import FrenchArgumentParser

    if "dossiers" in sub.choices:
        dossiers = _actions_of(sub.choices["dossiers"])
    else:
        parser = sub.add_parser("dossiers", help="dossiers d'une campagne")
        dossiers = cast(
            SubParsers,
            parser.add_subparsers(
                dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
            ),
        )
    p = dossiers.add_parser(
        "supprimer",
        help="supprime un dossier saisi par erreur (sans décision, lettre ni notes)",
        description="Supprime un dossier créé par erreur, tant qu'aucune décision du comité, aucune lettre, "
        "aucune note d'évaluation ni aucun suivi n'en dépend. La suppression est inscrite au journal.",
    )
    p.add_argument("reference", metavar="REF", help="référence du dossier (ex. 26-000123)")
    p.add_argument(
        "--campagne", type=int, metavar="ID", help="campagne du dossier, si la référence est ambiguë"
    )
    p.add_argument("--oui", action="store_true", help=_OUI_HELP)
    p.set_defaults(handler=dossiers_supprimer)

    p = _actions_of(sub.choices["comites"]).add_parser(
        "supprimer",
        help="supprime un comité créé par erreur (en préparation, sans décision)",
        description="Supprime un comité en préparation sans aucune décision ; ses dossiers redeviennent "
        "« instruits ». La suppression est inscrite au journal.",
    )
    p.add_argument("comite", type=int, metavar="ID")
    p.add_argument("--oui", action="store_true", help=_OUI_HELP)
    p.set_defaults(handler=comites_supprimer)

    p = _actions_of(sub.choices["campagnes"]).add_parser(
        "supprimer",
        help="supprime une campagne créée par erreur (sans dossier ni comité)",
        description="Supprime une campagne sans dossier ni comité, avec ses enveloppes, sa liste de "
        "recevabilité et sa grille. La suppression est inscrite au journal.",
    )
    p.add_argument("campagne", type=int, metavar="ID")
    p.add_argument("--oui", action="store_true", help=_OUI_HELP)
    p.set_defaults(handler=campagnes_supprimer)


def _confirm(preview: DeletionPreview, yes: bool, out: TextIO) -> None:
    """Refused → UserError (exit 2); otherwise ask unless --oui."""
    if preview.refusal is not None:
        raise UserError(preview.refusal)
    if yes:
        return
    if not sys.stdin.isatty():
        raise UserError(f"suppression non confirmée ({preview.name}) : ajoutez --oui pour confirmer")
    print(preview.question, file=out)
    try:
        answer = input("Tapez « oui » pour confirmer : ")
    except EOFError:
        answer = ""
    if answer.strip().casefold() not in ("oui", "o"):
        raise UserError("suppression annulée")


def _dossier_id(db: Database, reference: str, campagne_id: int | None) -> int:
    from sqlalchemy import select

    from instructeur.storage.models import Dossier

    query = select(Dossier.id, Dossier.campagne_id).where(Dossier.reference == reference.strip())
    if campagne_id is not None:
        query = query.where(Dossier.campagne_id == campagne_id)
    with db.session() as s:
        rows = s.execute(query).all()
    if not rows:
        where = f" dans la campagne {campagne_id}" if campagne_id is not None else ""
        raise UserError(f"dossier {reference} introuvable{where}")
    if len(rows) > 1:
        campagnes = ", ".join(str(r[1]) for r in rows)
        raise UserError(
            f"dossier {reference} : référence présente dans les campagnes {campagnes} ; précisez --campagne"
        )
    return int(rows[0][0])


def _run(args: argparse.Namespace, out: TextIO, kind: str) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.services.deletion import DeletionService

    db = open_existing(args)
    remove: Callable[[int], str]
    try:
        service = DeletionService(db)
        if kind == "dossier":
            ident = _dossier_id(db, args.reference, args.campagne)
            preview, remove = service.preview_dossier(ident), service.delete_dossier
        elif kind == "comite":
            ident = args.comite
            preview, remove = service.preview_comite(ident), service.delete_comite
        else:
            ident = args.campagne
            preview, remove = service.preview_campagne(ident), service.delete_campagne
        _confirm(preview, args.oui, out)
        name = remove(ident)
    finally:
        db.close()
    print(f"Supprimé : {name}", file=out)
    return 0


def dossiers_supprimer(args: argparse.Namespace, out: TextIO) -> int:
    return _run(args, out, "dossier")


def comites_supprimer(args: argparse.Namespace, out: TextIO) -> int:
    return _run(args, out, "comite")


def campagnes_supprimer(args: argparse.Namespace, out: TextIO) -> int:
    return _run(args, out, "campagne")
