"""The fiche dossier: one non-modal window per dossier, one module per tab."""

from ui.fiche.window import FicheDossier, FicheRegistry

__all__ = ["FicheDossier", "FicheRegistry"]
