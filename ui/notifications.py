"""« Campagne ▸ Notifications… »: the letters of a campagne's decided dossiers.

Three tabs:

* **Suivi des lettres**: one line per decided dossier (retenu, refusé, ajourné and later) with
  its letter's état — à générer (no letter yet), à signer, à notifier, notifié — and dates;
  « Générer les lettres… » (a folder, optionally one merged PDF to sign; for the selection or
  every dossier awaiting notification; in a background job with progress and « Annuler »);
  « Marquer signées / envoyées / notifiées » at a date (states only move forward; « notifiée »
  also moves the dossier to « Notifié »).
* **Modèles de lettres**: one editor per modèle (attribution, refus, ajournement): the text, the
  merge fields (double-click inserts), problems shown as you type (« Enregistrer » refused while
  there are any), « Aperçu » of the merged text for a dossier, « Rétablir le modèle par défaut ».
* **Paramètres**: sender block, ville, signataire, fonction, financeur signataire, logo and
  signature images.

Everything goes through `NotificationService` (and `DossierService.list_rows` for the list of
decided dossiers).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QWidget,
)

from instructeur.errors import UserError
from instructeur.exports.letters import MODELES
from instructeur.services.notifications import (
    ETAT_LABELS,
    GenerationResult,
    NotificationService,
)
from instructeur.services.synthese import SyntheseService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.notifications_models import (
    COLUMNS,
    NotificationLine,
    NotificationsModel,
    notification_lines,
)
from ui.notifications_settings import SettingsForm
from ui.notifications_templates import TemplateEditor
from ui.notifications_view import NotificationsView
from ui.workers import Job, Progress, run_job

__all__ = [
    "COLUMNS",
    "NotificationLine",
    "NotificationsModel",
    "NotificationsWindow",
    "SettingsForm",
    "TemplateEditor",
    "notification_lines",
]

# --- The window -----------------------------------------------------------------------------


class NotificationsWindow(NotificationsView):
    """Notifications of one campagne (non-modal window): behaviour; the layout is the view's."""

    changed = Signal()  # dossiers moved to « Notifié »: the main window reloads

    def __init__(
        self,
        db: Database,
        campagne_id: int,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self.campagne_id = campagne_id
        self.dialogs = dialogs or Dialogs()
        self.service = NotificationService(db)
        self.job: Job[GenerationResult] | None = None
        self.last_result: GenerationResult | None = None
        financeurs = SyntheseService(db).financeurs(campagne_id)
        lines = notification_lines(db, campagne_id)
        self._build(self.service, lines, [(f.code, f.nom) for f in financeurs], self.dialogs)
        self.generate_button.clicked.connect(self.ask_generate)
        self.signed_button.clicked.connect(lambda: self.mark_selected("a_notifier"))
        self.notified_button.clicked.connect(lambda: self.mark_selected("notifie"))
        self.open_settings_button.clicked.connect(self.open_settings)
        self.settings_form.saved.connect(self.refresh_preflight)
        self.reload()
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self._on_selection()

    # --- pre-flight ------------------------------------------------------------------------

    def preflight(self, lines: Sequence[NotificationLine] | None = None) -> list[str]:
        """What the letters of these lines (default: every line) still lack."""
        chosen = self.model.rows if lines is None else lines
        modeles = sorted({line.modele for line in chosen}) or list(MODELES)
        return self.service.preflight(modeles)

    def refresh_preflight(self) -> None:
        missing = self.preflight()
        self.preflight_label.setText("\n".join(missing))
        self.preflight_box.setVisible(bool(missing))

    def open_settings(self) -> None:
        self.tabs.setCurrentIndex(self.settings_index)
        self.settings_form.expediteur.setFocus()

    # --- list ------------------------------------------------------------------------------

    def reload(self) -> None:
        selected = set(self.selected_dossier_ids()) if self.table.selectionModel() else set()
        self.model.set_rows(notification_lines(self._db, self.campagne_id))
        counts: dict[str, int] = {}
        for line in self.model.rows:
            counts[line.etat] = counts.get(line.etat, 0) + 1
        parts = [f"{label.lower()} : {counts[k]}" for k, label in ETAT_LABELS.items() if counts.get(k)]
        if counts.get("a_refaire"):  # revised decisions: their letters are to generate again
            todo = counts.get("a_generer", 0) + counts["a_refaire"]
            parts.insert(0, f"à (re)générer : {todo}")
        self.summary.setText(" · ".join(parts) if parts else "Aucun dossier décidé dans cette campagne")
        if selected:
            self.select_dossiers(selected)
        self.refresh_preflight()

    def lines(self) -> list[NotificationLine]:
        return self.model.rows

    def selected_lines(self) -> list[NotificationLine]:
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r) for r in rows]

    def selected_dossier_ids(self) -> list[int]:
        return [line.dossier_id for line in self.selected_lines()]

    def select_dossiers(self, dossier_ids: Sequence[int] | set[int]) -> None:
        wanted = set(dossier_ids)
        selection = self.table.selectionModel()
        selection.clearSelection()
        from PySide6.QtCore import QItemSelectionModel

        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r, line in enumerate(self.model.rows):
            if line.dossier_id in wanted:
                selection.select(self.model.index(r, 0), flags)

    def _on_selection(self, *_args: object) -> None:
        n = len(self.table.selectionModel().selectedRows())
        for button in (self.signed_button, self.notified_button):
            button.setEnabled(n > 0)
        self.scope_combo.setItemText(1, f"Les dossiers sélectionnés ({n})")
        if n:
            line = self.selected_lines()[0]
            editor = self.editors.get(line.modele) if hasattr(self, "editors") else None
            if editor is not None:
                editor.select_dossier(line.dossier_id)

    # --- generation ------------------------------------------------------------------------

    def refuse_incomplete(self, lines: Sequence[NotificationLine] | None = None) -> bool:
        """An incomplete letter is never produced: list what lacks, then open the settings."""
        missing = self.preflight(lines)
        if not missing:
            return False
        self.dialogs.report(
            self,
            "Générer les lettres",
            "Lettres non générées : complétez d'abord les paramètres des lettres.\n\n" + "\n".join(missing),
            missing,
        )
        self.open_settings()
        return True

    def ask_generate(self) -> None:
        scope = self.selected_lines() if self.scope_combo.currentData() == "selection" else None
        if self.refuse_incomplete(scope or None):
            return
        folder = self.dialogs.ask_directory(self, "Dossier des lettres", str(Path.home()))
        if folder is not None:
            self.generate(folder)

    def generate(self, folder: Path) -> Job[GenerationResult] | None:
        ids: list[int] | None = None
        if self.scope_combo.currentData() == "selection":
            ids = self.selected_dossier_ids()
            if not ids:
                self.dialogs.error(self, "Générer les lettres", "Aucun dossier sélectionné.")
                return None
        if self.refuse_incomplete(self.selected_lines() if ids else None):
            return None
        merged = (
            folder / f"Lettres_a_signer_{date.today().isoformat()}.pdf"
            if self.merged_check.isChecked()
            else None
        )
        service, cid = self.service, self.campagne_id

        def work(progress: Progress) -> GenerationResult:
            return service.generate(
                cid,
                folder,
                dossier_ids=ids,
                merged=merged,
                progress=lambda done, total: progress.update(done, total, f"Lettre {done} sur {total}"),
                cancel=lambda: progress.cancelled,
            )

        self.generate_button.setEnabled(False)
        self.job = run_job(
            self,
            "Génération des lettres",
            work,
            lambda result: self._generated(result, folder),
            self._generation_failed,
            True,
            on_cancel=lambda: self.generate_button.setEnabled(True),
            dialogs=self.dialogs,
        )
        return self.job

    def _generated(self, result: GenerationResult, folder: Path) -> None:
        self.generate_button.setEnabled(True)
        self.last_result = result
        self.reload()
        n = len(result.files)
        message = f"{n} lettre{'s' if n > 1 else ''} générée{'s' if n > 1 else ''} dans {folder}"
        if result.cancelled:
            message += " (génération interrompue)"
        if result.merged is not None:
            message += f"\nPDF unique à signer : {result.merged.name}"
        if result.unchanged:
            message += (
                "\nDéjà signées ou notifiées, état inchangé : "
                + ", ".join(result.unchanged[:10])
                + ("…" if len(result.unchanged) > 10 else "")
            )
        paths = list(result.files) + ([result.merged] if result.merged is not None else [])
        self.dialogs.files_written(self, "Générer les lettres", message, paths, folder)

    def _generation_failed(self, exc: BaseException) -> None:
        self.generate_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.dialogs.error(self, "Générer les lettres", exc.message)
            return
        import sys

        sys.excepthook(type(exc), exc, exc.__traceback__)

    # --- workflow --------------------------------------------------------------------------

    def mark_selected(self, etat: str, when: date | None = None) -> None:
        when = when or self.date_edit.date().toPython()
        lines = self.selected_lines()
        if not lines:
            return
        ids = [line.notification_id for line in lines if line.notification_id is not None]
        refused = [
            f"{line.reference} : lettre pas encore générée" for line in lines if line.notification_id is None
        ]
        notified: tuple[int, ...] = ()
        if ids:
            result = self.service.mark(ids, etat, when)
            by_id = {line.notification_id: line.reference for line in lines}
            refused += [
                f"{by_id.get(nid, '')} : {reason}" if nid else reason for nid, reason in result.refused
            ]
            changed = len(result.changed)
            notified = result.dossiers_notifies
        else:
            changed = 0
        self.reload()
        if notified:
            self.changed.emit()
        label = ETAT_LABELS.get(etat, etat).lower()
        message = (
            f"{changed} lettre{'s' if changed > 1 else ''} passée{'s' if changed > 1 else ''} à « {label} »"
        )
        if notified:
            message += f" ; {len(notified)} dossier{'s' if len(notified) > 1 else ''} notifié{'s' if len(notified) > 1 else ''}"
        self.mark_status.setText(message + ".")
        if refused:
            self.dialogs.report(self, "Suivi des lettres", message + ".", refused)

