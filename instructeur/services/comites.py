"""Comité des financeurs: préparation, séance, clôture (contract: docs/COMITE_API.md).

* **Préparation**: a comité (type, date, lieu, membres with their financeur), its ordre du jour
  built from the instruit (or ajourné) dossiers — adding a dossier moves it « en comité » —,
  ordered by axe (cadre top-level node position, then objectif, then référence), by score
  (`NotationService.scores`, best first), by quartier (first quartier name in French collation,
  then référence) or by hand; members' conflicts of interest per dossier.
* **Scénarios** (GSL « simulations ») live in `instructeur/services/scenarios.py`
  (`ScenarioService`), which reuses this module's `Tableau` and helpers.
* **Séance**: each `decide` is its own committed transaction (a crash loses nothing decided); a
  decision can be revised while the séance is open, the audit log keeps every version (old → new).
  The dossier moves to retenu / ajourné / refusé with a Transition; votes go to
  `LigneFinancement.vote_cents` and `ComiteVote`.
* **Live figures** (`Tableau`): the campagne's enveloppes (voté, reste, dépassement) and € per
  cotation F/H level come from `synthese.live_figures`, the same rules as `SyntheseService.campagne`.

Every method is one transaction; money is integer cents; DTOs are frozen dataclasses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut, transition_problem
from instructeur.domain.text import sort_key
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.services import audit
from instructeur.services.dossiers import instruction_missing, move_statut
from instructeur.services.synthese import LiveData, live_figures, load_live
from instructeur.storage.db import Database
from instructeur.storage.models import (
    COMITE_TYPES,
    AuditLog,
    Campagne,
    Comite,
    ComiteConflit,
    ComiteMembre,
    ComitePoint,
    ComiteVote,
    Dossier,
    Financeur,
    LigneFinancement,
    Objectif,
    Porteur,
    Quartier,
    Suivi,
    dossier_quartier,
)

__all__ = [
    "COMITE_STATUT_LABELS",
    "COMITE_TYPE_LABELS",
    "DECISION_LABELS",
    "ORDERS",
    "ComiteRow",
    "ComiteService",
    "CotationState",
    "DecisionResult",
    "EnveloppeState",
    "FinanceurMontants",
    "HistoriqueFinancement",
    "MembreData",
    "MembreRow",
    "PointRow",
    "Tableau",
]

ORDERS = ("axe", "score", "qpv", "manuel")
DECISIONS = ("retenu", "ajourne", "refuse")
DECISION_LABELS = {"retenu": "Retenu", "ajourne": "Ajourné", "refuse": "Refusé"}
COMITE_TYPE_LABELS = {
    "technique": "Comité technique",
    "financeurs": "Comité des financeurs",
    "pilotage": "Comité de pilotage",
}
COMITE_STATUT_LABELS = {"preparation": "En préparation", "en_seance": "En séance", "clos": "Clos"}
_HUNDREDTH = Decimal("0.01")


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MembreData:
    nom: str
    fonction: str | None = None
    financeur_id: int | None = None
    present: bool = True


@dataclass(frozen=True)
class MembreRow:
    id: int
    nom: str
    fonction: str | None
    financeur_id: int | None
    financeur_code: str | None
    present: bool


@dataclass(frozen=True)
class ComiteRow:
    id: int
    campagne_id: int
    type: str
    date_seance: date | None
    lieu: str | None
    statut: str  # preparation | en_seance | clos
    nb_points: int
    nb_decides: int
    version: int


@dataclass(frozen=True)
class FinanceurMontants:
    financeur_id: int
    code: str
    nom: str
    demande_cents: int
    propose_cents: int | None
    vote_cents: int | None


@dataclass(frozen=True)
class HistoriqueFinancement:
    annee: int
    reference: str
    intitule: str
    statut_label: str
    vote_cents: int | None
    crf_recu_le: date | None


@dataclass(frozen=True)
class PointRow:
    id: int
    position: int
    dossier_id: int
    reference: str
    porteur: str
    intitule: str
    quartiers: str
    public_prevu: int | None
    public_femmes: int | None
    public_hommes: int | None
    cout_total_cents: int
    montants: tuple[FinanceurMontants, ...]
    score: Decimal | None
    spread: Decimal | None
    disagreement: bool
    rank: int | None
    cotation_declaree: int | None
    cotation_instruite: int | None
    avis: str | None
    avis_motivation: str | None
    axe: str | None
    objectif: str | None
    historique: tuple[HistoriqueFinancement, ...]
    decision: str | None  # retenu | ajourne | refuse | None
    conditions: str | None
    motivation: str | None
    membres_en_conflit: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class EnveloppeState:
    financeur_id: int
    code: str
    nom: str
    enveloppe_cents: int
    vote_cents: int
    reste_cents: int
    exceeded: bool


@dataclass(frozen=True)
class CotationState:
    niveau: int | None
    label: str
    demande_cents: int
    vote_cents: int


@dataclass(frozen=True)
class Tableau:
    enveloppes: tuple[EnveloppeState, ...]
    cotations: tuple[CotationState, ...]
    total_vote_cents: int
    nb_decides: int
    nb_points: int


@dataclass(frozen=True)
class DecisionResult:
    version: int
    warnings: tuple[str, ...]
    tableau: Tableau


# --- Service ---------------------------------------------------------------------------------


class ComiteService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # Préparation

    def create(
        self,
        campagne_id: int,
        type: str,  # noqa: A002 - the contract's name
        date_seance: date | None,
        lieu: str | None,
        membres: list[MembreData],
    ) -> int:
        with self.db.session() as s:
            campagne = s.get(Campagne, campagne_id)
            if campagne is None:
                raise NotFoundError(f"campagne {campagne_id} introuvable")
            self._check_comite_fields(s, campagne.contrat_id, type, membres)
            comite = Comite(
                campagne_id=campagne_id,
                type=type,
                date_seance=date_seance,
                lieu=_clean(lieu),
                statut="preparation",
                updated_by=self.user,
            )
            s.add(comite)
            s.flush()
            for m in membres:
                s.add(_membre(comite.id, m))
            audit.record(
                s,
                self.user,
                "comite",
                comite.id,
                "create",
                {"type": type, "date_seance": date_seance, "lieu": lieu, "membres": [m.nom for m in membres]},
            )
            return comite.id

    def update(
        self,
        comite_id: int,
        expected_version: int,
        *,
        type: str,  # noqa: A002 - the contract's name
        date_seance: date | None,
        lieu: str | None,
        membres: list[MembreData],
    ) -> int:
        """Members are matched by name: a kept member keeps its conflicts of interest."""
        try:
            with self.db.session() as s:
                comite = load_comite(s, comite_id)
                if comite.version != expected_version:
                    raise audit.concurrent_edit(_what(comite), comite.updated_by, comite.updated_at)
                if comite.statut == "clos":
                    raise UserError(f"{_what(comite)} est clos : il ne peut plus être modifié")
                contrat_id = s.scalar(select(Campagne.contrat_id).where(Campagne.id == comite.campagne_id))
                assert contrat_id is not None
                self._check_comite_fields(s, contrat_id, type, membres)
                changes: dict[str, Any] = {
                    "type": [comite.type, type],
                    "date_seance": [comite.date_seance, date_seance],
                    "lieu": [comite.lieu, _clean(lieu)],
                }
                comite.type = type
                comite.date_seance = date_seance
                comite.lieu = _clean(lieu)
                existing = {_fold_name(m.nom): m for m in comite.membres}
                kept: set[int] = set()
                for data in membres:
                    row = existing.get(_fold_name(data.nom))
                    if row is None or row.id in kept:
                        s.add(_membre(comite.id, data))
                        continue
                    kept.add(row.id)
                    row.nom = data.nom.strip()
                    row.fonction = _clean(data.fonction)
                    row.financeur_id = data.financeur_id
                    row.present = data.present
                for row in list(comite.membres):
                    if row.id not in kept:
                        comite.membres.remove(row)
                changes["membres"] = [m.nom for m in membres]
                comite.updated_by = self.user
                comite.updated_at = datetime.now()
                audit.record(s, self.user, "comite", comite.id, "update", changes)
                s.flush()
                return comite.version
        except StaleDataError:
            raise self._stale(comite_id) from None

    def all(self, campagne_id: int) -> list[ComiteRow]:
        with self.db.session() as s:
            comites = s.scalars(
                select(Comite)
                .where(Comite.campagne_id == campagne_id)
                .order_by(Comite.date_seance.is_(None), Comite.date_seance, Comite.id)
            ).all()
            counts = _point_counts(s, [c.id for c in comites])
            return [_comite_row(c, counts.get(c.id, (0, 0))) for c in comites]

    def get(self, comite_id: int) -> tuple[ComiteRow, tuple[MembreRow, ...]]:
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            counts = _point_counts(s, [comite_id])
            codes = {
                fid: code
                for fid, code in s.execute(
                    select(Financeur.id, Financeur.code).where(
                        Financeur.id.in_([m.financeur_id for m in comite.membres if m.financeur_id])
                    )
                )
            }
            membres = tuple(
                MembreRow(
                    m.id,
                    m.nom,
                    m.fonction,
                    m.financeur_id,
                    codes.get(m.financeur_id) if m.financeur_id else None,
                    bool(m.present),
                )
                for m in comite.membres
            )
            return _comite_row(comite, counts.get(comite_id, (0, 0))), membres

    def eligible_dossiers(self, comite_id: int) -> list[int]:
        """Dossiers of the campagne that can go on the agenda: instruit (or ajourné by an earlier
        comité) and not on the agenda of a comité that is not clos; in référence order."""
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            return [d.id for d in self._eligible(s, comite.campagne_id)]

    def add_points(self, comite_id: int, dossier_ids: Sequence[int], order: str = "axe") -> None:
        """Put dossiers on the agenda (they move « en comité »), after the points already there; the
        new ones in `order` (axe, score, qpv) or as given (manuel)."""
        _check_order(order)
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            self.refuse_clos(comite)
            eligible = {d.id: d for d in self._eligible(s, comite.campagne_id)}
            problems = []
            wanted: list[int] = []
            for dossier_id in dict.fromkeys(dossier_ids):
                if dossier_id not in eligible:
                    ref = s.scalar(select(Dossier.reference).where(Dossier.id == dossier_id))
                    problems.append(
                        f"dossier {ref or dossier_id} : ne peut pas être inscrit à l'ordre du jour "
                        "(il doit être instruit et ne pas figurer déjà à l'ordre du jour d'un comité)"
                    )
                else:
                    wanted.append(dossier_id)
            if problems:
                raise ValidationError(problems)
            if order != "manuel":
                keys = self._sort_keys(s, comite.campagne_id, wanted, order)
                wanted.sort(key=lambda did: keys[did])
            last = (
                s.scalar(select(func.max(ComitePoint.position)).where(ComitePoint.comite_id == comite_id))
                or 0
            )
            libelle = _what(comite)
            for n, dossier_id in enumerate(wanted, start=1):
                d = eligible[dossier_id]
                move_statut(s, d, Statut.EN_COMITE, self.user, f"Inscrit à l'ordre du jour du {libelle[3:]}")
                s.add(
                    ComitePoint(comite_id=comite_id, dossier_id=d.id, position=last + n, updated_by=self.user)
                )
            audit.record(s, self.user, "comite", comite_id, "agenda", {"ajout": wanted, "ordre": order})

    def reorder(self, comite_id: int, point_ids: list[int]) -> None:
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            self.refuse_clos(comite)
            points = {p.id: p for p in comite.points}
            if sorted(point_ids) != sorted(points) or len(set(point_ids)) != len(point_ids):
                raise ValidationError(["ordre du jour : la liste doit contenir chaque point une fois"])
            self._renumber(s, [points[i] for i in point_ids])
            audit.record(s, self.user, "comite", comite_id, "agenda", {"ordre": "manuel"})

    def sort_agenda(self, comite_id: int, order: str) -> None:
        _check_order(order)
        if order == "manuel":
            return
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            self.refuse_clos(comite)
            points = list(comite.points)
            keys = self._sort_keys(s, comite.campagne_id, [p.dossier_id for p in points], order)
            points.sort(key=lambda p: keys[p.dossier_id])
            self._renumber(s, points)
            audit.record(s, self.user, "comite", comite_id, "agenda", {"ordre": order})

    def remove_point(self, point_id: int) -> None:
        """An undecided point leaves the agenda; its dossier goes back to « instruit »."""
        with self.db.session() as s:
            point = _point(s, point_id)
            comite = load_comite(s, point.comite_id)
            self.refuse_clos(comite)
            if point.decision is not None:
                raise UserError(
                    f"dossier {point.dossier.reference} : déjà décidé en séance, il ne peut pas être retiré"
                )
            d = point.dossier
            if d.statut == Statut.EN_COMITE.value:
                move_statut(
                    s, d, Statut.INSTRUIT, self.user, f"Retiré de l'ordre du jour du {_what(comite)[3:]}"
                )
            comite.points.remove(point)  # delete-orphan: the point row goes
            s.flush()
            self._renumber(s, list(comite.points))
            audit.record(s, self.user, "comite", comite.id, "agenda", {"retrait": d.reference})

    def set_conflict(self, membre_id: int, dossier_id: int, motif: str | None) -> None:
        """Declare (or, with `motif` None, withdraw) a member's conflict of interest on a dossier."""
        with self.db.session() as s:
            membre = s.get(ComiteMembre, membre_id)
            if membre is None:
                raise NotFoundError(f"membre {membre_id} introuvable")
            if s.get(Dossier, dossier_id) is None:
                raise NotFoundError(f"dossier {dossier_id} introuvable")
            existing = s.scalar(
                select(ComiteConflit).where(
                    ComiteConflit.membre_id == membre_id, ComiteConflit.dossier_id == dossier_id
                )
            )
            if motif is None:
                if existing is not None:
                    s.delete(existing)
            elif existing is None:
                s.add(ComiteConflit(membre_id=membre_id, dossier_id=dossier_id, motif=_clean(motif)))
            else:
                existing.motif = _clean(motif)
            audit.record(
                s,
                self.user,
                "comite",
                membre.comite_id,
                "conflit",
                {"membre": membre.nom, "dossier_id": dossier_id, "motif": motif},
            )

    def agenda(self, comite_id: int) -> list[PointRow]:
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            campagne_id = comite.campagne_id
            points = list(
                s.execute(
                    select(ComitePoint)
                    .where(ComitePoint.comite_id == comite_id)
                    .order_by(ComitePoint.position)
                ).scalars()
            )
            rows = _point_rows(s, comite, points)
        return self._with_scores(campagne_id, rows)

    def point(self, point_id: int) -> PointRow:
        with self.db.session() as s:
            point = _point(s, point_id)
            comite = load_comite(s, point.comite_id)
            campagne_id = comite.campagne_id
            rows = _point_rows(s, comite, [point])
        return self._with_scores(campagne_id, rows)[0]

    # Séance

    def open_seance(self, comite_id: int) -> None:
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            if comite.statut != "preparation":
                raise UserError(
                    f"{_what(comite)} est {COMITE_STATUT_LABELS.get(comite.statut, comite.statut).lower()} : "
                    "la séance ne peut pas être ouverte"
                )
            if not comite.points:
                raise UserError(f"{_what(comite)} : l'ordre du jour est vide")
            comite.statut = "en_seance"
            comite.updated_by = self.user
            comite.updated_at = datetime.now()
            audit.record(
                s, self.user, "comite", comite_id, "statut", {"statut": ["preparation", "en_seance"]}
            )

    def decide(
        self,
        point_id: int,
        expected_version: int,
        decision: str,
        votes: dict[int, int],
        conditions: str | None,
        motivation: str | None,
        override_motivation: str | None = None,
    ) -> DecisionResult:
        """Record (or revise) the comité's decision on a point, committed at once."""
        problems: list[str] = []
        if decision not in DECISIONS:
            raise ValidationError([f"décision inconnue : « {decision} » (retenu, ajourne ou refuse)"])
        label = DECISION_LABELS[decision]
        motivation = _clean(motivation)
        conditions = _clean(conditions)
        override_motivation = _clean(override_motivation)
        if decision != "retenu":
            if any(v for v in votes.values()):
                problems.append(f"décision « {label} » : aucun montant ne peut être voté")
            votes = {}
            if motivation is None:
                problems.append(f"une motivation est obligatoire pour la décision « {label} »")
        votes = {int(fid): int(v) for fid, v in votes.items()}
        problems.extend(
            f"montant voté négatif ({format_amount(v)}) : saisissez un montant positif ou nul"
            for v in votes.values()
            if v < 0
        )
        if problems:
            raise ValidationError(problems)
        warnings: list[str] = []
        try:
            with self.db.session() as s:
                point = _point(s, point_id)
                comite = load_comite(s, point.comite_id)
                if comite.statut == "clos":
                    raise UserError(
                        f"{_what(comite)} est clos : ses décisions ne peuvent plus être révisées "
                        "(pour rouvrir un dossier, changez son statut avec une motivation)"
                    )
                if comite.statut != "en_seance":
                    raise UserError(f"{_what(comite)} : la séance n'est pas ouverte")
                if point.version != expected_version:
                    raise audit.concurrent_edit(
                        f"La décision sur le dossier {point.dossier.reference}",
                        point.updated_by,
                        point.updated_at,
                    )
                d = s.scalars(
                    select(Dossier)
                    .where(Dossier.id == point.dossier_id)
                    .options(selectinload(Dossier.lignes))
                ).one()
                financeurs = {
                    f.id: f
                    for f in s.scalars(
                        select(Financeur).where(
                            Financeur.contrat_id
                            == select(Campagne.contrat_id)
                            .where(Campagne.id == d.campagne_id)
                            .scalar_subquery()
                        )
                    )
                }
                unknown = [fid for fid in votes if fid not in financeurs]
                if unknown:
                    raise ValidationError([f"financeur {fid} inconnu pour ce contrat" for fid in unknown])
                total = sum(votes.values())
                if total > d.cout_total_cents:
                    raise ValidationError(
                        [
                            f"dossier {d.reference} : le total voté ({format_amount(total)}) dépasse le "
                            f"coût total de l'action ({format_amount(d.cout_total_cents)})"
                        ]
                    )
                old_decision = point.decision
                target = Statut(decision)
                if old_decision is None:
                    current = Statut(d.statut)
                    reason = transition_problem(current, target, motivation, None)
                    if reason is None:
                        missing = instruction_missing(d)
                        if missing:
                            reason = "instruction incomplète : " + ", ".join(missing)
                    if reason:
                        raise UserError(f"dossier {d.reference} : {reason}")
                elif d.statut != old_decision:
                    raise UserError(
                        f"dossier {d.reference} : son statut a changé depuis la décision "
                        f"(« {Statut(d.statut).label} ») ; la décision ne peut plus être révisée ici"
                    )
                old_votes = {v.financeur_id: v.montant_cents for v in point.votes}

                # Enveloppes: a financeur may go beyond only with a motivated override.
                live = load_live(s, d.campagne_id)
                exceeded = _exceeded(live, d.id, old_votes, votes)
                if exceeded and override_motivation is None:
                    raise UserError(
                        "; ".join(
                            f"enveloppe {code} dépassée de {format_amount(over)} "
                            f"(enveloppe {format_amount(env)})"
                            for code, env, over in exceeded
                        )
                        + " : une motivation de dérogation est obligatoire"
                    )
                conflicts = _conflict_names(s, comite.id, [d.id]).get(d.id, ())

                # Dossier: statut, decision, votes.
                now = datetime.now()
                if old_decision != decision:
                    text = motivation
                    if old_decision is not None:
                        text = f"Révision en séance ({DECISION_LABELS[old_decision]} → {label})" + (
                            f" : {motivation}" if motivation else ""
                        )
                    move_statut(s, d, Statut(decision), self.user, text)
                else:  # same decision, other amounts or conditions
                    d.updated_by = self.user
                _write_votes(s, d, votes, financeurs)
                s.execute(delete(ComiteVote).where(ComiteVote.point_id == point.id))
                s.expire(point, ["votes"])
                for fid, cents in votes.items():
                    s.add(ComiteVote(point_id=point.id, financeur_id=fid, montant_cents=cents))
                old = {
                    "decision": point.decision,
                    "conditions": point.conditions,
                    "motivation": point.motivation,
                }
                point.decision = decision
                point.conditions = conditions
                point.motivation = motivation
                point.decided_at = now
                point.updated_by = self.user
                ordered = sorted(financeurs.values(), key=lambda f: (f.position, f.id))
                changes: dict[str, Any] = {
                    "dossier": d.reference,
                    "decision": [old["decision"], decision],
                    "votes": [  # [[code, cents], …] in the financeurs' order
                        [[f.code, old_votes[f.id]] for f in ordered if f.id in old_votes],
                        [[f.code, votes[f.id]] for f in ordered if f.id in votes],
                    ],
                    "conditions": [old["conditions"], conditions],
                    "motivation": [old["motivation"], motivation],
                }
                if exceeded:
                    changes["depassements"] = {code: over for code, _, over in exceeded}
                    changes["derogation"] = override_motivation
                if conflicts:
                    changes["pas_pris_part"] = list(conflicts)
                audit.record(s, self.user, "comite_point", point.id, "decision", changes)
                if decision == "retenu" and total == 0:
                    warnings.append(f"dossier {d.reference} : retenu sans montant voté")
                if exceeded:
                    warnings.extend(
                        f"enveloppe {code} dépassée de {format_amount(over)} (dérogation motivée)"
                        for code, _, over in exceeded
                    )
                s.flush()
                version = point.version
                # The live figures of this very transaction: what was loaded, with this decision.
                if d.id in live.dossiers:
                    live.dossiers[d.id] = replace(
                        live.dossiers[d.id],
                        statut=target,
                        decision=target,
                        vote={fid: votes.get(fid, 0) for fid in {*live.dossiers[d.id].vote, *votes}},
                    )
                nb_points, nb_decides = _point_counts(s, [comite.id]).get(comite.id, (0, 0))
                tableau = build_tableau(live, nb_points, nb_decides)
        except StaleDataError:
            raise self._stale_point(point_id) from None
        return DecisionResult(version, tuple(warnings), tableau)

    def tableau(self, comite_id: int) -> Tableau:
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            live = load_live(s, comite.campagne_id)
            nb_points, nb_decides = _point_counts(s, [comite_id]).get(comite_id, (0, 0))
        return build_tableau(live, nb_points, nb_decides)

    def decision_history(self, point_id: int) -> list[tuple[datetime, str, str]]:
        """Every version of the decision on a point: (when, who, French text), oldest first."""
        with self.db.session() as s:
            _point(s, point_id)
            entries = s.scalars(
                select(AuditLog)
                .where(AuditLog.entity == "comite_point", AuditLog.entity_id == point_id)
                .where(AuditLog.action == "decision")
                .order_by(AuditLog.at, AuditLog.id)
            ).all()
            return [(e.at, e.utilisateur, _history_text(json.loads(e.changes))) for e in entries]

    def close(self, comite_id: int) -> None:
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            if comite.statut != "en_seance":
                raise UserError(f"{_what(comite)} : seule une séance ouverte peut être close")
            undecided = [p for p in comite.points if p.decision is None]
            if undecided:
                raise ValidationError(
                    [
                        f"{_what(comite)} ne peut pas être clos : {len(undecided)} point(s) sans décision",
                        *(
                            f"point {p.position} : dossier {p.dossier.reference} sans décision"
                            for p in undecided
                        ),
                    ]
                )
            comite.statut = "clos"
            comite.updated_by = self.user
            comite.updated_at = datetime.now()
            audit.record(s, self.user, "comite", comite_id, "statut", {"statut": ["en_seance", "clos"]})

    # Internals

    def _check_comite_fields(
        self, s: Session, contrat_id: int, type_: str, membres: Iterable[MembreData]
    ) -> None:
        problems = []
        if type_ not in COMITE_TYPES:
            problems.append(f"type de comité inconnu : « {type_} » ({', '.join(COMITE_TYPES)})")
        known = set(s.scalars(select(Financeur.id).where(Financeur.contrat_id == contrat_id)))
        for n, m in enumerate(membres, start=1):
            if not (m.nom or "").strip():
                problems.append(f"membre {n} : nom obligatoire")
            if m.financeur_id is not None and m.financeur_id not in known:
                problems.append(f"membre {n} ({m.nom}) : financeur {m.financeur_id} inconnu pour ce contrat")
        if problems:
            raise ValidationError(problems)

    @staticmethod
    def refuse_clos(comite: Comite) -> None:
        if comite.statut == "clos":
            raise UserError(f"{_what(comite)} est clos : son ordre du jour ne peut plus changer")

    @staticmethod
    def _eligible(s: Session, campagne_id: int) -> list[Dossier]:
        busy = (
            select(ComitePoint.dossier_id)
            .join(Comite, Comite.id == ComitePoint.comite_id)
            .where(Comite.statut != "clos")
        )
        return list(
            s.scalars(
                select(Dossier)
                .where(Dossier.campagne_id == campagne_id)
                .where(Dossier.statut.in_([Statut.INSTRUIT.value, Statut.AJOURNE.value]))
                .where(Dossier.id.not_in(busy))
                .order_by(Dossier.reference)
            )
        )

    def _sort_keys(self, s: Session, campagne_id: int, dossier_ids: list[int], order: str) -> dict[int, Any]:
        rows = {
            r.id: r
            for r in s.execute(
                select(Dossier.id, Dossier.reference, Dossier.objectif_id).where(Dossier.id.in_(dossier_ids))
            )
        }
        if order == "score":
            from instructeur.services.notation import NotationService

            scores = NotationService(self.db, self.user).scores(campagne_id)

            def score_key(did: int) -> tuple[int, Fraction, Any]:
                row = scores.get(did)
                value = row.score.score if row is not None else None
                return (value is None, -(value or Fraction(0)), sort_key(rows[did].reference))

            return {did: score_key(did) for did in dossier_ids}
        if order == "qpv":
            names = _quartier_names(s, dossier_ids)
            return {
                did: (
                    not names.get(did),
                    sort_key(names[did][0]) if names.get(did) else sort_key(""),
                    sort_key(rows[did].reference),
                )
                for did in dossier_ids
            }
        contrat_id = s.scalar(select(Campagne.contrat_id).where(Campagne.id == campagne_id))
        cadre = _Cadre.load(s, contrat_id or 0)
        return {
            did: (*cadre.order_key(rows[did].objectif_id), sort_key(rows[did].reference))
            for did in dossier_ids
        }

    @staticmethod
    def _renumber(s: Session, points: list[ComitePoint]) -> None:
        for n, p in enumerate(points, start=1):
            if p.position != n:
                p.position = n

    def _with_scores(self, campagne_id: int, rows: list[PointRow]) -> list[PointRow]:
        if not rows:
            return rows
        from instructeur.services.notation import NotationService

        scores = NotationService(self.db, self.user).scores(campagne_id)
        out = []
        for r in rows:
            sc = scores.get(r.dossier_id)
            if sc is None:
                out.append(r)
                continue
            out.append(
                replace(
                    r,
                    score=_decimal(sc.score.score),
                    spread=_decimal(sc.score.spread),
                    disagreement=bool(sc.score.disagreement),
                    rank=sc.rank,
                )
            )
        return out

    def _stale(self, comite_id: int) -> UserError:
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            return audit.concurrent_edit(_what(comite), comite.updated_by, comite.updated_at)

    def _stale_point(self, point_id: int) -> UserError:
        with self.db.session() as s:
            point = _point(s, point_id)
            return audit.concurrent_edit(
                f"La décision sur le dossier {point.dossier.reference}", point.updated_by, point.updated_at
            )


