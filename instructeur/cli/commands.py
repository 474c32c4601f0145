"""Handlers of the core sub-commands: `function(args, out) -> exit code`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from instructeur.domain.money import format_integer
from instructeur.errors import UserError
from instructeur.referentiels import Referentiel
from instructeur.storage.db import Database, open_database
from instructeur.storage.targets import database_from_env


def open_existing(args: argparse.Namespace) -> Database:
    """An existing database: maintenance commands never create one by mistake."""
    target = database_from_env(args.db)
    if "://" not in str(target) and not Path(target).expanduser().exists():
        raise UserError(f"{target} : base introuvable (créez-en une avec « instructeur demo create CHEMIN »)")
    return open_database(target, create_schema=False)  # an empty server base: « instructeur init »


def dossier_ids_from_refs(db: Database, campagne_id: int, refs_text: str | None) -> list[int] | None:
    """`--dossiers REF,REF…` → dossier ids of the campagne (None: no selection, every dossier)."""
    if not refs_text:
        return None
    from sqlalchemy import select

    from instructeur.storage.models import Dossier

    refs = [r.strip() for r in refs_text.split(",") if r.strip()]
    with db.session() as s:
        found = dict(
            s.execute(
                select(Dossier.reference, Dossier.id).where(
                    Dossier.campagne_id == campagne_id, Dossier.reference.in_(refs)
                )
            ).all()
        )
    missing = [r for r in refs if r not in found]
    if missing:
        raise UserError(
            f"--dossiers : références inconnues dans la campagne {campagne_id} : {', '.join(missing)}"
        )
    return [found[r] for r in refs]


def _qpv_summary(r: Referentiel) -> str:
    if not r.qpv:
        return "QPV non nommés dans la source (à saisir ou importer)"
    return f"{len(r.qpv)} QPV, {format_integer(r.population_qpv)} habitants"


def _level_summary(niveaux: tuple[str, ...], counts: list[int]) -> str:
    names = list(niveaux) + [f"niveau {n + 1}" for n in range(len(niveaux), len(counts))]
    return " · ".join(f"{names[n].lower()} : {count}" for n, count in enumerate(counts))


def referentiels_list(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.referentiels import list_referentiels

    refs = list_referentiels()
    width = max(len(r.code) for r in refs)
    for r in refs:
        print(f"{r.code:<{width}}  {r.nom} ({r.periode[0]}–{r.periode[1]})", file=out)
        print(f"{'':<{width}}  {_qpv_summary(r)} · {_level_summary(r.niveaux, r.count_by_level())}", file=out)
    return 0


def referentiels_show(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.referentiels import load_referentiel

    r = load_referentiel(args.name)
    print(f"{r.nom} ({r.periode[0]}–{r.periode[1]})", file=out)
    print(f"{r.contrat_nom} — {r.epci_nom}", file=out)
    print(f"Source : {r.source}", file=out)
    print(f"\nQuartiers prioritaires : {_qpv_summary(r)}", file=out)
    for q in r.qpv:
        pop = f"{format_integer(q.population)} hab." if q.population is not None else "population inconnue"
        print(f"  - {q.nom} ({', '.join(q.communes)}) : {pop}", file=out)
    if r.quartiers:
        print("\nAutres quartiers", file=out)
        for o in r.quartiers:
            communes = f" ({', '.join(o.communes)})" if o.communes else ""
            print(f"  - {o.nom}{communes} : quartier {_QUARTIER_TYPES.get(o.type, o.type)}", file=out)
    print(f"\nCadre stratégique ({' > '.join(r.niveaux)})", file=out)
    for node in r.walk():
        print(f"{'  ' * (node.niveau + 1)}{node.code}. {node.titre}", file=out)
    if r.axes_transversaux:
        print("\nAxes transversaux", file=out)
        for titre in r.axes_transversaux:
            print(f"  - {titre}", file=out)
    if r.signataires:
        print("\nSignataires", file=out)
        for nom in r.signataires:
            print(f"  - {nom}", file=out)
    return 0


_QUARTIER_TYPES = {"veille": "de veille", "vecu": "vécu", "fragile": "fragile", "qpv": "prioritaire"}


def demo_create(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.demo import create_demo
    from instructeur.storage.urls import display_url

    if args.dossiers < 1:
        raise UserError("--dossiers : au moins 1 dossier")
    # --- a server URL is a database, not a folder (Path() would eat its « // »); never its password ---
    is_url = "://" in args.path
    target: str | Path = args.path if is_url else Path(args.path)
    if is_url:
        _require_empty_server(args.path)
    summary = create_demo(target, dossiers=args.dossiers, seed=args.seed, referentiel=args.referentiel)
    where = display_url(args.path) if is_url else str(Path(args.path).resolve())
    # --- end server URL ---
    print(
        f"Base de démonstration créée : {where} — {summary.nb_dossiers} dossiers, "
        f"{summary.nb_porteurs} porteurs, {len(summary.campagne_ids)} campagnes, en {summary.seconds:.1f} s",
        file=out,
    )
    return 0


def _require_empty_server(url: str) -> None:
    """The demo goes only into a server database without any table: a user's data is never mixed."""
    from instructeur.storage.db import connect, is_empty

    db = connect(url)
    try:
        if not is_empty(db):
            raise UserError(
                f"{db.display_name} : cette base n'est pas vide ; la démonstration ne s'installe que "
                "dans une base serveur vide (créez-en une avec « createdb »)"
            )
    finally:
        db.close()


