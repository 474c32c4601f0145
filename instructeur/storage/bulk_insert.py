"""Insert many rows in a few statements, past the unit of work (callers run `guards.check_rows` first).

PostgreSQL: ONE `INSERT … SELECT … FROM unnest(<one array per column>)` per table. SQLAlchemy's
« insertmanyvalues » would send batches of 1 000 `VALUES (…), (…)` rows whose text psycopg 3
re-parses in Python for every batch (too long for its query cache: a third of a 20 000-dossier
import), and each statement fires the journal's per-statement triggers (migration 0006) once.
The arrays go in psycopg's BINARY format (`%b`, on the session's own connection and transaction):
its text format spells every element out in Python, five times slower (1.3 s of a 20 000-row import).
Elsewhere (SQLite), and for rows whose keys differ or a column default that is not a plain value,
SQLAlchemy's own `insert(table)` with RETURNING (so that it batches too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, String, Table, Text, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

__all__ = ["insert_rows"]


def insert_rows(
    s: Session | Connection, table: Table, rows: Sequence[Mapping[str, Any]], *, ids: bool = True
) -> list[int]:
    """Insert `rows`; the new ids in the order of `rows` (empty when `ids` is False)."""
    if not rows:
        return []
    if _dialect(s).name == "postgresql":
        columns = _pg_columns(table, rows)
        if columns is not None:
            return _pg_unnest(s, table, rows, columns, ids=ids and "id" in table.c)
        if not ids:  # RETURNING: psycopg's plain executemany would send (and trigger) row by row
            s.execute(insert(table).returning(table.c.id), list(rows))
            return []
    elif not ids:
        s.execute(insert(table), list(rows))  # SQLite's own executemany
        return []
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(s.execute(stmt, list(rows)).scalars())


def _pg_columns(table: Table, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Column → default value for the columns to send (None when the fast path does not apply)."""
    keys = set(rows[0])
    if any(set(r) != keys for r in rows) or not keys <= set(table.c.keys()):
        return None
    out: dict[str, Any] = dict.fromkeys(rows[0])
    for col in table.columns:
        if col.name in keys or col.default is None:
            continue
        if not (col.default.is_scalar or col.default.is_callable or col.default.is_clause_element):
            return None
        out[col.name] = col.default  # filled in below, per row or in the SELECT (`now()`)
    return out


def _dialect(s: Session | Connection) -> Dialect:
    return s.dialect if isinstance(s, Connection) else s.get_bind().dialect


def _pg_unnest(
    s: Session | Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    columns: dict[str, Any],
    *,
    ids: bool,
) -> list[int]:
    from sqlalchemy.dialects.postgresql import ARRAY  # not at launch: this runs on PostgreSQL only

    dialect = _dialect(s)
    quote = dialect.identifier_preparer.quote
    clauses = {n: d for n, d in columns.items() if d is not None and d.is_clause_element}
    names = [n for n in columns if n not in clauses]
    arrays: dict[str, list[Any]] = {}
    casts = []
    for i, name in enumerate(names):
        default = columns[name]
        if default is None:
            values = [r[name] for r in rows]
        elif default.is_scalar:
            values = [default.arg] * len(rows)
        else:  # a Python callable such as datetime.now: once per row, as SQLAlchemy would
            values = [default.arg(None) for _ in rows]
        col_type = table.c[name].type
        # TEXT, not VARCHAR(n): a cast to VARCHAR(n) would cut a long text silently, the column refuses it
        item_type = Text() if isinstance(col_type, String) else col_type
        process = ARRAY(item_type).bind_processor(dialect)  # what SQLAlchemy would apply (TypeDecorators)
        arrays[f"a{i}"] = process(values) if process else values
        casts.append(f"CAST(%(a{i})b AS {item_type.compile(dialect=dialect)}[])")
    # psycopg reads « % » as a placeholder: doubled in names and SQL defaults (none has one today)
    quoted = ", ".join(quote(n) for n in names).replace("%", "%%")
    exprs = [str(d.arg.compile(dialect=dialect)).replace("%", "%%") for d in clauses.values()]  # e.g. now()
    targets = ", ".join([quoted, *(quote(n).replace("%", "%%") for n in clauses)])
    # ORDER BY the ordinality: the sequence hands out ids in the rows' order (as insertmanyvalues
    # relies on), and the journal's triggers see the rows in that order
    sql = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({targets}) "
        f"SELECT {', '.join([quoted, *exprs])} FROM unnest({', '.join(casts)}) WITH ORDINALITY AS u({quoted}, n__) "
        "ORDER BY n__" + (" RETURNING id" if ids else "")
    )
    connection = s.connection() if isinstance(s, Session) else s
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor:
            # the engine's listeners see the statement, as for every other (tests, diagnostics)
            connection.dispatch.before_cursor_execute(connection, cursor, sql, arrays, None, False)
            cursor.execute(sql, arrays)
            connection.dispatch.after_cursor_execute(connection, cursor, sql, arrays, None, False)
            return sorted(r[0] for r in cursor.fetchall()) if ids else []
    except driver.Error as exc:  # as SQLAlchemy would raise it (IntegrityError, ProgrammingError…)
        raise DBAPIError.instance(sql, None, exc, type(driver).Error) from exc
