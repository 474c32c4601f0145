"""The additional classifications of a contrat's cadre (cross-cutting trees: Saint-Omer's ambitions ›
engagements) and the links between their nodes and the main cadre. Their trees are edited through
services/cadre.py; a dossier's classements are saved with the dossier (services/dossiers.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.services import audit
from instructeur.services.cadre import (
    CODE_MAX,
    dossiers_by_node,
    join_niveaux,
    plural,
    split_niveaux,
    tree_nodes,
)
from instructeur.storage.db import Database
from instructeur.storage.models import Classification, Objectif, ObjectifLien
from instructeur.storage.write_lock import decision_session


@dataclass(frozen=True)
class ClassificationRow:
    id: int
    code: str
    nom: str
    niveaux: tuple[str, ...]
    noeuds: int


class ClassificationService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def classifications(self, contrat_id: int) -> list[ClassificationRow]:
        with self.db.session() as s:
            counts: dict[int | None, int] = dict(
                s.execute(
                    select(Objectif.classification_id, func.count())
                    .where(Objectif.contrat_id == contrat_id, Objectif.classification_id.is_not(None))
                    .group_by(Objectif.classification_id)
                ).all()
            )
            return [
                ClassificationRow(k.id, k.code, k.nom, split_niveaux(k.niveaux), int(counts.get(k.id, 0)))
                for k in s.scalars(
                    select(Classification)
                    .where(Classification.contrat_id == contrat_id)
                    .order_by(Classification.position, Classification.id)
                )
            ]

    def liens(self, contrat_id: int) -> list[tuple[str, str]]:
        """(classification node code, main-cadre objectif code) pairs, in node order."""
        with self.db.session() as s:
            codes: dict[int, str] = dict(
                s.execute(select(Objectif.id, Objectif.code).where(Objectif.contrat_id == contrat_id)).all()
            )
            return sorted(
                (codes[a], codes[b])
                for a, b in s.execute(
                    select(ObjectifLien.objectif_id, ObjectifLien.lie_a_id).where(
                        ObjectifLien.objectif_id.in_(list(codes))
                    )
                ).all()
            )

    def liens_de(self, noeud_id: int) -> set[int]:
        """The main-cadre objectifs a classification node is linked to."""
        with self.db.session() as s:
            return set(s.scalars(select(ObjectifLien.lie_a_id).where(ObjectifLien.objectif_id == noeud_id)))

    def lier(self, noeud_id: int, objectif_ids: Sequence[int]) -> None:
        """The node's links become `objectif_ids` (objectifs of the main cadre of the same contrat)."""
        with decision_session(self.db) as s:
            node = s.get(Objectif, noeud_id)
            if node is None or node.classification_id is None:
                raise NotFoundError("ce nœud n'appartient à aucune classification : rechargez le cadre")
            wanted = set(objectif_ids)
            targets = {
                o.id: o.code
                for o in s.scalars(select(Objectif).where(Objectif.id.in_(wanted)))
                if o.contrat_id == node.contrat_id and o.classification_id is None
            }
            if set(targets) != wanted:
                raise UserError(
                    "un objectif choisi n'est pas (ou plus) dans le cadre du contrat : rechargez le cadre"
                )
            before = {
                lien.lie_a_id: lien
                for lien in s.scalars(select(ObjectifLien).where(ObjectifLien.objectif_id == node.id))
            }
            if set(before) == wanted:
                return
            codes = dict(
                s.execute(select(Objectif.id, Objectif.code).where(Objectif.id.in_(set(before)))).all()
            )
            for oid, lien in before.items():
                if oid not in wanted:
                    s.delete(lien)
            for oid in wanted - set(before):
                s.add(ObjectifLien(objectif_id=node.id, lie_a_id=oid))
            audit.record(
                s, self.user, "objectif", node.id, "liens",
                {"avant": sorted(codes.values()), "apres": sorted(targets.values())},
            )  # fmt: skip

    def creer(self, contrat_id: int, code: str, nom: str, niveaux: Sequence[str]) -> int:
        code, nom, text = code.strip().upper(), " ".join(nom.split()), join_niveaux(niveaux)
        with decision_session(self.db) as s:
            problems = _classification_problems(s, contrat_id, code, nom, None)
            if not text:
                problems.append("niveaux : au moins un nom de niveau")
            if problems:
                raise ValidationError(problems)
            position = s.scalar(
                select(func.max(Classification.position)).where(Classification.contrat_id == contrat_id)
            )
            k = Classification(
                contrat_id=contrat_id, code=code, nom=nom, niveaux=text, position=(position or 0) + 1
            )
            s.add(k)
            s.flush()
            audit.record(
                s, self.user, "classification", k.id, "create", {"code": code, "nom": nom, "niveaux": text}
            )
            return k.id

    def modifier(self, classification_id: int, code: str, nom: str) -> None:
        code, nom = code.strip().upper(), " ".join(nom.split())
        with decision_session(self.db) as s:
            k = _classification(s, classification_id)
            problems = _classification_problems(s, k.contrat_id, code, nom, k.id)
            if problems:
                raise ValidationError(problems)
            changes = {f: [getattr(k, f), v] for f, v in (("code", code), ("nom", nom)) if getattr(k, f) != v}
            if changes:
                k.code, k.nom = code, nom
                audit.record(s, self.user, "classification", k.id, "update", changes)

    def supprimer(self, classification_id: int) -> None:
        """Deletes a classification and its nodes; refused while dossiers are classés in it."""
        with decision_session(self.db) as s:
            k = _classification(s, classification_id)
            nodes = tree_nodes(s, k.contrat_id, k.id)
            used = set().union(*dossiers_by_node(s, [o.id for o in nodes]).values()) if nodes else set()
            if used:
                n = len(used)
                raise UserError(
                    f"La classification « {k.nom} » ne peut pas être supprimée : "
                    f"{plural(n, 'dossier y est classé', 'dossiers y sont classés')}. Retirez-les d'abord."
                )
            ids = [o.id for o in nodes]
            if ids:
                s.execute(
                    delete(ObjectifLien).where(
                        or_(ObjectifLien.objectif_id.in_(ids), ObjectifLien.lie_a_id.in_(ids))
                    )
                )
                s.execute(
                    delete(Objectif).where(Objectif.id.in_(ids)).execution_options(synchronize_session=False)
                )
            audit.record(
                s,
                self.user,
                "classification",
                k.id,
                "delete",
                {"code": k.code, "nom": k.nom, "noeuds": len(ids)},
            )
            s.delete(k)


def _classification(s: Session, classification_id: int) -> Classification:
    k = s.get(Classification, classification_id)
    if k is None:
        raise NotFoundError(f"classification {classification_id} introuvable")
    return k


def _classification_problems(
    s: Session, contrat_id: int, code: str, nom: str, current: int | None
) -> list[str]:
    problems = []
    if not code:
        problems.append("code de la classification : obligatoire")
    elif len(code) > CODE_MAX:
        problems.append(f"code « {code} » : trop long ({CODE_MAX} caractères au plus)")
    elif s.scalar(
        select(Classification.id).where(
            Classification.contrat_id == contrat_id,
            Classification.code == code,
            Classification.id != (current or 0),
        )
    ):
        problems.append(f"code « {code} » : une autre classification le porte déjà")
    if not nom:
        problems.append("nom de la classification : obligatoire")
    elif len(nom) > 200:
        problems.append("nom de la classification : 200 caractères au plus")
    return problems
