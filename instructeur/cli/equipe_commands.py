"""Team mode on PostgreSQL (services/equipe.py).

* `instructeur equipe init` — group roles, grants and row-level security (database owner, once);
* `instructeur equipe ajouter LOGIN --role ROLE [--evaluateur NOM] [--mot-de-passe-stdin]`;
* `instructeur equipe liste`;
* `instructeur equipe notes-visibles --campagne ID [--oui | --non]`: the campagne's option « an
  évaluateur reads the others' notes of a dossier once their own is complete » (shown, or set).

A password is read from standard input, never from the command line (it would show in `ps`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO, cast

from instructeur.errors import UserError

if TYPE_CHECKING:
    from instructeur.storage.db import Database

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction

ROLE_CHOICES = ("chef", "instructeur", "evaluateur", "lecteur")


def register(sub: SubParsers) -> None:
    from instructeur.cli.main import FrenchArgumentParser

    parser = sub.add_parser("equipe", help="mode équipe PostgreSQL : rôles et personnes")
    actions = cast(
        SubParsers,
        parser.add_subparsers(
            dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
        ),
    )
    actions.add_parser(
        "init", help="crée les rôles (chef, instructeur, evaluateur, lecteur), droits et règles de lignes"
    ).set_defaults(handler=equipe_init)
    add = actions.add_parser("ajouter", help="ajoute une personne (ou change son rôle)")
    add.add_argument("login", metavar="LOGIN")
    add.add_argument(
        "--role", required=True, choices=ROLE_CHOICES, metavar="ROLE", help=", ".join(ROLE_CHOICES)
    )
    add.add_argument("--evaluateur", metavar="NOM", help="fiche évaluateur de la personne (rôle evaluateur)")
    add.add_argument(
        "--mot-de-passe-stdin",
        action="store_true",
        dest="password_stdin",
        help="lit le mot de passe sur l'entrée",
    )
    add.set_defaults(handler=equipe_ajouter)
    actions.add_parser("liste", help="liste les personnes et leur rôle").set_defaults(handler=equipe_liste)
    notes = actions.add_parser(
        "notes-visibles",
        help="un évaluateur voit-il les notes des autres après avoir complété la sienne ? (option de la campagne)",
    )
    notes.add_argument("--campagne", required=True, type=int, metavar="ID")
    choice = notes.add_mutually_exclusive_group()
    choice.add_argument("--oui", action="store_const", const=True, dest="on", help="active l'option")
    choice.add_argument("--non", action="store_const", const=False, dest="on", help="désactive l'option")
    notes.set_defaults(handler=equipe_notes_visibles)


def _open(args: argparse.Namespace) -> Database:
    from instructeur.services.equipe import POSTGRES_ONLY
    from instructeur.storage.db import open_database, resolve_url
    from instructeur.storage.targets import database_from_env

    target = database_from_env(getattr(args, "db", None))
    if resolve_url(target).get_backend_name() != "postgresql":
        raise UserError(POSTGRES_ONLY)
    return open_database(target, migrate=False)


def equipe_init(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.services import equipe

    db = _open(args)
    try:
        groups = equipe.init(db)
    finally:
        db.close()
    print("Mode équipe prêt : rôles " + ", ".join(groups.values()), file=out)
    return 0


def equipe_ajouter(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.services import equipe

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserError("mot de passe vide sur l'entrée standard")
    db = _open(args)
    try:
        equipe.ajouter(db, args.login, args.role, evaluateur=args.evaluateur, password=password)
    finally:
        db.close()
    print(f"{args.login} : {args.role}", file=out)
    return 0


def equipe_liste(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.services import equipe

    db = _open(args)
    try:
        membres = equipe.liste(db)
    finally:
        db.close()
    if not membres:
        print("Personne dans l'équipe (ajoutez-en avec « instructeur equipe ajouter »).", file=out)
    for m in membres:
        print(f"{m.login}\t{m.role}\t{', '.join(m.evaluateurs)}".rstrip(), file=out)
    return 0


def equipe_notes_visibles(args: argparse.Namespace, out: TextIO) -> int:
    """Works on both engines: the setting is stored either way; it matters for évaluateur logins."""
    from instructeur.services.campagnes import CampagneService
    from instructeur.services.notes_visibilite import NotesVisibiliteService
    from instructeur.storage.db import open_database
    from instructeur.storage.targets import database_from_env

    db = open_database(database_from_env(getattr(args, "db", None)))
    try:
        campagne = CampagneService(db).get(args.campagne)
        service = NotesVisibiliteService(db)
        if args.on is not None:
            service.set(campagne.id, args.on)
        on = service.get(campagne.id)
    finally:
        db.close()
    state = "oui" if on else "non"
    print(
        f"{campagne.libelle} : un évaluateur voit les notes des autres après avoir complété la sienne : {state}",
        file=out,
    )
    return 0
