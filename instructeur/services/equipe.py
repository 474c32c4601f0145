"""Team mode: who is connected, with which role, and the administration of the team.

On PostgreSQL each person connects with their own login; the server enforces the grants and
row-level security that `init()` installs (storage/roles.py). The app reads the connected
person's role once (`permissions()`) to grey out what the server would refuse anyway.
On SQLite (one person, one file) everything is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from instructeur.errors import UserError
from instructeur.storage.db import Database
from instructeur.storage.models import Evaluateur

# Launch speed (issue 12): storage.roles and psycopg are imported by the functions that compose
# SQL for the server, never when the GUI starts on SQLite.
if TYPE_CHECKING:
    from psycopg import sql

POSTGRES_ONLY = "le mode équipe nécessite une base PostgreSQL"
_LOGIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.@-]{0,62}")

# Roles the app knows; "seul" = SQLite, "proprietaire" = owner of the tables or superuser,
# "libre" = PostgreSQL without team mode, "aucun" = a login of no team role.
ALL_RIGHTS = ("seul", "proprietaire", "libre", "chef")


@dataclass(frozen=True)
class Permissions:
    role: str
    login: str | None = None
    evaluateurs: tuple[int, ...] = ()  # an évaluateur login's fiches (equipe_evaluateur)

    @property
    def team(self) -> bool:
        return self.role not in ("seul", "libre")

    @property
    def parametres(self) -> bool:
        return self.role in ALL_RIGHTS

    @property
    def seance(self) -> bool:
        """Comité decisions and séance: the chef de projet's."""
        return self.role in ALL_RIGHTS

    @property
    def suppression(self) -> bool:
        return self.role in ALL_RIGHTS

    @property
    def edition(self) -> bool:
        """Dossiers, porteurs, instruction (the fiche is read-only otherwise)."""
        return self.role in (*ALL_RIGHTS, "instructeur")

    @property
    def notation(self) -> bool:
        return self.role in (*ALL_RIGHTS, "instructeur", "evaluateur")

    @property
    def administration(self) -> bool:
        """The Équipe tab: a chef de projet (or the owner) on PostgreSQL."""
        return self.role in ("proprietaire", "chef")

    def refusal(self, what: str) -> str:
        return f"droits insuffisants : {what} est réservé au chef de projet"


@dataclass(frozen=True)
class Membre:
    login: str
    role: str
    evaluateurs: tuple[str, ...]


def _require_postgres(db: Database) -> None:
    if db.is_sqlite:
        raise UserError(POSTGRES_ONLY)


def _dbname(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT current_database()").scalar_one())


def _execute(db: Database, statements: list[sql.Composable], params: Any = None) -> None:
    """Run DDL on the raw psycopg connection (identifiers and literals quoted by psycopg)."""
    with db.engine.begin() as conn:
        raw: Any = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            for statement in statements:
                cur.execute(statement, params)


def _group_names(db: Database) -> dict[str, str]:
    from instructeur.storage import roles

    name = _dbname(db)
    return {role: roles.group_role(name, role) for role in roles.ROLES}


def _existing_roles(db: Database, names: list[str]) -> set[str]:
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        rows = raw.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [names]).fetchall()
    return {r[0] for r in rows}


def init(db: Database) -> dict[str, str]:
    """Create the group roles, grants and policies (idempotent). Returns {role: group role}."""
    from psycopg import sql  # lazy: see the TYPE_CHECKING import

    from instructeur.storage import roles, roles_evaluateur

    _require_postgres(db)
    groups = _group_names(db)
    existing = _existing_roles(db, list(groups.values()))
    create = [
        sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(g))
        for g in groups.values()
        if g not in existing
    ]
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        rows = raw.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    if "dossier" not in columns:
        raise UserError("base non initialisée : lancez d'abord « instructeur init --db URL »")
    dbname = _dbname(db)
    # Évaluateurs added before this version of init read through the views too.
    paths = [roles_evaluateur.search_path(m.login, dbname, True) for m in _members(db, groups, "evaluateur")]
    _execute(db, [*create, *roles.team_statements(dbname, columns), *paths])
    return groups


