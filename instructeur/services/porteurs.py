"""Porteurs: validated creation, deduplication on SIRET / RNA, search."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import or_, select

from instructeur.domain.identifiers import normalize_rna, normalize_siret, rna_problem, siret_problem
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import Porteur


@dataclass(frozen=True)
class PorteurData:
    raison_sociale: str
    sigle: str | None = None
    siret: str | None = None
    rna: str | None = None
    forme_juridique: str | None = None
    adresse: str | None = None
    code_postal: str | None = None
    ville: str | None = None
    representant_civilite: str | None = None
    representant_nom: str | None = None
    representant_prenom: str | None = None
    representant_fonction: str | None = None
    contact_nom: str | None = None
    contact_email: str | None = None
    contact_telephone: str | None = None


@dataclass(frozen=True)
class PorteurRow:
    id: int
    version: int
    data: PorteurData


def normalized(data: PorteurData) -> PorteurData:
    values = {f.name: getattr(data, f.name) for f in fields(PorteurData)}
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = value.strip() or None
    values["raison_sociale"] = values["raison_sociale"] or ""
    if values["siret"]:
        values["siret"] = normalize_siret(values["siret"])
    if values["rna"]:
        values["rna"] = normalize_rna(values["rna"])
    return PorteurData(**values)


def validate(data: PorteurData) -> list[str]:
    problems = []
    if not data.raison_sociale:
        problems.append("raison sociale : obligatoire")
    if data.siret and (reason := siret_problem(data.siret)):
        problems.append(f"SIRET : {reason}")
    if data.rna and (reason := rna_problem(data.rna)):
        problems.append(f"RNA : {reason}")
    return problems


class PorteurService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def create(self, data: PorteurData) -> int:
        data = normalized(data)
        problems = validate(data)
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            self._check_duplicates(s, data, None)
            p = Porteur(**{f.name: getattr(data, f.name) for f in fields(PorteurData)}, updated_by=self.user)
            s.add(p)
            s.flush()
            audit.record(s, self.user, "porteur", p.id, "create", {"raison_sociale": data.raison_sociale})
            return p.id

    def find_or_create(self, data: PorteurData) -> int:
        """Deduplicate on SIRET, then RNA: an existing porteur is reused, not duplicated."""
        data = normalized(data)
        with self.db.session() as s:
            existing = self._find(s, data)
            if existing is not None:
                return existing.id
        return self.create(data)

    def get(self, porteur_id: int) -> PorteurRow:
        with self.db.session() as s:
            p = s.get(Porteur, porteur_id)
            if p is None:
                raise NotFoundError(f"porteur {porteur_id} introuvable")
            return _row(p)

    def update(self, porteur_id: int, expected_version: int, data: PorteurData) -> int:
        data = normalized(data)
        problems = validate(data)
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            p = s.get(Porteur, porteur_id)
            if p is None:
                raise NotFoundError(f"porteur {porteur_id} introuvable")
            if p.version != expected_version:
                raise audit.concurrent_edit(f"Le porteur {p.raison_sociale}", p.updated_by, p.updated_at)
            self._check_duplicates(s, data, p.id)
            changes = {}
            for f in fields(PorteurData):
                old, new = getattr(p, f.name), getattr(data, f.name)
                if old != new:
                    changes[f.name] = [old, new]
                    setattr(p, f.name, new)
            p.updated_by = self.user
            if changes:
                audit.record(s, self.user, "porteur", p.id, "update", changes)
            s.flush()
            return p.version

    def search(self, text: str = "", limit: int = 200) -> list[PorteurRow]:
        with self.db.session() as s:
            query = select(Porteur).order_by(Porteur.raison_sociale).limit(limit)
            if text.strip():
                like = f"%{text.strip()}%"
                query = query.where(
                    or_(
                        Porteur.raison_sociale.ilike(like),
                        Porteur.siret.like(like),
                        Porteur.sigle.ilike(like),
                    )
                )
            return [_row(p) for p in s.scalars(query)]

    @staticmethod
    def _find(s: object, data: PorteurData) -> Porteur | None:
        from sqlalchemy.orm import Session

        assert isinstance(s, Session)
        if data.siret:
            found = s.scalar(select(Porteur).where(Porteur.siret == data.siret))
            if found:
                return found
        if data.rna:
            return s.scalar(select(Porteur).where(Porteur.rna == data.rna))
        return None

    def _check_duplicates(self, s: object, data: PorteurData, own_id: int | None) -> None:
        found = self._find(s, data)
        if found is not None and found.id != own_id:
            key = f"SIRET {data.siret}" if data.siret and found.siret == data.siret else f"RNA {data.rna}"
            raise ValidationError([f"{key} : déjà utilisé par le porteur « {found.raison_sociale} »"])


def _row(p: Porteur) -> PorteurRow:
    return PorteurRow(
        id=p.id,
        version=p.version,
        data=PorteurData(**{f.name: getattr(p, f.name) for f in fields(PorteurData)}),
    )
