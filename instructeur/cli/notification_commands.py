"""`instructeur export notifications --campagne ID -o DOSSIER [--merged FICHIER.pdf] [--dossiers REF,REF…]`.

`add_notification_commands(actions)` adds the action to the `export` sub-parsers (see
`instructeur.cli.export_commands.export_subparsers`); the handler is `(args, out) -> exit code`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction


def add_notification_commands(actions: SubParsers) -> None:
    p = actions.add_parser(
        "notifications",
        help="lettres de notification (PDF), une par dossier, et un PDF fusionné à signer",
        description="Lettres de notification (attribution, refus, ajournement) des dossiers décidés "
        "d'une campagne : un PDF par dossier dans DOSSIER, et optionnellement un PDF fusionné. "
        "Rien n'est écrit tant que les paramètres des lettres sont incomplets (signataire, fonction, "
        "ville, expéditeur) : chaque manque est listé, code de sortie 2.",
    )
    p.add_argument("--campagne", required=True, type=int, metavar="ID")
    p.add_argument(
        "-o", "--output", required=True, metavar="DOSSIER", help="dossier des PDF (créé au besoin)"
    )
    p.add_argument(
        "--merged", metavar="FICHIER.pdf", help="toutes les lettres dans un seul PDF, pour signature"
    )
    p.add_argument(
        "--dossiers",
        metavar="REF,REF…",
        help="références des dossiers (défaut : les dossiers décidés en attente de notification)",
    )
    p.set_defaults(handler=export_notifications)


def export_notifications(args: argparse.Namespace, out: TextIO) -> int:

    from instructeur.cli.commands import dossier_ids_from_refs, open_existing
    from instructeur.services.notifications import NotificationService

    db = open_existing(args)
    try:
        dossier_ids = dossier_ids_from_refs(db, args.campagne, args.dossiers)
        merged = Path(args.merged) if args.merged else None
        result = NotificationService(db).generate(args.campagne, Path(args.output), dossier_ids, merged)
    finally:
        db.close()
    print(
        f"{len(result.files)} lettre(s) écrite(s) dans {Path(args.output).resolve()} en {result.seconds:.1f} s",
        file=out,
    )
    if result.merged is not None:
        print(f"PDF fusionné pour signature : {result.merged}", file=out)
    if result.unchanged:
        print(
            "déjà signées ou notifiées (fichier régénéré, état inchangé) : " + ", ".join(result.unchanged),
            file=out,
        )
    return 0
