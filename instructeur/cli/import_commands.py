"""`instructeur import …`: dossiers and QPV lists from spreadsheets, and the import template.

Exit 0 when the file is imported (or would be, with --dry-run); 2 when a row is rejected: one line
per problem on stderr (`FICHIER, ligne 14, colonne « SIRET » : raison`) and nothing written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from instructeur.cli.coinstruction_commands import add_import_actions
from instructeur.errors import UserError

if TYPE_CHECKING:
    from instructeur.imports.dossiers import ImportOptions, ImportPreview
    from instructeur.imports.values import RowProblem

EXIT_OK = 0
EXIT_REJECTED = 2


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the sub-command and its actions (each action sets `handler=function(args, out)`)."""
    parser = sub.add_parser("import", help="importe des dossiers ou la liste officielle des QPV")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))

    dossiers = actions.add_parser("dossiers", help="importe les dossiers d'un tableau (.xlsx ou .csv)")
    dossiers.add_argument("file", metavar="FICHIER")
    dossiers.add_argument("--campagne", type=int, required=True, metavar="ID")
    dossiers.add_argument("--dry-run", action="store_true", help="affiche le compte rendu sans rien écrire")
    dossiers.add_argument(
        "--mapping",
        nargs="+",
        default=[],
        metavar="CHAMP=COLONNE",
        help="impose une colonne (en-tête, lettre ou numéro) pour un champ (siret, demande:CAF…)",
    )
    _value_arguments(dossiers)
    dossiers.add_argument(
        "--correspondances",
        metavar="MODELE.xlsx",
        help="lit les correspondances de valeurs de la feuille « Correspondances » de ce classeur",
    )
    dossiers.add_argument(
        "--lignes-valides",
        action="store_true",
        help="importe les lignes valides et écrit les lignes rejetées (colonne « Motif ») dans un .xlsx",
    )
    dossiers.add_argument(
        "--rejets", metavar="FICHIER.xlsx", help="fichier des lignes rejetées (défaut : FICHIER-rejets.xlsx)"
    )
    dossiers.add_argument(
        "--nouveau-porteur",
        nargs="+",
        default=[],
        metavar="SIRET",
        help="SIRET connu sous un autre nom : crée un nouveau porteur au lieu de rattacher la ligne",
    )
    dossiers.set_defaults(handler=import_dossiers)

    qpv = actions.add_parser("qpv", help="renseigne les codes officiels des QPV du contrat (fichier ANCT)")
    qpv.add_argument("file", metavar="FICHIER")
    qpv.add_argument("--contrat", type=int, metavar="ID", help="défaut : le seul contrat de la base")
    qpv.add_argument("--dry-run", action="store_true", help="affiche le compte rendu sans rien écrire")
    qpv.set_defaults(handler=import_qpv)

    modele = actions.add_parser("modele", help="écrit le modèle .xlsx d'import des dossiers")
    modele.add_argument("-o", "--output", required=True, metavar="FICHIER.xlsx")
    modele.add_argument(
        "--campagne", type=int, metavar="ID", help="une colonne de montant par financeur de cette campagne"
    )
    _value_arguments(modele)
    modele.set_defaults(handler=import_modele)

    add_import_actions(actions)  # import notation (instructeur/cli/coinstruction_commands.py)


def _value_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--valeur",
        nargs="+",
        default=[],
        metavar="CHAMP=VALEUR=RETENUE",
        help="correspondance de valeur pour tout le fichier : quartier=\"Chemin Vert=Chemin Vert - Beaurepaire…\"",
    )


def _options(args: argparse.Namespace) -> ImportOptions:
    from instructeur.domain.identifiers import normalize_siret
    from instructeur.imports import value_map
    from instructeur.imports.dossiers import ImportOptions
    from instructeur.imports.reader import read_table

    saved: value_map.ValueMap = {}
    if args.correspondances:
        sheet = read_table(args.correspondances).extra.get(value_map.SHEET)
        if sheet is None:
            raise UserError(f"{Path(args.correspondances).name} : pas de feuille « {value_map.SHEET} »")
        saved = value_map.from_sheet(sheet, Path(args.correspondances).name)
    return ImportOptions(
        values=value_map.merge(saved, value_map.parse_pairs(args.valeur)),
        lignes_valides=args.lignes_valides,
        rejects_path=Path(args.rejets) if args.rejets else None,
        nouveaux_porteurs=frozenset(normalize_siret(s) for s in args.nouveau_porteur),
    )


