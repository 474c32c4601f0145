"""Team mode in the GUI: grey out what the connected person's role may not do.

The server refuses it anyway (grants and row-level security, instructeur/storage/roles.py);
greying only spares a refusal. On SQLite (one person) nothing changes.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from instructeur.services.equipe import Permissions
from ui.screen_fit import FitsScreen

RESERVED = "Réservé au chef de projet (mode équipe)"
READ_ONLY = "Lecture seule : votre rôle ne permet pas de modifier les dossiers"


def _lock(action: QAction | None, tip: str) -> None:
    """Disabled for good: actions that other code re-enables on selection stay greyed."""
    if action is None:
        return
    action.setEnabled(False)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.changed.connect(lambda: action.setEnabled(False) if action.isEnabled() else None)


class _StayDisabled(QObject):
    """Buttons that the fiche re-enables when something is modified stay greyed."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.EnabledChange and isinstance(watched, QWidget) and watched.isEnabled():
            watched.setEnabled(False)
        return False


def _lock_widget(widget: Any, tip: str) -> None:
    if not isinstance(widget, QWidget):
        return
    widget.setEnabled(False)
    widget.setToolTip(tip)
    widget.installEventFilter(_StayDisabled(widget))


def apply_fiche_permissions(fiche: Any, perms: Permissions | None) -> None:
    """The fiche of a lecteur (or an évaluateur, who only scores) is read-only; only the chef de
    projet revises a comité decision."""
    if perms is None:
        return
    if not perms.seance:
        _lock_widget(_attr(fiche, "suivi", "revise_button"), RESERVED)
    if not perms.edition:
        for path in (("save_button",), ("instruction", "save_avis_button"), ("instruction", "save_cotation_button"),
                     ("suivi", "save_button"), ("statut", "_buttons_box")):  # fmt: skip
            _lock_widget(_attr(fiche, *path), READ_ONLY)
        save = _attr(fiche, "save_action")
        if isinstance(save, QAction):
            _lock(save, READ_ONLY)
        fiche.setWindowTitle(f"{fiche.windowTitle()} (lecture seule)")
    if not perms.notation:
        _lock_widget(_attr(fiche, "instruction", "save_notes_button"), READ_ONLY)
    if perms.role == "evaluateur":
        _evaluateur_fiche(fiche, perms)


EVALUATEUR_HIDDEN = "Réservé à l'instruction : un évaluateur ne voit pas l'historique du dossier"


def _evaluateur_fiche(fiche: Any, perms: Permissions) -> None:
    """The server shows an évaluateur neither the avis nor the journal (storage/roles_evaluateur.py):
    the Instruction tab keeps their own évaluation only and the Historique is greyed."""
    instruction = _attr(fiche, "instruction")
    if instruction is not None and hasattr(instruction, "show_notation_only"):
        instruction.show_notation_only(perms.evaluateurs)
    tabs, historique = _attr(fiche, "tabs"), _attr(fiche, "historique")
    if tabs is not None and historique is not None:
        index = tabs.indexOf(historique)
        tabs.setTabEnabled(index, False)
        tabs.setTabToolTip(index, EVALUATEUR_HIDDEN)


def apply_evaluateurs_permissions(window: Any, perms: Permissions | None) -> None:
    """The campagne's notation option is a setting: the chef de projet's (the server refuses it to
    the other roles)."""
    if perms is not None and not perms.parametres:
        _lock_widget(_attr(window, "notes_check"), RESERVED)


def _attr(obj: Any, *path: str) -> Any:
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def _find(window: Any, *path: str) -> QAction | None:
    obj: Any = window
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj if isinstance(obj, QAction) else None


def apply_permissions(window: QWidget, perms: Permissions) -> None:
    """Greys the window's actions the role may not use; keeps `perms` on the window for dialogs."""
    window.setProperty("equipe_role", perms.role)
    window.permissions = perms  # type: ignore[attr-defined]
    if not perms.parametres:
        for path in (("parametres", "params_action"), ("parametres", "new_contrat_action"),
                     ("parametres", "new_campagne_action")):  # fmt: skip
            _lock(_find(window, *path), RESERVED)
    if not perms.seance:
        for path in (
            ("comite", "preparation_action"),
            ("comite", "scenarios_action"),
            ("comite", "seance_action"),
        ):
            _lock(_find(window, *path), RESERVED)
    if not perms.suppression:
        _lock(_find(window, "deletion", "action"), RESERVED)
    if not perms.edition:
        for path in (
            ("new_dossier_action",),
            ("import_actions", "dossiers_action"),
            ("import_actions", "qpv_action"),
        ):
            _lock(_find(window, *path), READ_ONLY)
        batch = _attr(window, "workspace", "batch")
        for name in ("statut_action", "assign_action", "label_action"):
            _lock(_find(batch, name), READ_ONLY)
    if perms.team and perms.login:
        window.setWindowTitle(f"{window.windowTitle()} — {perms.login} ({perms.role})")


class PasswordDialog(FitsScreen, QDialog):
    """Asked when the server wants a password and libpq found none (PGPASSWORD, .pgpass)."""

    def __init__(self, where: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mot de passe de la base")
        layout = QVBoxLayout(self)
        text = QLabel(f"{reason}\n\nBase : {where}")
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setAccessibleName("Mot de passe")
        form.addRow("&Mot de passe :", self.password_edit)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Se connecter")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(420, self.sizeHint().height())


def ask_password(where: str, reason: str, parent: QWidget | None = None) -> bool:
    """Asks; the password goes to libpq through PGPASSWORD (this process only), never into the URL
    that messages show. False when the person cancels."""
    dialog = PasswordDialog(where, reason, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.password_edit.text():
        return False
    os.environ["PGPASSWORD"] = dialog.password_edit.text()
    return True
