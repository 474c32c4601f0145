"""The ``engine_url`` fixture gives a working, empty database on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa


def test_engine_url_round_trip(engine_url: str) -> None:
    engine = sa.create_engine(engine_url)
    try:
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == [], "the database must start empty"

        metadata = sa.MetaData()
        note = sa.Table(
            "note",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("texte", sa.String(200), nullable=False),
        )
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(note), [{"texte": "Évaluée à 14,5 € — «ok»"}])
        with engine.connect() as conn:
            rows = conn.execute(sa.select(note.c.id, note.c.texte)).all()
        assert [tuple(r) for r in rows] == [(1, "Évaluée à 14,5 € — «ok»")]

        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                version_num = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one())
                encoding = conn.execute(sa.text("SHOW server_encoding")).scalar_one()
            assert version_num >= 150000, version_num
            assert encoding == "UTF8"
        else:
            assert engine.dialect.name == "sqlite"
    finally:
        engine.dispose()
