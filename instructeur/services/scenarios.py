"""Scénarios of a comité (GSL « simulations »; contract: docs/COMITE_API.md).

A scenario is a provisional decision and amounts per financeur for each dossier of a comité's
agenda, kept in its own tables (`Scenario`, `ScenarioLigne`, `ScenarioMontant`), never in the real
decisions. Scenarios are compared against the enveloppes with the séance's own figures (`Tableau`,
built by `comites.build_tableau` from `synthese.live_figures`); one may become the séance's proposals
(`LigneFinancement.propose_cents`).

Every method is one transaction; money is integer cents.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.services.comites import DECISIONS, ComiteService, Tableau, build_tableau, load_comite
from instructeur.services.dossiers import set_amount_per_financeur
from instructeur.services.synthese import LiveData, load_live
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Comite,
    Dossier,
    Financeur,
    LigneFinancement,
    Scenario,
    ScenarioLigne,
    ScenarioMontant,
)

__all__ = ["ScenarioService"]


class ScenarioService:
    """Scenarios over a comité's agenda; they never touch the real decisions."""

    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def scenarios(self, comite_id: int) -> list[tuple[int, str]]:
        with self.db.session() as s:
            load_comite(s, comite_id)
            return [
                (i, nom)
                for i, nom in s.execute(
                    select(Scenario.id, Scenario.nom)
                    .where(Scenario.comite_id == comite_id)
                    .order_by(Scenario.id)
                )
            ]

    def create_scenario(self, comite_id: int, nom: str, from_proposals: bool = True) -> int:
        """A new scenario over the agenda: from the instructeurs' proposals (retenu with the
        proposed amounts when any is proposed, refusé on an avis défavorable) or empty."""
        nom = (nom or "").strip()
        if not nom:
            raise ValidationError(["nom du scénario : obligatoire"])
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            if s.scalar(select(Scenario.id).where(Scenario.comite_id == comite_id, Scenario.nom == nom)):
                raise ValidationError([f"nom du scénario : « {nom} » existe déjà pour ce comité"])
            scenario = Scenario(comite_id=comite.id, nom=nom, created_by=self.user, updated_by=self.user)
            s.add(scenario)
            s.flush()
            dossier_ids = [p.dossier_id for p in comite.points]
            proposals: dict[int, dict[int, int]] = {}
            avis: dict[int, str | None] = {}
            if from_proposals and dossier_ids:
                for did, fid, cents in s.execute(
                    select(
                        LigneFinancement.dossier_id,
                        LigneFinancement.financeur_id,
                        LigneFinancement.propose_cents,
                    )
                    .where(LigneFinancement.dossier_id.in_(dossier_ids))
                    .where(LigneFinancement.financeur_id.is_not(None))
                    .where(LigneFinancement.propose_cents.is_not(None))
                ):
                    if fid is None or cents is None:
                        continue
                    per = proposals.setdefault(did, {})
                    per[fid] = per.get(fid, 0) + int(cents)
                avis = {
                    did: value
                    for did, value in s.execute(
                        select(Dossier.id, Dossier.avis).where(Dossier.id.in_(dossier_ids))
                    )
                }
            for did in dossier_ids:
                amounts = {fid: c for fid, c in proposals.get(did, {}).items()}
                decision: str | None = None
                if from_proposals:
                    if sum(amounts.values()) > 0:
                        decision = "retenu"
                    elif avis.get(did) == "defavorable":
                        decision, amounts = "refuse", {}
                s.add(ScenarioLigne(scenario_id=scenario.id, dossier_id=did, decision=decision))
                if decision == "retenu":
                    for fid, cents in amounts.items():
                        s.add(
                            ScenarioMontant(
                                scenario_id=scenario.id, dossier_id=did, financeur_id=fid, montant_cents=cents
                            )
                        )
            audit.record(
                s, self.user, "scenario", scenario.id, "create", {"comite_id": comite_id, "nom": nom}
            )
            return scenario.id

    def set_scenario_line(
        self, scenario_id: int, dossier_id: int, decision: str | None, votes: dict[int, int]
    ) -> None:
        if decision is not None and decision not in DECISIONS:
            raise ValidationError([f"décision inconnue : « {decision} » (retenu, ajourne ou refuse)"])
        if decision != "retenu" and any(v for v in votes.values()):
            raise ValidationError(["seule une action retenue peut recevoir des montants"])
        if any(v < 0 for v in votes.values()):
            raise ValidationError(["montant négatif : saisissez un montant positif ou nul"])
        with self.db.session() as s:
            scenario = _scenario(s, scenario_id)
            line = s.get(ScenarioLigne, (scenario_id, dossier_id))
            d = s.get(Dossier, dossier_id)
            if line is None or d is None:
                raise NotFoundError(f"dossier {dossier_id} : absent de l'ordre du jour de ce scénario")
            total = sum(votes.values())
            if total > d.cout_total_cents:
                raise ValidationError(
                    [
                        f"dossier {d.reference} : le total ({format_amount(total)}) dépasse le coût total "
                        f"de l'action ({format_amount(d.cout_total_cents)})"
                    ]
                )
            known = set(
                s.scalars(
                    select(Financeur.id).where(
                        Financeur.contrat_id
                        == select(Campagne.contrat_id).where(Campagne.id == d.campagne_id).scalar_subquery()
                    )
                )
            )
            unknown = [fid for fid in votes if fid not in known]
            if unknown:
                raise ValidationError([f"financeur {fid} inconnu pour ce contrat" for fid in unknown])
            line.decision = decision
            s.execute(
                delete(ScenarioMontant).where(
                    ScenarioMontant.scenario_id == scenario_id, ScenarioMontant.dossier_id == dossier_id
                )
            )
            if decision == "retenu":
                for fid, cents in votes.items():
                    s.add(
                        ScenarioMontant(
                            scenario_id=scenario_id,
                            dossier_id=dossier_id,
                            financeur_id=fid,
                            montant_cents=int(cents),
                        )
                    )
            scenario.updated_by = self.user
            scenario.updated_at = datetime.now()

    def scenario_lines(self, scenario_id: int) -> dict[int, tuple[str | None, dict[int, int]]]:
        with self.db.session() as s:
            _scenario(s, scenario_id)
            return _scenario_lines(s, scenario_id)

    def compare_scenarios(self, scenario_ids: list[int]) -> dict[int, Tableau]:
        """The séance's live figures each scenario would give: the campagne as it is, with the
        agenda's dossiers taking the scenario's decisions and amounts instead of their own."""
        out: dict[int, Tableau] = {}
        with self.db.session() as s:
            cache: dict[int, LiveData] = {}
            for scenario_id in scenario_ids:
                scenario = _scenario(s, scenario_id)
                campagne_id = s.scalar(select(Comite.campagne_id).where(Comite.id == scenario.comite_id))
                assert campagne_id is not None
                if campagne_id not in cache:
                    cache[campagne_id] = load_live(s, campagne_id)
                base = cache[campagne_id]
                lines = _scenario_lines(s, scenario_id)
                live = _simulated(base, lines)
                decided = sum(1 for decision, _ in lines.values() if decision is not None)
                out[scenario_id] = build_tableau(live, len(lines), decided)
        return out

    def delete_scenario(self, scenario_id: int) -> None:
        with self.db.session() as s:
            scenario = _scenario(s, scenario_id)
            audit.record(s, self.user, "scenario", scenario.id, "delete", {"nom": scenario.nom})
            s.delete(scenario)

    def scenario_to_proposals(self, scenario_id: int) -> None:
        """The scenario becomes the séance's proposals: each line's amounts are written to the
        dossiers' `propose_cents` (0 for an ajourné or refusé line; undecided lines untouched)."""
        with self.db.session() as s:
            scenario = _scenario(s, scenario_id)
            comite = load_comite(s, scenario.comite_id)
            ComiteService.refuse_clos(comite)
            lines = _scenario_lines(s, scenario_id)
            dossiers = {
                d.id: d
                for d in s.scalars(
                    select(Dossier).where(Dossier.id.in_(list(lines))).options(selectinload(Dossier.lignes))
                )
            }
            for dossier_id, (decision, amounts) in lines.items():
                if decision is None or dossier_id not in dossiers:
                    continue
                d = dossiers[dossier_id]
                set_amount_per_financeur(d, "propose_cents", amounts)
                d.updated_by = self.user
            audit.record(
                s,
                self.user,
                "scenario",
                scenario.id,
                "propositions",
                {"nom": scenario.nom, "comite_id": comite.id},
            )


