"""`insert_rows` on both engines: ids in the rows' order, column defaults filled as SQLAlchemy would,
a too-long text refused (never cut by the PostgreSQL cast), one statement on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError

from instructeur.storage.bulk_insert import insert_rows
from instructeur.storage.db import Database
from instructeur.storage.models import Porteur


def _rows(n: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"raison_sociale": f"Association {n - i}", "siret": None, **extra} for i in range(n)]


def test_ids_follow_the_rows_and_defaults_are_filled(db: Database) -> None:
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with db.session() as s:
        ids = insert_rows(s, Porteur.__table__, _rows(300))
    assert len(ids) == 300 and len(set(ids)) == 300
    inserts = [x for x in statements if x.lstrip().upper().startswith("INSERT INTO PORTEUR")]
    if db.engine.dialect.name == "postgresql":
        assert len(inserts) == 1  # one statement: the journal's statement triggers fire once
    with db.session() as s:
        got = {p.id: p for p in s.scalars(select(Porteur).where(Porteur.id.in_(ids)))}
        assert [got[i].raison_sociale for i in ids] == [f"Association {300 - i}" for i in range(300)]
        first = got[ids[0]]
        assert first.version == 1 and first.updated_at is not None and first.siret is None  # defaults


def test_without_ids_returns_nothing_but_inserts(db: Database) -> None:
    with db.session() as s:
        assert insert_rows(s, Porteur.__table__, _rows(3), ids=False) == []
        assert insert_rows(s, Porteur.__table__, []) == []
    with db.session() as s:
        assert len(s.scalars(select(Porteur)).all()) == 3


@pytest.mark.parametrize("length", [300, 301])
def test_too_long_text_is_refused_not_cut(db: Database, length: int) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths (guards.check_rows does, before)")
    if length == 300:
        with db.session() as s:
            insert_rows(s, Porteur.__table__, [{"raison_sociale": "x" * length, "siret": None}])
        return
    with pytest.raises(DBAPIError), db.session() as s:
        insert_rows(s, Porteur.__table__, [{"raison_sociale": "x" * length, "siret": None}])
