"""What the main window shows first, read with `sqlite3` before SQLAlchemy is imported.

Launch speed (issue 12): importing SQLAlchemy and declaring the models takes longer than the
whole bare PySide6 window. On an SQLite file whose schema is current, the window paints the
campagnes and the default campagne's list from this reading, with the statements the services run
(`dossier_list.py`), then opens the base as usual and completes itself (filter choices, scores,
rights). Anything else (a URL, a missing or foreign file, a migration due, an unreadable base, no
campagne) gives None: the usual opening then says what is wrong, in French, or migrates.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from instructeur.services.dossier_list import (
    CampagneRow,
    DossierRow,
    campagne_rows,
    default_campagne,
    dossier_rows,
)
from instructeur.storage.schema_version import expected_head
from instructeur.storage.targets import sqlite_file


@dataclass(frozen=True)
class FirstPaint:
    path: Path  # the base, named as `Database.display_name` names it
    campagnes: list[CampagneRow]
    campagne: CampagneRow  # the one shown: `default_campagne`
    rows: list[DossierRow]  # its dossiers, without the scores (filled once the base is open)

    @property
    def display_name(self) -> str:
        return str(self.path)


def read_first_paint(target: str | Path) -> FirstPaint | None:
    """The first paint of an SQLite base with a current schema and a campagne, else None."""
    path = sqlite_file(target)
    if path is None or not path.is_file():
        return None
    try:
        con = sqlite3.connect(path, timeout=5)
    except sqlite3.Error:
        return None
    try:
        return _read(con, path)
    except sqlite3.Error:  # not a database, a foreign one, locked: the usual opening explains
        return None
    finally:
        con.close()


def _read(con: sqlite3.Connection, path: Path) -> FirstPaint | None:
    if con.execute("SELECT version_num FROM alembic_version").fetchall() != [(expected_head(),)]:
        return None  # a migration is due, or not Instructeur's: the usual opening handles it

    def execute(sql: str, params: dict[str, Any]) -> list[Any]:
        return con.execute(sql, params).fetchall()

    campagnes = campagne_rows(execute)
    campagne = default_campagne(campagnes)
    if campagne is None:
        return None  # the empty states read the contrats: the usual opening
    return FirstPaint(path, campagnes, campagne, dossier_rows(execute, campagne.id))
