"""Opening a database: SQLite file or PostgreSQL URL, pragmas, session factory.

`open_database()` is the only entry point: it checks that the target really is an Instructeur
database, refuses one written by a newer version, backs it up and migrates it when it is older.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from instructeur.errors import UserError
from instructeur.storage.targets import sqlite_file

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class Database:
    """An open database: engine, session factory and where it lives (for messages and backups)."""

    engine: Engine
    url: URL
    sessions: sessionmaker[Session]

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def path(self) -> Path | None:
        """The file of an SQLite database, None for a server database."""
        return Path(self.url.database) if self.is_sqlite and self.url.database else None

    @property
    def display_name(self) -> str:
        from instructeur.storage.urls import display_url  # the one way to show an address

        return str(self.path) if self.path is not None else display_url(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on error."""
        # --- team mode: a statement refused by the server is one French line ---
        from sqlalchemy.exc import DBAPIError

        from instructeur.errors import privilege_error

        try:
            with self.sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            refused = privilege_error(exc)
            if refused is None:
                raise
            raise refused from exc
        # --- end team mode ---

    def close(self) -> None:
        self.engine.dispose()


def resolve_url(target: str | Path) -> URL:
    """A file path or an SQLAlchemy URL (postgresql://… is taken with the psycopg 3 driver)."""
    text = str(target)
    if (file := sqlite_file(text)) is not None:
        return URL.create("sqlite+pysqlite", database=str(file))
    from instructeur.storage.urls import parse_url  # French refusals, no password shown

    url = parse_url(text)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername == "sqlite":
        url = url.set(drivername="sqlite+pysqlite")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise UserError(
            f"type de base non pris en charge : « {url.get_backend_name()} » (SQLite ou PostgreSQL seulement)"
        )
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")  # off by default in SQLite
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database before SQLite touches it."""
    if path.is_dir():
        raise UserError(f"{path} : c'est un dossier, pas une base de données")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise UserError(
            f"{path} : ce fichier n'est pas une base de données SQLite (fichier corrompu ou d'un autre type)"
        )
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path} : base SQLite illisible ({exc})") from exc


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, connect_args={"connect_timeout": 5}, pool_pre_ping=True)


def connect(target: str | Path) -> Database:
    """Engine and sessions without any schema check (used by migrations and maintenance)."""
    url = resolve_url(target)
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database)
        check_sqlite_file(path)
        if not path.parent.exists():
            raise UserError(f"{path.parent} : ce dossier n'existe pas")
        if not path.exists():  # a new base is private (0600) before SQLite writes anything
            from instructeur.paths import create_private_file

            create_private_file(path)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            inspect(conn).get_table_names()
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        # --- team mode: no password available → ask for it (GUI) or say how (CLI) ---
        from instructeur.errors import password_error

        if (missing := password_error(str(exc.orig or exc), url.username)) is not None:
            raise missing from exc
        # --- end team mode ---
        from instructeur.storage.urls import display_url

        where = display_url(url)
        raise UserError(f"base de données injoignable ({where}) : {reason}") from exc
    except DatabaseError as exc:
        engine.dispose()
        raise UserError(f"{url.database} : base de données illisible ({exc.orig})") from exc
    return Database(engine=engine, url=url, sessions=sessionmaker(engine, expire_on_commit=False))


class EmptyDatabaseError(UserError):
    """A server database without any table: its schema is created only on request (`init`)."""


EMPTY_SERVER_HINT = "créez le schéma avec « instructeur init --db URL »"


def is_empty(db: Database) -> bool:
    with db.engine.connect() as conn:
        return not inspect(conn).get_table_names()


def empty_database_error(db: Database) -> EmptyDatabaseError:
    return EmptyDatabaseError(
        f"{db.display_name} : base vide : aucune table Instructeur ; {EMPTY_SERVER_HINT}"
    )


def open_database(
    target: str | Path,
    *,
    migrate: bool = True,
    backup_dir: Path | None = None,
    create_schema: bool = True,
) -> Database:
    """Open (creating if needed) an Instructeur database and bring its schema to this version.

    `create_schema=False` (the CLI and the GUI): an empty SERVER database is refused with
    `EmptyDatabaseError` instead of receiving the schema by surprise; SQLite files are still
    created, a new file being the user's explicit choice."""
    from instructeur.storage import migrate as migrations

    db = connect(target)
    if not create_schema and not db.is_sqlite and is_empty(db):
        db.close()
        raise empty_database_error(db)
    # --- plausibility ceiling and clean text on every flush (storage/guards.py) ---
    from instructeur.storage import guards

    guards.install(db.sessions)
    # --- end guards ---
    try:
        if migrate:
            migrations.upgrade(db, backup_dir=backup_dir)
        else:
            migrations.ensure_current(db)
    except BaseException:
        db.close()
        raise
    return db
