"""Référentiels and cadres as files another territory can load.

* `instructeur referentiels liste` (= `list`);
* `instructeur referentiels exporter NOM -o FICHIER.json` — a shipped or imported référentiel, or
  `--contrat NOM|ID` a contrat of the base (`--code` names the exported référentiel);
* `instructeur referentiels importer FICHIER.json [--remplacer]` — validated, then offered by the
  new-contrat wizard and `instructeur setup` like the shipped ones;
* `instructeur cadre exporter -o FICHIER.xlsx [--contrat …] [--classification CODE]` and
  `instructeur cadre importer FICHIER.xlsx [--contrat …] [--classification CODE]` — one row per node
  (Code, Niveau, Intitulé, Parent), merged by code.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from instructeur.errors import UserError

if TYPE_CHECKING:
    from instructeur.storage.db import Database

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction


def register_referentiels(ref_sub: SubParsers) -> None:
    """Adds to `instructeur referentiels` (created in cli/main.py)."""
    from instructeur.cli import commands

    ref_sub.add_parser("liste", help="liste les référentiels (livrés et importés)").set_defaults(
        handler=commands.referentiels_list
    )
    exp = ref_sub.add_parser("exporter", help="écrit un référentiel (ou un contrat de la base) dans un fichier JSON")
    exp.add_argument("name", metavar="NOM", nargs="?", help="code ou nom d'un référentiel livré ou importé")
    exp.add_argument("--contrat", metavar="NOM|ID", help="exporte ce contrat de la base au lieu d'un référentiel")
    exp.add_argument("--code", metavar="CODE", help="code du référentiel exporté (défaut : tiré du nom du contrat)")
    exp.add_argument("-o", "--output", required=True, metavar="FICHIER")
    exp.set_defaults(handler=referentiels_exporter)
    imp = ref_sub.add_parser("importer", help="ajoute un référentiel (fichier JSON) à ceux que propose l'application")
    imp.add_argument("file", metavar="FICHIER")
    imp.add_argument("--remplacer", action="store_true", help="remplace un référentiel importé du même code")
    imp.set_defaults(handler=referentiels_importer)


def register(sub: SubParsers) -> None:
    from instructeur.cli.main import FrenchArgumentParser

    parser = sub.add_parser("cadre", help="cadre stratégique d'un contrat en classeur xlsx")
    actions = cast(
        SubParsers,
        parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser),
    )
    exp = actions.add_parser("exporter", help="écrit le cadre (une ligne par nœud) dans un classeur xlsx")
    exp.add_argument("-o", "--output", required=True, metavar="FICHIER")
    imp = actions.add_parser("importer", help="remplace le cadre par celui du classeur (fusion par code)")
    imp.add_argument("file", metavar="FICHIER")
    for p, handler in ((exp, cadre_exporter), (imp, cadre_importer)):
        p.add_argument("--contrat", metavar="NOM|ID", help="contrat (facultatif si la base n'en a qu'un)")
        p.add_argument("--classification", metavar="CODE", help="une classification transversale au lieu du cadre")
        p.set_defaults(handler=handler)


def referentiels_exporter(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.referentiel_io import to_dict, write_json

    output = Path(args.output)
    if args.contrat:
        from instructeur.services.referentiel_export import contrat_to_dict, find_contrat

        db = _open(args)
        try:
            data = contrat_to_dict(db, find_contrat(db, args.contrat), args.code)
        finally:
            db.close()
    elif args.name:
        from instructeur.referentiels import load_referentiel

        data = to_dict(load_referentiel(args.name))
        if args.code:
            data["code"] = args.code
    else:
        raise UserError("indiquez le référentiel à exporter (NOM) ou --contrat NOM")
    write_json(data, output)
    print(f"Référentiel « {data['code']} » écrit dans {output}", file=out)
    return 0


def referentiels_importer(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.referentiel_io import import_file

    ref = import_file(Path(args.file), remplacer=args.remplacer)
    nodes = sum(1 for _ in ref.walk())
    extra = f", {len(ref.classifications)} classification(s)" if ref.classifications else ""
    print(
        f"Référentiel « {ref.code} » importé : {ref.nom} ({ref.periode[0]}–{ref.periode[1]}), "
        f"{len(ref.qpv)} QPV, {nodes} nœuds de cadre{extra}. Il est proposé à la création d'un contrat.",
        file=out,
    )
    return 0


def _open(args: argparse.Namespace) -> Database:
    from instructeur.cli.commands import open_existing

    return open_existing(args)


def _target(db: Database, args: argparse.Namespace) -> tuple[int, int | None]:
    """(contrat id, classification id or None) named by --contrat / --classification."""
    from instructeur.services.classifications import ClassificationService
    from instructeur.services.contrats import ContratService
    from instructeur.services.referentiel_export import find_contrat

    if args.contrat:
        contrat_id = find_contrat(db, args.contrat)
    else:
        contrats = ContratService(db).all()
        if len(contrats) != 1:
            noms = ", ".join(f"« {c.nom} »" for c in contrats) or "aucun"
            raise UserError(f"--contrat : la base a {len(contrats)} contrats, précisez lequel ({noms})")
        contrat_id = contrats[0].id
    if not args.classification:
        return contrat_id, None
    rows = ClassificationService(db).classifications(contrat_id)
    for k in rows:
        if k.code.casefold() == args.classification.strip().casefold():
            return contrat_id, k.id
    codes = ", ".join(k.code for k in rows) or "aucune"
    raise UserError(f"--classification : « {args.classification} » inconnue (classifications : {codes})")


def cadre_exporter(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.services.cadre_fichier import export_xlsx

    db = _open(args)
    try:
        contrat_id, classification_id = _target(db, args)
        n = export_xlsx(db, contrat_id, classification_id, Path(args.output))
    finally:
        db.close()
    print(f"{n} nœud{'s' if n > 1 else ''} écrit{'s' if n > 1 else ''} dans {args.output}", file=out)
    return 0


def cadre_importer(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.services.cadre_fichier import import_xlsx

    db = _open(args)
    try:
        contrat_id, classification_id = _target(db, args)
        r = import_xlsx(db, contrat_id, classification_id, Path(args.file))
    finally:
        db.close()
    print(f"Cadre importé : {r.ajoutes} ajouté(s), {r.modifies} modifié(s), {r.supprimes} supprimé(s)", file=out)
    return 0
