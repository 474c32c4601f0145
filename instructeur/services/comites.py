"""Comité des financeurs: préparation, séance, clôture (contract: docs/COMITE_API.md).

* **Préparation**: a comité (type, date, lieu, membres with their financeur), its ordre du jour
  built from the instruit (or ajourné) dossiers — adding a dossier moves it « en comité » —,
  ordered by axe (cadre top-level node position, then objectif, then référence), by score
  (`NotationService.scores`, best first), by quartier (first quartier name in French collation,
  then référence) or by hand; members' conflicts of interest per dossier.
* **Scénarios** (GSL « simulations ») live in `instructeur/services/scenarios.py`
  (`ScenarioService`), which reuses this module's `Tableau` and helpers.
* **Séance and revisions**: `decide` (in séance) and `revise_decision` (« Modifier la décision… »
  once the séance is over) are in `comite_decisions.py`: one committed transaction each, the same
  pure rule (`instructeur.domain.decision.check_decision`), the enveloppes locked while the totals
  are read. DTOs and labels: `comite_dtos.py`; reading agendas and the live bar: `comite_rows.py`.

Every method is one transaction; money is integer cents; DTOs are frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.statuts import Statut
from instructeur.domain.text import optional_text, sort_key
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.services import audit, comite_decisions, comite_revision
from instructeur.services.comite_decisions import decision_records
from instructeur.services.comite_dtos import (
    COMITE_STATUT_LABELS,
    COMITE_TYPE_LABELS,
    DECISION_LABELS,
    DECISIONS,
    ORDERS,
    ComiteRow,
    CotationState,
    DecisionResult,
    EnveloppeState,
    FinanceurMontants,
    HistoriqueFinancement,
    MembreData,
    MembreRow,
    PointRow,
    Tableau,
)
from instructeur.services.comite_revision import RevisionForm, RevisionResult, revisable
from instructeur.services.comite_rows import (
    _Cadre,
    _check_order,
    _comite_row,
    _decimal,
    _fold_name,
    _membre,
    _point,
    _point_counts,
    _point_rows,
    _quartier_names,
    _what,
    build_tableau,
    load_comite,
)
from instructeur.services.dossiers import move_statut
from instructeur.services.synthese import load_live
from instructeur.storage.db import Database
from instructeur.storage.models import (
    COMITE_TYPES,
    Campagne,
    Comite,
    ComiteConflit,
    ComiteMembre,
    ComitePoint,
    Dossier,
    Financeur,
)

__all__ = [
    "COMITE_STATUT_LABELS",
    "COMITE_TYPE_LABELS",
    "DECISIONS",
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
    "RevisionForm",
    "RevisionResult",
    "Tableau",
    "build_tableau",
    "decision_records",
    "load_comite",
    "revisable",
]


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
                lieu=optional_text(lieu),
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
                    "lieu": [comite.lieu, optional_text(lieu)],
                }
                comite.type = type
                comite.date_seance = date_seance
                comite.lieu = optional_text(lieu)
                existing = {_fold_name(m.nom): m for m in comite.membres}
                kept: set[int] = set()
                for data in membres:
                    row = existing.get(_fold_name(data.nom))
                    if row is None or row.id in kept:
                        s.add(_membre(comite.id, data))
                        continue
                    kept.add(row.id)
                    row.nom = data.nom.strip()
                    row.fonction = optional_text(data.fonction)
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
                s.add(ComiteConflit(membre_id=membre_id, dossier_id=dossier_id, motif=optional_text(motif)))
            else:
                existing.motif = optional_text(motif)
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
        return comite_decisions.decide(
            self.db,
            self.user,
            point_id,
            expected_version,
            decision,
            votes,
            conditions,
            motivation,
            override_motivation,
        )

    def revise_decision(
        self,
        dossier_id: int,
        expected_version: int,
        decision: str,
        votes: dict[int, int],
        conditions: str | None,
        motivation: str | None,
        override_motivation: str | None = None,
    ) -> RevisionResult:
        """« Modifier la décision » outside the séance (the dossier's version; a motivation
        always): the séance's checks, the history, the votes, letters « À refaire »."""
        return comite_revision.revise_decision(
            self.db,
            self.user,
            dossier_id,
            expected_version,
            decision,
            votes,
            conditions,
            motivation,
            override_motivation,
        )

    def tableau(self, comite_id: int) -> Tableau:
        with self.db.session() as s:
            comite = load_comite(s, comite_id)
            live = load_live(s, comite.campagne_id)
            nb_points, nb_decides = _point_counts(s, [comite_id]).get(comite_id, (0, 0))
        return build_tableau(live, nb_points, nb_decides)

    def revision_form(self, dossier_id: int) -> RevisionForm:
        """The decision as it stands, for « Modifier la décision… » (refused when not revisable)."""
        return comite_revision.revision_form(self.db, dossier_id)

    def decision_history(self, point_id: int) -> list[tuple[datetime, str, str]]:
        """Every version of the decision on a point: (when, who, French text), oldest first."""
        return comite_decisions.decision_history(self.db, point_id)

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
