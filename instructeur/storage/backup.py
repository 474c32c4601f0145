"""Online backup, restore and integrity check.

A backup is always an Instructeur SQLite file, whatever the source engine: from SQLite with the
backup API (consistent while the app is open, WAL included), from PostgreSQL by copying every
table in dependency order. Restoring does the reverse into the open database, in one transaction.

Corrupt sources are refused before anything is written. On SQLite the source base gets
`PRAGMA quick_check` before a backup and a backup file gets the full `PRAGMA integrity_check`
before a restore (one French line: « sauvegarde refusée : la base X est endommagée (…) »). On
PostgreSQL there is no such pragma (amcheck needs an extension and a superuser): the server
refuses to read a damaged page itself (and verifies checksums when the cluster has them), and
the copy reads every row, so a damaged source stops the backup with its error. Every written
backup file is checked (`quick_check`) before it takes its name. Files are created 0600
(`paths.create_private_file`); a failed or refused backup leaves no partial file, and a
refused restore writes no safety copy and changes nothing.
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Integer, MetaData, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from instructeur.errors import UserError
from instructeur.paths import create_private_file
from instructeur.storage.db import Database, check_sqlite_file, connect
from instructeur.storage.models import Base

BATCH = 2000
_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def _sqlite_problem(conn: sqlite3.Connection, pragma: str) -> str | None:
    """The first lines of `PRAGMA quick_check|integrity_check`, or None when it says « ok »."""
    try:
        rows = [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}(20)").fetchall()]
    except sqlite3.DatabaseError as exc:  # « database disk image is malformed » before any row
        return str(exc)
    if rows == ["ok"]:
        return None
    # One line for the user: the first problems, without SQLite's « *** in database main *** ».
    lines = [ln.strip() for row in rows for ln in row.splitlines() if ln.strip() and "***" not in ln]
    more = " ; …" if len(lines) > 3 else ""
    return " ; ".join(lines[:3]) + more


def file_problem(path: Path, pragma: str = "integrity_check") -> str | None:
    """What is wrong with the SQLite file at `path` (read-only), None when it is intact."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _sqlite_problem(con, pragma)
    finally:
        con.close()


def source_problem(db: Database) -> str | None:
    """`quick_check` of an open SQLite base (None on PostgreSQL: see the module docstring)."""
    if not db.is_sqlite:
        return None
    raw = db.engine.raw_connection()
    try:
        return _sqlite_problem(raw.driver_connection, "quick_check")  # type: ignore[arg-type]
    finally:
        raw.close()


def _write_failure(exc: BaseException, destination: Path) -> UserError | None:
    """A full disk or a folder one may not write to, as one French line; None for anything else."""
    from instructeur.errors import system_error

    orig = getattr(exc, "orig", None) or exc
    text_ = str(orig)
    if isinstance(orig, OSError) and orig.errno in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text_:
        return UserError(f"disque plein : {destination} (libérez de la place ; rien n'a été écrit)")
    if (
        isinstance(orig, OSError)
        and orig.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
        or (isinstance(orig, sqlite3.Error) and ("readonly" in text_ or "unable to open" in text_))
    ):
        return UserError(
            f"écriture impossible dans {destination.parent} (dossier en lecture seule ou interdit)"
        )
    return system_error(exc)


def _sqlite_target(path: Path) -> sqlite3.Connection:
    """The connection a SQLite backup is written through (a seam the full-disk test narrows)."""
    return sqlite3.connect(path)


def _write(db: Database, tmp: Path) -> None:
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            target = _sqlite_target(tmp)
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
            finally:
                target.close()
        finally:
            raw.close()
    else:
        _copy_database(db, tmp)


def backup_to(db: Database, destination: Path) -> Path:
    """A new 0600 SQLite file holding the whole base; refuses a corrupt source (UserError)."""
    destination = destination.expanduser().resolve()
    if not destination.parent.exists():
        raise UserError(f"{destination.parent} : ce dossier n'existe pas")
    if destination.exists():
        raise UserError(f"{destination} : ce fichier existe déjà, choisissez un autre nom")
    if (problem := source_problem(db)) is not None:
        raise UserError(
            f"sauvegarde refusée : la base {db.display_name} est endommagée (quick_check : {problem})"
        )
    tmp = destination.with_name(destination.name + ".partiel")
    _remove(tmp)
    try:
        create_private_file(tmp)
        _write(db, tmp)
        _close_journal(tmp)
        if (problem := file_problem(tmp, "quick_check")) is not None:
            raise UserError(f"sauvegarde refusée : la copie écrite est endommagée (quick_check : {problem})")
        tmp.replace(destination)  # a backup appears whole or not at all
    except (OSError, sqlite3.Error, SQLAlchemyError) as exc:
        if (refused := _write_failure(exc, destination)) is None:
            raise
        raise UserError(f"sauvegarde impossible : {refused.message}") from exc
    finally:
        _remove(tmp)
    return destination