# --- Helpers ---------------------------------------------------------------------------------


def _scenario(s: Session, scenario_id: int) -> Scenario:
    scenario = s.get(Scenario, scenario_id)
    if scenario is None:
        raise NotFoundError(f"scénario {scenario_id} introuvable")
    return scenario


def _scenario_lines(s: Session, scenario_id: int) -> dict[int, tuple[str | None, dict[int, int]]]:
    lines: dict[int, tuple[str | None, dict[int, int]]] = {
        did: (decision, {})
        for did, decision in s.execute(
            select(ScenarioLigne.dossier_id, ScenarioLigne.decision).where(
                ScenarioLigne.scenario_id == scenario_id
            )
        )
    }
    for did, fid, cents in s.execute(
        select(ScenarioMontant.dossier_id, ScenarioMontant.financeur_id, ScenarioMontant.montant_cents).where(
            ScenarioMontant.scenario_id == scenario_id
        )
    ):
        if did in lines:
            lines[did][1][fid] = int(cents)
    return lines


def _simulated(base: LiveData, lines: dict[int, tuple[str | None, dict[int, int]]]) -> LiveData:
    """A copy of the campagne's live data where the scenario's dossiers take its decisions."""
    dossiers = dict(base.dossiers)
    for did, (decision, amounts) in lines.items():
        d = dossiers.get(did)
        if d is None:
            continue
        if decision is None:
            statut, dec = Statut.EN_COMITE, None
        else:
            statut = dec = Statut(decision)
        dossiers[did] = replace(
            d, statut=statut, decision=dec, vote=dict(amounts) if decision == "retenu" else {}
        )
    return LiveData(base.financeurs, base.enveloppes, dossiers)
