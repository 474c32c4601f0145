"""Comité des financeurs (docs/COMITE_API.md), on SQLite and PostgreSQL: préparation, agenda
orders, conflicts, a scripted séance of 30 dossiers with its live figures checked against an
independent computation and `SyntheseService`, closing, crash safety (scénarios:
test_scenarios.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select, update

from instructeur.domain.scoring import DossierScore
from instructeur.domain.statuts import Statut
from instructeur.domain.text import sort_key
from instructeur.errors import UserError, ValidationError
from instructeur.services.comites import ComiteService, MembreData, Tableau
from instructeur.services.contrats import ContratService
from instructeur.services.dossiers import DossierService, Ligne
from instructeur.services.notation import NotationService, ScoreRow
from instructeur.services.synthese import SyntheseService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import AuditLog, ComiteVote, Dossier, Enveloppe, Transition
from tests.factories import World, build_world, create_dossier

N = 30


@dataclass
class Setup:
    world: World
    dossiers: list[int]  # in creation order
    objectif_index: dict[int, int]  # objectif id → depth-first position
    roots: dict[int, int]  # objectif id → its top-level node


def _setup(db: Database, n: int = N) -> Setup:
    world = build_world(db)
    objectifs = ContratService(db, user="test").objectifs(world.contrat_id)
    index = {o.id: i for i, o in enumerate(objectifs)}
    parents = {o.id: o.parent_id for o in objectifs}
    roots = {}
    for o in objectifs:
        node = o.id
        while parents[node] is not None:
            node = parents[node]  # type: ignore[assignment]
        roots[o.id] = node
    leaves = [o.id for o in objectifs if o.parent_id is not None]
    # Spread over the axes, in a scrambled order so that « axe » really sorts.
    chosen = [leaves[(k * 7) % len(leaves)] for k in range(n)]
    quartiers = sorted(world.quartiers.items(), key=lambda q: sort_key(q[0]))
    etat, epci, caf = (world.financeurs[c] for c in ("ETAT", "EPCI", "CAF"))
    ids = []
    for k in range(n):
        cout = 10_000_00 + k * 1_000_00
        demande_etat, demande_epci, demande_caf = (
            4_000_00 + k * 100_00,
            3_000_00,
            1_000_00 if k % 3 == 0 else 0,
        )
        lignes = [Ligne(etat, "", demande_etat), Ligne(epci, "", demande_epci)]
        if demande_caf:
            lignes.append(Ligne(caf, "", demande_caf))
        lignes.append(Ligne(None, "Fonds propres", cout - demande_etat - demande_epci - demande_caf))
        q = quartiers[(k * 5) % len(quartiers)][1]
        ids.append(
            create_dossier(
                db,
                world,
                f"26-{(k * 11) % 97:06d}",
                objectif_id=chosen[k],
                quartiers=(q,),
                cout_total_cents=cout,
                lignes=tuple(lignes),
                cotation_declaree=k % 3,
            )
        )
    # Instruction done (cotation, avis, proposals): set directly, the instruction has its own tests.
    with db.session() as s:
        for k, d in enumerate(s.scalars(select(Dossier).where(Dossier.id.in_(ids))).all()):
            d.statut = Statut.INSTRUIT.value
            d.cotation_instruite = (d.cotation_declaree + (1 if k % 4 == 0 else 0)) % 3
            d.avis = "favorable"
            for ligne in d.lignes:
                if ligne.financeur_id is not None:
                    ligne.propose_cents = ligne.demande_cents - 500_00 if ligne.demande_cents else 0
    return Setup(world, ids, index, roots)


def _instruit_dossiers(db: Database, world: World, references: list[str]) -> list[int]:
    """Dossiers of 10 000 € (État asked 6 000 €, fonds propres 4 000 €), instruit as in `_setup`."""
    etat = world.financeurs["ETAT"]
    ids = [
        create_dossier(
            db,
            world,
            ref,
            cout_total_cents=10_000_00,
            lignes=(Ligne(etat, "", 6_000_00), Ligne(None, "Fonds propres", 4_000_00)),
        )
        for ref in references
    ]
    with db.session() as s:
        for d in s.scalars(select(Dossier).where(Dossier.id.in_(ids))):
            d.statut, d.cotation_instruite, d.avis = Statut.INSTRUIT.value, 1, "favorable"
            for ligne in d.lignes:
                if ligne.financeur_id is not None:
                    ligne.propose_cents = ligne.demande_cents
    return ids


def _membres(world: World) -> list[MembreData]:
    return [
        MembreData("Mme Sophie Hennebelle", "Sous-préfète", world.financeurs["ETAT"]),
        MembreData("M. Thierry Wacquet", "Vice-président", world.financeurs["EPCI"]),
        MembreData("M. Franck Delobel", "CAF", world.financeurs["CAF"], present=False),
    ]


def test_create_update_and_list(db: Database) -> None:
    world = build_world(db)
    service = ComiteService(db, user="claire")
    comite_id = service.create(
        world.campagne_id, "financeurs", date(2026, 4, 9), "Salle du conseil", _membres(world)
    )
    row, membres = service.get(comite_id)
    assert (row.type, row.date_seance, row.lieu, row.statut, row.nb_points) == (
        "financeurs",
        date(2026, 4, 9),
        "Salle du conseil",
        "preparation",
        0,
    )
    assert [(m.nom, m.financeur_code, m.present) for m in membres] == [
        ("Mme Sophie Hennebelle", "ETAT", True),
        ("M. Thierry Wacquet", "EPCI", True),
        ("M. Franck Delobel", "CAF", False),
    ]
    with pytest.raises(ValidationError, match="type de comité inconnu"):
        service.create(world.campagne_id, "plénière", None, None, [])
    with pytest.raises(ValidationError, match="nom obligatoire"):
        service.create(world.campagne_id, "financeurs", None, None, [MembreData(" ")])
    version = service.update(
        comite_id,
        row.version,
        type="financeurs",
        date_seance=date(2026, 4, 10),
        lieu="Hôtel communautaire",
        membres=[*_membres(world)[:2], MembreData("Mme Céline Morel", "Région")],
    )
    assert version > row.version
    row2, membres2 = service.get(comite_id)
    assert row2.lieu == "Hôtel communautaire" and [m.nom for m in membres2][-1] == "Mme Céline Morel"
    assert membres2[0].id == membres[0].id  # kept members keep their id (and their conflicts)
    with pytest.raises(UserError, match="modifié par"):
        service.update(comite_id, row.version, type="financeurs", date_seance=None, lieu=None, membres=[])
    assert [c.id for c in service.all(world.campagne_id)] == [comite_id]


def test_agenda_orders_by_axe_score_qpv_and_by_hand(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = _setup(db, 12)
    service = ComiteService(db, user="claire")
    comite_id = service.create(setup.world.campagne_id, "financeurs", date(2026, 4, 9), None, [])
    eligible = service.eligible_dossiers(comite_id)
    assert sorted(eligible) == sorted(setup.dossiers)
    service.add_points(comite_id, eligible, order="axe")
    assert service.eligible_dossiers(comite_id) == []
    with db.session() as s:
        assert {d.statut for d in s.scalars(select(Dossier))} == {"en_comite"}

    def axe_key(p):  # type: ignore[no-untyped-def]
        with db.session() as s:
            objectif_id = s.get(Dossier, p.dossier_id).objectif_id  # type: ignore[union-attr]
        return (
            setup.objectif_index[setup.roots[objectif_id]],
            setup.objectif_index[objectif_id],
            sort_key(p.reference),
        )

    agenda = service.agenda(comite_id)
    assert [p.position for p in agenda] == list(range(1, 13))
    assert agenda == sorted(agenda, key=axe_key)
    assert all(p.axe and p.objectif for p in agenda)
    assert len({axe_key(p)[0] for p in agenda}) > 1

    service.sort_agenda(comite_id, "qpv")
    agenda = service.agenda(comite_id)
    assert [(sort_key(p.quartiers), sort_key(p.reference)) for p in agenda] == sorted(
        (sort_key(p.quartiers), sort_key(p.reference)) for p in agenda
    )

    # Scores come from NotationService.scores (its own tests cover the grille): a fixed ranking.
    fake = {
        did: ScoreRow(did, DossierScore(Fraction(k * 7 % 12, 1), Fraction(1), False, 1, 0, 0), None)
        for k, did in enumerate(setup.dossiers)
    }
    monkeypatch.setattr(NotationService, "scores", lambda self, campagne_id, *a, **k: fake)
    service.sort_agenda(comite_id, "score")
    agenda = service.agenda(comite_id)
    assert [p.score for p in agenda] == sorted((p.score for p in agenda), reverse=True)
    assert agenda[0].score == 11

    by_hand = [p.id for p in reversed(agenda)]
    service.reorder(comite_id, by_hand)
    assert [p.id for p in service.agenda(comite_id)] == by_hand
    with pytest.raises(ValidationError, match="chaque point une fois"):
        service.reorder(comite_id, by_hand[:-1])

    service.remove_point(by_hand[0])
    agenda = service.agenda(comite_id)
    assert [p.position for p in agenda] == list(range(1, 12))
    assert len(service.eligible_dossiers(comite_id)) == 1


def test_conflicts_are_listed_per_point(db: Database) -> None:
    setup = _setup(db, 3)
    service = ComiteService(db, user="claire")
    comite_id = service.create(setup.world.campagne_id, "financeurs", None, None, _membres(setup.world))
    service.add_points(comite_id, setup.dossiers, order="manuel")
    _, membres = service.get(comite_id)
    service.set_conflict(membres[1].id, setup.dossiers[0], "Président de l'association")
    service.set_conflict(membres[2].id, setup.dossiers[0], "Administrateur")
    service.set_conflict(membres[0].id, setup.dossiers[2], "Conjoint salarié")
    agenda = service.agenda(comite_id)
    assert [p.dossier_id for p in agenda] == setup.dossiers  # manual order kept
    assert agenda[0].membres_en_conflit == ("M. Thierry Wacquet", "M. Franck Delobel")
    assert agenda[1].membres_en_conflit == ()
    assert agenda[2].membres_en_conflit == ("Mme Sophie Hennebelle",)
    service.set_conflict(membres[2].id, setup.dossiers[0], None)
    assert service.point(agenda[0].id).membres_en_conflit == ("M. Thierry Wacquet",)


def _expected_tableau(db: Database, setup: Setup, enveloppes: dict[int, int]) -> dict[str, object]:
    """Independent computation from the rows: Σ votes of retenus per financeur, cotation levels."""
    with db.session() as s:
        dossiers = s.scalars(select(Dossier).where(Dossier.campagne_id == setup.world.campagne_id)).all()
        vote = dict.fromkeys(setup.world.financeurs.values(), 0)
        cot_dem: dict[int | None, int] = {}
        cot_vote: dict[int | None, int] = {}
        for d in dossiers:
            lines = [ligne for ligne in d.lignes if ligne.financeur_id is not None]
            level_in = d.cotation_declaree if d.cotation_declaree is not None else d.cotation_instruite
            cot_dem[level_in] = cot_dem.get(level_in, 0) + sum(ligne.demande_cents for ligne in lines)
            if d.statut == "retenu" and d.decision == "retenu":
                level_out = d.cotation_instruite if d.cotation_instruite is not None else d.cotation_declaree
                for ligne in lines:
                    vote[ligne.financeur_id] += ligne.vote_cents or 0  # type: ignore[index]
                    cot_vote[level_out] = cot_vote.get(level_out, 0) + (ligne.vote_cents or 0)
    return {
        "vote": vote,
        "reste": {fid: enveloppes.get(fid, 0) - v for fid, v in vote.items()},
        "exceeded": {fid: fid in enveloppes and v > enveloppes[fid] for fid, v in vote.items()},
        "cot_dem": {k: v for k, v in cot_dem.items()},
        "cot_vote": {k: v for k, v in cot_vote.items() if v},
    }


def _check(tableau: Tableau, expected: dict[str, object]) -> None:
    assert {e.financeur_id: e.vote_cents for e in tableau.enveloppes} == expected["vote"]
    assert {e.financeur_id: e.reste_cents for e in tableau.enveloppes} == expected["reste"]
    assert {e.financeur_id: e.exceeded for e in tableau.enveloppes} == expected["exceeded"]
    assert {c.niveau: c.demande_cents for c in tableau.cotations if c.demande_cents} == {
        k: v
        for k, v in expected["cot_dem"].items()
        if v  # type: ignore[attr-defined]
    }
    assert {c.niveau: c.vote_cents for c in tableau.cotations if c.vote_cents} == expected["cot_vote"]
    assert tableau.total_vote_cents == sum(expected["vote"].values())  # type: ignore[attr-defined]


def test_a_scripted_seance_of_30_dossiers(db: Database, engine_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    setup = _setup(db)
    world = setup.world
    etat, epci, caf = (world.financeurs[c] for c in ("ETAT", "EPCI", "CAF"))
    enveloppes = {etat: 100_000_00, epci: 40_000_00}  # CAF has none
    with db.session() as s:
        s.execute(update(Enveloppe).where(Enveloppe.financeur_id == epci).values(montant_cents=40_000_00))
    service = ComiteService(db, user="présidente")
    comite_id = service.create(
        world.campagne_id, "financeurs", date(2026, 4, 9), "Salle du conseil", _membres(world)
    )
    service.add_points(comite_id, service.eligible_dossiers(comite_id), order="axe")
    _, membres = service.get(comite_id)
    agenda = service.agenda(comite_id)
    service.set_conflict(membres[1].id, agenda[3].dossier_id, "Président de l'association")

    p0 = agenda[0]
    with pytest.raises(UserError, match="séance n'est pas ouverte"):
        service.decide(p0.id, p0.version, "retenu", {}, None, None)
    service.open_seance(comite_id)

    versions = {p.id: p.version for p in agenda}
    overridden = False
    for k, p in enumerate(agenda):
        proposed = {m.financeur_id: m.propose_cents for m in p.montants if m.propose_cents}
        if k % 5 == 3:
            # A refusal needs a motivation; nothing is written without it.
            with pytest.raises(ValidationError, match="motivation est obligatoire"):
                service.decide(p.id, versions[p.id], "refuse", {}, None, "  ")
            result = service.decide(p.id, versions[p.id], "refuse", {}, None, "Hors des priorités du contrat")
        elif k % 7 == 5:
            result = service.decide(p.id, versions[p.id], "ajourne", {}, None, "Budget à préciser")
        else:
            if k == 1:
                with pytest.raises(ValidationError, match="dépasse le coût total"):
                    service.decide(p.id, versions[p.id], "retenu", {etat: p.cout_total_cents + 1}, None, None)
            try:
                result = service.decide(p.id, versions[p.id], "retenu", proposed, "Fournir le CRF", None)
            except UserError as exc:
                # An enveloppe runs out: refused without an override, accepted with one.
                assert "dépassée" in str(exc) and "dérogation est obligatoire" in str(exc)
                result = service.decide(
                    p.id,
                    versions[p.id],
                    "retenu",
                    proposed,
                    None,
                    None,
                    override_motivation="Action prioritaire",
                )
                assert any("dépassée" in w for w in result.warnings)
                overridden = True
        versions[p.id] = result.version
        _check(result.tableau, _expected_tableau(db, setup, enveloppes))
        assert result.tableau.nb_decides == k + 1 and result.tableau.nb_points == N
    assert overridden
    with db.session() as s:
        entry = s.scalars(select(AuditLog).where(AuditLog.changes.contains("Action prioritaire"))).first()
        assert entry is not None and "depassements" in entry.changes

    # A revision of an earlier decision, with its history (old → new).
    first = agenda[0]
    with pytest.raises(UserError, match="modifié par"):
        service.decide(first.id, first.version, "refuse", {}, None, "x")
    result = service.decide(first.id, versions[first.id], "ajourne", {}, None, "Attendre le bilan 2025")
    versions[first.id] = result.version
    history = service.decision_history(first.id)
    assert len(history) == 2 and history[1][1] == ("présidente" if db.is_sqlite else "postgres")  # session_user
    assert history[0][2].startswith("Décision : Retenu (ETAT")
    assert history[1][2].startswith("Décision révisée : Retenu (ETAT") and "→ Ajourné" in history[1][2]
    _check(service.tableau(comite_id), _expected_tableau(db, setup, enveloppes))
    assert service.point(agenda[3].id).membres_en_conflit == ("M. Thierry Wacquet",)
    assert "n'a pas pris part : M. Thierry Wacquet" in service.decision_history(agenda[3].id)[0][2]

    # The live figures are the synthesis' figures.
    tableau = service.tableau(comite_id)
    synthese = SyntheseService(db).campagne(world.campagne_id)
    assert [(e.financeur_id, e.enveloppe_cents, e.vote_cents, e.reste_cents) for e in tableau.enveloppes] == [
        (f.financeur_id, f.enveloppe_cents, f.vote_cents, f.reste_cents) for f in synthese.financeurs
    ]
    assert [(c.niveau, c.demande_cents, c.vote_cents) for c in tableau.cotations] == [
        (c.niveau, c.demande_entree_cents, c.vote_sortie_cents) for c in synthese.cotations
    ]
    assert tableau.total_vote_cents == synthese.totaux.vote_cents

    # Closing: refused while a point is undecided (a late addition), then accepted.
    extra = create_dossier(db, world, "26-999999")
    with db.session() as s:
        d = s.get(Dossier, extra)
        d.statut, d.cotation_instruite, d.avis = "instruit", 1, "favorable"  # type: ignore[union-attr]
        d.lignes[0].propose_cents = 1_000_00  # type: ignore[union-attr]
    service.add_points(comite_id, [extra], order="manuel")
    with pytest.raises(ValidationError) as refused:
        service.close(comite_id)
    assert "1 point(s) sans décision" in refused.value.problems[0]
    assert "26-999999" in refused.value.problems[1]
    late = service.agenda(comite_id)[-1]
    service.decide(late.id, late.version, "refuse", {}, None, "Dépôt hors délai")
    service.close(comite_id)
    assert service.get(comite_id)[0].statut == "clos"
    with pytest.raises(UserError, match="clos : ses décisions ne peuvent plus être révisées"):
        service.decide(first.id, versions[first.id], "retenu", {}, None, None)

    # Dossiers: statut, decision, transitions with the motivations, votes on lines and ComiteVote.
    with db.session() as s:
        for p in agenda:
            d = s.get(Dossier, p.dossier_id)
            point = service.point(p.id)
            assert d is not None and d.statut == point.decision == d.decision
            transitions = s.scalars(
                select(Transition).where(Transition.dossier_id == d.id).order_by(Transition.id)
            ).all()
            assert transitions[-1].vers_statut == point.decision
            if point.decision != "retenu":
                assert transitions[-1].motivation and point.motivation in transitions[-1].motivation
                assert all((ligne.vote_cents or 0) == 0 for ligne in d.lignes)
            else:
                votes = {
                    v.financeur_id: v.montant_cents
                    for v in s.scalars(select(ComiteVote).where(ComiteVote.point_id == p.id))
                }
                lines = {ligne.financeur_id: ligne.vote_cents for ligne in d.lignes if ligne.financeur_id}
                assert votes == {fid: v for fid, v in lines.items() if v}
        first_transitions = s.scalars(
            select(Transition.motivation)
            .where(Transition.dossier_id == first.dossier_id)
            .order_by(Transition.id)
        ).all()
        assert "Révision en séance (Retenu → Ajourné) : Attendre le bilan 2025" in first_transitions
    # A reopening goes through the dossier service, with a motivation.
    DossierService(db, user="chef").change_statut(first.dossier_id, Statut.INSTRUIT, "Nouveau budget reçu")

    # Crash safety: every decision was committed; a fresh connection sees it.
    again = open_database(engine_url, backup_dir=tmp_path)
    try:
        assert (
            ComiteService(again, user="x").point(agenda[5].id).decision
            == service.point(agenda[5].id).decision
        )
        assert ComiteService(again, user="x").get(comite_id)[0].nb_decides == N + 1
    finally:
        again.close()


def test_a_decision_is_committed_at_once(db: Database, engine_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    setup = _setup(db, 2)
    service = ComiteService(db, user="claire")
    comite_id = service.create(setup.world.campagne_id, "financeurs", None, None, [])
    service.add_points(comite_id, setup.dossiers)
    service.open_seance(comite_id)
    p = service.agenda(comite_id)[0]
    etat = setup.world.financeurs["ETAT"]
    service.decide(p.id, p.version, "retenu", {etat: 3_000_00}, None, None)
    # Another process (the app restarted after a crash) sees the decision at once.
    other = open_database(engine_url, backup_dir=tmp_path)
    try:
        with other.session() as s:
            d = s.get(Dossier, p.dossier_id)
            assert d is not None and d.statut == "retenu"
            assert {ligne.financeur_id: ligne.vote_cents for ligne in d.lignes if ligne.financeur_id}[
                etat
            ] == 3_000_00
        assert ComiteService(other).agenda(comite_id)[0].decision == "retenu"
    finally:
        other.close()
