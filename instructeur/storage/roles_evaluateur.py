"""Team mode on PostgreSQL: what an évaluateur reads, beyond their own évaluations (DDL of
`equipe init`, with storage/roles.py).

An évaluateur login has `search_path = evaluateur_vue, public` (set by `equipe ajouter` and
`equipe init`). The schema `evaluateur_vue` holds security-barrier views that **shadow** the
tables the fiche reads: the app runs its ordinary queries and gets only the rows of the dossiers
assigned to the person, with what they must not see left empty. The views run with the owner's
rights; the évaluateur has no SELECT on the masked columns of the real tables, so psql with
`SET search_path = public` is refused too.

* dossier: the instructeur's avis (`avis`, `avis_motivation`) is never shown to an évaluateur;
* ligne_financement: nor the proposed amounts (`propose_cents`, part of the avis);
* transition: the motivation is hidden on a dossier where the person declared a conflict;
* comite_point, comite_vote: the comité's discussion and votes, only without a conflict
  (HotCRP's rule: a conflicted reviewer sees neither the reviews nor the discussion);
* notification, suivi: the assigned dossiers.

`equipe_notes_visibles(dossier)` (SECURITY DEFINER) says whether the person may read the other
évaluateurs' notes of a dossier: the campagne's option « notes des autres après soumission » is on
(`setting` key `NOTES_AFTER_SUBMIT_PREFIX + campagne id`, value "1") and their own évaluation of it
is complete and without a conflict (the same rule as `domain/notes_visibilite.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg import sql

from instructeur.domain.notes_visibilite import NOTES_AFTER_SUBMIT_PREFIX

if TYPE_CHECKING:
    from sqlalchemy import Connection

SCHEMA = "evaluateur_vue"

VISIBLE_FUNCTION = "equipe_notes_visibles"

# Columns an évaluateur never reads (the instructeur's avis).
MASKED = {"dossier": ("avis", "avis_motivation"), "ligne_financement": ("propose_cents",)}

_MINE = "(SELECT l.evaluateur_id FROM public.equipe_evaluateur l WHERE l.login = session_user)"


def _assigned(dossier: str, *, conflict: bool | None = None) -> str:
    extra = {None: "", True: " AND e.conflit", False: " AND NOT e.conflit"}[conflict]
    return (
        f"EXISTS (SELECT 1 FROM public.evaluation e WHERE e.dossier_id = {dossier} "
        f"AND e.evaluateur_id IN {_MINE}{extra})"
    )


def _open(dossier: str) -> str:
    """Assigned, and no conflict declared by the person on it."""
    return f"{_assigned(dossier)} AND NOT {_assigned(dossier, conflict=True)}"


# table → (row filter on alias t, {column: expression replacing it})
VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    "dossier": (_assigned("t.id"), {c: f"CASE WHEN false THEN t.{c} END" for c in MASKED["dossier"]}),
    "ligne_financement": (
        _assigned("t.dossier_id"),
        {c: f"CASE WHEN false THEN t.{c} END" for c in MASKED["ligne_financement"]},
    ),
    "transition": (
        _assigned("t.dossier_id"),
        {"motivation": f"CASE WHEN NOT {_assigned('t.dossier_id', conflict=True)} THEN t.motivation END"},
    ),
    "comite_point": (_open("t.dossier_id"), {}),
    "comite_vote": (
        f"EXISTS (SELECT 1 FROM public.comite_point p WHERE p.id = t.point_id AND {_open('p.dossier_id')})",
        {},
    ),
    "notification": (_assigned("t.dossier_id"), {}),
    "suivi": (_assigned("t.dossier_id"), {}),
}

# Read as they are (no personal opinion in them): comité dates and places.
PLAIN_READS = ("comite",)

_VISIBLE_BODY = f"""
SELECT EXISTS (
    SELECT 1 FROM dossier d JOIN setting s ON s.key = '{NOTES_AFTER_SUBMIT_PREFIX}' || d.campagne_id
    WHERE d.id = dossier_ref AND s.value = '1')
  AND EXISTS (
    SELECT 1 FROM evaluation e
    WHERE e.dossier_id = dossier_ref AND NOT e.conflit
      AND e.evaluateur_id IN (SELECT l.evaluateur_id FROM equipe_evaluateur l WHERE l.login = session_user)
      AND EXISTS (SELECT 1 FROM critere c WHERE c.grille_id = e.grille_id AND c.poids > 0)
      AND NOT EXISTS (
          SELECT 1 FROM critere c WHERE c.grille_id = e.grille_id AND c.poids > 0
            AND NOT EXISTS (SELECT 1 FROM note n WHERE n.evaluation_id = e.id AND n.critere_id = c.id)))
