"""Database addresses: parsed with French refusals, never shown with a password."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from instructeur.errors import UserError, system_error
from instructeur.storage.db import resolve_url
from instructeur.storage.urls import display_url, parse_url


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql+psycopg://anne:s3cret@db.local:5432/ville", "postgresql+psycopg://anne:***@db.local:5432/ville"),
        ("postgresql://anne@db/ville?password=s3cret&sslmode=require",
         "postgresql://anne@db/ville?password=***&sslmode=require"),
        ("postgresql://anne@db/ville?sslpassword=s3cret", "postgresql://anne@db/ville?sslpassword=***"),
        ("postgresql://anne:s3cret@db:abc/ville?password=s3cret", "postgresql://anne:***@db:abc/ville?password=***"),
        ("/home/anne/instructeur.sqlite", "/home/anne/instructeur.sqlite"),
    ],
)  # fmt: skip
def test_display_url_masks_every_password(text: str, shown: str) -> None:
    assert display_url(text) == shown
    assert "s3cret" not in display_url(text)


def test_display_url_of_a_url_object_and_a_path() -> None:
    assert display_url(make_url("postgresql://a:pw@h/d?password=pw")) == "postgresql://a:***@h/d?password=***"
    assert display_url(Path("/tmp/x.sqlite")) == "/tmp/x.sqlite"
    assert display_url(resolve_url("/tmp/x.sqlite")) == "/tmp/x.sqlite"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("postgresql://u@h:abc/db", "adresse de base invalide : port « abc » non numérique"),
        ("postgresql://u:s3cret@h:5x/db", "adresse de base invalide : port « 5x » non numérique"),
        ("postgresql://u:s3cret@h:70000/db",
         "adresse de base invalide : port « 70000 » hors limites (postgresql://u:***@h:70000/db)"),
    ],
)  # fmt: skip
def test_bad_ports_are_one_french_line(text: str, message: str) -> None:
    with pytest.raises(UserError) as info:
        resolve_url(text)
    assert info.value.message == message


def test_good_urls_still_parse() -> None:
    url = parse_url("postgresql://u:pw@[::1]:5433/db")
    assert url.port == 5433 and url.password == "pw"
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_system_errors_are_french_and_bugs_are_not() -> None:
    full = system_error(OSError(errno.ENOSPC, "No space left on device", "/data/x.sqlite"))
    assert full is not None and full.message.startswith("disque plein : /data/x.sqlite")
    ro = system_error(OSError(errno.EROFS, "Read-only file system", "/mnt/cd/b.sqlite"))
    assert ro is not None and ro.message == "dossier en lecture seule : /mnt/cd/b.sqlite"
    denied = system_error(PermissionError(errno.EACCES, "Permission denied", "/root/b.sqlite"))
    assert denied is not None and denied.message == "accès refusé : /root/b.sqlite"
    wrapped = OperationalError("INSERT …", {}, sqlite3.OperationalError("database or disk is full"))
    disk = system_error(wrapped)
    assert disk is not None and disk.message.startswith("disque plein : base de données")
    assert system_error(OSError(errno.ENOENT, "No such file")) is None
    assert system_error(RuntimeError("bug")) is None
    assert system_error(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))) is None
