"""On the real PostgreSQL server: an évaluateur's login reads the others' notes of a dossier only
under the campagne's option and once their own évaluation is complete; never under a conflict;
never writes them (policies + `equipe_notes_visibles`, storage/roles_evaluateur.py)."""

from __future__ import annotations

import psycopg
import pytest

from instructeur.services import equipe
from instructeur.services.dossiers import DossierService
from instructeur.services.notation import NotationService
from instructeur.services.notes_visibilite import NotesVisibiliteService
from instructeur.storage.db import open_database
from tests.services.test_notes_visibilite import complete
from tests.storage.test_equipe_roles import Team, team  # noqa: F401 (fixture)

pytestmark = pytest.mark.postgres


def _as_evaluateur(t: Team, statement: str) -> list[tuple[object, ...]] | int | str:
    with psycopg.connect(host="127.0.0.1", port=t.port, dbname=t.dbname, user=t.logins["evaluateur"]) as conn:
        try:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else cur.rowcount
        except psycopg.errors.InsufficientPrivilege:
            return "refusé"
        finally:
            conn.rollback()


def _bob_notes(t: Team, dossier: int) -> object:
    return _as_evaluateur(
        t,
        "SELECT count(*) FROM note n JOIN evaluation e ON e.id = n.evaluation_id JOIN evaluateur v "
        f"ON v.id = e.evaluateur_id WHERE v.nom = 'Bob Durand' AND e.dossier_id = {dossier}",
    )


def test_others_notes_on_the_server(team: Team) -> None:  # noqa: F811
    owner = NotationService(team.db, user="test")
    campagne_id = DossierService(team.db).get(team.d_ok).campagne_id
    alice = owner.evaluation_by_id(team.ev_alice_ok).evaluateur_id
    bob = next(e.evaluateur_id for e in owner.evaluations_of(team.d_ok) if e.evaluateur_id != alice)
    assert _bob_notes(team, team.d_ok) == [(0,)]  # option off
    NotesVisibiliteService(team.db, user="chef").set(campagne_id, True)
    assert _bob_notes(team, team.d_ok) == [(0,)]  # Alice's own évaluation is incomplete
    complete(owner, team.d_ok, alice)
    assert _bob_notes(team, team.d_ok) == [(1,)]
    assert _bob_notes(team, team.d_conflit) == [(0,)]  # conflicted: never
    # Reading is not writing: Bob's notes and évaluation stay his.
    assert _as_evaluateur(team, f"UPDATE note SET valeur = 0 WHERE evaluation_id IN "
                                f"(SELECT id FROM evaluation WHERE evaluateur_id = {bob})") == 0  # fmt: skip
    assert _as_evaluateur(team, f"UPDATE evaluation SET commentaire = 'x' WHERE evaluateur_id = {bob}") == 0
    assert _as_evaluateur(team, f"DELETE FROM note WHERE evaluation_id IN "
                                f"(SELECT id FROM evaluation WHERE evaluateur_id = {bob})") == 0  # fmt: skip
    # The option is the chef de projet's.
    assert _as_evaluateur(team, "UPDATE setting SET value = '0'") == "refusé"
    # Through the services with Alice's login: the same answer.
    db = open_database(team.url.replace("postgres@", f"{team.logins['evaluateur']}@"), migrate=False)
    try:
        perms = equipe.permissions(db)
        assert perms.evaluateurs == (alice,)
        seen = {e.evaluateur_nom: len(e.notes) for e in NotationService(db).evaluations_of(team.d_ok, perms.evaluateurs)}
        assert seen["Bob Durand"] == 1 and seen["Alice Martin"] > 1
        assert [e.evaluateur_nom for e in NotationService(db).evaluations_of(team.d_conflit, perms.evaluateurs)] == [
            "Alice Martin"
        ]
    finally:
        db.close()
    NotesVisibiliteService(team.db, user="chef").set(campagne_id, False)
    assert _bob_notes(team, team.d_ok) == [(0,)]


def test_fiche_shows_the_others_notes_read_only(team: Team, qtbot) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    pytest.importorskip("PySide6")
    from instructeur.services.fiche import FicheService
    from ui.equipe_rights import apply_fiche_permissions
    from ui.fiche.snapshot import load_snapshot
    from ui.fiche.window import FicheDossier

    owner = NotationService(team.db, user="test")
    alice = owner.evaluation_by_id(team.ev_alice_ok).evaluateur_id
    NotesVisibiliteService(team.db, user="chef").set(DossierService(team.db).get(team.d_ok).campagne_id, True)
    complete(owner, team.d_ok, alice)
    db = open_database(team.url.replace("postgres@", f"{team.logins['evaluateur']}@"), migrate=False)
    try:
        snapshot = load_snapshot(db, team.d_ok)
        assert snapshot.detail is not None
        fiche = FicheDossier(db, FicheService(db).context(snapshot.detail.campagne_id), snapshot)
        qtbot.addWidget(fiche)
        apply_fiche_permissions(fiche, equipe.permissions(db))
        fiche.show()
        fiche.tabs.setCurrentWidget(fiche.instruction)
        tab = fiche.instruction
        names = [tab.evaluateur_combo.itemText(i) for i in range(tab.evaluateur_combo.count())]
        assert len(names) == 2 and "Bob Durand" in names[1]
        assert all(w.radios[None].isEnabled() for w in tab.inputs.values())  # her own: editable
        tab.evaluateur_combo.setCurrentIndex(1)
        assert tab.inputs and not any(r.isEnabled() for w in tab.inputs.values() for r in w.radios.values())
        assert tab.commentaire.isReadOnly() and not tab.conflict_button.isVisible()
        fiche.close()
    finally:
        db.close()
