"""Team mode on PostgreSQL: group roles, grants and row-level security (DDL, no migration).

`apply_team_ddl()` is run by the database owner through `instructeur equipe init`; it is
idempotent. The server enforces who may do what; the app only mirrors it (services/equipe.py).

Group roles are named after the database (`<base>_chef`, `<base>_instructeur`,
`<base>_evaluateur`, `<base>_lecteur`) because roles are shared by every database of a server.
The owner (and superusers) bypass row-level security; the policies below concern the groups.
"""

from __future__ import annotations

from psycopg import sql

from instructeur.errors import UserError
from instructeur.storage import roles_evaluateur

ROLES = ("chef", "instructeur", "evaluateur", "lecteur")
ROLE_LABELS = {
    "chef": "chef de projet",
    "instructeur": "instructeur",
    "evaluateur": "évaluateur",
    "lecteur": "lecteur",
}

# Who is which évaluateur: read by the policies through session_user.
LINK_TABLE = "equipe_evaluateur"

# Paramètres and the comité: written by the chef de projet only.
CHEF_ONLY = (
    "contrat", "commune", "quartier", "quartier_commune", "quartier_alias", "objectif",
    "classification", "objectif_lien",  # issue 13 (H13a)
    "axe_transversal", "financeur", "signataire", "campagne", "enveloppe", "recevabilite_item",
    "setting", "comite", "comite_membre", "comite_point", "comite_vote", "comite_conflit",
    "scenario", "scenario_ligne", "scenario_montant",
)  # fmt: skip

# Instruction and notation: the instructeur inserts, updates and deletes rows here.
INSTRUCTEUR_WRITES = (
    "dossier_quartier", "dossier_objectif_secondaire", "dossier_axe_transversal", "dossier_label",
    "dossier_classement",  # issue 13 (H13a)
    "label", "recevabilite_check", "evaluateur", "evaluation", "note", "notification", "suivi",
)  # fmt: skip

# Columns the instructeur may change: everything but the comité's decision / vote.
DOSSIER_NO_INSTRUCTEUR = ("id", "decision")
LIGNE_NO_INSTRUCTEUR = ("id", "vote_cents")

# What an évaluateur may read (evaluation, note: row-filtered). Dossiers, their lines, history,
# comité and suivi: through the views of storage/roles_evaluateur.py (assigned dossiers, no avis).
EVALUATEUR_READS = (
    "contrat", "commune", "quartier", "quartier_commune", "quartier_alias", "objectif",
    "axe_transversal", "financeur", "signataire", "campagne", "enveloppe", "recevabilite_item",
    "label", "grille", "critere", "evaluateur", "setting", "porteur", "dossier_quartier",
    "dossier_objectif_secondaire", "dossier_axe_transversal", "dossier_label",
    "classification", "objectif_lien", "dossier_classement",  # issue 13 (H13a)
    "recevabilite_check", "evaluation", "note", LINK_TABLE, "alembic_version",
)  # fmt: skip
EVALUATION_EVALUATEUR_COLUMNS = (
    "conflit", "conflit_motif", "commentaire", "date_evaluation", "version", "updated_at", "updated_by",
)  # fmt: skip

RLS_TABLES = ("dossier", "ligne_financement", "evaluation", "note")

# The évaluateur ids of the connected person.
_MINE = f"(SELECT l.evaluateur_id FROM {LINK_TABLE} l WHERE l.login = session_user)"


def group_role(dbname: str, role: str) -> str:
    name = f"{dbname}_{role}"
    if len(name.encode()) > 63:
        raise UserError(f"nom de base trop long pour le mode équipe : « {dbname} » (rôle « {name} »)")
    return name


