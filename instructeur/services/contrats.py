"""Contrats: built from a référentiel, with their quartiers, cadre stratégique and financeurs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from instructeur.errors import NotFoundError
from instructeur.referentiels import Noeud, Referentiel
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AxeTransversal,
    Commune,
    Contrat,
    Financeur,
    Objectif,
    Quartier,
    QuartierAlias,
    Signataire,
)


@dataclass(frozen=True)
class FinanceurData:
    code: str
    nom: str
    type: str


@dataclass(frozen=True)
class FinanceurRow:
    id: int
    code: str
    nom: str
    type: str


@dataclass(frozen=True)
class QuartierRow:
    id: int
    type: str
    code: str | None
    nom: str
    population: int | None
    communes: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class ObjectifRow:
    id: int
    parent_id: int | None
    code: str
    titre: str
    niveau: int


@dataclass(frozen=True)
class ContratRow:
    id: int
    nom: str
    epci_nom: str
    periode: tuple[int, int]
    niveaux: tuple[str, ...]


class ContratService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def create_from_referentiel(
        self, ref: Referentiel, financeurs: list[FinanceurData] | None = None, nom: str | None = None
    ) -> int:
        """A new contrat carrying the référentiel verbatim: communes, QPV and other quartiers,
        cadre stratégique, axes transversaux, signataires."""
        with self.db.session() as s:
            contrat = Contrat(
                nom=nom or ref.contrat_nom,
                epci_nom=ref.epci_nom,
                epci_siren=ref.epci_siren,
                periode_debut=ref.periode[0],
                periode_fin=ref.periode[1],
                referentiel_code=ref.code,
                niveaux=" | ".join(ref.niveaux),
                updated_by=self.user,
            )
            s.add(contrat)
            communes: dict[str, Commune] = {}

            def commune(name: str) -> Commune:
                if name not in communes:
                    communes[name] = Commune(nom=name)
                    contrat.communes.append(communes[name])
                return communes[name]

            for name in ref.communes:
                commune(name)
            for q in ref.qpv:
                contrat.quartiers.append(
                    Quartier(
                        type="qpv",
                        code=q.code,
                        nom=q.nom,
                        population=q.population,
                        communes=[commune(c) for c in q.communes],
                        aliases=[QuartierAlias(alias=a) for a in q.aliases],
                    )
                )
            for o in ref.quartiers:
                contrat.quartiers.append(
                    Quartier(type=o.type, nom=o.nom, communes=[commune(c) for c in o.communes])
                )
            s.flush()

            def add_node(node: Noeud, parent: Objectif | None, position: int) -> None:
                obj = Objectif(
                    contrat_id=contrat.id,
                    parent_id=parent.id if parent else None,
                    code=node.code,
                    titre=node.titre,
                    niveau=node.niveau,
                    position=position,
                )
                s.add(obj)
                s.flush()
                for n, child in enumerate(node.enfants):
                    add_node(child, obj, n)

            for n, node in enumerate(ref.cadre):
                add_node(node, None, n)
            for n, titre in enumerate(ref.axes_transversaux):
                contrat.axes_transversaux.append(AxeTransversal(titre=titre, position=n))
            for n, nom_signataire in enumerate(ref.signataires):
                contrat.signataires.append(Signataire(nom=nom_signataire, position=n))
            for n, f in enumerate(financeurs or []):
                contrat.financeurs.append(
                    Financeur(code=f.code, nom=f.nom, type=f.type, position=n, updated_by=self.user)
                )
            s.flush()
            audit.record(s, self.user, "contrat", contrat.id, "create", {"referentiel": ref.code})
            return contrat.id

    def all(self) -> list[ContratRow]:
        with self.db.session() as s:
            return [_contrat_row(c) for c in s.scalars(select(Contrat).order_by(Contrat.nom))]

    def get(self, contrat_id: int) -> ContratRow:
        with self.db.session() as s:
            c = s.get(Contrat, contrat_id)
            if c is None:
                raise NotFoundError(f"contrat {contrat_id} introuvable")
            return _contrat_row(c)

    def financeurs(self, contrat_id: int) -> list[FinanceurRow]:
        with self.db.session() as s:
            return [
                FinanceurRow(f.id, f.code, f.nom, f.type)
                for f in s.scalars(
                    select(Financeur)
                    .where(Financeur.contrat_id == contrat_id)
                    .order_by(Financeur.position, Financeur.id)
                )
            ]

    def quartiers(self, contrat_id: int) -> list[QuartierRow]:
        from sqlalchemy.orm import selectinload

        with self.db.session() as s:
            rows = s.scalars(
                select(Quartier)
                .where(Quartier.contrat_id == contrat_id)
                .options(selectinload(Quartier.communes), selectinload(Quartier.aliases))
                .order_by(Quartier.type != "qpv", Quartier.nom)
            )
            return [
                QuartierRow(
                    q.id,
                    q.type,
                    q.code,
                    q.nom,
                    q.population,
                    tuple(c.nom for c in q.communes),
                    tuple(a.alias for a in q.aliases),
                )
                for q in rows
            ]

    def objectifs(self, contrat_id: int) -> list[ObjectifRow]:
        """The cadre stratégique, depth-first (parents before children, in document order)."""
        with self.db.session() as s:
            nodes = s.scalars(select(Objectif).where(Objectif.contrat_id == contrat_id)).all()
        children: dict[int | None, list[Objectif]] = {}
        for o in nodes:
            children.setdefault(o.parent_id, []).append(o)
        out: list[ObjectifRow] = []

        def walk(parent: int | None) -> None:
            for o in sorted(children.get(parent, []), key=lambda o: (o.position, o.id)):
                out.append(ObjectifRow(o.id, o.parent_id, o.code, o.titre, o.niveau))
                walk(o.id)

        walk(None)
        return out

    def count_objectifs(self, contrat_id: int) -> int:
        with self.db.session() as s:
            return (
                s.scalar(select(func.count()).select_from(Objectif).where(Objectif.contrat_id == contrat_id))
                or 0
            )


def _contrat_row(c: Contrat) -> ContratRow:
    return ContratRow(
        c.id,
        c.nom,
        c.epci_nom,
        (c.periode_debut, c.periode_fin),
        tuple(n.strip() for n in c.niveaux.split("|") if n.strip()),
    )
