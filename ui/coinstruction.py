"""« Co-instruction hors ligne »: scoring files for évaluateurs working elsewhere, their import with
conflicts resolved row by row, and the fiches d'instruction (PDF) for the comité.

Everything goes through `instructeur.coinstruction.scoring_file` and
`instructeur.exports.fiche_instruction`; the PDF batch runs with `ui.workers.run_job`.
`ui.actions.coinstruction.CoinstructionActions` puts the three entries into the main window's menu (« Instruction » when
another module created it, else « Campagne », which is rebuilt with the campagnes: the entries
are put back on `aboutToShow`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from instructeur.coinstruction.scoring_file import (
    ImportPlan,
    apply_import,
    export_scoring_file,
    plan_import,
    read_scoring_file,
    unresolved,
)
from instructeur.domain.text import safe_filename
from instructeur.errors import UserError
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.screen_fit import FitsScreen

if TYPE_CHECKING:
    pass

__all__ = ["CHOICES", "CoinstructionDialog"]

TITLE = "Co-instruction hors ligne"
CHOICES = (("", "— à choisir —"), ("fichier", "garder le fichier"), ("base", "garder la base"))
COLUMNS = ("Référence", "Intitulé", "Classement", "Valeurs du fichier", "Valeurs de la base", "Choix")


class CoinstructionDialog(FitsScreen, QDialog):
    def __init__(
        self,
        db: Database,
        campagne_id: int,
        contrat_id: int,
        parent: QWidget | None = None,
        dialogs: Dialogs | Any | None = None,
        selected_dossier_ids: Sequence[int] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.db = db
        self.campagne_id = campagne_id
        self.dialogs = dialogs or Dialogs()
        self.selected_dossier_ids = list(selected_dossier_ids)
        self.plan: ImportPlan | None = None
        self.resolutions: dict[int, str] = {}
        self.last_outcome: str = ""

        layout = QVBoxLayout(self)
        prepare = QGroupBox("Préparer un fichier de notation pour un évaluateur")
        row = QHBoxLayout(prepare)
        self.evaluateur_combo = QComboBox()
        self.evaluateur_combo.setAccessibleName("Évaluateur")
        for e in EvaluateurService(db).all(contrat_id):
            self.evaluateur_combo.addItem(f"{e.nom} ({e.nb_dossiers} dossiers)", e.id)
        self.prepare_button = QPushButton("&Préparer un fichier de notation…")
        self.prepare_button.clicked.connect(self.prepare)
        self.prepare_button.setEnabled(self.evaluateur_combo.count() > 0)
        row.addWidget(QLabel("Évaluateur :"))
        row.addWidget(self.evaluateur_combo, 1)
        row.addWidget(self.prepare_button)
        layout.addWidget(prepare)

        imports = QGroupBox("Importer un fichier de notation rempli")
        box = QVBoxLayout(imports)
        top = QHBoxLayout()
        self.open_button = QPushButton("&Importer un fichier de notation…")
        self.open_button.clicked.connect(self.ask_import)
        top.addWidget(self.open_button)
        top.addStretch(1)
        box.addLayout(top)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.status_label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Lignes du fichier de notation")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((90, 180, 130, 260, 260, 150)):
            self.table.setColumnWidth(col, width)
        box.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.import_button = QPushButton("Importer")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.apply)
        bottom.addWidget(self.import_button)
        box.addLayout(bottom)
        layout.addWidget(imports, 1)

        fiches = QGroupBox("Fiches d'instruction pour le comité")
        frow = QHBoxLayout(fiches)
        self.selection_check = QCheckBox(
            f"Dossiers sélectionnés seulement ({len(self.selected_dossier_ids)})"
        )
        self.selection_check.setEnabled(bool(self.selected_dossier_ids))
        self.selection_check.setChecked(bool(self.selected_dossier_ids))
        self.merged_check = QCheckBox("Un seul PDF (sinon un fichier par dossier)")
        self.merged_check.setChecked(True)
        self.fiches_button = QPushButton("&Fiches d'instruction (PDF)…")
        self.fiches_button.clicked.connect(self.fiches)
        frow.addWidget(self.selection_check)
        frow.addWidget(self.merged_check)
        frow.addStretch(1)
        frow.addWidget(self.fiches_button)
        layout.addWidget(fiches)
        self.resize(1100, 620)

    # --- prepare -----------------------------------------------------------------------------

    def prepare(self) -> Path | None:
        evaluateur_id = self.evaluateur_combo.currentData()
        if evaluateur_id is None:
            return None
        name = self.evaluateur_combo.currentText().split(" (")[0]
        path = self.dialogs.ask_export_path(
            self,
            "Enregistrer le fichier de notation",
            f"notation-{safe_filename(name)}.xlsx",
            "Classeurs Excel (*.xlsx)",
        )
        if path is None:
            return None
        try:
            written = export_scoring_file(self.db, self.campagne_id, int(evaluateur_id), path)
        except UserError as exc:
            self.dialogs.error(self, TITLE, exc.message)
            return None
        self.dialogs.info(
            self,
            TITLE,
            f"Fichier de notation écrit : {written}\n\nEnvoyez-le à {name} ; une fois rempli, "
            "importez-le ici.",
        )
        return written

    # --- import ------------------------------------------------------------------------------

    def ask_import(self) -> None:
        path = self.dialogs.ask_open_path(
            self, "Importer un fichier de notation", "", "Classeurs Excel (*.xlsx);;Tous les fichiers (*)"
        )
        if path is not None:
            self.load_plan(path)

    def load_plan(self, path: Path) -> ImportPlan | None:
        self.plan = None
        self.resolutions = {}
        self.table.setRowCount(0)
        try:
            plan = plan_import(self.db, self.campagne_id, read_scoring_file(path))
        except UserError as exc:
            self.status_label.setText(f"<b>Fichier refusé.</b> {exc.message}")
            self.dialogs.error(self, TITLE, f"Fichier refusé : {exc.message}")
            self._update_import_button()
            return None
        self.plan = plan
        self._fill(plan)
        return plan

    def _fill(self, plan: ImportPlan) -> None:
        text = f"<b>{plan.evaluateur_nom}</b> — {plan.summary()}"
        if plan.conflicts:
            text += (
                f"<br/>{len(plan.conflicts)} conflit(s) : l'évaluation a changé dans la base depuis l'envoi "
                "du fichier. Choisissez pour chacun la version à garder."
            )
        for warning in plan.warnings:
            text += f"<br/>Attention : {warning}"
        self.status_label.setText(text)
        self.table.setRowCount(len(plan.rows))
        for r, row in enumerate(plan.rows):
            file_text = row.file_values.describe(plan.criteria)
            db_text = row.db_values.describe(plan.criteria)
            if row.kind == "conflit":
                db_text += f"\n({row.changed_by})"
            for col, value in enumerate((row.reference, row.intitule, row.label, file_text, db_text)):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if row.kind == "conflit":
                    item.setBackground(Qt.GlobalColor.yellow if col == 2 else Qt.GlobalColor.transparent)
                self.table.setItem(r, col, item)
            if row.kind == "conflit":
                combo = QComboBox()
                combo.setAccessibleName(f"Choix pour le dossier {row.reference}")
                for code, label in CHOICES:
                    combo.addItem(label, code)
                combo.currentIndexChanged.connect(
                    lambda _i, eid=row.evaluation_id, c=combo: self.set_resolution(eid, c.currentData() or "")
                )
                self.table.setCellWidget(r, 5, combo)
            else:
                self.table.setItem(r, 5, QTableWidgetItem(""))
        self.table.resizeRowsToContents()
        self._update_import_button()

    def set_resolution(self, evaluation_id: int, choice: str) -> None:
        if choice in ("fichier", "base"):
            self.resolutions[evaluation_id] = choice
        else:
            self.resolutions.pop(evaluation_id, None)
        if self.plan is not None:  # keep the combo in step when called directly (tests, shortcuts)
            for r, row in enumerate(self.plan.rows):
                widget = self.table.cellWidget(r, 5)
                if row.evaluation_id == evaluation_id and isinstance(widget, QComboBox):
                    index = widget.findData(choice if choice in ("fichier", "base") else "")
                    if index != widget.currentIndex():
                        widget.blockSignals(True)
                        widget.setCurrentIndex(index)
                        widget.blockSignals(False)
        self._update_import_button()

    def _update_import_button(self) -> None:
        plan = self.plan
        enabled = plan is not None and not unresolved(plan, self.resolutions)
        enabled = enabled and bool(plan and (plan.updates or plan.conflicts))
        self.import_button.setEnabled(bool(enabled))
        if plan is not None and unresolved(plan, self.resolutions):
            n = len(unresolved(plan, self.resolutions))
            self.import_button.setToolTip(f"{n} conflit(s) à régler avant l'import")
        else:
            self.import_button.setToolTip("")

    def apply(self) -> bool:
        if self.plan is None:
            return False
        try:
            outcome = apply_import(self.db, self.plan, self.resolutions)
        except UserError as exc:
            self.dialogs.error(self, TITLE, exc.message)
            return False
        self.last_outcome = outcome.summary()
        self.dialogs.info(self, TITLE, f"Import terminé : {self.last_outcome}.")
        self.plan = None
        self.table.setRowCount(0)
        self.status_label.setText(f"Import terminé : {self.last_outcome}.")
        self._update_import_button()
        return True

    # --- fiches ------------------------------------------------------------------------------

    def fiches(self) -> None:
        from instructeur.exports.fiche_instruction import FichesResult, render_fiches_instruction
        from ui.workers import Progress, run_job

        ids = self.selected_dossier_ids if self.selection_check.isChecked() else None
        merged = self.merged_check.isChecked()
        target: Path | None
        if merged:
            target = self.dialogs.ask_export_path(
                self, "Enregistrer les fiches d'instruction", "fiches-instruction.pdf", "PDF (*.pdf)"
            )
        else:
            target = self.dialogs.ask_directory(self, "Dossier des fiches d'instruction")
        if target is None:
            return
        db, campagne_id, out = self.db, self.campagne_id, target

        def work(progress: Progress) -> FichesResult:
            return render_fiches_instruction(
                db,
                campagne_id,
                out,
                dossier_ids=ids,
                merged=merged,
                progress=lambda done, total: progress.update(done, total, f"Fiche {done} / {total}"),
                cancel=lambda: progress.cancelled,
            )

        def done(result: FichesResult) -> None:
            if result.merged is not None:
                self.dialogs.info(
                    self, TITLE, f"Fiches d'instruction écrites : {result.merged} ({sum(result.pages)} pages)"
                )
            else:
                folder = out if out.is_dir() else out.parent
                self.dialogs.files_written(
                    self,
                    TITLE,
                    f"{len(result.files)} fiches d'instruction écrites",
                    list(result.files),
                    folder,
                )

        run_job(self, "Fiches d'instruction", work, done, dialogs=self.dialogs)
