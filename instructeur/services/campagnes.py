"""Campagnes (appels à projets): creation with enveloppes and recevabilité list, listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import (
    CAMPAGNE_STATUTS,
    Campagne,
    Contrat,
    Dossier,
    Enveloppe,
    RecevabiliteItem,
)

DEFAULT_RECEVABILITE = (
    "Dossier complet (formulaire CERFA 12156 et budget de l'action)",
    "Contrat d'engagement républicain signé",
    "Compte rendu financier N-1 reçu (CERFA 15059), pour une action reconduite",
    "Public majoritairement issu des quartiers prioritaires",
    "Relevé d'identité bancaire et statuts à jour",
)

CAMPAGNE_STATUT_LABELS = {
    "preparation": "En préparation",
    "ouverte": "Ouverte aux dépôts",
    "instruction": "En instruction",
    "comite": "En comité",
    "cloturee": "Clôturée",
}


@dataclass(frozen=True)
class CampagneRow:
    id: int
    contrat_id: int
    contrat: str
    annee: int
    libelle: str
    statut: str
    nb_dossiers: int


@dataclass(frozen=True)
class EnveloppeRow:
    financeur_id: int
    financeur_code: str
    financeur_nom: str
    montant_cents: int


class CampagneService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def create(
        self,
        contrat_id: int,
        annee: int,
        *,
        libelle: str = "Appel à projets",
        statut: str = "preparation",
        date_ouverture: date | None = None,
        date_cloture: date | None = None,
        enveloppes: dict[int, int] | None = None,
        recevabilite: tuple[str, ...] = DEFAULT_RECEVABILITE,
    ) -> int:
        problems = []
        if statut not in CAMPAGNE_STATUTS:
            problems.append(f"statut de campagne inconnu : « {statut} »")
        if date_ouverture and date_cloture and date_cloture < date_ouverture:
            problems.append("dates : la clôture précède l'ouverture")
        for fid, cents in (enveloppes or {}).items():
            if cents < 0:
                problems.append(f"enveloppe du financeur {fid} : montant négatif")
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            if s.get(Contrat, contrat_id) is None:
                raise NotFoundError(f"contrat {contrat_id} introuvable")
            c = Campagne(
                contrat_id=contrat_id,
                annee=annee,
                libelle=libelle,
                statut=statut,
                date_ouverture=date_ouverture,
                date_cloture=date_cloture,
                updated_by=self.user,
            )
            c.enveloppes = [
                Enveloppe(financeur_id=fid, montant_cents=cents) for fid, cents in (enveloppes or {}).items()
            ]
            c.recevabilite_items = [
                RecevabiliteItem(libelle=t, position=n) for n, t in enumerate(recevabilite)
            ]
            s.add(c)
            s.flush()
            audit.record(s, self.user, "campagne", c.id, "create", {"annee": annee})
            return c.id

    def all(self) -> list[CampagneRow]:
        with self.db.session() as s:
            counts = dict(
                s.execute(select(Dossier.campagne_id, func.count()).group_by(Dossier.campagne_id)).all()
            )
            rows = s.execute(
                select(Campagne, Contrat.nom)
                .join(Contrat)
                .order_by(Contrat.nom, Campagne.annee.desc(), Campagne.id)
            ).all()
            return [
                CampagneRow(c.id, c.contrat_id, nom, c.annee, c.libelle, c.statut, int(counts.get(c.id, 0)))
                for c, nom in rows
            ]

    def get(self, campagne_id: int) -> CampagneRow:
        for row in self.all():
            if row.id == campagne_id:
                return row
        raise NotFoundError(f"campagne {campagne_id} introuvable")

    def enveloppes(self, campagne_id: int) -> list[EnveloppeRow]:
        from instructeur.storage.models import Financeur

        with self.db.session() as s:
            return [
                EnveloppeRow(f.id, f.code, f.nom, e.montant_cents)
                for e, f in s.execute(
                    select(Enveloppe, Financeur)
                    .join(Financeur, Financeur.id == Enveloppe.financeur_id)
                    .where(Enveloppe.campagne_id == campagne_id)
                    .order_by(Financeur.position, Financeur.id)
                )
            ]
