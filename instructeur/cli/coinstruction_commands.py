"""`instructeur export notation|fiches` and `instructeur import notation`: offline co-instruction.

    instructeur export notation --campagne ID --evaluateur ID -o FICHIER.xlsx
    instructeur import notation FICHIER --campagne ID [--dry-run] [--garder fichier|base]
    instructeur export fiches --campagne ID -o DOSSIER_OU_FICHIER.pdf [--dossiers REF,…] [--separes]

`import notation` exits 0 when imported (or importable, with --dry-run), 2 when the file is
refused (wrong campagne, tampered grille, invalid notes) or when conflicts remain: each conflict is
listed on stderr with both sides' values, and nothing is written unless `--garder` resolves them all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from instructeur.errors import UserError

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction

__all__ = ["add_export_actions", "add_import_actions"]

EXIT_OK = 0
EXIT_REFUSED = 2


def add_export_actions(actions: SubParsers) -> None:
    p = actions.add_parser(
        "notation",
        help="fichier de notation (xlsx) d'un évaluateur, à remplir hors ligne",
        description="Fichier Excel des dossiers confiés à un évaluateur, à remplir dans Excel ou "
        "LibreOffice puis à réimporter avec « instructeur import notation ».",
    )
    p.add_argument("--campagne", required=True, type=int, metavar="ID")
    p.add_argument("--evaluateur", required=True, type=int, metavar="ID")
    p.add_argument("-o", "--output", required=True, metavar="FICHIER.xlsx")
    p.set_defaults(handler=export_notation)

    f = actions.add_parser(
        "fiches",
        help="fiches d'instruction (PDF) pour les membres du comité",
        description="Fiches d'instruction d'une campagne : un PDF fusionné (FICHIER.pdf) ou un PDF "
        "par dossier (DOSSIER existant, ou --separes).",
    )
    f.add_argument("--campagne", required=True, type=int, metavar="ID")
    f.add_argument("-o", "--output", required=True, metavar="DOSSIER_OU_FICHIER.pdf")
    f.add_argument(
        "--dossiers", metavar="REF,…", help="références séparées par des virgules (défaut : toutes)"
    )
    f.add_argument("--separes", action="store_true", help="un fichier par dossier dans le dossier donné")
    f.set_defaults(handler=export_fiches)


def add_import_actions(actions: SubParsers) -> None:
    p = actions.add_parser(
        "notation",
        help="réimporte un fichier de notation rempli par un évaluateur",
        description="Importe les notes d'un fichier de notation. Une évaluation modifiée à la fois dans "
        "le fichier et dans la base est un conflit : l'import s'arrête (code 2) en les listant, sauf si "
        "--garder dit quelle version garder pour tous.",
    )
    p.add_argument("file", metavar="FICHIER")
    p.add_argument("--campagne", required=True, type=int, metavar="ID")
    p.add_argument("--dry-run", action="store_true", help="affiche le compte rendu sans rien écrire")
    p.add_argument(
        "--garder",
        choices=("fichier", "base"),
        help="règle tous les conflits : garder les valeurs du fichier, ou celles de la base",
    )
    p.set_defaults(handler=import_notation)


def export_notation(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.coinstruction.scoring_file import export_scoring_file

    target = Path(args.output).expanduser()
    if target.is_dir():
        raise UserError(f"{target} : c'est un dossier, donnez un nom de fichier .xlsx")
    if not target.parent.exists():
        raise UserError(f"{target.parent} : dossier introuvable")
    db = open_existing(args)
    try:
        path = export_scoring_file(db, args.campagne, args.evaluateur, target)
    finally:
        db.close()
    print(f"Fichier de notation écrit : {path}", file=out)
    return EXIT_OK


def import_notation(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.coinstruction.scoring_file import apply_import, plan_import, read_scoring_file

    scoring = read_scoring_file(Path(args.file).expanduser())
    db = open_existing(args)
    try:
        plan = plan_import(db, args.campagne, scoring)
        print(f"{plan.source} — {plan.evaluateur_nom} — {plan.summary()}", file=out)
        for warning in plan.warnings:
            print(f"  attention : {warning}", file=out)
        for row in plan.rows:
            if row.kind in ("a_mettre_a_jour", "conflit", "identique", "base_seule"):
                print(f"  {row.reference} : {row.label}", file=out)
        if plan.conflicts and args.garder is None:
            for row in plan.conflicts:
                print(
                    f"instructeur : conflit sur le dossier {row.reference} (ligne {row.excel_row}) — "
                    f"fichier : {row.file_values.describe(plan.criteria)} — "
                    f"base ({row.changed_by}) : {row.db_values.describe(plan.criteria)}",
                    file=sys.stderr,
                )
            n = len(plan.conflicts)
            print(
                f"instructeur : {n} conflit{'s' if n > 1 else ''} : rien n'a été importé ; relancez avec "
                "« --garder fichier » ou « --garder base », ou réglez-les dans l'application",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        resolutions = {row.evaluation_id: args.garder for row in plan.conflicts}
        if args.dry_run:
            print("Simulation : rien n'a été écrit.", file=out)
            return EXIT_OK
        outcome = apply_import(db, plan, resolutions)
    finally:
        db.close()
    print(f"Import terminé : {outcome.summary()}.", file=out)
    return EXIT_OK


def export_fiches(args: argparse.Namespace, out: TextIO) -> int:

    from instructeur.cli.commands import dossier_ids_from_refs, open_existing
    from instructeur.exports.fiche_instruction import render_fiches_instruction

    target = Path(args.output).expanduser()
    merged = not (args.separes or target.is_dir())
    if merged and target.suffix.lower() != ".pdf":
        raise UserError(f"{target} : donnez un fichier .pdf, ou un dossier existant pour un PDF par dossier")
    if not merged:
        if target.parent.exists():
            target.mkdir(exist_ok=True)
        if not target.is_dir():
            raise UserError(f"{target} : dossier introuvable")
    elif not target.parent.exists():
        raise UserError(f"{target.parent} : dossier introuvable")
    db = open_existing(args)
    try:
        dossier_ids = dossier_ids_from_refs(db, args.campagne, args.dossiers)
        result = render_fiches_instruction(db, args.campagne, target, dossier_ids=dossier_ids, merged=merged)
    finally:
        db.close()
    if merged:
        print(
            f"Fiches d'instruction écrites : {result.merged} ({len(result.pages)} dossiers, "
            f"{sum(result.pages)} pages)",
            file=out,
        )
    else:
        print(f"{len(result.files)} fiches d'instruction écrites dans {target}", file=out)
    return EXIT_OK
