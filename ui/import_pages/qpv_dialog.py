"""The official QPV list import dialog: the ANCT file, a dry run, then « Importer »."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import UserError
from instructeur.imports.qpv import QpvImportRejected, QpvImportResult, import_qpv
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.import_pages.analysis import TABLE_FILTER, plural
from ui.import_pages.widgets import STYLE, banner, set_banner
from ui.screen_fit import FitsScreen
from ui.workers import Progress, run_job


class QpvImportDialog(FitsScreen, QDialog):
    """The official QPV list (ANCT): dry run first, then « Importer »."""

    imported = Signal(object)  # QpvImportResult

    def __init__(
        self,
        db: Database,
        contrat_id: int | None,
        parent: QWidget,
        *,
        dialogs: Dialogs | None = None,
        contrat_label: str = "",
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.contrat_id = contrat_id
        self.dialogs = dialogs or Dialogs()
        self.path: Path | None = None
        self.dry_run: QpvImportResult | None = None
        self.outcome: QpvImportResult | None = None
        self.setWindowTitle("Importer la liste officielle des QPV")
        self.setAccessibleName("Import de la liste officielle des QPV")
        self.setStyleSheet(STYLE)
        intro = QLabel(
            "Le fichier de l'ANCT (une ligne par QPV et par commune : code_qp, lib_qp, insee_com, "
            "lib_com, siren_epci…), en .csv ou .xlsx. Les codes officiels sont renseignés dans les "
            f"quartiers du contrat{f' « {contrat_label} »' if contrat_label else ''} ; rien n'est écrit "
            "avant « Importer »."
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Fichier des QPV")
        self.path_edit.setPlaceholderText("Chemin du fichier officiel")
        self.path_edit.returnPressed.connect(lambda: self.load(Path(self.path_edit.text().strip())))
        caption = QLabel("&Fichier :")
        caption.setBuddy(self.path_edit)
        browse = QPushButton("&Parcourir…")
        browse.setAccessibleName("Choisir le fichier des QPV")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.summary = banner("Résumé de l'import des QPV")
        self.details = QListWidget()
        self.details.setAccessibleName("Détail par quartier")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = self.buttons.addButton("&Importer", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 480)

    def browse(self) -> None:
        path = self.dialogs.ask_open_path(self, "Choisir la liste officielle des QPV", "", TABLE_FILTER)
        if path is not None:
            self.load(path)

    def load(self, path: Path) -> None:
        """Dry run on `path`: what the import would change."""
        self.path = path
        self.path_edit.setText(str(path))
        self.dry_run = None
        self.outcome = None
        self.import_button.setEnabled(False)
        self._run(dry_run=True)

    def run_import(self) -> None:
        if self.path is not None and self.dry_run is not None and self.outcome is None:
            self.import_button.setEnabled(False)
            self._run(dry_run=False)

    def _run(self, *, dry_run: bool) -> None:
        db, path, contrat_id = self.db, self.path, self.contrat_id
        assert path is not None

        def job(progress: Progress) -> QpvImportResult:
            progress.update(0, 0, f"Lecture de « {path.name} »…")
            return import_qpv(db, path, contrat_id, dry_run=dry_run)

        run_job(
            self,
            "Aperçu de la liste des QPV" if dry_run else "Import de la liste des QPV",
            job,
            self._on_done,
            self._on_error,
            cancellable=dry_run,
            dialogs=self.dialogs,
        )

    def _on_done(self, result: QpvImportResult) -> None:
        if result.dry_run:
            self.dry_run = result
            text = f"{result.contrat} : {result.summary()} — rien n'est encore écrit."
            set_banner(self.summary, "ok", text)
            self.import_button.setEnabled(True)
        else:
            self.outcome = result
            set_banner(self.summary, "ok", f"Import terminé. {result.contrat} : {result.summary()}.")
            self.imported.emit(result)
        self.details.clear()
        for label, items in (
            ("Mis à jour", result.updated),
            ("Créé", result.created),
            ("Ignoré", result.ignored),
            ("Déjà à jour", result.unchanged),
            ("Commune ajoutée", result.communes_created),
        ):
            for item in items:
                self.details.addItem(f"{label} : {item}")
        if result.rows_outside:
            self.details.addItem(f"{plural(result.rows_outside, 'ligne')} d'autres territoires ignorée(s)")

    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, QpvImportRejected):
            set_banner(self.summary, "error", f"{exc.message}. Corrigez le fichier puis rechargez-le.")
            self.details.clear()
            self.details.addItems([str(p) for p in exc.problems])
            return
        if not isinstance(exc, UserError):
            raise exc
        set_banner(self.summary, "error", exc.message)
        self.details.clear()
