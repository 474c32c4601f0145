"""A small port for the modal questions windows ask (file names, errors, information).

Windows receive a `Dialogs` in their constructor; tests pass a fake instead of patching the
`QFileDialog`/`QMessageBox` statics (a modal `exec()` in a test blocks forever).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

DATABASE_FILTER = "Bases Instructeur (*.sqlite *.sqlite3 *.db);;Tous les fichiers (*)"


class Dialogs:
    """The real dialogs (Qt's, translated in French by qtbase_fr)."""

    def ask_open_path(
        self, parent: QWidget, title: str, directory: str = "", filter: str = ""
    ) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(parent, title, directory, filter)
        return Path(path) if path else None

    def ask_save_path(
        self, parent: QWidget, title: str, suggested: str = "", filter: str = ""
    ) -> Path | None:
        # backup_to() refuses to overwrite: let it explain instead of asking « Remplacer ? » first.
        path, _ = QFileDialog.getSaveFileName(
            parent, title, suggested, filter, options=QFileDialog.Option.DontConfirmOverwrite
        )
        return Path(path) if path else None

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.critical(parent, title, message)

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.information(parent, title, message)

    def about(self, parent: QWidget, title: str, html: str) -> None:
        QMessageBox.about(parent, title, html)
