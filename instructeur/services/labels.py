"""Free labels on dossiers (« à revoir », « priorité préfet »…): CRUD, batch add / remove.

Label names are unique whatever their case and accents (« Priorité » and « priorite » are the
same label). Every change is audit-logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from instructeur.domain.text import fold, sort_key
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import Dossier, Label, dossier_label

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_NAME = 80


@dataclass(frozen=True)
class LabelRow:
    id: int
    nom: str
    couleur: str | None
    nb_dossiers: int


@dataclass(frozen=True)
class LabelChange:
    """Result of a batch add / remove: the label and the dossiers actually changed."""

    label_id: int
    changed: tuple[int, ...]
    unchanged: tuple[int, ...]  # already had it (add) or did not have it (remove)


def _clean_name(nom: str) -> str:
    name = " ".join(nom.split())
    if not name:
        raise ValidationError(["label : nom obligatoire"])
    if len(name) > MAX_NAME:
        raise ValidationError([f"label : {MAX_NAME} caractères au plus"])
    return name


def _clean_colour(couleur: str | None) -> str | None:
    if couleur is None or not couleur.strip():
        return None
    if not _COLOUR.match(couleur.strip()):
        raise ValidationError([f"label : couleur « {couleur} » invalide (attendu #RRVVBB)"])
    return couleur.strip().lower()


class LabelService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def all(self) -> list[LabelRow]:
        """Every label with its number of dossiers, in French alphabetical order."""
        with self.db.session() as s:
            counts: dict[int, int] = {
                label_id: int(n)
                for label_id, n in s.execute(
                    select(dossier_label.c.label_id, func.count()).group_by(dossier_label.c.label_id)
                )
            }
            rows = [
                LabelRow(label.id, label.nom, label.couleur, int(counts.get(label.id, 0)))
                for label in s.scalars(select(Label))
            ]
        return sorted(rows, key=lambda r: sort_key(r.nom))

    def create(self, nom: str, couleur: str | None = None) -> int:
        name, colour = _clean_name(nom), _clean_colour(couleur)
        with self.db.session() as s:
            existing = self._by_name(s, name)
            if existing is not None:
                raise ValidationError([f"label : « {existing.nom} » existe déjà"])
            label = Label(nom=name, couleur=colour)
            s.add(label)
            s.flush()
            audit.record(s, self.user, "label", label.id, "create", {"nom": name, "couleur": colour})
            return label.id

    def update(self, label_id: int, nom: str, couleur: str | None = None) -> None:
        name, colour = _clean_name(nom), _clean_colour(couleur)
        with self.db.session() as s:
            label = self._get(s, label_id)
            other = self._by_name(s, name)
            if other is not None and other.id != label_id:
                raise ValidationError([f"label : « {other.nom} » existe déjà"])
            changes: dict[str, list[str | None]] = {}
            if label.nom != name:
                changes["nom"] = [label.nom, name]
            if label.couleur != colour:
                changes["couleur"] = [label.couleur, colour]
            label.nom, label.couleur = name, colour
            if changes:
                audit.record(s, self.user, "label", label.id, "update", changes)

    def delete(self, label_id: int) -> None:
        """Removes the label from every dossier, then deletes it."""
        with self.db.session() as s:
            label = self._get(s, label_id)
            dossiers = list(
                s.scalars(select(dossier_label.c.dossier_id).where(dossier_label.c.label_id == label_id))
            )
            s.execute(delete(dossier_label).where(dossier_label.c.label_id == label_id))
            audit.record(s, self.user, "label", label.id, "delete", {"nom": label.nom, "dossiers": dossiers})
            s.delete(label)

    def add_label(self, dossier_ids: list[int], label_name: str, couleur: str | None = None) -> LabelChange:
        """Puts the label on the dossiers, creating it when no label has that name yet."""
        name = _clean_name(label_name)
        with self.db.session() as s:
            label = self._by_name(s, name)
            if label is None:
                label = Label(nom=name, couleur=_clean_colour(couleur))
                s.add(label)
                s.flush()
                audit.record(s, self.user, "label", label.id, "create", {"nom": name})
            wanted = self._existing_dossiers(s, dossier_ids)
            already = set(
                s.scalars(
                    select(dossier_label.c.dossier_id).where(
                        dossier_label.c.label_id == label.id, dossier_label.c.dossier_id.in_(wanted)
                    )
                )
            )
            new = [d for d in wanted if d not in already]
            if new:
                s.execute(insert(dossier_label), [{"dossier_id": d, "label_id": label.id} for d in new])
                for d in new:
                    audit.record(s, self.user, "dossier", d, "label", {"ajout": label.nom})
            return LabelChange(label.id, tuple(new), tuple(d for d in wanted if d in already))

    def remove_label(self, dossier_ids: list[int], label_name: str) -> LabelChange:
        with self.db.session() as s:
            label = self._by_name(s, _clean_name(label_name))
            if label is None:
                raise NotFoundError(f"label « {label_name} » introuvable")
            wanted = self._existing_dossiers(s, dossier_ids)
            having = set(
                s.scalars(
                    select(dossier_label.c.dossier_id).where(
                        dossier_label.c.label_id == label.id, dossier_label.c.dossier_id.in_(wanted)
                    )
                )
            )
            gone = [d for d in wanted if d in having]
            if gone:
                s.execute(
                    delete(dossier_label).where(
                        dossier_label.c.label_id == label.id, dossier_label.c.dossier_id.in_(gone)
                    )
                )
                for d in gone:
                    audit.record(s, self.user, "dossier", d, "label", {"retrait": label.nom})
            return LabelChange(label.id, tuple(gone), tuple(d for d in wanted if d not in having))

    @staticmethod
    def _by_name(s: Session, name: str) -> Label | None:
        key = fold(name)
        return next((label for label in s.scalars(select(Label)) if fold(label.nom) == key), None)

    @staticmethod
    def _get(s: Session, label_id: int) -> Label:
        label = s.get(Label, label_id)
        if label is None:
            raise NotFoundError(f"label {label_id} introuvable")
        return label

    @staticmethod
    def _existing_dossiers(s: Session, dossier_ids: list[int]) -> list[int]:
        ids = list(dict.fromkeys(dossier_ids))
        found = set(s.scalars(select(Dossier.id).where(Dossier.id.in_(ids)))) if ids else set()
        missing = [d for d in ids if d not in found]
        if missing:
            raise NotFoundError(f"dossier {missing[0]} introuvable")
        return ids
