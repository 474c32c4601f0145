"""The one choke point every write goes through: before each flush, the text columns of new and
changed rows are cleaned (`clean_text`) and their money columns checked against the plausibility
ceiling (`ceiling_problem`). Fiche, import, paramètres, comité, CLI and tests all get it, on both
engines, because they all write through ORM sessions opened by `open_database`.

Checking here, before the INSERT/UPDATE, is what turns 10^17 € into one French line instead of
an OverflowError (SQLite) or a DataError printing the whole statement (PostgreSQL), and a NUL byte
into nothing instead of a PostgreSQL error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, event, inspect, select
from sqlalchemy.orm import Mapper, Session, sessionmaker

from instructeur.domain.journal_labels import field_label, money_label
from instructeur.domain.money import CEILING_SETTING, ceiling_problem, effective_ceiling, format_integer
from instructeur.domain.text import clean_text
from instructeur.errors import ValidationError

__all__ = ["amount_ceiling", "check_rows", "install"]

_INFO_KEY = "instructeur.ceiling"
_INSTALLED = "_instructeur_guards"


def amount_ceiling(session: Session) -> int:
    """The plausibility ceiling in force (the Setting row, or the default)."""
    from instructeur.storage.models import Setting

    with session.no_autoflush:
        value = session.scalar(select(Setting.value).where(Setting.key == CEILING_SETTING))
    return effective_ceiling(value)


def _ceiling(session: Session, pending: list[Any]) -> int:
    """The ceiling for this flush; a Setting changed in the same flush counts (and is bounded)."""
    from instructeur.storage.models import Setting

    for obj in pending:
        if isinstance(obj, Setting) and obj.key == CEILING_SETTING:
            return effective_ceiling(obj.value)
    if _INFO_KEY not in session.info:
        session.info[_INFO_KEY] = amount_ceiling(session)
    return int(session.info[_INFO_KEY])


_COLUMNS: dict[type, tuple[tuple[str, Any, str], ...]] = {}
_INT32 = 2**31 - 1


def _columns(cls: type) -> tuple[tuple[str, Any, str], ...]:
    """(attribute, column type, kind) for the money, text and 32-bit integer columns of a class."""
    if cls in _COLUMNS:
        return _COLUMNS[cls]
    mapper: Mapper[Any] = inspect(cls)
    out = []
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if column.key.endswith("_cents"):
            out.append((attr.key, column.type, "money"))
        elif isinstance(column.type, String):  # Text is a String
            out.append((attr.key, column.type, "text"))
        elif isinstance(column.type, Integer) and not isinstance(column.type, BigInteger):
            out.append((attr.key, column.type, "int"))  # 32 bits on PostgreSQL
    _COLUMNS[cls] = tuple(out)
    return _COLUMNS[cls]


def _check(obj: Any, is_new: bool, ceiling: Callable[[], int], problems: list[str]) -> None:
    state = inspect(obj)
    table = type(obj).__tablename__
    for key, type_, kind in _columns(type(obj)):
        if not is_new and not state.attrs[key].history.has_changes():
            continue
        value = getattr(obj, key)
        problem = None
        if kind == "money" and isinstance(value, int) and not isinstance(value, bool):
            problem = ceiling_problem(value, ceiling(), money_label(table, key))
        elif kind == "int" and isinstance(value, int) and abs(value) > _INT32:
            problem = f"{field_label(key)} : nombre trop grand ({format_integer(value)})"
        elif kind == "text" and isinstance(value, str):
            cleaned = _clean(value, multiline=isinstance(type_, Text))
            if cleaned != value:
                setattr(obj, key, cleaned)
        if problem and problem not in problems:
            problems.append(problem)


def _clean(value: str, *, multiline: bool) -> str:
    """`clean_text`, except that JSON kept in a text column (audit lines, settings, questionnaire
    answers) is cleaned string by string: a line separator turned into a raw line break would
    make it unreadable."""
    cleaned = clean_text(value, multiline=multiline)
    if cleaned == value or not multiline or value[:1] not in "[{":
        return cleaned
    try:
        data = json.loads(value)
    except ValueError:
        return cleaned
    return json.dumps(_clean_json(data), ensure_ascii=False)


def _clean_json(data: Any) -> Any:
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, list):
        return [_clean_json(v) for v in data]
    if isinstance(data, dict):
        return {clean_text(str(k)): _clean_json(v) for k, v in data.items()}
    return data


def check_rows(session: Session, cls: type, rows: list[dict[str, Any]]) -> None:
    """The same guard for rows inserted in bulk (`insert(cls)`, past the unit of work): texts
    cleaned in place, money and 32-bit integers checked; raises ValidationError."""
    problems: list[str] = []
    table = cls.__tablename__  # type: ignore[attr-defined]
    present = set().union(*(row.keys() for row in rows[:1]))  # the rows of one insert share their keys
    columns = [c for c in _columns(cls) if c[0] in present]
    ceiling = _ceiling(session, []) if rows else 0
    for row in rows:
        for key, type_, kind in columns:
            value = row.get(key)
            if value is None:
                continue
            problem = None
            if kind == "money" and isinstance(value, int) and not isinstance(value, bool):
                problem = ceiling_problem(value, ceiling, money_label(table, key))
            elif kind == "int" and isinstance(value, int) and abs(value) > _INT32:
                problem = f"{field_label(key)} : nombre trop grand ({format_integer(value)})"
            elif kind == "text" and isinstance(value, str):
                row[key] = _clean(value, multiline=isinstance(type_, Text))
            if problem and problem not in problems:
                problems.append(problem)
    if problems:
        raise ValidationError(problems)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    problems: list[str] = []
    new = list(session.new)
    dirty = [obj for obj in session.dirty if session.is_modified(obj, include_collections=False)]
    found: list[int] = []

    def ceiling() -> int:  # read once per flush, and only when an amount is written
        if not found:
            found.append(_ceiling(session, new + dirty))
        return found[0]

    for obj in new:
        _check(obj, True, ceiling, problems)
    for obj in dirty:
        _check(obj, False, ceiling, problems)
    if problems:
        raise ValidationError(problems)


def _after_transaction(session: Session, _transaction: Any) -> None:
    session.info.pop(_INFO_KEY, None)  # the setting may change between transactions


def install(sessions: sessionmaker[Session]) -> None:
    """Register the guard on a session factory (idempotent). The mark is on the factory itself:
    SQLAlchemy's `event.contains` answers by id(), so a new factory that reuses a freed one's
    id looked already guarded and got no guard at all."""
    if getattr(sessions, _INSTALLED, False):
        return
    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "after_transaction_end", _after_transaction)
    setattr(sessions, _INSTALLED, True)
