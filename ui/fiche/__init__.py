"""The fiche dossier: one non-modal window per dossier, one module per tab."""

from ui.fiche.window import FicheDossier

__all__ = ["FicheDossier"]
