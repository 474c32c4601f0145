"""Suivi after the comité (SuiviService): save / read back with the version check, who may have a
suivi, the CRF due date and late flag, the decision and notification context, and the statut
rules that use the suivi (« soldé » needs a CRF date, « non réalisé » records réalisé = non).
Runs on SQLite and on PostgreSQL (`db` fixture)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from instructeur.domain.dates import echeance_crf, format_date_long
from instructeur.domain.statuts import Statut
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.dossiers import DossierService, move_statut
from instructeur.services.fiche import FicheService
from instructeur.services.notifications import NotificationService
from instructeur.services.porteurs import PorteurService
from instructeur.services.suivi import (
    NOT_RETENU,
    SOLDE_SANS_CRF,
    SuiviData,
    SuiviService,
)
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AuditLog,
    Comite,
    ComitePoint,
    ComiteVote,
    Dossier,
    LigneFinancement,
    Notification,
)
from tests.factories import World, build_world, create_dossier, tick_recevabilite

TO_RETENU = (Statut.RECEVABLE, Statut.EN_INSTRUCTION, Statut.INSTRUIT, Statut.EN_COMITE, Statut.RETENU)


def move(db: Database, dossier_id: int, *path: Statut, votes: dict[int, int] | None = None) -> None:
    """Walk the life cycle without the instruction checks (they are tested elsewhere)."""
    if Statut.RECEVABLE in path:
        tick_recevabilite(db, dossier_id)
    with db.session() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None
        for target in path:
            move_statut(s, d, target, "test", f"vers {target.label}")
        for ligne in s.scalars(select(LigneFinancement).where(LigneFinancement.dossier_id == dossier_id)):
            if votes and ligne.financeur_id in votes:
                ligne.vote_cents = votes[ligne.financeur_id]


def retenu(db: Database, world: World, reference: str = "26-000001", **overrides: object) -> int:
    did = create_dossier(db, world, reference, **overrides)
    move(
        db,
        did,
        *TO_RETENU,
        votes={world.financeurs["ETAT"]: 4_000_00, world.financeurs["EPCI"]: 3_500_00},
    )
    return did


def today_is(day: date):  # type: ignore[no-untyped-def]
    return lambda: day


def test_save_and_read_back_with_the_version_check(db: Database) -> None:
    world = build_world(db)
    did = retenu(db, world, public_prevu=30, public_femmes=15, public_hommes=15)
    service = SuiviService(db, user="alice", today=today_is(date(2027, 5, 2)))
    dossier_version = DossierService(db).get(did).version
    empty = service.get(did)
    assert (empty.version, empty.retenu, empty.crf_recu_le, empty.realise) == (0, True, None, None)

    data = SuiviData(
        crf_recu_le=date(2027, 4, 15),
        realise="partiel",
        beneficiaires_femmes=22,
        beneficiaires_hommes=19,  # 41 > 30 prévus: stored as is
        indicateurs="  18 séances ; assiduité 80 %  ",
    )
    version = service.save(did, 0, data)
    assert version == 1
    got = service.get(did)
    assert got.data == SuiviData(date(2027, 4, 15), "partiel", 22, 19, "18 séances ; assiduité 80 %")
    assert (got.version, got.updated_by, got.public_prevu) == (1, "alice", 30)
    assert DossierService(db).get(did).version == dossier_version  # the dossier row is untouched

    # Someone else's save meanwhile: refused, named, nothing written.
    bob = SuiviService(db, user="bob", today=today_is(date(2027, 5, 2)))
    assert bob.save(did, 1, SuiviData(crf_recu_le=date(2027, 4, 16), realise="oui")) == 2
    with pytest.raises(ConcurrentEditError, match="Le suivi du dossier 26-000001 a été modifié par bob"):
        service.save(did, 1, data)
    with pytest.raises(ConcurrentEditError):
        service.save(did, 0, data)  # « no row yet » is stale too
    assert service.get(did).realise == "oui"

    # No change, no new version, no audit line.
    same = service.get(did).data
    assert service.save(did, 2, same) == 2
    with db.session() as s:
        logs = s.scalars(
            select(AuditLog).where(AuditLog.entity == "dossier", AuditLog.action == "suivi")
        ).all()
        assert len(logs) == 2
        assert json.loads(logs[-1].changes)["Réalisé"] == "Partiellement → Oui"
    journal = FicheService(db).journal(did)
    assert any(r.action == "Suivi" and "CRF reçu le" in r.text for r in journal)


def test_values_are_checked(db: Database) -> None:
    world = build_world(db)
    did = retenu(db, world)
    service = SuiviService(db, today=today_is(date(2027, 5, 2)))
    with pytest.raises(ValidationError) as refused:
        service.save(
            did,
            0,
            SuiviData(
                crf_recu_le=date(2027, 5, 3),
                realise="peut-être",
                beneficiaires_femmes=-1,
                beneficiaires_hommes=-2,
            ),
        )
    assert refused.value.problems == [
        "CRF reçu le : la date ne peut pas être dans le futur (03/05/2027)",
        "réalisé : « peut-être » inconnu (oui, partiel ou non)",
        "bénéficiaires réels femmes : nombre négatif",
        "bénéficiaires réels hommes : nombre négatif",
    ]
    assert service.save(did, 0, SuiviData(crf_recu_le=date(2027, 5, 2), realise="non")) == 1


def test_refused_for_a_dossier_never_retenu(db: Database) -> None:
    world = build_world(db)
    en_instruction = create_dossier(db, world, "26-000001")
    move(db, en_instruction, Statut.RECEVABLE, Statut.EN_INSTRUCTION)
    refuse = create_dossier(db, world, "26-000002")
    move(db, refuse, *TO_RETENU[:-1], Statut.REFUSE, Statut.NOTIFIE)
    service = SuiviService(db, today=today_is(date(2027, 5, 2)))
    for did, ref in ((en_instruction, "26-000001"), (refuse, "26-000002")):
        assert not service.get(did).retenu
        with pytest.raises(ValidationError, match=f"dossier {ref} : {NOT_RETENU}"):
            service.save(did, 0, SuiviData(crf_recu_le=date(2027, 4, 1)))
    # Reopened after « retenu »: it was retenu, its suivi stays recordable.
    reopened = retenu(db, world, "26-000003")
    move(db, reopened, Statut.EN_COMITE)
    assert service.save(reopened, 0, SuiviData(realise="oui")) == 1


def test_solde_needs_the_crf_date(db: Database) -> None:
    world = build_world(db)
    did = retenu(db, world)
    move(db, did, Statut.NOTIFIE)
    dossiers = DossierService(db, user="test")
    with pytest.raises(UserError, match=f"dossier 26-000001 : {SOLDE_SANS_CRF}"):
        dossiers.change_statut(did, Statut.SOLDE)
    suivi = SuiviService(db, today=today_is(date(2027, 3, 1)))
    suivi.save(did, 0, SuiviData(realise="oui"))  # a suivi without CRF date is not enough
    batch = dossiers.change_statut_many([did], Statut.SOLDE)
    assert batch.refused == ((did, f"dossier 26-000001 : {SOLDE_SANS_CRF}"),)

    suivi.save(did, 1, SuiviData(crf_recu_le=date(2027, 2, 20), realise="oui"))
    dossiers.change_statut(did, Statut.SOLDE)
    assert dossiers.get(did).statut is Statut.SOLDE
    history = PorteurService(db).history(world.porteur_id)
    assert [(h.reference, h.crf_recu_le) for h in history] == [("26-000001", date(2027, 2, 20))]


def test_non_realise_records_realise_non_unless_a_suivi_says_otherwise(db: Database) -> None:
    world = build_world(db)
    dossiers = DossierService(db, user="test")
    first = retenu(db, world, "26-000001")
    dossiers.change_statut(first, Statut.NON_REALISE, "Intervenant parti")
    got = SuiviService(db).get(first)
    assert (got.realise, got.version, got.crf_recu_le) == ("non", 1, None)
    assert not got.crf_en_retard  # nothing to report for an action not carried out

    second = retenu(db, world, "26-000002")
    SuiviService(db, today=today_is(date(2026, 9, 1))).save(second, 0, SuiviData(realise="partiel"))
    move(db, second, Statut.NOTIFIE)
    dossiers.change_statut(second, Statut.NON_REALISE, "Arrêtée en cours d'année")
    assert SuiviService(db).get(second).realise == "partiel"


def test_crf_due_date_and_late_flag(db: Database) -> None:
    world = build_world(db)  # campagne 2026
    did = retenu(db, world, "26-000001")
    late_end = retenu(db, world, "26-000002", date_debut=date(2026, 9, 1), date_fin=date(2027, 3, 31))
    assert echeance_crf(2026, None) == date(2027, 6, 30)
    assert echeance_crf(2026, date(2026, 12, 31)) == date(2027, 6, 30)
    assert echeance_crf(2026, date(2027, 3, 31)) == date(2028, 6, 30)

    on_time = SuiviService(db, today=today_is(date(2027, 6, 30)))
    assert on_time.get(did).echeance_crf == date(2027, 6, 30)
    assert not on_time.get(did).crf_en_retard
    late = SuiviService(db, today=today_is(date(2027, 7, 1)))
    assert late.get(did).crf_en_retard
    assert late.get(late_end).echeance_crf == date(2028, 6, 30)
    assert not late.get(late_end).crf_en_retard
    late.save(did, 0, SuiviData(crf_recu_le=date(2027, 7, 1)))
    assert not late.get(did).crf_en_retard

    # The same date as the letters' {echeance_crf} field.
    for dossier_id in (did, late_end):
        letter = NotificationService(db).letters(world.campagne_id, [dossier_id])[0]
        assert letter.fields["echeance_crf"] == format_date_long(late.get(dossier_id).echeance_crf)


def test_decision_and_notifications_context(db: Database) -> None:
    world = build_world(db)
    etat, epci, caf = (world.financeurs[c] for c in ("ETAT", "EPCI", "CAF"))
    # Without a comité: the dossier's decision, voted lines and last transition.
    did = retenu(db, world)
    service = SuiviService(db)
    decision = service.get(did).decision
    assert decision is not None
    assert (decision.label, decision.comite, decision.conditions) == ("Retenu", None, None)
    assert decision.date_comite == date.today()
    assert [(v.financeur, v.montant_cents) for v in decision.votes] == [
        ("État — Préfecture du Pas-de-Calais", 4_000_00),
        ("Communauté d'agglomération", 3_500_00),
    ]
    assert decision.total_vote_cents == 7_500_00
    assert service.get(did).notifications == ()

    # With comité points: the last decided one wins (its séance, votes, conditions, motivation).
    with db.session() as s:
        early = Comite(campagne_id=world.campagne_id, type="technique", date_seance=date(2026, 3, 2))
        late = Comite(campagne_id=world.campagne_id, type="financeurs", date_seance=date(2026, 4, 14))
        s.add_all([early, late])
        s.flush()
        s.add(ComitePoint(comite_id=early.id, dossier_id=did, decision="ajourne", motivation="Budget"))
        point = ComitePoint(
            comite_id=late.id,
            dossier_id=did,
            decision="retenu",
            conditions="Bilan intermédiaire en octobre",
            motivation="Action attendue par le conseil citoyen",
            decided_at=datetime(2026, 4, 14, 15, 30),
        )
        point.votes = [
            ComiteVote(financeur_id=caf, montant_cents=1_000_00),
            ComiteVote(financeur_id=etat, montant_cents=4_000_00),
            ComiteVote(financeur_id=epci, montant_cents=0),
        ]
        s.add(point)
        s.add(
            Notification(
                dossier_id=did,
                financeur_id=epci,
                modele="attribution",
                etat="a_notifier",
                date_generation=date(2026, 4, 20),
                date_signature=date(2026, 4, 22),
            )
        )
    got = service.get(did)
    decision = got.decision
    assert decision is not None
    assert decision.comite == "Comité des financeurs du 14/04/2026"
    assert decision.date_comite == date(2026, 4, 14)
    assert [(v.financeur_id, v.montant_cents) for v in decision.votes] == [(etat, 4_000_00), (caf, 1_000_00)]
    assert decision.total_vote_cents == 5_000_00
    assert decision.conditions == "Bilan intermédiaire en octobre"
    assert decision.motivation == "Action attendue par le conseil citoyen"
    [notification] = got.notifications
    assert (notification.modele_label, notification.etat_label, notification.financeur) == (
        "Lettre d'attribution",
        "À notifier",
        "Communauté d'agglomération",
    )
    assert (notification.date_signature, notification.date_notification) == (date(2026, 4, 22), None)

    never = create_dossier(db, world, "26-000009")
    assert service.get(never).decision is None
