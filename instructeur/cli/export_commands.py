"""`instructeur export …`: programmation (xlsx), open data (SCDL CSV); notifications and relevé later.

Structure: `register(sub)` creates the `export` parser and its sub-parsers once (through
`export_subparsers(sub)`, which returns the same `_SubParsersAction` on every call for a given
root), then calls every function of `ACTIONS`, each adding one action:

    def _add_notifications(actions: argparse._SubParsersAction) -> None:
        p = actions.add_parser("notifications", help="…")
        p.add_argument(…)
        p.set_defaults(handler=notifications)   # handler(args, out) -> exit code

    ACTIONS = (_add_programmation, _add_opendata, _add_notifications)

A module of its own may also call `export_subparsers(sub)` after `register(sub)` and add its
actions there. Handlers open the database with `commands.open_existing(args)`; bad input raises
`UserError` (one French line, exit 2).
"""

from __future__ import annotations

import argparse
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from instructeur.cli.coinstruction_commands import add_export_actions
from instructeur.cli.comite_commands import add_releve_action
from instructeur.cli.notification_commands import add_notification_commands
from instructeur.errors import UserError

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction

_EXPORT_ACTIONS: weakref.WeakKeyDictionary[argparse.ArgumentParser, SubParsers] = weakref.WeakKeyDictionary()


def export_subparsers(sub: SubParsers) -> SubParsers:
    """The sub-parsers of `instructeur export`, created on first use under the root `sub`."""
    existing = sub.choices.get("export")
    if existing is not None and existing in _EXPORT_ACTIONS:
        return _EXPORT_ACTIONS[existing]
    from instructeur.cli.main import FrenchArgumentParser

    parser = sub.add_parser(
        "export", help="exports : programmation (Excel), notifications (PDF), open data (CSV)…"
    )
    actions = cast(
        SubParsers,
        parser.add_subparsers(
            dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
        ),
    )
    _EXPORT_ACTIONS[parser] = actions
    return actions


def register(sub: SubParsers) -> None:
    """Add the `export` sub-command and its actions (each sets `handler=function(args, out)`)."""
    actions = export_subparsers(sub)
    for add in ACTIONS:
        add(actions)


# --- programmation ---------------------------------------------------------------------------


def _add_programmation(actions: SubParsers) -> None:
    p = actions.add_parser(
        "programmation",
        help="tableau de programmation (xlsx) avec ses feuilles de synthèse",
        description="Tableau de programmation d'une campagne (Excel), avec les synthèses par axe, "
        "par quartier, par cotation F/H et les enveloppes.",
    )
    p.add_argument("--campagne", required=True, type=int, metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FICHIER.xlsx")
    p.add_argument("--financeur", metavar="CODE", help="le classeur d'un seul financeur")
    p.add_argument("--definitif", action="store_true", help="état définitif (défaut : provisoire)")
    p.add_argument(
        "--tous",
        action="store_true",
        help="toutes les actions recevables (tableau provisoire avant comité), pas seulement celles passées en comité",
    )
    p.set_defaults(handler=programmation)


def programmation(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.exports.programmation import export_programmation

    target = _output(args.output, ".xlsx")
    db = open_existing(args)
    try:
        path = export_programmation(
            db,
            args.campagne,
            target,
            financeur_code=args.financeur,
            etat="définitif" if args.definitif else "provisoire",
            include_all=args.tous,
        )
    finally:
        db.close()
    print(f"Tableau de programmation écrit : {path}", file=out)
    return 0


# --- open data -------------------------------------------------------------------------------


def _add_opendata(actions: SubParsers) -> None:
    p = actions.add_parser(
        "opendata",
        help="subventions attribuées au format national SCDL (CSV)",
        description="Subventions retenues de la campagne au format SCDL « subventions » 2.1.1 (CSV UTF-8).",
    )
    p.add_argument("--campagne", required=True, type=int, metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FICHIER.csv")
    p.set_defaults(handler=opendata)


def opendata(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.exports.opendata import export_scdl

    target = _output(args.output, ".csv")
    db = open_existing(args)
    try:
        path = export_scdl(db, args.campagne, target)
    finally:
        db.close()
    with path.open(encoding="utf-8") as fh:
        count = max(sum(1 for _ in fh) - 1, 0)
    print(f"Données ouvertes (SCDL) écrites : {path} ({count} subventions)", file=out)
    return 0


# --- helpers ---------------------------------------------------------------------------------


def _output(text: str, suffix: str) -> Path:
    """The output file: its folder must exist (checked before any work is done)."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise UserError(f"{path} : c'est un dossier, donnez un nom de fichier {suffix}")
    if not path.parent.exists():
        raise UserError(f"{path.parent} : dossier introuvable")
    return path


ACTIONS: tuple[Callable[[SubParsers], None], ...] = (
    _add_programmation,
    _add_opendata,
    add_notification_commands,
    add_export_actions,
    add_releve_action,
)