def _close_journal(path: Path) -> None:
    """A backup in rollback-journal mode: reading it later (even read-only) leaves no -wal/-shm."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=DELETE").fetchone()
    finally:
        con.close()


def _remove(path: Path) -> None:
    for suffix in ("", *_SQLITE_SIDE_FILES):
        side = Path(f"{path}{suffix}")
        if side.exists():  # unlink raises EROFS on a read-only file system even for a missing file
            side.unlink(missing_ok=True)


def _copy_database(source: Database, path: Path) -> None:
    """A server database into a new SQLite file at the same schema revision (not head: a backup
    taken before a migration must hold the old schema)."""
    from alembic import command

    from instructeur.storage.migrate import alembic_config, current_revision

    revision = current_revision(source)
    target = connect(path)
    try:
        if revision is not None:
            with target.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                conn.commit()
                command.upgrade(alembic_config(conn), revision)
                conn.commit()
        _copy_rows(source, target)
    finally:
        target.close()


def _copy_rows(source: Database, target: Database) -> None:
    """Replace every row of `target` by those of `source`, in one transaction. Both schemas are
    reflected, so this works whatever revision they share (backups before a migration)."""
    with source.engine.connect() as src, target.engine.begin() as dst:
        src_meta, dst_meta = MetaData(), MetaData()
        src_meta.reflect(bind=src)
        dst_meta.reflect(bind=dst)
        tables = [
            t for t in dst_meta.sorted_tables if t.name in src_meta.tables and t.name != "alembic_version"
        ]
        if target.is_sqlite:
            dst.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        else:  # --- journal: the owner's restore brings the backup's journal, the triggers stay quiet ---
            dst.exec_driver_sql("SET LOCAL instructeur.restauration = 'on'")
        for table in reversed(tables):
            dst.execute(table.delete())
        for table in tables:
            origin = src_meta.tables[table.name]
            columns = [origin.c[c.name] for c in table.columns if c.name in origin.c]
            query = select(*columns).order_by(*origin.primary_key.columns)
            result = src.execution_options(yield_per=BATCH).execute(query)
            for chunk in result.partitions(BATCH):
                dst.execute(table.insert(), [dict(row._mapping) for row in chunk])
        if target.url.get_backend_name() == "postgresql":
            for table in tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and isinstance(pk[0].type, Integer):
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                            f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"
                        )
                    )


def restore_from(db: Database, backup_file: Path, *, safety_dir: Path | None = None) -> Path | None:
    """Replace the content of `db` by the backup (migrated to this version's schema first).

    Order: the backup is read and checked (`integrity_check`, revision) in a private temporary
    copy; only then is the current content kept aside in `safety_dir` (returned); then the rows
    are replaced in one transaction and a journal line says what was restored, from where, by
    whom. Any refusal before the copy leaves no safety copy and changes nothing."""
    import tempfile

    from instructeur.storage.migrate import current_revision, known_revisions, upgrade

    backup_file = backup_file.expanduser().resolve()
    if not backup_file.is_file():
        raise UserError(f"{backup_file} : fichier introuvable")
    check_sqlite_file(backup_file)
    with tempfile.TemporaryDirectory() as tmp:  # 0700
        work = Path(tmp) / "restauration.sqlite"
        try:
            create_private_file(work)
            work.write_bytes(backup_file.read_bytes())  # a closed backup has no WAL: a copy is exact
        except OSError as exc:
            refused = _write_failure(exc, work)
            if refused is None:
                raise
            raise UserError(f"restauration refusée : {refused.message}") from exc
        if (problem := file_problem(work)) is not None:
            raise UserError(
                f"restauration refusée : la sauvegarde {backup_file} est endommagée (integrity_check : {problem})"
            )
        source = connect(work)
        try:
            rev = current_revision(source)
            if rev is None:
                raise UserError(f"{backup_file} : ce fichier n'est pas une sauvegarde Instructeur")
            if rev not in known_revisions():
                raise UserError(
                    f"{backup_file} : sauvegarde d'une version plus récente d'Instructeur (schéma {rev})"
                )
            upgrade(source, backup_dir=Path(tmp))
            safety = _safety_copy(db, safety_dir)
            try:
                _copy_rows(source, db)
            except BaseException:
                if safety is not None:  # nothing changed: the copy kept aside is not needed
                    _remove(safety)
                raise
        finally:
            source.close()
    _journal_restore(db, backup_file, safety, rev)
    return safety


def _safety_copy(db: Database, folder: Path | None) -> Path | None:
    if folder is None:
        return None
    name = f"instructeur_{datetime.now():%Y%m%dT%H%M%S}_avant_restauration.sqlite"
    try:
        return backup_to(db, folder / name)
    except UserError as exc:
        raise UserError(f"restauration refusée : copie de sécurité impossible : {exc.message}") from exc


def _journal_restore(db: Database, backup_file: Path, safety: Path | None, revision: str) -> None:
    """The journal line of a restore, written on the restored content (through audit.record)."""
    from instructeur.services import audit

    with db.session() as s:
        user = audit.current_user()
        if not db.is_sqlite:  # the server's login, not a name the client chooses
            user = str(s.scalar(text("SELECT session_user")))
        audit.record(
            s,
            user,
            "base",
            0,
            "restore",
            {
                "fichier": str(backup_file),
                "copie_de_securite": str(safety) if safety else None,
                "schema_sauvegarde": revision,
            },
        )


@dataclass
class CheckReport:
    """`problems` break the base (exit 1); `warnings` are coherent but suspicious content, such
    as an interrupted creation (reported, not called « saine », exit 0: nothing to restore)."""

    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(db: Database) -> CheckReport:
    """Integrity (SQLite), orphan references (both engines), schema revision."""
    from instructeur.storage.migrate import current_revision, head_revision

    report = CheckReport()
    rev = current_revision(db)
    if rev != head_revision():
        report.problems.append(f"schéma {rev} au lieu de {head_revision()}")
    # --- a damaged SQLite file: said in one line, and nothing else is read from it ---
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            damage = _sqlite_problem(raw.driver_connection, "integrity_check")  # type: ignore[arg-type]
        finally:
            raw.close()
        if damage is not None:
            report.problems.append(f"base endommagée (integrity_check : {damage}) ; restaurez une sauvegarde")
            return report
    # --- end damaged file ---
    with db.engine.connect() as conn:
        if db.is_sqlite:
            for row in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall():
                report.problems.append(
                    f"table {row[0]}, ligne {row[1]} : référence vers {row[2]} introuvable"
                )
        for table in Base.metadata.sorted_tables:
            report.counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
            if db.is_sqlite:
                continue  # foreign_key_check above already covers it
            for fk in table.foreign_keys:
                parent = fk.column.table.alias("parent")  # aliased: some tables refer to themselves
                child_col = fk.parent
                orphans = conn.execute(
                    select(func.count())
                    .select_from(table)
                    .where(child_col.is_not(None))
                    .where(~select(parent).where(parent.c[fk.column.name] == child_col).exists())
                ).scalar_one()
                if orphans:
                    report.problems.append(
                        f"table {table.name} : {orphans} référence(s) {child_col.name} vers {fk.column.table.name} introuvable(s)"
                    )
        report.warnings.extend(_empty_contrats(conn))
        report.problems.extend(_notes_out_of_rule(conn))
        # --- journal hash chain (storage/journal_chain.py) ---
        if rev == head_revision():
            from instructeur.storage.journal_chain import problem

            if (journal := problem(conn)) is not None:
                report.problems.append(journal)
        # --- end journal ---
    return report


def _notes_out_of_rule(conn: Connection) -> list[str]:
    """Notes outside their critère's scale or on another grille than their évaluation's: the
    triggers of migration 0008 refuse new ones, rows written before it are counted here."""
    from instructeur.storage.models import Critere, Evaluation, Note

    count = conn.execute(
        select(func.count())
        .select_from(Note)
        .join(Critere, Critere.id == Note.critere_id)
        .join(Evaluation, Evaluation.id == Note.evaluation_id)
        .where(
            (Note.valeur < Critere.echelle_min)
            | (Note.valeur > Critere.echelle_max)
            | (Critere.grille_id != Evaluation.grille_id)
        )
    ).scalar_one()
    if not count:
        return []
    return [
        f"{count} note(s) hors de l'échelle de leur critère ou d'une autre grille que celle de leur évaluation"
    ]


def _empty_contrats(conn: Connection) -> list[str]:
    """A contrat whose campagnes hold no dossier at all: what an interrupted creation leaves."""
    from instructeur.storage.models import Campagne, Contrat, Dossier

    rows = conn.execute(
        select(Contrat.nom, func.count(func.distinct(Campagne.id)), func.count(Dossier.id))
        .join(Campagne, Campagne.contrat_id == Contrat.id)
        .outerjoin(Dossier, Dossier.campagne_id == Campagne.id)
        .group_by(Contrat.id, Contrat.nom)
        .having(func.count(Dossier.id) == 0)
        .order_by(Contrat.id)
    ).all()
    return [
        f"avertissement : contrat {nom} : {n} campagne(s) sans aucun dossier — création interrompue ?"
        for nom, n, _ in rows
    ]
