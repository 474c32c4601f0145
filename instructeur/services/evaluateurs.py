"""Évaluateurs of a contrat and their assignment to dossiers.

An assignment is an `Evaluation` row without notes (the évaluateur scores it later with the
campagne's grille). Assigning creates the campagne's default grille (DESIGN.md §6) when the
campagne has none yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from instructeur.domain import grille_defaut
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Critere,
    Dossier,
    Evaluateur,
    Evaluation,
    Financeur,
    Grille,
    Note,
)


@dataclass(frozen=True)
class EvaluateurRow:
    id: int
    nom: str
    financeur_id: int | None
    financeur: str | None
    email: str | None
    nb_dossiers: int


@dataclass(frozen=True)
class AssignResult:
    assigned: tuple[int, ...]
    skipped: tuple[tuple[int, str], ...]  # (dossier id, French reason)


class EvaluateurService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def all(self, contrat_id: int) -> list[EvaluateurRow]:
        with self.db.session() as s:
            counts: dict[int, int] = {
                eid: int(n)
                for eid, n in s.execute(
                    select(Evaluation.evaluateur_id, func.count())
                    .join(Evaluateur, Evaluateur.id == Evaluation.evaluateur_id)
                    .where(Evaluateur.contrat_id == contrat_id)
                    .group_by(Evaluation.evaluateur_id)
                )
            }
            rows = s.execute(
                select(Evaluateur, Financeur.nom)
                .outerjoin(Financeur, Financeur.id == Evaluateur.financeur_id)
                .where(Evaluateur.contrat_id == contrat_id)
                .order_by(Evaluateur.nom, Evaluateur.id)
            ).all()
            return [
                EvaluateurRow(e.id, e.nom, e.financeur_id, fnom, e.email, int(counts.get(e.id, 0)))
                for e, fnom in rows
            ]

    def create(
        self, contrat_id: int, nom: str, financeur_id: int | None = None, email: str | None = None
    ) -> int:
        name = " ".join(nom.split())
        problems = []
        if not name:
            problems.append("évaluateur : nom obligatoire")
        with self.db.session() as s:
            if financeur_id is not None:
                f = s.get(Financeur, financeur_id)
                if f is None or f.contrat_id != contrat_id:
                    problems.append(f"évaluateur : financeur {financeur_id} inconnu dans ce contrat")
            if problems:
                raise ValidationError(problems)
            e = Evaluateur(
                contrat_id=contrat_id,
                nom=name,
                financeur_id=financeur_id,
                email=(email or "").strip() or None,
                updated_by=self.user,
            )
            s.add(e)
            s.flush()
            audit.record(s, self.user, "evaluateur", e.id, "create", {"nom": name, "financeur": financeur_id})
            return e.id

    def assign(self, dossier_ids: list[int], evaluateur_id: int) -> AssignResult:
        """Assigns the évaluateur to each dossier; already assigned dossiers (and dossiers of
        another contrat) are skipped and reported."""
        assigned: list[int] = []
        skipped: list[tuple[int, str]] = []
        with self.db.session() as s:
            e = s.get(Evaluateur, evaluateur_id)
            if e is None:
                raise NotFoundError(f"évaluateur {evaluateur_id} introuvable")
            ids = list(dict.fromkeys(dossier_ids))
            dossiers = {
                d.id: (d.reference, d.campagne_id, contrat_id)
                for d, contrat_id in s.execute(
                    select(Dossier, Campagne.contrat_id)
                    .join(Campagne, Campagne.id == Dossier.campagne_id)
                    .where(Dossier.id.in_(ids))
                )
            }
            already = set(
                s.scalars(
                    select(Evaluation.dossier_id).where(
                        Evaluation.evaluateur_id == evaluateur_id, Evaluation.dossier_id.in_(ids)
                    )
                )
            )
            grilles: dict[int, int] = {}
            for dossier_id in ids:
                found = dossiers.get(dossier_id)
                if found is None:
                    skipped.append((dossier_id, f"dossier {dossier_id} introuvable"))
                    continue
                reference, campagne_id, contrat_id = found
                if contrat_id != e.contrat_id:
                    skipped.append((dossier_id, f"dossier {reference} : {e.nom} n'évalue pas ce contrat"))
                    continue
                if dossier_id in already:
                    skipped.append((dossier_id, f"dossier {reference} : déjà confié à {e.nom}"))
                    continue
                if campagne_id not in grilles:
                    grilles[campagne_id] = self._grille(s, campagne_id)
                s.add(
                    Evaluation(
                        dossier_id=dossier_id,
                        evaluateur_id=evaluateur_id,
                        grille_id=grilles[campagne_id],
                        updated_by=self.user,
                    )
                )
                audit.record(s, self.user, "dossier", dossier_id, "evaluateur", {"confie_a": e.nom})
                assigned.append(dossier_id)
        return AssignResult(tuple(assigned), tuple(skipped))

    def unassign(self, dossier_ids: list[int], evaluateur_id: int) -> AssignResult:
        """Withdraws the assignment; an évaluation already scored is kept and reported."""
        removed: list[int] = []
        skipped: list[tuple[int, str]] = []
        with self.db.session() as s:
            e = s.get(Evaluateur, evaluateur_id)
            if e is None:
                raise NotFoundError(f"évaluateur {evaluateur_id} introuvable")
            ids = list(dict.fromkeys(dossier_ids))
            rows = {
                ev.dossier_id: (ev, reference)
                for ev, reference in s.execute(
                    select(Evaluation, Dossier.reference)
                    .join(Dossier, Dossier.id == Evaluation.dossier_id)
                    .where(Evaluation.evaluateur_id == evaluateur_id, Evaluation.dossier_id.in_(ids))
                )
            }
            scored = set(
                s.scalars(
                    select(Evaluation.dossier_id)
                    .join(Note, Note.evaluation_id == Evaluation.id)
                    .where(Evaluation.evaluateur_id == evaluateur_id, Evaluation.dossier_id.in_(ids))
                )
            )
            to_delete = []
            for dossier_id in ids:
                if dossier_id not in rows:
                    skipped.append((dossier_id, f"dossier {dossier_id} : pas confié à {e.nom}"))
                    continue
                ev, reference = rows[dossier_id]
                if dossier_id in scored:
                    skipped.append(
                        (dossier_id, f"dossier {reference} : déjà noté par {e.nom}, évaluation conservée")
                    )
                    continue
                to_delete.append(ev.id)
                audit.record(s, self.user, "dossier", dossier_id, "evaluateur", {"retire": e.nom})
                removed.append(dossier_id)
            if to_delete:
                s.execute(delete(Evaluation).where(Evaluation.id.in_(to_delete)))
        return AssignResult(tuple(removed), tuple(skipped))

    def grille_of(self, campagne_id: int) -> int:
        """The campagne's grille (its latest version), created from the default when missing."""
        with self.db.session() as s:
            return self._grille(s, campagne_id)

    def _grille(self, s: Session, campagne_id: int) -> int:
        found = s.scalar(
            select(Grille.id)
            .where(Grille.campagne_id == campagne_id)
            .order_by(Grille.numero_version.desc(), Grille.id.desc())
            .limit(1)
        )
        if found is not None:
            return found
        grille = Grille(campagne_id=campagne_id, nom=grille_defaut.NOM, updated_by=self.user)
        grille.criteres = [
            Critere(
                section=c.section,
                libelle=c.libelle,
                aide=c.aide,
                poids=c.poids,
                echelle_min=c.echelle_min,
                echelle_max=c.echelle_max,
                niveaux=json.dumps(list(c.niveaux), ensure_ascii=False),
                eliminatoire=c.eliminatoire,
                position=n,
            )
            for n, c in enumerate(grille_defaut.CRITERES)
        ]
        s.add(grille)
        s.flush()
        audit.record(s, self.user, "grille", grille.id, "create", {"campagne": campagne_id, "defaut": True})
        return grille.id

    def update(
        self, evaluateur_id: int, nom: str, financeur_id: int | None = None, email: str | None = None
    ) -> None:
        """Changes the name, financeur and email of an évaluateur (same checks as `create`)."""
        name = " ".join(nom.split())
        problems = []
        if not name:
            problems.append("évaluateur : nom obligatoire")
        with self.db.session() as s:
            e = s.get(Evaluateur, evaluateur_id)
            if e is None:
                raise NotFoundError(f"évaluateur {evaluateur_id} introuvable")
            if financeur_id is not None:
                f = s.get(Financeur, financeur_id)
                if f is None or f.contrat_id != e.contrat_id:
                    problems.append(f"évaluateur : financeur {financeur_id} inconnu dans ce contrat")
            if problems:
                raise ValidationError(problems)
            mail = (email or "").strip() or None
            before = {"nom": e.nom, "financeur": e.financeur_id, "email": e.email}
            after = {"nom": name, "financeur": financeur_id, "email": mail}
            if before == after:
                return
            e.nom, e.financeur_id, e.email = name, financeur_id, mail
            e.updated_by = self.user
            audit.record(
                s,
                self.user,
                "evaluateur",
                e.id,
                "update",
                {k: [before[k], after[k]] for k in before if before[k] != after[k]},
            )
