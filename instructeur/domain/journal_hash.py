"""The journal's hash chain: one canonical serialisation, computed the same way in Python and in
PL/pgSQL (the PostgreSQL triggers of migration 0004 build the very same string).

Each field is written as `<length in characters>:<text>` and joined with `|`, so that no value
can borrow characters from its neighbour; `at` is written to the microsecond. The hash is the
SHA-256 (hex) of the UTF-8 bytes. `changes` is hashed as stored (the JSON text), never re-serialised.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

GENESIS = ""  # prev_hash of the first entry
AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"  # PL/pgSQL: to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US')


def canonical(
    prev_hash: str, entry_id: int, at: datetime, utilisateur: str, entity: str, entity_id: int, action: str,
    changes: str,
) -> str:
    fields = (prev_hash, str(entry_id), at.strftime(AT_FORMAT), utilisateur, entity, str(entity_id), action, changes)
    return "|".join(f"{len(value)}:{value}" for value in fields)


def entry_hash(
    prev_hash: str, entry_id: int, at: datetime, utilisateur: str, entity: str, entity_id: int, action: str,
    changes: str,
) -> str:
    text = canonical(prev_hash, entry_id, at, utilisateur, entity, entity_id, action, changes)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