def _overrides(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        champ, sep, colonne = pair.partition("=")
        if not sep or not champ.strip():
            raise UserError(f"--mapping : « {pair} » attendu sous la forme CHAMP=COLONNE")
        out[champ.strip()] = colonne
    return out


def import_dossiers(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.imports import dossiers as service

    overrides = _overrides(args.mapping)
    options = _options(args)
    db = open_existing(args)
    try:
        mapping = None
        if overrides:
            financeurs = service.campagne_financeurs(db, args.campagne)
            prepared = service.analyse(db, args.campagne, args.file)
            mapping = service.with_overrides(prepared.mapping, overrides, financeurs)
        if args.dry_run:
            preview = service.preview(db, args.campagne, args.file, mapping, options)
            _print_preview(preview, out)
            if not preview.ok and not args.lignes_valides:
                return _print_rejected(preview.rejected)
            if not preview.ok:
                _print_rejected(preview.rejected, partial=True)
            print(f"{preview.summary()} (simulation : rien n'a été écrit)", file=out)
            return EXIT_OK
        try:  # one pass: the import plans in its transaction and says what it saw
            result = service.apply(db, args.campagne, args.file, mapping, options=options)
        except service.ImportRejected as exc:
            if exc.preview is not None:
                _print_preview(exc.preview, out)
            return _print_rejected(exc.problems)
    finally:
        db.close()
    _print_preview(result.preview, out)
    if result.rejects_file is not None:
        _print_rejected(result.preview.rejected, partial=True)
        rows = len(result.preview.rejected_rows)
        print(
            f"{rows} ligne{'s' if rows > 1 else ''} rejetée{'s' if rows > 1 else ''} écrite{'s' if rows > 1 else ''} "
            f"dans {result.rejects_file} (colonne « Motif ») : corrigez-les puis importez ce fichier",
            file=out,
        )
    print(result.preview.summary(), file=out)
    return EXIT_OK


def _print_preview(preview: ImportPreview, out: TextIO) -> None:
    if preview.announcement:
        print(f"{preview.file} : {preview.announcement}", file=out)
        for note in preview.notes:
            print(f"  {note}", file=out)
    if preview.header_row:
        columns = ", ".join(f"« {c.header} » → {c.label}" for c in preview.columns)
        print(f"{preview.file} : en-têtes ligne {preview.header_row} ; {columns}", file=out)
    if preview.unrecognised:
        ignored = ", ".join(f"« {h} »" for h in preview.unrecognised)
        print(f"Colonnes ignorées (non reconnues) : {ignored}", file=out)
    for number in preview.totals_rows:
        print(f"Ligne {number} ignorée (ligne de total)", file=out)
    if preview.porteurs_to_create or preview.porteurs_reused:
        n, m = len(preview.porteurs_to_create), len(preview.porteurs_reused)
        print(
            f"Porteurs : {n} nouveau{'x' if n > 1 else ''}, {m} déjà connu{'s' if m > 1 else ''}",
            file=out,
        )
    for planned in preview.to_update:
        print(f"Mise à jour : {planned.describe_changes()}", file=out)
    for warning in preview.warnings:
        print(f"Avertissement : {warning}", file=out)
    from instructeur.imports.value_map import NAMES

    for u in preview.unmatched:
        proposals = " ; ".join(f"« {p} »" for p in u.proposals) or "aucune"
        name = NAMES.get(u.field, u.field)
        print(
            f"Valeur sans correspondance : {name} « {u.value} » (propositions : {proposals}) ; "
            f'--valeur {name}="{u.value}=…" pour la faire correspondre',
            file=out,
        )


def _print_rejected(problems: Sequence[RowProblem], *, partial: bool = False) -> int:
    rows = len({(p.file, p.row) for p in problems})
    for problem in problems:
        print(str(problem), file=sys.stderr)
    if partial:
        return EXIT_OK
    print(
        f"instructeur : {rows} ligne{'s' if rows > 1 else ''} rejetée{'s' if rows > 1 else ''}, "
        "rien n'a été importé ; corrigez le fichier puis relancez",
        file=sys.stderr,
    )
    return EXIT_REJECTED


def import_qpv(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.imports.qpv import QpvImportRejected
    from instructeur.imports.qpv import import_qpv as service

    db = open_existing(args)
    try:
        result = service(db, args.file, args.contrat, dry_run=args.dry_run)
    except QpvImportRejected as exc:
        return _print_rejected(exc.problems)
    finally:
        db.close()
    print(f"{result.contrat} : {result.summary()}", file=out)
    for label, items in (
        ("Mis à jour", result.updated),
        ("Créé", result.created),
        ("Ignoré", result.ignored),
        ("Commune ajoutée", result.communes_created),
    ):
        for item in items:
            print(f"  {label} : {item}", file=out)
    if result.rows_outside:
        print(f"  {result.rows_outside} ligne(s) d'autres territoires ignorée(s)", file=out)
    if result.dry_run:
        print("(simulation : rien n'a été écrit)", file=out)
    return EXIT_OK


def import_modele(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.imports.template import write_template
    from instructeur.imports.value_map import parse_pairs

    financeurs = []
    if args.campagne is not None:
        from instructeur.cli.commands import open_existing
        from instructeur.imports.dossiers import campagne_financeurs

        db = open_existing(args)
        try:
            financeurs = campagne_financeurs(db, args.campagne)
        finally:
            db.close()
    path = write_template(Path(args.output), financeurs, parse_pairs(args.valeur))
    print(f"Modèle d'import écrit : {path}", file=out)
    return EXIT_OK