def _members(db: Database, groups: dict[str, str], role: str) -> list[Membre]:
    """The members of a team role, when this login may change their settings (CREATEROLE)."""
    if groups[role] not in _existing_roles(db, [groups[role]]):
        return []
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        row = raw.execute(
            "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    if not row or not row[0]:
        return []  # `ajouter` set their search_path already
    return [m for m in liste(db) if m.role == role]


def _check_login(login: str) -> str:
    if not _LOGIN.fullmatch(login):
        raise UserError(
            f"identifiant invalide : « {login} » (lettres, chiffres, _ . @ -, 63 caractères au plus)"
        )
    return login


def _check_role(role: str) -> str:
    from instructeur.storage import roles

    if role not in roles.ROLES:
        raise UserError(f"rôle inconnu : « {role} » (choisir parmi {', '.join(roles.ROLES)})")
    return role


def _evaluateur_ids(db: Database, nom: str) -> list[int]:
    with db.session() as s:
        ids = s.scalars(
            select(Evaluateur.id).where(func.lower(Evaluateur.nom) == " ".join(nom.split()).lower())
        ).all()
    if not ids:
        raise UserError(f"évaluateur inconnu : « {nom} » (créez-le d'abord dans la fiche Évaluateurs)")
    return list(ids)


def ajouter(
    db: Database, login: str, role: str, evaluateur: str | None = None, password: str | None = None
) -> None:
    """Create LOGIN if missing and make it a member of exactly one team role."""
    from psycopg import sql  # lazy: see the TYPE_CHECKING import

    from instructeur.storage import roles, roles_evaluateur

    _require_postgres(db)
    _check_login(login)
    _check_role(role)
    groups = _group_names(db)
    if len(_existing_roles(db, list(groups.values()))) < len(groups):
        raise UserError(
            "mode équipe non initialisé : lancez « instructeur equipe init » (propriétaire de la base)"
        )
    if role == "evaluateur" and not evaluateur:
        raise UserError("un évaluateur doit être rattaché à une fiche : --evaluateur NOM")
    if role != "evaluateur" and evaluateur:
        raise UserError("--evaluateur ne s'applique qu'au rôle evaluateur")
    ev_ids = _evaluateur_ids(db, evaluateur) if evaluateur else []
    ident = sql.Identifier(login)
    statements: list[sql.Composable] = []
    if login not in _existing_roles(db, [login]):
        statements.append(sql.SQL("CREATE ROLE {} LOGIN").format(ident))
    if password:
        statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(ident, sql.Literal(password)))
    for other, group in groups.items():
        if other != role:
            statements.append(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), ident))
    statements.append(sql.SQL("GRANT {} TO {}").format(sql.Identifier(groups[role]), ident))
    statements.append(roles_evaluateur.search_path(login, _dbname(db), role == "evaluateur"))
    link = sql.Identifier(roles.LINK_TABLE)
    statements.append(sql.SQL("DELETE FROM {} WHERE login = {}").format(link, sql.Literal(login)))
    for ev_id in ev_ids:
        statements.append(
            sql.SQL("INSERT INTO {} (login, evaluateur_id) VALUES ({}, {})").format(
                link, sql.Literal(login), sql.Literal(ev_id)
            )
        )
    _execute(db, statements)


def liste(db: Database) -> list[Membre]:
    _require_postgres(db)
    groups = _group_names(db)
    by_group = {g: r for r, g in groups.items()}
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        rows = raw.execute(
            "SELECT m.rolname, g.rolname FROM pg_auth_members am "
            "JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member "
            "WHERE g.rolname = ANY(%s) ORDER BY m.rolname, g.rolname",
            [list(groups.values())],
        ).fetchall()
        linked = raw.execute(
            "SELECT l.login, e.nom FROM equipe_evaluateur l JOIN evaluateur e ON e.id = l.evaluateur_id "
            "ORDER BY e.nom"
        ).fetchall() if _link_table_exists(raw) else []  # fmt: skip
    names: dict[str, list[str]] = {}
    for login, nom in linked:
        names.setdefault(login, []).append(nom)
    return [Membre(login, by_group[g], tuple(names.get(login, []))) for login, g in rows]


def _link_table_exists(raw: Any) -> bool:
    row = raw.execute("SELECT to_regclass('public.equipe_evaluateur') IS NOT NULL").fetchone()
    return bool(row[0])


def permissions(db: Database) -> Permissions:
    """The connected person's role, read once after connecting."""
    if db.is_sqlite:
        return Permissions("seul")
    from instructeur.storage import roles

    groups = _group_names(db)
    with db.engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        login, owner = raw.execute(
            "SELECT session_user::text, "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = session_user) "
            "OR COALESCE((SELECT pg_has_role(session_user, c.relowner, 'MEMBER') FROM pg_class c "
            "WHERE c.oid = to_regclass('public.dossier')), false)"
        ).fetchone()
        if owner:
            return Permissions("proprietaire", login)
        existing = _existing_roles(db, list(groups.values()))
        if not existing:
            return Permissions("libre", login)
        for role in roles.ROLES:
            group = groups[role]
            if group in existing:
                row = raw.execute("SELECT pg_has_role(session_user, %s, 'MEMBER')", [group]).fetchone()
                if row[0] and role == "evaluateur":
                    return Permissions(role, login, _my_evaluateurs(raw))
                if row[0]:
                    return Permissions(role, login)
    return Permissions("aucun", login)


def _my_evaluateurs(raw: Any) -> tuple[int, ...]:
    rows = raw.execute(
        "SELECT evaluateur_id FROM public.equipe_evaluateur WHERE login = session_user ORDER BY 1"
    ).fetchall()
    return tuple(int(r[0]) for r in rows)
