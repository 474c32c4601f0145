"""The default grille d'analyse of DESIGN.md §6, as data.

Eight criteria on a 0–3 scale with the same level labels and equal weights. Used when a campagne
has no grille yet (first assignment of an évaluateur) and by the instruction screens.
"""

from __future__ import annotations

from dataclasses import dataclass

NOM = "Grille d'analyse"
ECHELLE_MIN = 0
ECHELLE_MAX = 3
POIDS = 1
NIVEAUX: tuple[str, ...] = ("insuffisant", "partiel", "satisfaisant", "très satisfaisant")


@dataclass(frozen=True)
class CritereDefaut:
    section: str
    libelle: str
    aide: str
    poids: int = POIDS
    echelle_min: int = ECHELLE_MIN
    echelle_max: int = ECHELLE_MAX
    niveaux: tuple[str, ...] = NIVEAUX
    eliminatoire: bool = False


CRITERES: tuple[CritereDefaut, ...] = (
    CritereDefaut(
        "Public et territoire",
        "L'action bénéficie principalement aux habitants des QPV",
        "Part du public issu des quartiers prioritaires (un seuil courant est 60 %).",
    ),
    CritereDefaut(
        "Pertinence",
        "Cohérence avec les objectifs du contrat et les besoins du quartier",
        "L'action répond à un objectif du cadre stratégique et à un besoin identifié du quartier.",
    ),
    CritereDefaut(
        "Porteur",
        "Porteur connu, présent dans le quartier, capable de mener l'action",
        "Ancrage local, expérience, moyens humains et capacité à rendre compte.",
    ),
    CritereDefaut(
        "Mise en œuvre",
        "Faisabilité et dimensionnement",
        "Calendrier réaliste, nombre de personnes touchées en rapport avec les moyens, "
        "action « pas trop consommatrice ».",
    ),
    CritereDefaut(
        "Budget",
        "Budget : coût par bénéficiaire, cofinancements, droit commun mobilisé",
        "Coût par bénéficiaire raisonnable, cofinancements identifiés, droit commun mobilisé d'abord.",
    ),
    CritereDefaut(
        "Évaluation",
        "Indicateurs d'évaluation concrets et mesurables",
        "Indicateurs quantitatifs et qualitatifs, sexués, avec une méthode de recueil.",
    ),
    CritereDefaut(
        "Partenariat",
        "Partenariat et participation des habitants",
        "Partenaires associés à l'action ; habitants impliqués dans sa conception et sa réalisation.",
    ),
    CritereDefaut(
        "Valeurs",
        "Lutte contre les discriminations, valeurs de la République",
        "Prise en compte de la lutte contre les discriminations, de la laïcité et de l'égalité.",
    ),
)

__all__ = ["CRITERES", "ECHELLE_MAX", "ECHELLE_MIN", "NIVEAUX", "NOM", "POIDS", "CritereDefaut"]
