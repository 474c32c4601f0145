"""journal des modifications hors application : un déclencheur par instruction, pas par ligne

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:40:00

PostgreSQL only. Migration 0004's ROW triggers took the journal lock, read the chain's head and
inserted one entry for every changed row: a 20 000-dossier import fired ~100 000 of them. They are
replaced by STATEMENT triggers with transition tables (one per operation: a trigger with a
transition table may have only one event) whose function takes the lock and reads the head once
per statement, then appends the very same per-row entries (entity, entity_id, `sql:insert` /
`sql:update` / `sql:delete`, the same diff JSON, QUIET columns ignored, the same restore bypass and
hash) in one INSERT. `journal verifier` and the Historique read them unchanged.
Row order: the rows' order in the transition tables, i.e. the order the row triggers fired in; an
UPDATE pairs its old and new rows by position (both tables are filled together, row by row), not by
key (`comite_vote` and `note` are named by a non-unique column).
0004's `instructeur_journal_row` and `instructeur_journal_append` stay (the downgrade re-attaches
the row triggers, built by 0004's own DDL).
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_m0004 = importlib.import_module("instructeur.storage.migrations.versions.0004_journal_chaine")
JOURNAL_LOCK: int = _m0004.JOURNAL_LOCK
TRIGGERED: dict[str, str] = _m0004.TRIGGERED
QUIET: tuple[str, ...] = _m0004.QUIET
# operation → (trigger name suffix, REFERENCING clause)
OPERATIONS = {
    "INSERT": ("ins", "NEW TABLE AS nt"),
    "UPDATE": ("upd", "OLD TABLE AS ot NEW TABLE AS nt"),
    "DELETE": ("del", "OLD TABLE AS ot"),
}


def statement_function_ddl() -> str:
    quiet = ", ".join(f"'{c}'" for c in QUIET)
    # (rid, changes) of each row, in the transition table's order (row_number over its scan)
    rows_sql = {
        "INSERT": """
      SELECT r.rn, (r.n ->> TG_ARGV[0])::bigint,
             (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(r.n)
               WHERE value <> 'null'::jsonb)
        FROM (SELECT row_number() OVER () AS rn, to_jsonb(t) AS n FROM nt t) r""",
        "UPDATE": f"""
      SELECT r.rn, (r.n ->> TG_ARGV[0])::bigint,
             (SELECT coalesce(jsonb_object_agg(key, jsonb_build_array(r.o -> key, value)), '{{}}')
                FROM jsonb_each(r.n) WHERE (r.o -> key) IS DISTINCT FROM value AND key NOT IN ({quiet}))
        FROM (SELECT nn.rn, nn.n, oo.o
                FROM (SELECT row_number() OVER () AS rn, to_jsonb(t) AS n FROM nt t) nn
                JOIN (SELECT row_number() OVER () AS rn, to_jsonb(t) AS o FROM ot t) oo USING (rn)) r""",
        "DELETE": """
      SELECT r.rn, (r.o ->> TG_ARGV[0])::bigint, '{}'::jsonb
        FROM (SELECT row_number() OVER () AS rn, to_jsonb(t) AS o FROM ot t) r""",
    }
    collect = "\n  ".join(
        f"""{"IF" if i == 0 else "ELSIF"} TG_OP = '{op_}' THEN
    SELECT array_agg(x.rid ORDER BY x.rn), array_agg(x.ch::text ORDER BY x.rn) INTO rids, chs
      FROM ({sql}) AS x(rn, rid, ch) WHERE TG_OP <> 'UPDATE' OR x.ch <> '{{}}'::jsonb;"""
        for i, (op_, sql) in enumerate(rows_sql.items())
    )
    return f"""
CREATE OR REPLACE FUNCTION instructeur_journal_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  rids bigint[]; chs text[]; prevs text[] := '{{}}'; hashes text[] := '{{}}';
  last_id bigint; last_hash text; new_at timestamp := date_trunc('microseconds', localtimestamp);
  act text := 'sql:' || lower(TG_OP); who text := session_user::text;
BEGIN
  -- a restore by the owner replaces the journal with the backup's (backup.py sets this)
  IF current_setting('instructeur.restauration', true) = 'on'
     AND session_user::text = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'audit_log'::regclass) THEN
    RETURN NULL;
  END IF;
  {collect}
  END IF;
  IF rids IS NULL THEN RETURN NULL; END IF;  -- no row, or only quiet changes: no lock, no entry
  PERFORM pg_advisory_xact_lock({JOURNAL_LOCK});
  SELECT id, hash INTO last_id, last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  last_id := coalesce(last_id, 0);
  last_hash := coalesce(last_hash, '');
  FOR i IN 1 .. array_length(rids, 1) LOOP
    prevs[i] := last_hash;
    last_hash := instructeur_journal_hash(last_hash, last_id + i, new_at, who, TG_TABLE_NAME::text, rids[i], act, chs[i]);
    hashes[i] := last_hash;
  END LOOP;
  INSERT INTO audit_log (id, at, utilisateur, entity, entity_id, action, changes, prev_hash, hash, txid)
  SELECT last_id + e.i, new_at, who, TG_TABLE_NAME, e.rid, act, e.ch, e.prev, e.h, txid_current()
    FROM unnest(rids, chs, prevs, hashes) WITH ORDINALITY AS e(rid, ch, prev, h, i);
  RETURN NULL;
END $$"""


def statement_triggers_ddl() -> list[str]:
    out = []
    for table, key in TRIGGERED.items():
        for operation, (suffix, referencing) in OPERATIONS.items():
            out.append(
                f"CREATE TRIGGER {table}_journal_{suffix} AFTER {operation} ON {table} "
                f"REFERENCING {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION instructeur_journal_statement('{key}')"
            )
    return out


def _row_triggers_ddl() -> list[str]:
    """0004's own CREATE TRIGGER statements for the row triggers."""
    return [s for s in _m0004.postgresql_ddl() if s.startswith("CREATE TRIGGER") and "journal_row(" in s]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(statement_function_ddl())
    for table in TRIGGERED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_journal ON {table}")
    for statement in statement_triggers_ddl():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TRIGGERED:
        for suffix, _ in OPERATIONS.values():
            op.execute(f"DROP TRIGGER IF EXISTS {table}_journal_{suffix} ON {table}")
    for statement in _row_triggers_ddl():
        op.execute(statement)
    op.execute("DROP FUNCTION IF EXISTS instructeur_journal_statement()")
