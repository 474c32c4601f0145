"""Team mode on the real PostgreSQL server: what an évaluateur reads of the dossiers assigned to
them (views of storage/roles_evaluateur.py): the fiche opens with their own login, the avis never
shows, and a declared conflict hides the comité's discussion too (raw SQL and services)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from instructeur.services.dossiers import DossierService
from instructeur.services.fiche import FicheService
from instructeur.services.notation import NotationService
from instructeur.services.suivi import SuiviService
from instructeur.storage.db import Database, open_database
from tests.shots import shot
from tests.storage.test_equipe_roles import SECRET_AVIS, SECRET_DISCUSSION, Team, _build

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def team(pg_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """Built once for the module: the tests only read (or write in a rolled-back transaction)."""
    url = pg_server.create_database()
    db = open_database(url, backup_dir=tmp_path_factory.mktemp("equipe"))
    try:
        yield _build(db, url, pg_server.port)
    finally:
        db.close()
        pg_server.drop_database(url)


def _login_db(t: Team, role: str = "evaluateur") -> Database:
    return open_database(t.url.replace("postgres@", f"{t.logins[role]}@"), migrate=False)


def _query(t: Team, statement: str, role: str = "evaluateur") -> list[tuple[Any, ...]] | str:
    """The rows the server returns to that login, or « refusé »."""
    with psycopg.connect(host="127.0.0.1", port=t.port, dbname=t.dbname, user=t.logins[role]) as conn:
        try:
            return conn.execute(statement).fetchall()
        except psycopg.errors.InsufficientPrivilege:
            return "refusé"


def test_evaluateur_never_reads_the_avis_through_raw_sql(team: Team) -> None:
    # The real tables refuse the avis columns outright...
    assert _query(team, "SELECT avis_motivation FROM public.dossier") == "refusé"
    assert _query(team, "SELECT * FROM public.dossier") == "refusé"
    assert _query(team, "SELECT propose_cents FROM public.ligne_financement") == "refusé"
    # ...and the login's own search path shows the assigned dossiers with the avis left empty.
    assert sorted(_query(team, "SELECT id, avis, avis_motivation FROM dossier")) == sorted(  # type: ignore[arg-type]
        [(team.d_ok, None, None), (team.d_conflit, None, None)]
    )
    assert _query(team, "SELECT DISTINCT propose_cents FROM ligne_financement") == [(None,)]
    # The other roles still read it.
    assert _query(team, f"SELECT avis_motivation FROM dossier WHERE id = {team.d_ok}", "lecteur") == [
        (SECRET_AVIS,)
    ]


def test_conflict_hides_the_comite_discussion_through_raw_sql(team: Team) -> None:
    points = _query(team, "SELECT dossier_id, motivation FROM comite_point")
    assert points == [(team.d_ok, SECRET_DISCUSSION)]  # not the conflicted dossier's
    votes = _query(team, "SELECT p.dossier_id FROM comite_vote v JOIN comite_point p ON p.id = v.point_id")
    assert votes == [(team.d_ok,)]
    history = dict(_query(team, "SELECT dossier_id, motivation FROM transition WHERE vers_statut = 'refuse'"))  # type: ignore[arg-type]
    assert history == {team.d_ok: SECRET_DISCUSSION, team.d_conflit: None}
    assert _query(team, "SELECT * FROM public.comite_point") == "refusé"
    # Nothing of the dossier not assigned to them.
    assert _query(team, f"SELECT id FROM dossier WHERE id = {team.d_autre}") == []
    assert _query(team, f"SELECT id FROM notification WHERE dossier_id = {team.d_autre}") == []


def test_evaluateur_opens_the_fiche_of_an_assigned_dossier(team: Team) -> None:
    db = _login_db(team)
    try:
        detail = DossierService(db).get(team.d_ok)
        assert (detail.avis, detail.avis_motivation) == (None, None)
        assert {ligne.propose_cents for ligne in detail.data.lignes} == {None}
        context = FicheService(db).context(detail.campagne_id)
        assert context.financeurs
        assert FicheService(db).recevabilite(team.d_ok) is not None
        suivi = SuiviService(db).get(team.d_ok)
        assert suivi.decision is not None
        [mine] = NotationService(db).evaluations_of(team.d_ok)
        assert mine.evaluateur_nom == "Alice Martin"
        # Conflicted: the fiche opens, without the comité's discussion nor anybody's notes.
        conflicted = SuiviService(db).get(team.d_conflit)
        assert SECRET_DISCUSSION not in repr(conflicted)
        assert all(
            t.motivation != SECRET_DISCUSSION for t in DossierService(db).get(team.d_conflit).transitions
        )
        [own] = NotationService(db).evaluations_of(team.d_conflit)
        assert own.notes == {}
    finally:
        db.close()


def test_snapshot_of_the_fiche_as_an_evaluateur(team: Team) -> None:
    """The window's snapshot: the journal (which holds the avis' history) is left out, not fatal."""
    pytest.importorskip("PySide6")
    from instructeur.services.fiche import FicheService
    from ui.fiche.snapshot import fiche_journal, load_snapshot

    db = _login_db(team)
    try:
        snapshot = load_snapshot(db, team.d_ok)
        journal = fiche_journal(FicheService(db), team.d_ok)
    finally:
        db.close()
    assert snapshot.detail is not None and snapshot.detail.avis is None
    assert snapshot.journal is None  # read when the Historique tab is shown
    assert journal == ()


def test_fiche_window_of_an_evaluateur(team: Team, qtbot: Any) -> None:
    """The window with the évaluateur's login: every tab opens, the Instruction tab shows their
    own grille only, the Historique is greyed, and they can score."""
    pytest.importorskip("PySide6")
    from PySide6.QtCore import Qt

    from instructeur.services.equipe import permissions
    from instructeur.services.fiche import FicheService
    from ui.equipe_rights import apply_fiche_permissions
    from ui.fiche.snapshot import load_snapshot
    from ui.fiche.window import FicheDossier

    db = _login_db(team)
    try:
        perms = permissions(db)
        assert perms.role == "evaluateur"
        snapshot = load_snapshot(db, team.d_ok)
        assert snapshot.detail is not None
        fiche = FicheDossier(db, FicheService(db).context(snapshot.detail.campagne_id), snapshot)
        qtbot.addWidget(fiche)
        apply_fiche_permissions(fiche, perms)
        fiche.resize(1280, 740)
        fiche.show()
        for index in range(fiche.tabs.count()):
            if fiche.tabs.isTabEnabled(index):
                fiche.tabs.setCurrentIndex(index)
                qtbot.wait(10)
        assert not fiche.tabs.isTabEnabled(fiche.tabs.indexOf(fiche.historique))
        assert fiche.statut.buttons and not any(b.isEnabled() for b in fiche.statut.buttons.values())
        fiche.tabs.setCurrentWidget(fiche.instruction)
        tab = fiche.instruction
        assert [tab.evaluateur_combo.itemText(i) for i in range(tab.evaluateur_combo.count())] == [
            tab._evaluateur_text(tab._evaluations[0])
        ]
        assert "Alice Martin" in tab.evaluateur_combo.itemText(0)
        assert not tab.avis_message.isVisible() and not tab.completeness_label.isVisible()
        second = list(tab.inputs.values())[1]
        button = second.radios[second.critere.echelle_max] if second.radios else None
        assert button is not None
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert tab.save_notes_button.isEnabled()
        qtbot.mouseClick(tab.save_notes_button, Qt.MouseButton.LeftButton)
        saved = NotationService(db).evaluation_by_id(team.ev_alice_ok).notes
        assert saved[second.critere.id] == second.critere.echelle_max
        qtbot.wait(50)
        fiche.grab().save(shot("fiche_evaluateur.png"))
        fiche.tabs.setCurrentWidget(fiche.suivi)
        qtbot.wait(10)
        fiche.grab().save(shot("fiche_evaluateur_suivi.png"))
        fiche.close()
    finally:
        db.close()


def test_main_window_of_an_evaluateur(team: Team, qtbot: Any) -> None:
    """The whole window with the évaluateur's login: their two dossiers listed, a fiche opens."""
    pytest.importorskip("PySide6")
    from instructeur.services.equipe import permissions
    from ui.equipe_rights import apply_permissions
    from ui.main_window import MainWindow

    db = _login_db(team)
    try:
        window = MainWindow(db)
        qtbot.addWidget(window)
        apply_permissions(window, permissions(db))
        window.resize(1366, 740)
        window.show()
        qtbot.wait(50)
        fiche = window.open_fiche(team.d_conflit)
        assert fiche is not None and not fiche.tabs.isTabEnabled(fiche.tabs.indexOf(fiche.historique))
        fiche.tabs.setCurrentWidget(fiche.suivi)
        qtbot.wait(20)
        assert SECRET_DISCUSSION not in fiche.suivi.motivation_label.text()
        fiche.grab().save(shot("fiche_evaluateur_conflit_suivi.png"))
        window.grab().save(shot("main_evaluateur.png"))
        window.reporting.show_dashboard()  # figures of their dossiers only
        qtbot.wait(50)
        window.grab().save(shot("dashboard_evaluateur.png"))
        fiche.close()
        window.close()
    finally:
        db.close()
