"""Team mode on the real PostgreSQL server: what each role may do, through raw SQL with its own
login and through the services (grants + row-level security installed by `equipe init`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from instructeur.errors import UserError
from instructeur.services import equipe
from instructeur.services.campagnes import CampagneService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database, open_database
from tests.factories import build_world, create_dossier

pytestmark = pytest.mark.postgres

SECRET_AVIS = "avis réservé aux instructeurs"
SECRET_DISCUSSION = "discussion du comité"


@dataclass
class Team:
    db: Database
    url: str
    port: int
    dbname: str
    logins: dict[str, str]  # role → login
    d_ok: int  # assigned to Alice
    d_conflit: int  # assigned to Alice, who declared a conflict; Bob scored it
    d_autre: int  # not assigned to Alice
    ev_alice_ok: int
    ev_alice_conflit: int


@pytest.fixture
def team(pg_server: Any, tmp_path: Path) -> Iterator[Team]:
    url = pg_server.create_database()
    db = open_database(url, backup_dir=tmp_path)
    try:
        yield _build(db, url, pg_server.port)
    finally:
        db.close()
        pg_server.drop_database(url)


def _build(db: Database, url: str, port: int) -> Team:
    world = build_world(db)
    d_ok, d_conflit, d_autre = (create_dossier(db, world, f"26-00000{i}") for i in (1, 2, 3))
    evs = EvaluateurService(db, user="test")
    alice = evs.create(world.contrat_id, "Alice Martin")
    bob = evs.create(world.contrat_id, "Bob Durand")
    evs.assign([d_ok, d_conflit], alice)
    evs.assign([d_ok, d_conflit, d_autre], bob)
    notation = NotationService(db, user="test")
    for dossier in (d_ok, d_conflit):
        ev = notation.evaluation(dossier, bob)
        notation.save_notes(ev.id, ev.version, {ev.criteres[0].id: 1})
    a_ok = notation.evaluation(d_ok, alice)
    notation.save_notes(a_ok.id, a_ok.version, {a_ok.criteres[0].id: 2})
    a_conflit = notation.evaluation(d_conflit, alice)
    notation.declare_conflict(a_conflit.id, a_conflit.version, "membre du bureau de l'association")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE ligne_financement SET vote_cents = 100000 WHERE financeur_id IS NOT NULL")
    equipe.init(db)
    equipe.init(db)  # idempotent
    tag = uuid.uuid4().hex[:8]
    logins = {role: f"u{tag}_{role}" for role in ("chef", "instructeur", "evaluateur", "lecteur")}
    for role, login in logins.items():
        equipe.ajouter(db, login, role, evaluateur="alice martin" if role == "evaluateur" else None)
    dbname = url.rsplit("/", 1)[-1]
    team = Team(db, url, port, dbname, logins, d_ok, d_conflit, d_autre, a_ok.id, a_conflit.id)
    _comite_and_avis(team)
    return team


def _comite_and_avis(t: Team) -> None:
    """As the owner: an avis on every dossier, a comité that discussed the two assigned ones."""
    with t.db.engine.begin() as conn:
        conn.exec_driver_sql(
            f"UPDATE dossier SET avis = 'favorable', avis_motivation = '{SECRET_AVIS}'; "
            "UPDATE ligne_financement SET propose_cents = 4000 WHERE financeur_id IS NOT NULL; "
            "INSERT INTO comite (campagne_id, type, statut, version) "
            "SELECT campagne_id, 'financeurs', 'clos', 1 FROM dossier LIMIT 1"
        )
        for dossier in (t.d_ok, t.d_conflit):
            conn.exec_driver_sql(
                "INSERT INTO comite_point (comite_id, dossier_id, position, decision, motivation, version) "
                f"SELECT max(id), {dossier}, 1, 'refuse', '{SECRET_DISCUSSION}', 1 FROM comite; "
                "INSERT INTO comite_vote (point_id, financeur_id, montant_cents) "
                f"SELECT p.id, f.id, 0 FROM comite_point p, financeur f WHERE p.dossier_id = {dossier} LIMIT 1; "
                "INSERT INTO transition (dossier_id, at, utilisateur, de_statut, vers_statut, motivation) "
                f"VALUES ({dossier}, now(), 'chef', 'en_comite', 'refuse', '{SECRET_DISCUSSION}')"
            )


def _attempt(team: Team, role: str, statement: str) -> str:
    """« refusé » when the server refuses the statement, else the number of rows it touched."""
    with psycopg.connect(host="127.0.0.1", port=team.port, dbname=team.dbname, user=team.logins[role]) as conn:
        try:
            cur = conn.execute(statement)
            return str(len(cur.fetchall()) if cur.description else cur.rowcount)
        except psycopg.errors.InsufficientPrivilege:
            return "refusé"
        finally:
            conn.rollback()


def _actions(t: Team) -> dict[str, str]:
    return {
        "lire les dossiers": "SELECT id FROM dossier",
        "modifier un dossier (intitulé)": f"UPDATE dossier SET intitule = 'x' WHERE id = {t.d_ok}",
        "décision d'un dossier": f"UPDATE dossier SET decision = 'accepte' WHERE id = {t.d_ok}",
        "supprimer un dossier": f"DELETE FROM dossier WHERE id = {t.d_autre}",
        "montant demandé": "UPDATE ligne_financement SET demande_cents = 1 WHERE financeur_id IS NOT NULL",
        "montant voté": "UPDATE ligne_financement SET vote_cents = 1",
        "ajouter une ligne votée": f"INSERT INTO ligne_financement (dossier_id, libelle, demande_cents, "
        f"vote_cents, position) VALUES ({t.d_ok}, 'x', 1, 1, 9)",
        "supprimer une ligne votée": "DELETE FROM ligne_financement WHERE vote_cents IS NOT NULL",
        "enveloppes": "UPDATE enveloppe SET montant_cents = 1",
        "paramètres (setting)": "INSERT INTO setting (key, value) VALUES ('x', 'y')",
        "comité (points)": "UPDATE comite_point SET version = version",
        "lire les évaluations": "SELECT id FROM evaluation",
        "lire les notes du dossier en conflit": f"SELECT n.valeur FROM note n JOIN evaluation e "
        f"ON e.id = n.evaluation_id WHERE e.dossier_id = {t.d_conflit}",
        "noter son évaluation": f"UPDATE note SET valeur = 3 WHERE evaluation_id = {t.ev_alice_ok}",
        "noter le dossier en conflit": f"INSERT INTO note (evaluation_id, critere_id, valeur) SELECT "
        f"{t.ev_alice_conflit}, c.id, 1 FROM critere c LIMIT 1",
        "retirer son conflit": f"UPDATE evaluation SET conflit = false WHERE id = {t.ev_alice_conflit}",
        "effacer le journal": "DELETE FROM audit_log",
        # H10: what an évaluateur reads (views of storage/roles_evaluateur.py, policies).
        "lire l'avis (table dossier)": "SELECT avis_motivation FROM public.dossier WHERE avis IS NOT NULL",
        "lire l'avis (ce que lit l'application)": "SELECT avis_motivation FROM dossier WHERE avis IS NOT NULL",
        "lire les montants proposés": "SELECT propose_cents FROM public.ligne_financement WHERE propose_cents > 0",
        "lire la discussion du comité (dossier confié)": f"SELECT motivation FROM comite_point WHERE dossier_id = {t.d_ok}",
        "lire la discussion du comité (dossier en conflit)": f"SELECT motivation FROM comite_point "
        f"WHERE dossier_id = {t.d_conflit}",
        "lire les votes (dossier en conflit)": f"SELECT v.montant_cents FROM comite_vote v JOIN comite_point p "
        f"ON p.id = v.point_id WHERE p.dossier_id = {t.d_conflit}",
        "lire le motif de l'historique (dossier en conflit)": f"SELECT motivation FROM transition "
        f"WHERE dossier_id = {t.d_conflit} AND motivation = '{SECRET_DISCUSSION}'",
        "lire le journal": "SELECT changes FROM audit_log LIMIT 1",
        "lire les notes d'un autre évaluateur": f"SELECT n.valeur FROM note n JOIN evaluation e ON e.id = n.evaluation_id "
        f"WHERE e.dossier_id = {t.d_ok} AND e.id <> {t.ev_alice_ok}",
        "modifier les notes d'un autre évaluateur": f"UPDATE note SET valeur = 0 WHERE evaluation_id IN "
        f"(SELECT id FROM evaluation WHERE dossier_id = {t.d_ok} AND id <> {t.ev_alice_ok})",
    }


# Role × action, as the server answers (number = rows touched/returned).
EXPECTED = {
    "lire les dossiers": {"chef": "3", "instructeur": "3", "evaluateur": "2", "lecteur": "3"},
    "modifier un dossier (intitulé)": {"chef": "1", "instructeur": "1", "evaluateur": "refusé", "lecteur": "refusé"},
    "décision d'un dossier": {"chef": "1", "instructeur": "refusé", "evaluateur": "refusé", "lecteur": "refusé"},
    "supprimer un dossier": {"chef": "1", "instructeur": "refusé", "evaluateur": "refusé", "lecteur": "refusé"},
    "montant demandé": {"chef": "6", "instructeur": "6", "evaluateur": "refusé", "lecteur": "refusé"},
    "montant voté": {"chef": "9", "instructeur": "refusé", "evaluateur": "refusé", "lecteur": "refusé"},
    "ajouter une ligne votée": {"chef": "1", "instructeur": "refusé", "evaluateur": "refusé", "lecteur": "refusé"},
    "supprimer une ligne votée": {"chef": "6", "instructeur": "0", "evaluateur": "refusé", "lecteur": "refusé"},
    "enveloppes": {"chef": "2", "instructeur": "refusé", "evaluateur": "refusé", "lecteur": "refusé"},
    "paramètres (setting)": {"chef": "1", "instructeur": "refusé", "evaluateur": "refusé", "lecteur": "refusé"},
    "comité (points)": {"chef": "2", "instructeur": "refusé", "evaluateur": "refusé", "lecteur": "refusé"},
    "lire les évaluations": {"chef": "5", "instructeur": "5", "evaluateur": "2", "lecteur": "5"},
    "lire les notes du dossier en conflit": {"chef": "1", "instructeur": "1", "evaluateur": "0", "lecteur": "1"},
    "noter son évaluation": {"chef": "1", "instructeur": "1", "evaluateur": "1", "lecteur": "refusé"},
    "noter le dossier en conflit": {"chef": "1", "instructeur": "1", "evaluateur": "refusé", "lecteur": "refusé"},
    "retirer son conflit": {"chef": "1", "instructeur": "1", "evaluateur": "0", "lecteur": "refusé"},
    "effacer le journal": {"chef": "refusé", "instructeur": "refusé", "evaluateur": "refusé", "lecteur": "refusé"},
    "lire l'avis (table dossier)": {"chef": "3", "instructeur": "3", "evaluateur": "refusé", "lecteur": "3"},
    "lire l'avis (ce que lit l'application)": {"chef": "3", "instructeur": "3", "evaluateur": "0", "lecteur": "3"},
    "lire les montants proposés": {"chef": "6", "instructeur": "6", "evaluateur": "refusé", "lecteur": "6"},
    "lire la discussion du comité (dossier confié)": {"chef": "1", "instructeur": "1", "evaluateur": "1", "lecteur": "1"},
    "lire la discussion du comité (dossier en conflit)": {"chef": "1", "instructeur": "1", "evaluateur": "0", "lecteur": "1"},
    "lire les votes (dossier en conflit)": {"chef": "1", "instructeur": "1", "evaluateur": "0", "lecteur": "1"},
    "lire le motif de l'historique (dossier en conflit)": {"chef": "1", "instructeur": "1", "evaluateur": "0", "lecteur": "1"},
    "lire le journal": {"chef": "1", "instructeur": "1", "evaluateur": "refusé", "lecteur": "1"},
    "lire les notes d'un autre évaluateur": {"chef": "1", "instructeur": "1", "evaluateur": "0", "lecteur": "1"},
    "modifier les notes d'un autre évaluateur": {"chef": "1", "instructeur": "1", "evaluateur": "0", "lecteur": "refusé"},
}  # fmt: skip


def test_role_action_matrix_through_raw_sql(team: Team) -> None:
    actions = _actions(team)
    got = {name: {role: _attempt(team, role, stmt) for role in team.logins} for name, stmt in actions.items()}
    width = max(map(len, got))
    print("\n" + " " * width + " | " + " | ".join(f"{r:11}" for r in team.logins))
    for name, row in got.items():
        print(f"{name:{width}} | " + " | ".join(f"{v:11}" for v in row.values()))
    assert got == EXPECTED


def test_liste_and_permissions(team: Team) -> None:
    membres = {m.login: m for m in equipe.liste(team.db)}
    assert {m.role for m in membres.values()} == {"chef", "instructeur", "evaluateur", "lecteur"}
    assert membres[team.logins["evaluateur"]].evaluateurs == ("Alice Martin",)
    assert equipe.permissions(team.db).role == "proprietaire"
    for role, login in team.logins.items():
        db = open_database(team.url.replace("postgres@", f"{login}@"), migrate=False)
        try:
            perms = equipe.permissions(db)
        finally:
            db.close()
        assert (perms.role, perms.login) == (role, login)
        assert perms.parametres is (role == "chef")
        assert perms.edition is (role in ("chef", "instructeur"))


def test_changing_a_role_keeps_one_membership(team: Team) -> None:
    login = team.logins["lecteur"]
    equipe.ajouter(team.db, login, "instructeur")
    assert [m.role for m in equipe.liste(team.db) if m.login == login] == ["instructeur"]


def test_refused_statement_through_a_service_is_one_french_line(team: Team) -> None:
    db = open_database(team.url.replace("postgres@", f"{team.logins['instructeur']}@"), migrate=False)
    try:
        campagne = CampagneService(db, user="x").all()[0]
        enveloppes = CampagneService(db, user="x").enveloppes(campagne.id)
        with pytest.raises(UserError) as refused:
            CampagneService(db, user="x").save_enveloppes(
                campagne.id, {e.financeur_id: 1 for e in enveloppes}
            )
    finally:
        db.close()
    print(refused.value)
    assert str(refused.value).startswith("droits insuffisants : ")
    assert "\n" not in str(refused.value)


def test_instructeur_cannot_delete_a_dossier_through_the_cli(
    team: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    from instructeur.cli.main import main

    url = team.url.replace("postgres@", f"{team.logins['instructeur']}@")
    code = main(["--db", url, "dossiers", "supprimer", "26-000003", "--oui"])
    out, err = capsys.readouterr()
    assert code == 2, err
    print(err)
    assert err.startswith("instructeur : droits insuffisants : ") and "Traceback" not in err


def test_conflicted_evaluateur_cannot_score_through_the_service(team: Team) -> None:
    db = open_database(team.url.replace("postgres@", f"{team.logins['evaluateur']}@"), migrate=False)
    try:
        notation = NotationService(db, user="x")
        own = notation.evaluation_by_id(team.ev_alice_ok)
        assert list(own.notes.values()) == [2]
        notation.save_notes(own.id, own.version, {own.criteres[1].id: 3})  # scoring their own: allowed
        own = notation.evaluation_by_id(own.id)
        assert sorted(own.notes.values()) == [2, 3]
        with pytest.raises(UserError):
            notation.save_notes(team.ev_alice_conflit, 2, {own.criteres[0].id: 3})
        # Only their own évaluation of the conflicted dossier, without any note; never Bob's.
        [mine] = notation.evaluations_of(team.d_conflit)
        assert (mine.evaluateur_nom, mine.conflit, mine.notes) == ("Alice Martin", True, {})
        # Declaring a conflict hides their own notes at once, and they cannot withdraw it.
        version = notation.declare_conflict(own.id, own.version, "salarié du porteur")
        assert notation.evaluation_by_id(own.id).notes == {}
        with pytest.raises(UserError):
            notation.withdraw_conflict(own.id, version)
    finally:
        db.close()


def test_search_path_follows_the_role(team: Team) -> None:
    """An évaluateur login reads through the views; once made lecteur, the tables again."""
    login = team.logins["evaluateur"]

    def path() -> str:
        with psycopg.connect(host="127.0.0.1", port=team.port, dbname=team.dbname, user=login) as conn:
            return str(conn.execute("SHOW search_path").fetchone()[0])  # type: ignore[index]

    assert path() == "evaluateur_vue, public"
    # An évaluateur added before this version: `init` sets it.
    with team.db.engine.begin() as conn:
        conn.exec_driver_sql(f'ALTER ROLE "{login}" IN DATABASE "{team.dbname}" RESET search_path')
    assert path() == '"$user", public'
    equipe.init(team.db)
    assert path() == "evaluateur_vue, public"
    equipe.ajouter(team.db, login, "lecteur")
    assert path() == '"$user", public'
    assert _attempt(team, "evaluateur", "SELECT avis_motivation FROM dossier WHERE avis IS NOT NULL") == "3"


def test_a_migration_rebuilds_the_evaluateur_views(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration altering a column the views list is not refused; the views come back with the
    new columns, still without the avis."""
    from alembic import command

    from instructeur.storage import migrate

    def fake_upgrade(cfg: Any, revision: str) -> None:
        conn = cfg.attributes["connection"]
        conn.exec_driver_sql("ALTER TABLE dossier ALTER COLUMN intitule TYPE varchar(600)")
        conn.exec_driver_sql("ALTER TABLE dossier ADD COLUMN nouvelle integer DEFAULT 7")

    with team.db.engine.begin() as conn, pytest.raises(Exception, match="used by a view"):
        conn.exec_driver_sql("ALTER TABLE dossier ALTER COLUMN intitule TYPE varchar(600)")
    monkeypatch.setattr(command, "upgrade", fake_upgrade)
    migrate._run_upgrade(team.db)
    assert _attempt(team, "evaluateur", "SELECT nouvelle FROM dossier WHERE avis IS NULL AND nouvelle = 7") == "2"
    assert _attempt(team, "evaluateur", "SELECT avis FROM public.dossier") == "refusé"
