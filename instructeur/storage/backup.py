"""Online backup, restore and integrity check.

A backup is always an Instructeur SQLite file, whatever the source engine: from SQLite with the
backup API (consistent while the app is open, WAL included), from PostgreSQL by copying every
table in dependency order. Restoring does the reverse into the open database, in one transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Integer, MetaData, func, select, text

from instructeur.errors import UserError
from instructeur.storage.db import Database, check_sqlite_file, connect
from instructeur.storage.models import Base

BATCH = 2000


def backup_to(db: Database, destination: Path) -> Path:
    destination = destination.expanduser().resolve()
    if not destination.parent.exists():
        raise UserError(f"{destination.parent} : ce dossier n'existe pas")
    if destination.exists():
        raise UserError(f"{destination} : ce fichier existe déjà, choisissez un autre nom")
    tmp = destination.with_name(destination.name + ".partiel")
    tmp.unlink(missing_ok=True)
    try:
        if db.is_sqlite:
            raw = db.engine.raw_connection()
            try:
                target = sqlite3.connect(tmp)
                try:
                    raw.driver_connection.backup(target)  # type: ignore[union-attr]
                finally:
                    target.close()
            finally:
                raw.close()
        else:
            _copy_database(db, tmp)
        tmp.replace(destination)  # a backup appears whole or not at all
    finally:
        tmp.unlink(missing_ok=True)
    return destination


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


def restore_from(db: Database, backup_file: Path) -> None:
    """Replace the content of `db` by the backup (migrated to this version's schema first)."""
    from instructeur.storage.migrate import current_revision, known_revisions, upgrade

    backup_file = backup_file.expanduser().resolve()
    if not backup_file.is_file():
        raise UserError(f"{backup_file} : fichier introuvable")
    check_sqlite_file(backup_file)
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "restauration.sqlite"
        shutil.copyfile(backup_file, work)  # a closed backup file has no WAL: a copy is exact
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
            _copy_rows(source, db)
        finally:
            source.close()


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
    with db.engine.connect() as conn:
        if db.is_sqlite:
            for (line,) in conn.exec_driver_sql("PRAGMA integrity_check").fetchall():
                if line != "ok":
                    report.problems.append(f"intégrité SQLite : {line}")
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
    return report


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
