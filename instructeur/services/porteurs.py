"""Porteurs: validated creation, deduplication on SIRET / RNA, search."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from instructeur.domain.identifiers import normalize_rna, normalize_siret, rna_problem, siret_problem
from instructeur.domain.statuts import Statut
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import Campagne, Dossier, Porteur, Suivi


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


@dataclass(frozen=True)
class PorteurHistoryRow:
    """One dossier of the porteur, any campagne: what was asked, voted, and whether the CRF came."""

    dossier_id: int
    campagne_id: int
    annee: int
    reference: str
    intitule: str
    statut: Statut
    demande_cents: int
    vote_cents: int | None
    crf_recu_le: date | None


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


def merged_data(keep: PorteurData, duplicate: PorteurData) -> PorteurData:
    """What a merge leaves: the kept porteur, its empty fields completed from the duplicate."""
    values = {
        f.name: getattr(keep, f.name) or getattr(duplicate, f.name) or getattr(keep, f.name)
        for f in fields(PorteurData)
    }
    return PorteurData(**values)


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

    def history(self, porteur_id: int) -> list[PorteurHistoryRow]:
        """The porteur's dossiers, most recent campagne first (shown during instruction)."""
        with self.db.session() as s:
            rows = s.execute(
                select(Dossier, Campagne.annee, Suivi.crf_recu_le)
                .join(Campagne, Campagne.id == Dossier.campagne_id)
                .outerjoin(Suivi, Suivi.dossier_id == Dossier.id)
                .where(Dossier.porteur_id == porteur_id)
                .options(selectinload(Dossier.lignes))
                .order_by(Campagne.annee.desc(), Dossier.reference)
            ).all()
            out = []
            for d, annee, crf in rows:
                votes = [
                    ligne.vote_cents
                    for ligne in d.lignes
                    if ligne.financeur_id and ligne.vote_cents is not None
                ]
                out.append(
                    PorteurHistoryRow(
                        dossier_id=d.id,
                        campagne_id=d.campagne_id,
                        annee=annee,
                        reference=d.reference,
                        intitule=d.intitule,
                        statut=Statut(d.statut),
                        demande_cents=sum(ligne.demande_cents for ligne in d.lignes if ligne.financeur_id),
                        vote_cents=sum(votes) if votes else None,
                        crf_recu_le=crf,
                    )
                )
            return out

    def merge(self, keep_id: int, duplicate_id: int) -> None:
        """Fold a duplicate into the porteur kept: its dossiers move over, empty fields of the kept
        porteur are filled from the duplicate, then the duplicate is deleted. Audited."""
        if keep_id == duplicate_id:
            raise ValidationError(["fusion : choisissez deux porteurs différents"])
        with self.db.session() as s:
            keep, dup = s.get(Porteur, keep_id), s.get(Porteur, duplicate_id)
            if keep is None or dup is None:
                raise NotFoundError(f"porteur {keep_id if keep is None else duplicate_id} introuvable")
            moved = s.scalars(select(Dossier).where(Dossier.porteur_id == dup.id)).all()
            filled = {}
            taken = {f.name: getattr(dup, f.name) for f in fields(PorteurData)}
            dup_name = dup.raison_sociale
            for d in moved:
                d.porteur_id = keep.id
            s.flush()
            s.delete(dup)
            s.flush()  # frees the duplicate's SIRET / RNA before the kept porteur takes them
            for name, value in taken.items():
                if value and not getattr(keep, name):
                    setattr(keep, name, value)
                    filled[name] = value
            keep.updated_by = self.user
            audit.record(
                s,
                self.user,
                "porteur",
                keep.id,
                "merge",
                {"fusionne": [duplicate_id, dup_name], "dossiers": [d.id for d in moved], "complete": filled},
            )

    @staticmethod
    def _find(s: Session, data: PorteurData) -> Porteur | None:
        if data.siret:
            found = s.scalar(select(Porteur).where(Porteur.siret == data.siret))
            if found:
                return found
        if data.rna:
            return s.scalar(select(Porteur).where(Porteur.rna == data.rna))
        return None

    def _check_duplicates(self, s: Session, data: PorteurData, own_id: int | None) -> None:
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
