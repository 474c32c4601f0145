"""Instructeur: instruction of the politique de la ville appels à projets (domain, storage, services, CLI)."""

__version__ = "0.1.0"
