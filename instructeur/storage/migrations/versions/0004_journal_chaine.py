"""journal chaîné (SHA-256), déclencheurs PostgreSQL, journal en ajout seul

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 07:20:00

`audit_log` gets `prev_hash`, `hash` (storage/journal_chain.py, domain/journal_hash.py) and `txid`.
Existing entries are renumbered without gaps and chained in id order, in Python.
PostgreSQL only: the tables where money, statut and decisions live get a trigger that appends a
chained « sql:insert / sql:update / sql:delete » entry (author = session_user), so a change made
with psql is journaled too; UPDATE/DELETE/TRUNCATE of audit_log are refused to everyone but the
table's owner. The PL/pgSQL hash builds the same string as `journal_hash.canonical`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from instructeur.domain.journal_hash import GENESIS, entry_hash

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JOURNAL_LOCK = 7_204_611_001  # = storage.journal_chain.JOURNAL_LOCK (migrations do not import app state)
# table → column naming the entry (entity_id); these hold money, statut and decisions
TRIGGERED = {
    "campagne": "id",
    "enveloppe": "id",
    "dossier": "id",
    "ligne_financement": "id",
    "transition": "id",
    "comite_point": "id",
    "comite_vote": "point_id",
    "notification": "id",
    "evaluation": "id",
    "note": "evaluation_id",
}
# bookkeeping columns whose change alone is not worth an entry
QUIET = ("version", "updated_at", "updated_by")


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("txid", sa.BigInteger(), nullable=True))
    _chain_existing()
    if op.get_bind().dialect.name == "postgresql":
        for statement in postgresql_ddl():
            op.execute(statement)


def _chain_existing() -> None:
    conn = op.get_bind()
    log = sa.table(
        "audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime), sa.column("utilisateur", sa.String),
        sa.column("entity", sa.String), sa.column("entity_id", sa.Integer), sa.column("action", sa.String),
        sa.column("changes", sa.Text),
    )
    rows = conn.execute(sa.select(log).order_by(log.c.id)).all()
    prev = GENESIS
    for new_id, row in enumerate(rows, start=1):
        if row.id != new_id:  # ascending, so the new id is always free
            conn.execute(sa.text("UPDATE audit_log SET id = :n WHERE id = :o"), {"n": new_id, "o": row.id})
        digest = entry_hash(prev, new_id, row.at, row.utilisateur, row.entity, row.entity_id, row.action, row.changes)
        conn.execute(
            sa.text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"),
            {"p": prev, "h": digest, "i": new_id},
        )
        prev = digest


def postgresql_ddl() -> list[str]:
    """Functions, triggers and protection (run by the owner; SECURITY DEFINER so that a login with
    no INSERT right on audit_log still gets journaled)."""
    quiet = ", ".join(f"'{c}'" for c in QUIET)
    out = [
        """
CREATE OR REPLACE FUNCTION instructeur_journal_hash(
    prev text, eid bigint, at timestamp, u text, ent text, ent_id bigint, act text, ch text
) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(
    length(prev) || ':' || prev || '|' ||
    length(eid::text) || ':' || eid::text || '|' ||
    length(to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US')) || ':' || to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' ||
    length(u) || ':' || u || '|' ||
    length(ent) || ':' || ent || '|' ||
    length(ent_id::text) || ':' || ent_id::text || '|' ||
    length(act) || ':' || act || '|' ||
    length(ch) || ':' || ch, 'UTF8')), 'hex')
$$""",
        f"""
CREATE OR REPLACE FUNCTION instructeur_journal_append(ent text, ent_id bigint, act text, ch text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  last_id bigint; last_hash text; new_at timestamp := date_trunc('microseconds', localtimestamp);
BEGIN
  PERFORM pg_advisory_xact_lock({JOURNAL_LOCK});
  SELECT id, hash INTO last_id, last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  last_id := coalesce(last_id, 0) + 1;
  last_hash := coalesce(last_hash, '');
  INSERT INTO audit_log (id, at, utilisateur, entity, entity_id, action, changes, prev_hash, hash, txid)
  VALUES (last_id, new_at, session_user, ent, ent_id, act, ch, last_hash,
          instructeur_journal_hash(last_hash, last_id, new_at, session_user::text, ent, ent_id, act, ch),
          txid_current());
END $$""",
        f"""
CREATE OR REPLACE FUNCTION instructeur_journal_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE o jsonb; n jsonb; diff jsonb; rid bigint;
BEGIN
  -- a restore by the owner replaces the journal with the backup's (backup.py sets this)
  IF current_setting('instructeur.restauration', true) = 'on'
     AND session_user::text = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'audit_log'::regclass) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    rid := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
    PERFORM instructeur_journal_append(TG_TABLE_NAME, rid, 'sql:delete', '{{}}');
    RETURN NULL;
  END IF;
  n := to_jsonb(NEW);
  rid := (n ->> TG_ARGV[0])::bigint;
  IF TG_OP = 'INSERT' THEN
    SELECT coalesce(jsonb_object_agg(key, value), '{{}}') INTO diff FROM jsonb_each(n) WHERE value <> 'null'::jsonb;
  ELSE
    o := to_jsonb(OLD);
    SELECT coalesce(jsonb_object_agg(key, jsonb_build_array(o -> key, value)), '{{}}') INTO diff
      FROM jsonb_each(n) WHERE (o -> key) IS DISTINCT FROM value AND key NOT IN ({quiet});
    IF diff = '{{}}'::jsonb THEN RETURN NULL; END IF;
  END IF;
  PERFORM instructeur_journal_append(TG_TABLE_NAME, rid, 'sql:' || lower(TG_OP), diff::text);
  RETURN NULL;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION instructeur_journal_head(OUT last_id bigint, OUT last_hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  -- the app's appends (journal_chain.append): lock, then the last entry, even for a login that may
  -- not read the journal (an évaluateur)
  PERFORM pg_advisory_xact_lock({JOURNAL_LOCK});
  SELECT id, hash INTO last_id, last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
END $$""",
        """
CREATE OR REPLACE FUNCTION instructeur_journal_protect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_user::text <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
    RAISE EXCEPTION 'le journal ne peut pas être modifié ni effacé (%)', lower(TG_OP)
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$""",
        "CREATE TRIGGER audit_log_protect BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION instructeur_journal_protect()",
        "CREATE TRIGGER audit_log_protect_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION instructeur_journal_protect()",
        "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC",
        "REVOKE ALL ON FUNCTION instructeur_journal_append(text, bigint, text, text) FROM PUBLIC",
    ]
    for table, key in TRIGGERED.items():
        out.append(
            f"CREATE TRIGGER {table}_journal AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION instructeur_journal_row('{key}')"
        )
    return out


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TRIGGERED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_journal ON {table}")
        op.execute("DROP TRIGGER IF EXISTS audit_log_protect ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_protect_truncate ON audit_log")
        for fn in ("instructeur_journal_head()","instructeur_journal_row()", "instructeur_journal_protect()",
                   "instructeur_journal_append(text, bigint, text, text)",
                   "instructeur_journal_hash(text, bigint, timestamp, text, text, bigint, text, text)"):
            op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("txid")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