# --- Helpers ---------------------------------------------------------------------------------


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _fold_name(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _check_order(order: str) -> None:
    if order not in ORDERS:
        raise ValidationError([f"ordre du jour : tri « {order} » inconnu ({', '.join(ORDERS)})"])


def _decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        _HUNDREDTH, rounding=ROUND_HALF_UP
    )


def _membre(comite_id: int, m: MembreData) -> ComiteMembre:
    return ComiteMembre(
        comite_id=comite_id,
        nom=m.nom.strip(),
        fonction=_clean(m.fonction),
        financeur_id=m.financeur_id,
        present=bool(m.present),
    )


def _what(comite: Comite) -> str:
    """« Le comité des financeurs du 09/04/2026 »."""
    kind = COMITE_TYPE_LABELS.get(comite.type, "Comité").lower()
    when = f" du {comite.date_seance:%d/%m/%Y}" if comite.date_seance else f" n° {comite.id}"
    return f"Le {kind}{when}"


def load_comite(s: Session, comite_id: int) -> Comite:
    comite = s.get(Comite, comite_id)
    if comite is None:
        raise NotFoundError(f"comité {comite_id} introuvable")
    return comite


def _point(s: Session, point_id: int) -> ComitePoint:
    point = s.get(ComitePoint, point_id)
    if point is None:
        raise NotFoundError(f"point {point_id} de l'ordre du jour introuvable")
    return point


