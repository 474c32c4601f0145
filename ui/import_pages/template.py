"""The import template, saved where the user chooses (« Fichier › Enregistrer un modèle d'import… »)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from instructeur.errors import UserError
from instructeur.imports import dossiers as dossiers_import
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.import_pages.analysis import TEMPLATE_FILTER


def save_import_template(
    parent: QWidget, db: Database | None, campagne_id: int | None, dialogs: Dialogs
) -> Path | None:
    """Ask where, then write the .xlsx template (one amount column per financeur of the campagne)."""
    from instructeur.imports.template import write_template

    path = dialogs.ask_export_path(
        parent, "Enregistrer un modèle d'import", "modele-import-dossiers.xlsx", TEMPLATE_FILTER
    )
    if path is None:
        return None
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    try:
        financeurs = (
            dossiers_import.campagne_financeurs(db, campagne_id) if db is not None and campagne_id else []
        )
        return write_template(path, financeurs)
    except UserError as exc:
        dialogs.error(parent, "Modèle d'import", exc.message)
    except OSError as exc:
        dialogs.error(
            parent,
            "Modèle d'import",
            f"Impossible d'écrire « {path} » : {exc.strerror or exc} (fichier ouvert ?)",
        )
    return None
