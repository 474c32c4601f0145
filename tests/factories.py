"""Small, explicit test data built through the services (no demo randomness)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from instructeur.referentiels import load_referentiel
from instructeur.services.campagnes import CampagneService
from instructeur.services.contrats import ContratService, FinanceurData
from instructeur.services.dossiers import DossierData, DossierService, Ligne
from instructeur.services.grilles import CritereData, GrilleService
from instructeur.services.porteurs import PorteurData, PorteurService
from instructeur.storage.db import Database

FINANCEURS = [
    FinanceurData("ETAT", "État — Préfecture du Pas-de-Calais", "etat"),
    FinanceurData("EPCI", "Communauté d'agglomération", "epci"),
    FinanceurData("CAF", "CAF du Pas-de-Calais", "caf"),
]


@dataclass
class World:
    contrat_id: int
    campagne_id: int
    financeurs: dict[str, int]
    quartiers: dict[str, int]
    porteur_id: int


def build_world(db: Database, referentiel: str = "boulonnais-2024") -> World:
    contrats = ContratService(db, user="test")
    contrat_id = contrats.create_from_referentiel(load_referentiel(referentiel), financeurs=FINANCEURS)
    financeurs = {f.code: f.id for f in contrats.financeurs(contrat_id)}
    campagne_id = CampagneService(db, user="test").create(
        contrat_id,
        2026,
        statut="instruction",
        enveloppes={financeurs["ETAT"]: 100_000_00, financeurs["EPCI"]: 50_000_00},
    )
    quartiers = {q.nom: q.id for q in contrats.quartiers(contrat_id)}
    porteur_id = PorteurService(db, user="test").create(
        PorteurData(raison_sociale="Élan Solidaire", siret="73282932000074", rna="W623001234")
    )
    return World(contrat_id, campagne_id, financeurs, quartiers, porteur_id)


def dossier_data(world: World, reference: str = "26-000001", **overrides: object) -> DossierData:
    values: dict[str, object] = dict(
        reference=reference,
        porteur_id=world.porteur_id,
        intitule="Atelier sociolinguistique",
        cout_total_cents=12_500_00,
        quartiers=(next(iter(world.quartiers.values())),),
        lignes=(
            Ligne(world.financeurs["ETAT"], "", 5_000_00),
            Ligne(world.financeurs["EPCI"], "", 4_000_00),
            Ligne(None, "Fonds propres", 3_500_00),
        ),
    )
    values.update(overrides)
    return DossierData(**values)  # type: ignore[arg-type]


def create_dossier(
    db: Database, world: World, reference: str = "26-000001", user: str = "test", **overrides: object
) -> int:
    return DossierService(db, user=user).create(
        world.campagne_id, dossier_data(world, reference, **overrides)
    )


def tick_recevabilite(db: Database, dossier_id: int, *, user: str = "test") -> None:
    """Ticks every point of the dossier's recevabilité checklist (« recevable » needs the mandatory
    ones), through the fiche's save."""
    import dataclasses

    from instructeur.services.fiche import FicheService

    fiche = FicheService(db, user=user)
    detail = DossierService(db, user=user).get(dossier_id)
    rows = [dataclasses.replace(r, ok=True) for r in fiche.recevabilite(dossier_id)]
    fiche.save_fiche(dossier_id, detail.version, detail.data, rows)


def create_grille(db: Database, campagne_id: int, criteria: Sequence[CritereData]) -> tuple[int, list[int]]:
    """The campagne's grille with these criteria, saved by the chef de projet: its id and its
    critères' ids, in order."""
    grilles = GrilleService(db, user="chef")
    grille_id = grilles.create_default(campagne_id)
    grilles.save(grille_id, grilles.get(grille_id).version, list(criteria))
    return grille_id, [c.id for c in grilles.get(grille_id).criteres]
