"""Database addresses: parsed with French refusals, and shown without any password.

`display_url` is the one way to put a database address in a message, a log line or a window
title: the password (user:***@host) and every password-like query parameter (`?password=`,
`sslpassword=`…) become « *** ». It also masks text that does not even parse as a URL.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from instructeur.errors import UserError

__all__ = ["MASK", "display_url", "parse_url"]

MASK = "***"
# user:secret@ in raw text, and key=secret in a query string (for text SQLAlchemy cannot parse).
_USERINFO = re.compile(r"(://[^:/@?#]*):[^@/?#]*@")
_QUERY_SECRET = re.compile(r"(?i)([?&;][^=&;#]*password[^=&;#]*=)[^&;#]*")


def display_url(target: str | Path | URL) -> str:
    """The address as a user may read it: file path as is, server URL with « *** » for secrets."""
    if isinstance(target, Path):
        return str(target)
    if isinstance(target, URL):
        url = target
    else:
        text = str(target)
        if "://" not in text:
            return text
        try:
            url = make_url(text)
        except (ArgumentError, ValueError):
            return _QUERY_SECRET.sub(rf"\1{MASK}", _USERINFO.sub(rf"\1:{MASK}@", text))
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return _QUERY_SECRET.sub(rf"\1{MASK}", url.render_as_string(hide_password=True))


def parse_url(text: str) -> URL:
    """An SQLAlchemy URL from user text; one French line (no password) when it is malformed."""
    port = re.match(r"^[^:/]+://(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):([^/?#]*)", text)
    if port and port[1] and not port[1].isdigit():
        raise UserError(f"adresse de base invalide : port « {port[1]} » non numérique")
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise UserError(f"adresse de base de données illisible : « {display_url(text)} »") from exc
    if url.port is not None and not 0 < url.port < 65536:
        raise UserError(f"adresse de base invalide : port « {url.port} » hors limites ({display_url(url)})")
    return url
