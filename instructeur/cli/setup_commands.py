"""Setting up one's own contrat and campagne from the command line.

* `instructeur contrats create --referentiel NOM [--nom …] [--vide]` and `instructeur contrats list`;
* `instructeur campagnes create --contrat ID --annee 2027 [--libelle …] [--enveloppe CODE=MONTANT …]`;
* `instructeur campagnes create --depuis ID --annee 2027` (copy: enveloppes, recevabilité, grille,
  cotation F/H).

`register(sub)` adds them (listed in `cli.main.build_parser`); `campagnes create` joins the
existing `campagnes` command.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO, cast

from instructeur.errors import UserError, ValidationError

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction


def register(sub: SubParsers) -> None:
    from instructeur.cli.main import FrenchArgumentParser

    parser = sub.add_parser("contrats", help="contrats de ville de la base")
    actions = cast(
        SubParsers,
        parser.add_subparsers(
            dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
        ),
    )
    create = actions.add_parser(
        "create",
        help="crée un contrat à partir d'un référentiel livré (QPV, cadre stratégique, signataires)",
        description="Crée un contrat de ville ; ses financeurs sont proposés d'après les signataires du "
        "référentiel (État, EPCI, communes, Département, Région, CAF, bailleurs…), ou les financeurs "
        "habituels pour un contrat vide, modifiables ensuite dans Paramètres.",
    )
    source = create.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--referentiel", metavar="NOM", help="code ou nom d'un référentiel (voir « referentiels list »)"
    )
    source.add_argument("--vide", action="store_true", help="contrat vide : quartiers et cadre à saisir")
    create.add_argument("--nom", metavar="NOM", help="nom du contrat (défaut : celui du référentiel)")
    create.add_argument("--epci", metavar="NOM", default="", help="nom de l'EPCI (contrat vide)")
    create.set_defaults(handler=contrats_create)
    actions.add_parser("list", help="liste les contrats").set_defaults(handler=contrats_list)

    campagnes = sub.choices["campagnes"]
    camp_actions = next(a for a in campagnes._actions if isinstance(a, argparse._SubParsersAction))
    camp = camp_actions.add_parser(
        "create",
        help="crée une campagne (appel à projets), vide ou copiée d'une autre",
        description="Crée une campagne d'un contrat, ou la copie d'une campagne existante (--depuis) : "
        "enveloppes, liste de recevabilité, grille d'analyse et cotation F/H reprises.",
    )
    origin = camp.add_mutually_exclusive_group(required=True)
    origin.add_argument("--contrat", type=int, metavar="ID", help="contrat de la nouvelle campagne")
    origin.add_argument("--depuis", type=int, metavar="ID", help="campagne à copier")
    camp.add_argument("--annee", type=int, required=True, metavar="AAAA")
    camp.add_argument("--libelle", metavar="TEXTE", help="défaut : « Appel à projets »")
    camp.add_argument(
        "--enveloppe",
        action="append",
        default=[],
        metavar="CODE=MONTANT",
        help="enveloppe d'un financeur, par ex. « ETAT=150 000 » (répétable)",
    )
    camp.set_defaults(handler=campagnes_create)


def contrats_create(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.referentiels import load_referentiel
    from instructeur.services.contrats import ContratService, default_financeurs
    from instructeur.services.financeurs import financeurs_from_signataires
    from instructeur.storage.db import open_database
    from instructeur.storage.targets import database_from_env

    ref = load_referentiel(args.referentiel) if args.referentiel else None  # before opening the base
    # the first contrat may start a new SQLite file; an empty server base needs « instructeur init »
    db = open_database(database_from_env(args.db), create_schema=False)
    try:
        service = ContratService(db)
        if ref is not None:
            proposed = financeurs_from_signataires(ref.signataires_detail(), ref.epci_nom)
            contrat_id = service.create_from_referentiel(ref, proposed, args.nom)
        else:
            if not args.nom:
                raise UserError("contrat vide : donnez son nom avec --nom")
            contrat_id = service.create_empty(
                args.nom, epci_nom=args.epci, financeurs=default_financeurs(args.epci)
            )
        row = service.get(contrat_id)
        n_quartiers = len(service.quartiers(contrat_id))
        n_objectifs = service.count_objectifs(contrat_id)
        codes = ", ".join(f.code for f in service.financeurs(contrat_id))
    finally:
        db.close()
    print(f"Contrat créé : {row.id} — {row.nom} ({row.periode[0]}–{row.periode[1]})", file=out)
    print(
        f"  {n_quartiers} quartiers, {n_objectifs} objectifs, financeurs {codes}",
        file=out,
    )
    print(f"  Campagne : instructeur campagnes create --contrat {row.id} --annee AAAA", file=out)
    return 0


def contrats_list(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.services.campagnes import CampagneService
    from instructeur.services.contrats import ContratService

    db = open_existing(args)
    try:
        rows = ContratService(db).all()
        campagnes = CampagneService(db).all()
    finally:
        db.close()
    if not rows:
        print("Aucun contrat dans cette base (créez-en un avec « instructeur contrats create »).", file=out)
        return 0
    print(f"{'id':>4}  {'contrat':<50}  {'période':<9}  {'campagnes':>9}", file=out)
    for c in rows:
        n = sum(1 for k in campagnes if k.contrat_id == c.id)
        print(f"{c.id:>4}  {c.nom[:50]:<50}  {c.periode[0]}-{c.periode[1]}  {n:>9}", file=out)
    return 0


def parse_enveloppes(
    specs: list[str], codes: dict[str, int], ceiling_cents: int | None = None
) -> dict[int, int]:
    """« ETAT=150 000 » → {financeur id: cents}; every problem listed (ValidationError)."""
    from instructeur.domain.money import (
        AMOUNT_CEILING_DEFAULT_CENTS,
        AmountError,
        ceiling_problem,
        parse_amount,
    )

    ceiling = AMOUNT_CEILING_DEFAULT_CENTS if ceiling_cents is None else ceiling_cents

    problems: list[str] = []
    result: dict[int, int] = {}
    for spec in specs:
        code, sep, amount = spec.partition("=")
        code = code.strip().upper()
        if not sep or not code:
            problems.append(f"enveloppe « {spec} » : attendu CODE=MONTANT, par ex. ETAT=150000")
            continue
        if code not in codes:
            known = ", ".join(codes) or "aucun"
            problems.append(
                f"enveloppe « {spec} » : financeur {code} inconnu (financeurs du contrat : {known})"
            )
            continue
        try:
            cents = parse_amount(amount)
        except AmountError as exc:
            problems.append(f"enveloppe {code} : {exc.message}")
            continue
        if cents < 0:
            problems.append(f"enveloppe {code} : le montant ne peut pas être négatif")
            continue
        too_high = ceiling_problem(cents, ceiling, f"enveloppe {code}")
        if too_high is not None:
            problems.append(too_high)
            continue
        result[codes[code]] = cents
    if problems:
        raise ValidationError(problems)
    return result


def campagnes_create(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_existing
    from instructeur.domain.money import format_amount
    from instructeur.services.campagnes import CampagneService
    from instructeur.services.contrats import ContratService
    from instructeur.services.plafond import PlafondService

    db = open_existing(args)
    try:
        campagnes = CampagneService(db)
        if args.depuis is not None:
            source = campagnes.get(args.depuis)
            contrat_id = source.contrat_id
        else:
            contrat_id = ContratService(db).get(args.contrat).id
        codes = {f.code: f.id for f in ContratService(db).financeurs(contrat_id)}
        enveloppes = parse_enveloppes(args.enveloppe, codes, PlafondService(db).get())
        if args.depuis is not None:
            campagne_id = campagnes.copy_from(args.depuis, args.annee, libelle=args.libelle)
            if enveloppes:
                campagnes.save_enveloppes(campagne_id, enveloppes)
        else:
            campagne_id = campagnes.create_checked(
                contrat_id, args.annee, libelle=args.libelle or "Appel à projets", enveloppes=enveloppes
            )
        row = campagnes.get(campagne_id)
        envs = campagnes.enveloppes(campagne_id)
    finally:
        db.close()
    origin = f" (copie de la campagne {args.depuis})" if args.depuis is not None else ""
    print(f"Campagne créée : {row.id} — {row.libelle} {row.annee}{origin}", file=out)
    for e in envs:
        print(f"  enveloppe {e.financeur_code} : {format_amount(e.montant_cents)}", file=out)
    return 0