def _comite_row(c: Comite, counts: tuple[int, int]) -> ComiteRow:
    return ComiteRow(
        id=c.id,
        campagne_id=c.campagne_id,
        type=c.type,
        date_seance=c.date_seance,
        lieu=c.lieu,
        statut=c.statut,
        nb_points=counts[0],
        nb_decides=counts[1],
        version=c.version,
    )


def _point_counts(s: Session, comite_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not comite_ids:
        return {}
    return {
        cid: (int(n), int(decided or 0))
        for cid, n, decided in s.execute(
            select(ComitePoint.comite_id, func.count(), func.count(ComitePoint.decision))
            .where(ComitePoint.comite_id.in_(comite_ids))
            .group_by(ComitePoint.comite_id)
        )
    }


def _quartier_names(s: Session, dossier_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for did, nom in s.execute(
        select(dossier_quartier.c.dossier_id, Quartier.nom)
        .join(Quartier, Quartier.id == dossier_quartier.c.quartier_id)
        .where(dossier_quartier.c.dossier_id.in_(dossier_ids))
    ):
        names.setdefault(did, []).append(nom)
    for values in names.values():
        values.sort(key=sort_key)
    return names


def _conflict_names(
    s: Session, comite_id: int, dossier_ids: list[int] | None = None
) -> dict[int, tuple[str, ...]]:
    query = (
        select(ComiteConflit.dossier_id, ComiteMembre.nom)
        .join(ComiteMembre, ComiteMembre.id == ComiteConflit.membre_id)
        .where(ComiteMembre.comite_id == comite_id)
        .order_by(ComiteMembre.id)
    )
    if dossier_ids is not None:
        query = query.where(ComiteConflit.dossier_id.in_(dossier_ids))
    out: dict[int, list[str]] = {}
    for did, nom in s.execute(query):
        out.setdefault(did, []).append(nom)
    return {did: tuple(names) for did, names in out.items()}


@dataclass
class _Cadre:
    """The cadre stratégique: depth-first order of its nodes and the top-level node of each."""

    nodes: dict[int, tuple[str, str]]  # id → (code, titre)
    order: dict[int, int]
    roots: dict[int, int]

    @classmethod
    def load(cls, s: Session, contrat_id: int) -> _Cadre:
        rows = list(
            s.execute(
                select(
                    Objectif.id, Objectif.parent_id, Objectif.code, Objectif.titre, Objectif.position
                ).where(Objectif.contrat_id == contrat_id)
            )
        )
        ids = {r.id for r in rows}
        children: dict[int | None, list[Any]] = {}
        for r in rows:
            children.setdefault(r.parent_id if r.parent_id in ids else None, []).append(r)
        order: dict[int, int] = {}
        roots: dict[int, int] = {}
        stack: list[tuple[Any, int | None]] = [
            (r, None) for r in sorted(children.get(None, []), key=lambda r: (r.position, r.id), reverse=True)
        ]
        while stack:
            node, root = stack.pop()
            order[node.id] = len(order)
            roots[node.id] = root if root is not None else node.id
            for child in sorted(children.get(node.id, []), key=lambda r: (r.position, r.id), reverse=True):
                stack.append((child, roots[node.id]))
        return cls({r.id: (r.code, r.titre) for r in rows}, order, roots)

    def order_key(self, objectif_id: int | None) -> tuple[int, int]:
        big = len(self.order) + 1
        if objectif_id is None or objectif_id not in self.order:
            return (big, big)
        return (self.order[self.roots[objectif_id]], self.order[objectif_id])

    def label(self, objectif_id: int | None) -> str | None:
        if objectif_id is None or objectif_id not in self.nodes:
            return None
        code, titre = self.nodes[objectif_id]
        return f"{code} — {titre}" if code and not titre.startswith(code) else titre

    def axe_label(self, objectif_id: int | None) -> str | None:
        if objectif_id is None or objectif_id not in self.roots:
            return None
        return self.label(self.roots[objectif_id])


def _point_rows(s: Session, comite: Comite, points: list[ComitePoint]) -> list[PointRow]:
    """PointRows without scores (added by the service from `NotationService.scores`): a fixed
    number of set-based queries whatever the agenda's length."""
    if not points:
        return []
    dossier_ids = [p.dossier_id for p in points]
    campagne = s.get(Campagne, comite.campagne_id)
    assert campagne is not None
    dossiers = {
        r.id: r
        for r in s.execute(
            select(
                Dossier.id,
                Dossier.reference,
                Dossier.intitule,
                Dossier.porteur_id,
                Porteur.raison_sociale,
                Dossier.public_prevu,
                Dossier.public_femmes,
                Dossier.public_hommes,
                Dossier.cout_total_cents,
                Dossier.cotation_declaree,
                Dossier.cotation_instruite,
                Dossier.avis,
                Dossier.avis_motivation,
                Dossier.objectif_id,
            )
            .join(Porteur, Porteur.id == Dossier.porteur_id)
            .where(Dossier.id.in_(dossier_ids))
        )
    }
    financeurs = {
        f.id: f
        for f in s.execute(
            select(Financeur.id, Financeur.code, Financeur.nom, Financeur.position).where(
                Financeur.contrat_id == campagne.contrat_id
            )
        )
    }
    montants: dict[int, dict[int, list[int | None]]] = {}
    for did, fid, dem, prop, vote in s.execute(
        select(
            LigneFinancement.dossier_id,
            LigneFinancement.financeur_id,
            LigneFinancement.demande_cents,
            LigneFinancement.propose_cents,
            LigneFinancement.vote_cents,
        )
        .where(LigneFinancement.dossier_id.in_(dossier_ids))
        .where(LigneFinancement.financeur_id.is_not(None))
        .order_by(LigneFinancement.position, LigneFinancement.id)
    ):
        if fid is None:
            continue
        acc = montants.setdefault(did, {}).setdefault(fid, [0, None, None])
        acc[0] = (acc[0] or 0) + int(dem or 0)
        if prop is not None:
            acc[1] = (acc[1] or 0) + int(prop)
        if vote is not None:
            acc[2] = (acc[2] or 0) + int(vote)
    quartiers = _quartier_names(s, dossier_ids)
    conflicts = _conflict_names(s, comite.id, dossier_ids)
    cadre = _Cadre.load(s, campagne.contrat_id)
    historique = _historiques(s, campagne.id, {d.porteur_id for d in dossiers.values()})

    rows = []
    for p in points:
        d = dossiers[p.dossier_id]
        per = montants.get(d.id, {})
        ordered = sorted(
            per, key=lambda fid: (financeurs[fid].position, fid) if fid in financeurs else (0, fid)
        )
        rows.append(
            PointRow(
                id=p.id,
                position=p.position,
                dossier_id=d.id,
                reference=d.reference,
                porteur=d.raison_sociale,
                intitule=d.intitule,
                quartiers=", ".join(quartiers.get(d.id, [])),
                public_prevu=d.public_prevu,
                public_femmes=d.public_femmes,
                public_hommes=d.public_hommes,
                cout_total_cents=int(d.cout_total_cents or 0),
                montants=tuple(
                    FinanceurMontants(
                        financeur_id=fid,
                        code=financeurs[fid].code if fid in financeurs else str(fid),
                        nom=financeurs[fid].nom if fid in financeurs else "",
                        demande_cents=int(per[fid][0] or 0),
                        propose_cents=per[fid][1],
                        vote_cents=per[fid][2],
                    )
                    for fid in ordered
                ),
                score=None,
                spread=None,
                disagreement=False,
                rank=None,
                cotation_declaree=d.cotation_declaree,
                cotation_instruite=d.cotation_instruite,
                avis=d.avis,
                avis_motivation=d.avis_motivation,
                axe=cadre.axe_label(d.objectif_id),
                objectif=cadre.label(d.objectif_id),
                historique=historique.get(d.porteur_id, ()),
                decision=p.decision,
                conditions=p.conditions,
                motivation=p.motivation,
                membres_en_conflit=conflicts.get(d.id, ()),
                version=p.version,
            )
        )
    return rows


def _historiques(
    s: Session, campagne_id: int, porteur_ids: set[int]
) -> dict[int, tuple[HistoriqueFinancement, ...]]:
    """Each porteur's dossiers of the other campagnes, most recent first (as `PorteurService.history`)."""
    if not porteur_ids:
        return {}
    rows = list(
        s.execute(
            select(
                Dossier.id,
                Dossier.porteur_id,
                Campagne.annee,
                Dossier.reference,
                Dossier.intitule,
                Dossier.statut,
                Suivi.crf_recu_le,
            )
            .join(Campagne, Campagne.id == Dossier.campagne_id)
            .outerjoin(Suivi, Suivi.dossier_id == Dossier.id)
            .where(Dossier.porteur_id.in_(porteur_ids))
            .where(Dossier.campagne_id != campagne_id)
            .order_by(Campagne.annee.desc(), Dossier.reference)
        )
    )
    if not rows:
        return {}
    votes: dict[int, int] = {}
    for did, vote in s.execute(
        select(LigneFinancement.dossier_id, LigneFinancement.vote_cents)
        .where(LigneFinancement.dossier_id.in_([r.id for r in rows]))
        .where(LigneFinancement.financeur_id.is_not(None))
        .where(LigneFinancement.vote_cents.is_not(None))
    ):
        votes[did] = votes.get(did, 0) + int(vote or 0)
    out: dict[int, list[HistoriqueFinancement]] = {}
    for r in rows:
        try:
            label = Statut(r.statut).label
        except ValueError:
            label = r.statut
        out.setdefault(r.porteur_id, []).append(
            HistoriqueFinancement(r.annee, r.reference, r.intitule, label, votes.get(r.id), r.crf_recu_le)
        )
    return {pid: tuple(v) for pid, v in out.items()}


def _write_votes(s: Session, d: Dossier, votes: dict[int, int], financeurs: dict[int, Financeur]) -> None:
    """Votes on the plan de financement: the first line of each financeur gets its vote, its other
    lines 0; a financeur voting without a line gets one (demandé 0)."""
    seen: set[int] = set()
    for ligne in d.lignes:
        if ligne.financeur_id is None:
            continue
        first = ligne.financeur_id not in seen
        seen.add(ligne.financeur_id)
        ligne.vote_cents = votes.get(ligne.financeur_id, 0) if first else 0
    for fid, cents in votes.items():
        if fid not in seen and cents:
            d.lignes.append(
                LigneFinancement(
                    financeur_id=fid,
                    libelle=financeurs[fid].nom if fid in financeurs else "",
                    demande_cents=0,
                    vote_cents=cents,
                    position=len(d.lignes),
                )
            )


def _exceeded(
    live: LiveData, dossier_id: int, old_votes: dict[int, int], votes: dict[int, int]
) -> list[tuple[str, int, int]]:
    """(code, enveloppe, amount beyond) for each financeur whose vote rises on this dossier and whose
    campagne total would then exceed its enveloppe."""
    d = live.dossiers.get(dossier_id)
    out = []
    for f in live.financeurs:
        if f.id not in live.enveloppes:
            continue
        new = votes.get(f.id, 0)
        current_here = (d.vote.get(f.id) or 0) if d is not None and d.retenu else 0
        if new <= max(current_here, old_votes.get(f.id, 0)):
            continue
        others = sum(
            (o.vote.get(f.id) or 0) for o in live.dossiers.values() if o.retenu and o.id != dossier_id
        )
        total = others + new
        if total > live.enveloppes[f.id]:
            out.append((f.code, live.enveloppes[f.id], total - live.enveloppes[f.id]))
    return out


def build_tableau(live: LiveData, nb_points: int, nb_decides: int) -> Tableau:
    figures = live_figures(live)
    return Tableau(
        enveloppes=tuple(
            EnveloppeState(
                financeur_id=e.financeur_id,
                code=e.code,
                nom=e.nom,
                enveloppe_cents=e.enveloppe_cents,
                vote_cents=e.vote_cents,
                reste_cents=e.reste_cents,
                exceeded=e.exceeded,
            )
            for e in figures.enveloppes
        ),
        cotations=tuple(
            CotationState(c.niveau, c.label, c.demande_entree_cents, c.vote_sortie_cents)
            for c in figures.cotations
        ),
        total_vote_cents=figures.total_vote_cents,
        nb_decides=nb_decides,
        nb_points=nb_points,
    )


def _amounts_text(votes: Iterable[Sequence[Any]]) -> str:
    return ", ".join(f"{code} {format_amount(cents)}" for code, cents in votes if cents)


def _history_text(changes: dict[str, Any]) -> str:
    old, new = (changes.get("decision") or [None, None])[:2]
    old_votes, new_votes = (changes.get("votes") or [[], []])[:2]

    def one(decision: str | None, votes: list[list[Any]]) -> str:
        label = DECISION_LABELS.get(decision or "", "sans décision")
        amounts = _amounts_text(votes or [])
        return f"{label} ({amounts})" if amounts else label

    if old is None:
        text = f"Décision : {one(new, new_votes)}"
    else:
        text = f"Décision révisée : {one(old, old_votes)} → {one(new, new_votes)}"
    motivation = (changes.get("motivation") or [None, None])[1]
    if motivation:
        text += f" ; motivation : {motivation}"
    conditions = (changes.get("conditions") or [None, None])[1]
    if conditions:
        text += f" ; conditions : {conditions}"
    if changes.get("derogation"):
        text += f" ; dérogation à l'enveloppe ({', '.join(changes.get('depassements') or {})}) : {changes['derogation']}"
    if changes.get("pas_pris_part"):
        text += f" ; n'a pas pris part : {', '.join(changes['pas_pris_part'])}"
    return text


def decision_records(db: Database, comite_id: int) -> dict[int, list[dict[str, Any]]]:
    """Every recorded decision of each point of a comité (audit log), oldest first, for the
    relevé: enveloppe overrides (`depassements`, `derogation`), members who did not take part."""
    with db.session() as s:
        point_ids = list(s.scalars(select(ComitePoint.id).where(ComitePoint.comite_id == comite_id)))
        if not point_ids:
            return {}
        out: dict[int, list[dict[str, Any]]] = {}
        for entity_id, changes in s.execute(
            select(AuditLog.entity_id, AuditLog.changes)
            .where(AuditLog.entity == "comite_point", AuditLog.action == "decision")
            .where(AuditLog.entity_id.in_(point_ids))
            .order_by(AuditLog.at, AuditLog.id)
        ):
            out.setdefault(entity_id, []).append(json.loads(changes))
        return out