def _q(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _policies(g: dict[str, sql.Identifier]) -> list[sql.Composable]:
    staff = sql.SQL(", ").join([g["chef"], g["instructeur"], g["lecteur"]])
    writers = sql.SQL(", ").join([g["chef"], g["instructeur"]])
    ev = g["evaluateur"]
    out: list[sql.Composable] = []

    def policy(table: str, name: str, command: str, roles: sql.Composable, using: str | None,
               check: str | None) -> None:  # fmt: skip
        parts: list[sql.Composable] = [sql.SQL("CREATE POLICY {} ON {} FOR " + command + " TO {}").format(
            _q(name), _q(table), roles)]  # fmt: skip
        if using is not None:
            parts.append(sql.SQL(" USING (" + using + ")"))
        if check is not None:
            parts.append(sql.SQL(" WITH CHECK (" + check + ")"))
        out.append(sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(_q(name), _q(table)))
        out.append(sql.Composed(parts))

    for table in RLS_TABLES:
        out.append(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(_q(table)))
        policy(table, "equipe_lire", "SELECT", staff, "true", None)
    for table in ("dossier", "evaluation", "note"):
        policy(table, "equipe_ecrire", "ALL", writers, "true", "true")
    # A voted amount is the comité's: the instructeur neither creates nor deletes one.
    policy("ligne_financement", "equipe_chef", "ALL", g["chef"], "true", "true")
    policy("ligne_financement", "equipe_instructeur_maj", "UPDATE", g["instructeur"], "true", "true")
    policy("ligne_financement", "equipe_instructeur_ajout", "INSERT", g["instructeur"], None,
           "vote_cents IS NULL")  # fmt: skip
    policy("ligne_financement", "equipe_instructeur_suppr", "DELETE", g["instructeur"],
           "vote_cents IS NULL", None)  # fmt: skip
    # Évaluateur: own évaluations; dossiers assigned without a declared conflict (HotCRP's rule).
    own = f"evaluateur_id IN {_MINE}"
    # Own évaluations, a conflicted one included (its évaluateur declared it and must see it:
    # PostgreSQL checks an updated row against the SELECT policy too), its notes hidden; the
    # others' only under the campagne's option, once their own is complete (roles_evaluateur).
    visible = f"public.{roles_evaluateur.VISIBLE_FUNCTION}(dossier_id)"
    policy("evaluation", "equipe_evaluateur_lire", "SELECT", ev, f"{own} OR {visible}", None)
    policy("evaluation", "equipe_evaluateur_maj", "UPDATE", ev, f"{own} AND NOT conflit", own)
    scorable = f"evaluation_id IN (SELECT e.id FROM evaluation e WHERE e.{own} AND NOT e.conflit)"
    policy("note", "equipe_evaluateur", "ALL", ev, scorable, scorable)
    others = f"evaluation_id IN (SELECT e.id FROM evaluation e WHERE public.{roles_evaluateur.VISIBLE_FUNCTION}(e.dossier_id))"
    policy("note", "equipe_evaluateur_autres", "SELECT", ev, others, None)
    assigned = f"id IN (SELECT e.dossier_id FROM evaluation e WHERE e.{own})"
    policy("dossier", "equipe_evaluateur_lire", "SELECT", ev, assigned, None)
    policy("ligne_financement", "equipe_evaluateur_lire", "SELECT", ev,
           "dossier_id IN (SELECT d.id FROM dossier d)", None)  # fmt: skip
    return out


def team_statements(dbname: str, columns: dict[str, list[str]]) -> list[sql.Composable]:
    """Every statement of `equipe init`, in order (roles are created by the caller).

    `columns` lists each existing table's columns (read from the catalog).
    """
    g = {role: _q(group_role(dbname, role)) for role in ROLES}
    everyone = sql.SQL(", ").join(list(g.values()))
    chef, instr, ev, lect = g["chef"], g["instructeur"], g["evaluateur"], g["lecteur"]
    s: list[sql.Composable] = [
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (login varchar(63) NOT NULL, "
            "evaluateur_id integer NOT NULL REFERENCES evaluateur(id) ON DELETE CASCADE, "
            "PRIMARY KEY (login, evaluateur_id))"
        ).format(_q(LINK_TABLE)),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(_q(dbname), everyone),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(everyone),
        # Start from nothing so that running init again after a change of this file converges.
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(everyone),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(everyone),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(chef),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}, {}").format(instr, lect),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}, {}, {}").format(
            chef, instr, ev
        ),
        # Tables a later migration adds are readable by the staff at once; writing them needs
        # `equipe init` again (it converges).
        sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {}, {}, {}").format(
            chef, instr, lect
        ),
    ]
    # The journal is append-only for everyone but the owner; an insert returns its id.
    s.append(sql.SQL("REVOKE UPDATE, DELETE ON audit_log FROM {}").format(chef))
    s.append(sql.SQL("GRANT INSERT ON audit_log TO {}, {}").format(instr, ev))
    s.append(sql.SQL("GRANT SELECT (id) ON audit_log TO {}").format(ev))
    s.append(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(_q(LINK_TABLE), chef))
    for table in INSTRUCTEUR_WRITES:
        s.append(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(_q(table), instr))
    for table in ("porteur", "transition", "grille", "critere"):
        # New porteurs, statut history, the default grille created on first assignment.
        s.append(sql.SQL("GRANT INSERT ON {} TO {}").format(_q(table), instr))
    s.append(_column_grant("porteur", columns, ("id",), instr))
    s.append(sql.SQL("GRANT INSERT ON dossier TO {}").format(instr))
    s.append(_column_grant("dossier", columns, DOSSIER_NO_INSTRUCTEUR, instr))
    s.append(sql.SQL("GRANT INSERT, DELETE ON ligne_financement TO {}").format(instr))
    s.append(_column_grant("ligne_financement", columns, LIGNE_NO_INSTRUCTEUR, instr))
    for table in EVALUATEUR_READS:
        if table in columns or table == LINK_TABLE:
            s.append(sql.SQL("GRANT SELECT ON {} TO {}").format(_q(table), ev))
    s.append(sql.SQL("GRANT INSERT, UPDATE, DELETE ON note TO {}").format(ev))
    s.append(
        sql.SQL("GRANT UPDATE ({}) ON evaluation TO {}").format(
            sql.SQL(", ").join(_q(c) for c in EVALUATION_EVALUATEUR_COLUMNS), ev
        )
    )
    s.extend(roles_evaluateur.view_statements(columns, ev))
    s.extend(roles_evaluateur.visible_function(ev))
    s.extend(_policies(g))
    return s


def _column_grant(
    table: str, columns: dict[str, list[str]], excluded: tuple[str, ...], role: sql.Identifier
) -> sql.Composable:
    cols = [c for c in columns.get(table, []) if c not in excluded]
    if not cols:
        raise UserError(f"mode équipe : table « {table} » introuvable (base non initialisée ?)")
    return sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(
        sql.SQL(", ").join(_q(c) for c in cols), _q(table), role
    )
