"""Schema migrations at start-up: guard → online backup → FK off → upgrade → FK check.

The sequence follows anchors_engineering.md P10/P11: a WAL database is backed up with the SQLite
backup API (never a file copy), and SQLite foreign keys are switched off on the migration
connection (outside any transaction) because batch mode recreates tables and ON DELETE CASCADE
would otherwise empty the child tables.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from instructeur.errors import UserError
from instructeur.storage.db import Database
from instructeur.storage.schema_version import MIGRATIONS_DIR, expected_head

# Alembic is imported only when a migration is due (launch speed, issue 12): a current base is
# recognised by one query against `expected_head()` (storage/schema_version.py). If that guess
# ever disagrees, everything falls back to Alembic's own answer: slower, not wrong.
if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)  # the scripts ship with the app: read them once per process
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The head according to the Alembic scripts themselves (imports Alembic)."""
    head = _script().get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def current_revision(db: Database) -> str | None:
    """The schema revision, in one query; None when there is no alembic_version table."""
    with db.engine.connect() as conn:
        try:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # no such table: an empty base, or not Instructeur's
            return None
    if len(rows) != 1:
        return None if not rows else ",".join(sorted(str(r[0]) for r in rows))
    return str(rows[0][0])


def _has_tables(db: Database) -> bool:
    with db.engine.connect() as conn:
        return bool(inspect(conn).get_table_names())


def ensure_current(db: Database) -> None:
    """Refuse a database that is not Instructeur's, is newer than this app, or is not migrated."""
    rev = current_revision(db)
    if rev == expected_head():
        return
    if rev is None:
        if _has_tables(db):
            raise UserError(f"{db.display_name} : cette base de données n'est pas une base Instructeur")
        from instructeur.storage.db import empty_database_error  # the one « instructeur init » message

        raise empty_database_error(db)
    if rev not in known_revisions():
        raise UserError(
            f"{db.display_name} : base créée par une version plus récente d'Instructeur "
            f"(schéma {rev}) ; installez la dernière version de l'application"
        )
    if rev != head_revision():
        raise UserError(
            f"{db.display_name} : schéma {rev} à mettre à jour (ouvrez la base avec l'application)"
        )


def upgrade(db: Database, *, backup_dir: Path | None = None) -> Path | None:
    """Bring the schema to head. Returns the backup made before migrating, if any."""
    rev = current_revision(db)
    if rev == expected_head():
        return None  # current: Alembic is not even imported
    head = head_revision()
    if rev == head:
        return None
    if rev is None and _has_tables(db):
        raise UserError(f"{db.display_name} : cette base de données n'est pas une base Instructeur")
    if rev is not None and rev not in known_revisions():
        raise UserError(
            f"{db.display_name} : base créée par une version plus récente d'Instructeur "
            f"(schéma {rev}) ; installez la dernière version de l'application"
        )
    backup_file = None
    if rev is not None:  # an existing database: keep a copy of it before touching the schema
        from instructeur.paths import backups_dir
        from instructeur.storage.backup import backup_to

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup_file = (backup_dir or backups_dir()) / f"instructeur_{stamp}_avant_{head}.sqlite"
        backup_to(db, backup_file)
    _run_upgrade(db)
    return backup_file


def _run_upgrade(db: Database) -> None:
    with db.engine.connect() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, see module doc
            conn.commit()
        from alembic import command

        # --- team mode (H10): the évaluateur's views list the columns (storage/roles_evaluateur.py) ---
        views = False
        if not db.is_sqlite:
            from instructeur.storage import roles_evaluateur

            views = roles_evaluateur.drop_views(conn)
        command.upgrade(alembic_config(conn), "head")
        if views:
            roles_evaluateur.recreate_views(conn)
        # --- end team mode ---
        conn.commit()
        if db.is_sqlite:
            problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            if problems:
                raise UserError(
                    f"{db.display_name} : la migration a laissé {len(problems)} références cassées"
                )


def schema_differences(db: Database) -> list[object]:
    """What the models have that the migrations do not create (empty when they agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from instructeur.storage.models import Base

    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return list(compare_metadata(ctx, Base.metadata))


def main(argv: list[str] | None = None) -> int:
    """Developer tool: `python -m instructeur.storage.migrate revision "message"` autogenerates
    a revision against a temporary database migrated to head."""
    import tempfile

    from instructeur.storage.db import connect

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "revision":
        print('usage : python -m instructeur.storage.migrate revision "message"')
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "gen.sqlite")
        if known_revisions():
            _run_upgrade(db)
        with db.engine.connect() as conn:
            from alembic import command

            command.revision(alembic_config(conn), message=args[1], autogenerate=True)
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