"""


def visible_function(ev: sql.Identifier) -> list[sql.Composable]:
    """The function the note and évaluation policies call (runs as the owner: no policy recursion)."""
    name = sql.Identifier("public", VISIBLE_FUNCTION)
    return [
        sql.SQL(
            "CREATE OR REPLACE FUNCTION {}(dossier_ref integer) RETURNS boolean "
            "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS "
        ).format(name)
        + sql.Literal(_VISIBLE_BODY),
        sql.SQL("REVOKE ALL ON FUNCTION {}(integer) FROM PUBLIC").format(name),
        sql.SQL("GRANT EXECUTE ON FUNCTION {}(integer) TO {}").format(name, ev),
    ]


def view_statements(columns: dict[str, list[str]], ev: sql.Identifier) -> list[sql.Composable]:
    """The schema of views, the évaluateur's column grants on the masked tables, plain reads."""
    schema = sql.Identifier(SCHEMA)
    out: list[sql.Composable] = [
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema),
        sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(schema),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, ev),
    ]
    for table, (where, replaced) in VIEWS.items():
        cols = columns.get(table)
        if not cols:
            continue
        select_list = sql.SQL(", ").join(
            sql.SQL(replaced[c] + " AS {}").format(sql.Identifier(c)) if c in replaced
            else sql.SQL("t.{}").format(sql.Identifier(c))
            for c in cols
        )  # fmt: skip
        view = sql.Identifier(SCHEMA, table)
        out.append(sql.SQL("DROP VIEW IF EXISTS {}").format(view))
        out.append(
            sql.SQL("CREATE VIEW {} WITH (security_barrier) AS SELECT {} FROM {} t WHERE " + where).format(
                view, select_list, sql.Identifier("public", table)
            )
        )
        out.append(sql.SQL("GRANT SELECT ON {} TO {}").format(view, ev))
    for table, masked in MASKED.items():
        readable = [c for c in columns.get(table, []) if c not in masked]
        if readable:  # the policies of the other tables read these rows as the évaluateur
            out.append(
                sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(
                    sql.SQL(", ").join(sql.Identifier(c) for c in readable), sql.Identifier(table), ev
                )
            )
    for table in PLAIN_READS:
        if table in columns:
            out.append(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(table), ev))
    return out


def search_path(login: str, dbname: str, evaluateur: bool) -> sql.Composable:
    """An évaluateur's sessions see the views first; any other role the tables."""
    if evaluateur:
        return sql.SQL("ALTER ROLE {} IN DATABASE {} SET search_path = {}, public").format(
            sql.Identifier(login), sql.Identifier(dbname), sql.Identifier(SCHEMA)
        )
    return sql.SQL("ALTER ROLE {} IN DATABASE {} RESET search_path").format(
        sql.Identifier(login), sql.Identifier(dbname)
    )


# --- migrations: the views list the tables' columns, so a migration that alters one of them
# would be refused (« cannot alter type of a column used by a view »); storage/migrate.py drops
# the views first and rebuilds them in the same transaction. ---


def drop_views(conn: Connection) -> bool:
    """Before a migration (PostgreSQL, owner): True when team mode's views were there."""
    had = bool(conn.exec_driver_sql(f"SELECT to_regnamespace('{SCHEMA}') IS NOT NULL").scalar())
    if had:
        conn.exec_driver_sql(f'DROP SCHEMA "{SCHEMA}" CASCADE')
    return had


def recreate_views(conn: Connection) -> None:
    """After a migration: the views and column grants again, with the new columns."""
    dbname = str(conn.exec_driver_sql("SELECT current_database()").scalar_one())
    rows = conn.exec_driver_sql(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    ).all()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(str(table), []).append(str(column))
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cur:
        for statement in view_statements(columns, sql.Identifier(f"{dbname}_evaluateur")):
            cur.execute(statement)