def campagnes_list(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.services.campagnes import CampagneService

    db = open_existing(args)
    try:
        rows = CampagneService(db).all()
    finally:
        db.close()
    if not rows:
        print("Aucune campagne dans cette base.", file=out)
        return 0
    print(f"{'id':>4}  {'contrat':<50}  {'année':>5}  {'dossiers':>8}", file=out)
    for c in rows:
        print(f"{c.id:>4}  {c.contrat[:50]:<50}  {c.annee:>5}  {c.nb_dossiers:>8}", file=out)
    return 0


def backup(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.storage.backup import backup_to

    db = open_existing(args)
    try:
        path = backup_to(db, Path(args.output))
    finally:
        db.close()
    print(f"Sauvegarde écrite : {path}", file=out)
    return 0


def restore(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.paths import backups_dir
    from instructeur.storage.backup import restore_from

    db = open_existing(args)
    try:
        # The backup is checked first; then the current content is kept aside: nothing is lost.
        safety = restore_from(db, Path(args.file), safety_dir=backups_dir())
    finally:
        db.close()
    print(
        f"Base restaurée depuis {Path(args.file).resolve()} (contenu précédent gardé dans {safety})", file=out
    )
    return 0


def open_for_check(args: argparse.Namespace) -> Database:
    """The base as it is: `check` never creates a schema nor migrates (nor creates a file)."""
    from instructeur.storage import migrate
    from instructeur.storage.db import (
        EMPTY_SERVER_HINT,
        EmptyDatabaseError,
        connect,
        empty_database_error,
        is_empty,
    )

    target = database_from_env(args.db)
    if "://" not in str(target):
        path = Path(target).expanduser()
        if not path.exists():
            raise UserError(f"{target} : base introuvable")
        if path.is_file() and path.stat().st_size == 0:  # SQLite would write its header into it
            raise EmptyDatabaseError(f"{target} : base vide : aucune table Instructeur ; {EMPTY_SERVER_HINT}")
    db = connect(target)
    try:
        if is_empty(db):
            raise empty_database_error(db)
        rev, head = migrate.current_revision(db), migrate.head_revision()
        if rev is not None and rev in migrate.known_revisions() and rev != head:
            raise UserError(
                f"{db.display_name} : schéma {rev} : une migration vers {head} est due (rien n'a été "
                "modifié ; ouvrez la base avec l'application ou lancez « instructeur init --db URL »)"
            )
        migrate.ensure_current(db)  # not Instructeur's, or newer than this app
    except BaseException:
        db.close()
        raise
    return db


def check(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.storage.backup import check_database

    db = open_for_check(args)
    try:
        report = check_database(db)
        name = db.display_name
    finally:
        db.close()
    rows = sum(report.counts.values())
    for line in (*report.problems, *report.warnings):
        print(f"{name} : {line}", file=out)
    if not report.ok:
        return 1
    size = f"{rows} lignes, {report.counts.get('dossier', 0)} dossiers"
    if report.warnings:  # intact but suspicious: not « saine », nothing to restore (exit 0)
        print(f"{name} : base intègre ({size}), {len(report.warnings)} avertissement(s)", file=out)
        return 0
    print(f"{name} : base saine ({size})", file=out)
    return 0


def init(args: argparse.Namespace, out: TextIO) -> int:
    """Create the schema in an empty database, or bring an Instructeur one up to date."""
    from instructeur.storage import migrate
    from instructeur.storage.db import connect, is_empty, open_database

    target = database_from_env(args.db)
    probe = connect(target)
    try:
        empty, rev, name = is_empty(probe), migrate.current_revision(probe), probe.display_name
    finally:
        probe.close()
    if not empty and rev is None:
        raise UserError(f"{name} : cette base contient déjà des tables qui ne sont pas d'Instructeur ; rien n'a été créé")
    if rev == migrate.head_revision():
        print(f"{name} : schéma Instructeur déjà à jour ({rev})", file=out)
        return 0
    db = open_database(target)  # empty: creates the schema; older: backup, then migration
    db.close()
    done = "schéma Instructeur créé" if empty else f"schéma mis à jour de {rev} vers {migrate.head_revision()}"
    print(f"{name} : {done}", file=out)
    return 0
