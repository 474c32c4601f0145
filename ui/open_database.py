"""Opening a base from the GUI: an empty server database receives the Instructeur schema only
after the user says so (the CLI asks for `instructeur init` instead). SQLite files are created as
before: choosing a new file name is already the user's decision."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QWidget

from instructeur.storage.db import Database, EmptyDatabaseError, open_database
from instructeur.storage.urls import display_url


class Confirm(Protocol):
    def confirm(self, parent: QWidget | None, title: str, message: str, ok: str = ...) -> bool: ...


def open_or_create(target: str | Path, dialogs: Confirm, parent: QWidget | None = None) -> Database | None:
    """The open base; None when the user declined to create the schema in an empty server base."""
    try:
        return open_database(target, create_schema=False)
    except EmptyDatabaseError:
        question = (
            f"La base {display_url(target)} est vide : elle ne contient aucune table Instructeur.\n\n"
            "Créer le schéma Instructeur dans cette base ? (Les tables sont créées par votre "
            "identifiant ; sur un serveur partagé, c'est en général au propriétaire de la base de le faire.)"
        )
        if not dialogs.confirm(parent, "Base vide", question, ok="Créer le schéma"):
            return None
    return open_database(target)
