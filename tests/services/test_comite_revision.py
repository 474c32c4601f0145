"""« Modifier la décision » outside the séance (ComiteService.revise_decision) and the fiche's
read-only voté, on SQLite and PostgreSQL: the séance's checks (coût total, enveloppes with a
dérogation, motivation), the history, the votes on the plan and on the point, the letter
« À refaire »."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select, update

from instructeur.domain.statuts import Statut
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.comites import ComiteService
from instructeur.services.dossiers import DossierService, Ligne, move_statut
from instructeur.services.fiche import FicheService
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AuditLog,
    ComiteVote,
    Dossier,
    Enveloppe,
    LigneFinancement,
    Notification,
    Transition,
)
from tests.services.test_comites import Setup, _instruit_dossiers, _membres, _setup


@dataclasses.dataclass
class Decided:
    setup: Setup
    service: ComiteService
    comite_id: int
    retenu: int  # dossier id, retenu ETAT 3 000 €
    refuse: int  # dossier id, refusé
    etat: int


def _decided(db: Database, *, close: bool = True) -> Decided:
    setup = _setup(db, 2)
    etat = setup.world.financeurs["ETAT"]
    with db.session() as s:  # ETAT: 5 000 € for the campagne
        s.execute(update(Enveloppe).where(Enveloppe.financeur_id == etat).values(montant_cents=5_000_00))
    service = ComiteService(db, user="présidente")
    comite_id = service.create(
        setup.world.campagne_id, "financeurs", date(2026, 4, 9), None, _membres(setup.world)
    )
    service.add_points(comite_id, setup.dossiers, order="manuel")
    service.open_seance(comite_id)
    first, second = service.agenda(comite_id)
    service.decide(first.id, first.version, "retenu", {etat: 3_000_00}, "Bilan en octobre", None)
    service.decide(second.id, second.version, "refuse", {}, None, "Hors priorités")
    if close:
        service.close(comite_id)
    return Decided(setup, service, comite_id, first.dossier_id, second.dossier_id, etat)


def _version(db: Database, dossier_id: int) -> int:
    return DossierService(db).get(dossier_id).version


def test_revision_applies_the_seance_checks_and_records_everything(db: Database) -> None:
    w = _decided(db)
    did, etat, service = w.retenu, w.etat, w.service
    with db.session() as s:
        s.add(Notification(dossier_id=did, modele="attribution", etat="a_signer", fichier="/tmp/lettre.pdf"))
    version = _version(db, did)

    with pytest.raises(ValidationError, match="motivation de la révision est obligatoire"):
        service.revise_decision(did, version, "retenu", {etat: 4_000_00}, None, "  ")
    with pytest.raises(ValidationError, match="dépasse le coût total"):
        service.revise_decision(did, version, "retenu", {etat: 10_000_01}, None, "Budget revu")
    # 4 000 € + nothing else retenu on ETAT: within 5 000 €; 6 000 € is beyond.
    with pytest.raises(ValidationError) as refused:
        service.revise_decision(did, version, "retenu", {etat: 6_000_00}, None, "Budget revu")
    assert "enveloppe ETAT dépassée de 1\xa0000,00" in str(refused.value) and "dérogation" in str(
        refused.value
    )
    with pytest.raises(ValidationError, match="aucun montant ne peut être voté"):
        service.revise_decision(did, version, "ajourne", {etat: 1_00}, None, "Attendre")
    with pytest.raises(ConcurrentEditError):
        service.revise_decision(did, version - 1, "retenu", {etat: 4_000_00}, None, "Budget revu")
    # Nothing was written by the refusals.
    assert service.revision_form(did).montants[0].vote_cents == 3_000_00

    result = service.revise_decision(
        did, version, "retenu", {etat: 6_000_00}, "Bilan en octobre", "Budget revu", "Action prioritaire"
    )
    assert result.version > version and result.notifications_a_refaire == 1
    assert any("dépassée de 1\xa0000,00" in x for x in result.warnings)
    with db.session() as s:
        d = s.get(Dossier, did)
        assert d is not None and d.statut == "retenu" and d.decision == "retenu"
        assert {lg.financeur_id: lg.vote_cents for lg in d.lignes if lg.financeur_id}[etat] == 6_000_00
        votes = {v.financeur_id: v.montant_cents for v in s.scalars(select(ComiteVote))}
        assert votes == {etat: 6_000_00}
        last = s.scalars(
            select(Transition).where(Transition.dossier_id == did).order_by(Transition.id.desc())
        ).first()
        assert last is not None
        assert last.motivation == "Révision de la décision (Retenu → Retenu) : Budget revu"
        assert s.scalar(select(Notification.etat)) == "a_refaire"
        journal = s.scalars(
            select(AuditLog).where(AuditLog.entity == "dossier", AuditLog.action == "révision")
        ).one()
        assert "Budget revu" in journal.changes and "Action prioritaire" in journal.changes
    history = service.decision_history(service.agenda(w.comite_id)[0].id)
    assert "(hors séance)" in history[-1][2] and "dérogation à l'enveloppe (ETAT)" in history[-1][2]
    lines = FicheService(db).journal(did)
    assert any("Révision de la décision (Retenu → Retenu) : Budget revu" in r.text for r in lines)


def test_refused_then_retained_then_notified_then_revised_again(db: Database) -> None:
    w = _decided(db)
    service, etat = w.service, w.etat
    # Refusé → Retenu: within the enveloppe (3 000 + 1 500 ≤ 5 000), the statut follows.
    service.revise_decision(
        w.refuse, _version(db, w.refuse), "retenu", {etat: 1_500_00}, None, "Recours gracieux"
    )
    with db.session() as s:
        d = s.get(Dossier, w.refuse)
        assert d is not None and (d.statut, d.decision) == ("retenu", "retenu")
        move_statut(s, d, Statut.NOTIFIE, "test")
    # Notifié after retenu: revisable; the dossier goes back to the decision (the letter is redone).
    form = service.revision_form(w.refuse)
    assert form.statut is Statut.NOTIFIE and form.decision == "retenu"
    service.revise_decision(w.refuse, form.version, "refuse", {}, None, "Action annulée par le porteur")
    with db.session() as s:
        d = s.get(Dossier, w.refuse)
        assert d is not None and (d.statut, d.decision) == ("refuse", "refuse")
        assert all(not lg.vote_cents for lg in d.lignes)
        move_statut(s, d, Statut.NOTIFIE, "test")
    # A notified refusal is final.
    with pytest.raises(UserError, match="ne peut plus être modifiée"):
        service.revision_form(w.refuse)


def test_revision_is_refused_in_seance_and_without_a_comite_decision(db: Database) -> None:
    w = _decided(db, close=False)
    with pytest.raises(UserError, match="en séance : modifiez la décision"):
        w.service.revise_decision(w.retenu, _version(db, w.retenu), "retenu", {w.etat: 1_00}, None, "x")
    # Retenu by a statut move, without a comité point (earlier campagnes, the demo): revised on the
    # plan and in the history, with the same checks.
    with db.session() as s:
        d = s.get(Dossier, w.retenu)
        assert d is not None
        other = Dossier(
            campagne_id=d.campagne_id, porteur_id=d.porteur_id, reference="26-HORS", intitule="Sans comité",
            statut="notifie", decision="retenu", cout_total_cents=1_000_00,
        )  # fmt: skip
        other.lignes = [LigneFinancement(financeur_id=w.etat, demande_cents=1_000_00, vote_cents=500_00)]
        s.add(other)
        s.flush()
        other_id = other.id
    form = w.service.revision_form(other_id)
    assert form.comite == "décision enregistrée sans séance" and form.montants[0].vote_cents == 500_00
    with pytest.raises(ValidationError, match="dépasse le coût total"):
        w.service.revise_decision(other_id, form.version, "retenu", {w.etat: 1_000_01}, None, "x")
    w.service.revise_decision(other_id, form.version, "retenu", {w.etat: 800_00}, None, "Erreur de saisie")
    with db.session() as s:
        d = s.get(Dossier, other_id)
        assert d is not None and d.statut == "retenu" and d.lignes[0].vote_cents == 800_00
    # Not decided: nothing to revise.
    (instruit,) = _instruit_dossiers(db, w.setup.world, ["26-INSTRUIT"])
    with pytest.raises(UserError, match="au statut « Instruit », la décision du comité ne peut plus"):
        w.service.revision_form(instruit)


def test_fiche_save_refuses_a_changed_vote_and_keeps_the_stored_one(db: Database) -> None:
    w = _decided(db)
    fiche = FicheService(db, user="bob")
    detail = DossierService(db).get(w.retenu)
    changed = tuple(
        dataclasses.replace(lg, vote_cents=99_999_00) if lg.financeur_id == w.etat else lg
        for lg in detail.data.lignes
    )
    with pytest.raises(ValidationError, match="ne se modifie que par une décision du comité"):
        fiche.save_fiche(w.retenu, detail.version, dataclasses.replace(detail.data, lignes=changed), [])
    # A line dropped with its vote is a change of the vote too.
    kept = tuple(lg for lg in detail.data.lignes if lg.financeur_id != w.etat)
    with pytest.raises(ValidationError, match="montant voté"):
        fiche.save_fiche(w.retenu, detail.version, dataclasses.replace(detail.data, lignes=kept), [])
    # The same votes with other changes save.
    version = fiche.save_fiche(
        w.retenu, detail.version, dataclasses.replace(detail.data, intitule="Nouveau titre"), []
    )
    assert version > detail.version
    with db.session() as s:
        votes = s.scalars(
            select(LigneFinancement.vote_cents).where(LigneFinancement.financeur_id == w.etat)
        ).all()
        assert 3_000_00 in votes and 99_999_00 not in votes
    # A new dossier cannot carry a voted amount.
    data = dataclasses.replace(
        detail.data, reference="26-NOUVEAU", lignes=(Ligne(w.etat, "", 1_000_00, None, 1_000_00),)
    )
    with pytest.raises(ValidationError, match="montant voté"):
        fiche.create_dossier(w.setup.world.campagne_id, data)
