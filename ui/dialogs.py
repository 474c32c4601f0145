"""A small port for the modal questions windows ask (file names, errors, information).

Windows receive a `Dialogs` in their constructor; tests pass a fake instead of patching the
`QFileDialog`/`QMessageBox` statics (a modal `exec()` in a test blocks forever).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

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

    def ask_export_path(
        self, parent: QWidget, title: str, suggested: str = "", filter: str = ""
    ) -> Path | None:
        """Where to write a new file (report, template): Qt asks « Remplacer ? » for an existing one."""
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filter)
        return Path(path) if path else None

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.critical(parent, title, message)

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.information(parent, title, message)

    def about(self, parent: QWidget, title: str, html: str) -> None:
        QMessageBox.about(parent, title, html)

    def confirm(self, parent: QWidget | None, title: str, message: str, ok: str = "Confirmer") -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question, title, message, QMessageBox.StandardButton.Cancel, parent
        )
        accept = box.addButton(ok, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is accept

    def ask_choice(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        options: list[str],
        *,
        editable: bool = False,
        current: int = 0,
    ) -> str | None:
        """One of `options` (or, when editable, any text typed); None when cancelled."""
        text, ok = QInputDialog.getItem(parent, title, label, options, current, editable)
        text = text.strip()
        return text if ok and text else None

    def ask_text(
        self,
        parent: QWidget | None,
        title: str,
        label: str,
        default: str = "",
        *,
        multiline: bool = False,
    ) -> str | None:
        """Free text (a name, a motivation); None when cancelled."""
        if not multiline:
            text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, default)
            return text if ok else None
        dialog = QDialog(parent)
        dialog.setWindowTitle(title)
        layout = QVBoxLayout(dialog)
        caption = QLabel(label)
        caption.setWordWrap(True)
        edit = QPlainTextEdit(default)
        edit.setAccessibleName(title)
        caption.setBuddy(edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(caption)
        layout.addWidget(edit)
        layout.addWidget(buttons)
        dialog.resize(480, 240)
        try:
            return edit.toPlainText() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def report(
        self, parent: QWidget | None, title: str, message: str, details: list[str] | None = None
    ) -> None:
        """The outcome of a batch action: a summary, and the refused items listed in « Détails »."""
        box = QMessageBox(
            QMessageBox.Icon.Warning if details else QMessageBox.Icon.Information,
            title,
            message,
            QMessageBox.StandardButton.Ok,
            parent,
        )
        if details:
            box.setInformativeText(
                f"{len(details)} non traité{'s' if len(details) > 1 else ''} (voir les détails)."
            )
            box.setDetailedText("\n".join(details))
        box.exec()

    # --- questions asked by the fiche dossier -----------------------------------------------

    def ask_save_discard_cancel(self, parent: QWidget | None, title: str, text: str) -> str:
        """« Enregistrer / Ne pas enregistrer / Annuler » → "save", "discard" or "cancel"."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
        save = box.addButton("&Enregistrer", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("&Ne pas enregistrer", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("&Annuler", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is save:
            return "save"
        if clicked is discard:
            return "discard"
        return "cancel"

    # --- exports and notifications ------------------------------------------------------------

    def ask_directory(self, parent: QWidget | None, title: str, directory: str = "") -> Path | None:
        """A folder to write files into (letters, one workbook per financeur); None when cancelled."""
        path = QFileDialog.getExistingDirectory(parent, title, directory)
        return Path(path) if path else None

    def files_written(
        self, parent: QWidget | None, title: str, message: str, paths: list[Path], folder: Path
    ) -> None:
        """« N fichiers écrits » with their names, and a button that opens `folder` in the file manager."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        box = QMessageBox(QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent)
        if paths:
            box.setDetailedText("\n".join(str(p) for p in paths))
        open_button = box.addButton("&Ouvrir le dossier", QMessageBox.ButtonRole.ActionRole)
        box.setDefaultButton(QMessageBox.StandardButton.Ok)
        box.exec()
        if box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
