"""« Exporter… » (Fichier, Ctrl+E): the tableau de programmation and the open-data file of a campagne.

The dialog only gathers choices; the files are written by `instructeur.exports` (the same
functions as the command line) in a background job (`ui.workers.run_job`), then the written
paths are shown with a button that opens their folder (through the `Dialogs` port).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.text import safe_filename
from instructeur.errors import UserError
from instructeur.exports.opendata import export_scdl
from instructeur.exports.programmation import export_programmation, export_programmation_par_financeur
from instructeur.services.dossier_list import CampagneRow
from instructeur.services.synthese import SyntheseService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.screen_fit import FitsScreen
from ui.workers import Job, Progress, run_job

__all__ = ["ALL_FINANCEURS", "PER_FINANCEUR", "ExportsDialog"]

XLSX_FILTER = "Classeurs Excel (*.xlsx)"
CSV_FILTER = "Fichiers CSV (*.csv)"
ALL_FINANCEURS = ""  # combo data: one workbook with every financeur
PER_FINANCEUR = "*"  # combo data: one workbook per financeur in a folder
_FOLDER_KEY = "exports/folder"
_BEFORE_COMITE = ("preparation", "ouverte", "instruction")


class ExportsDialog(FitsScreen, QDialog):
    def __init__(
        self,
        db: Database,
        campagne: CampagneRow,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self.campagne = campagne
        self.dialogs = dialogs or Dialogs()
        self.job: Job[list[Path]] | None = None
        self.written: list[Path] = []
        self.setWindowTitle(f"Exporter — campagne {campagne.annee}")
        self.setAccessibleName("Exporter")

        layout = QVBoxLayout(self)
        intro = QLabel(f"<b>{campagne.libelle}</b> — {campagne.contrat}")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        kind = QGroupBox("Document")
        kind_layout = QVBoxLayout(kind)
        self.programmation_radio = QRadioButton("&Tableau de programmation (Excel)")
        self.scdl_radio = QRadioButton("&Données ouvertes : subventions attribuées (format SCDL, CSV)")
        self.programmation_radio.setChecked(True)
        self.kind_group = QButtonGroup(self)
        for radio in (self.programmation_radio, self.scdl_radio):
            self.kind_group.addButton(radio)
            kind_layout.addWidget(radio)
        layout.addWidget(kind)

        self.options = QGroupBox("Tableau de programmation")
        form = QFormLayout(self.options)
        self.provisoire_radio = QRadioButton("&provisoire")
        self.definitif_radio = QRadioButton("d&éfinitif")
        before = campagne.statut in _BEFORE_COMITE
        (
            self.provisoire_radio if before or campagne.statut != "cloturee" else self.definitif_radio
        ).setChecked(True)
        etat_row = QHBoxLayout()
        self.etat_group = QButtonGroup(self)
        for radio in (self.provisoire_radio, self.definitif_radio):
            self.etat_group.addButton(radio)
            etat_row.addWidget(radio)
        etat_row.addStretch(1)
        form.addRow("État :", etat_row)

        self.comite_radio = QRadioButton("passés en &comité")
        self.all_radio = QRadioButton("tous les dossiers &recevables")
        (self.all_radio if before else self.comite_radio).setChecked(True)
        scope_row = QHBoxLayout()
        self.scope_group = QButtonGroup(self)
        for radio in (self.comite_radio, self.all_radio):
            self.scope_group.addButton(radio)
            scope_row.addWidget(radio)
        scope_row.addStretch(1)
        form.addRow("Dossiers :", scope_row)

        self.financeur_combo = QComboBox()
        self.financeur_combo.setAccessibleName("Financeurs du tableau")
        self.financeur_combo.addItem("Tous les financeurs (un classeur)", ALL_FINANCEURS)
        self.financeur_combo.addItem("Un classeur par financeur (dans un dossier)", PER_FINANCEUR)
        for f in SyntheseService(db).financeurs(campagne.id):
            self.financeur_combo.addItem(f"{f.nom} seul", f.code)
        label = QLabel("&Financeurs :")
        label.setBuddy(self.financeur_combo)
        form.addRow(label, self.financeur_combo)
        layout.addWidget(self.options)

        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setAccessibleName("Résultat de l'export")
        layout.addWidget(self.result_label)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton("&Exporter…")
        self.export_button.setDefault(True)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.scdl_radio.toggled.connect(lambda on: self.options.setEnabled(not on))
        self.resize(560, self.sizeHint().height())

    # --- choices ---------------------------------------------------------------------------

    @property
    def etat(self) -> str:
        return "définitif" if self.definitif_radio.isChecked() else "provisoire"

    @property
    def include_all(self) -> bool:
        return self.all_radio.isChecked()

    @property
    def financeur(self) -> str:
        """ALL_FINANCEURS, PER_FINANCEUR or a financeur code."""
        return str(self.financeur_combo.currentData())

    def select_financeur(self, value: str) -> None:
        self.financeur_combo.setCurrentIndex(max(self.financeur_combo.findData(value), 0))

    def _folder(self) -> Path:
        stored = QSettings().value(_FOLDER_KEY)
        folder = Path(str(stored)) if stored else Path.home()
        return folder if folder.is_dir() else Path.home()

    # --- export ----------------------------------------------------------------------------

    def export(self) -> None:
        """Ask where, then write in the background."""
        annee = self.campagne.annee
        if self.scdl_radio.isChecked():
            suggested = self._folder() / f"subventions_politique_ville_{annee}.csv"
            path = self.dialogs.ask_export_path(
                self, "Enregistrer les données ouvertes", str(suggested), CSV_FILTER
            )
            if path is None:
                return
            path = path if path.suffix else path.with_suffix(".csv")
            db, cid = self._db, self.campagne.id
            self._run("Export des données ouvertes", lambda _p: [export_scdl(db, cid, path)], path.parent)
            return
        etat, include_all, financeur = self.etat, self.include_all, self.financeur
        db, cid = self._db, self.campagne.id
        if financeur == PER_FINANCEUR:
            folder = self.dialogs.ask_directory(
                self, "Dossier des tableaux par financeur", str(self._folder())
            )
            if folder is None:
                return

            def per_financeur(_progress: Progress) -> list[Path]:
                return export_programmation_par_financeur(db, cid, folder, etat=etat, include_all=include_all)

            self._run("Export des tableaux de programmation", per_financeur, folder)
            return
        suffix = f"_{financeur}" if financeur else ""
        name = safe_filename(f"Programmation_{annee}{suffix}_{etat}") + ".xlsx"
        path = self.dialogs.ask_export_path(
            self, "Enregistrer le tableau de programmation", str(self._folder() / name), XLSX_FILTER
        )
        if path is None:
            return
        path = path if path.suffix else path.with_suffix(".xlsx")
        code = financeur or None

        def one(_progress: Progress) -> list[Path]:
            return [
                export_programmation(db, cid, path, financeur_code=code, etat=etat, include_all=include_all)
            ]

        self._run("Export du tableau de programmation", one, path.parent)

    def _run(self, title: str, fn: object, folder: Path) -> None:
        QSettings().setValue(_FOLDER_KEY, str(folder))
        self.export_button.setEnabled(False)

        def done(paths: list[Path]) -> None:
            self.export_button.setEnabled(True)
            self.written = list(paths)
            n = len(paths)
            message = f"{n} fichier{'s' if n > 1 else ''} écrit{'s' if n > 1 else ''} dans {folder}"
            names = "\n".join(p.name for p in paths[:12]) + ("\n…" if n > 12 else "")
            self.result_label.setText(message)
            self.dialogs.files_written(self, title, f"{message} :\n\n{names}", list(paths), folder)

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            if not isinstance(exc, UserError):
                self.result_label.setText("Échec : erreur inattendue")
                sys.excepthook(type(exc), exc, exc.__traceback__)
                return
            self.result_label.setText(f"Échec : {exc.message}")
            self.dialogs.error(self, title, exc.message)

        self.job = run_job(
            self,
            title,
            fn,  # type: ignore[arg-type]
            done,
            failed,
            False,
            on_cancel=lambda: self.export_button.setEnabled(True),
            dialogs=self.dialogs,
        )
