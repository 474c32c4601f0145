"""Pages 3 and 4 of the import wizard: the preview (created, updated, rejected) and the result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from instructeur.imports.dossiers import ImportPreview, ImportResult
from ui.import_pages.analysis import REPORT_FILTER, planned_counts, plural, write_report
from ui.import_pages.widgets import (
    Figure,
    banner,
    change_model,
    change_rows,
    created_model,
    problem_model,
    set_banner,
    table_view,
)

if TYPE_CHECKING:
    from ui.import_wizard import ImportWizard


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Aperçu de l'import")
        self.setSubTitle(
            "Rien n'est encore écrit. Vérifiez ce que l'import va faire, puis cliquez « Importer »."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Importer")
        self.banner = banner("Résultat de l'aperçu")
        self.figures = {
            "create": Figure("à créer"),
            "update": Figure("à mettre à jour"),
            "unchanged": Figure("inchangés"),
            "rejected": Figure("lignes rejetées"),
            "porteurs": Figure("porteurs nouveaux"),
        }
        figures = QHBoxLayout()
        for figure in self.figures.values():
            figures.addWidget(figure)
        figures.addStretch(1)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName("Remarques sur le fichier")
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = problem_model(self)
        self.warnings = problem_model(self)
        self.warnings_view = table_view("Avertissements", self.warnings)
        self.changes = change_model(self)
        self.created = created_model(self)
        self.problems_view = table_view("Lignes rejetées", self.problems)
        self.changes_view = table_view("Mises à jour prévues", self.changes)
        self.created_view = table_view("Dossiers à créer", self.created)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Détail de l'aperçu")
        self.tabs.addTab(self.problems_view, "Lignes rejetées")
        self.tabs.addTab(self.changes_view, "Mises à jour")
        self.tabs.addTab(self.created_view, "Créations")
        self.tabs.addTab(self.warnings_view, "Avertissements")
        self.partial = QCheckBox(
            "Importer seulement les lignes &valides : les lignes rejetées seront écrites, avec leur motif, "
            "dans un fichier .xlsx à corriger puis à importer"
        )
        self.partial.setAccessibleName("Import partiel")
        self.partial.toggled.connect(self._on_partial)
        self.report_button = QPushButton("&Enregistrer le rapport…")
        self.report_button.setToolTip("Les problèmes et les changements, en .csv ou en texte")
        self.report_button.clicked.connect(self.save_report)
        self.reread_button = QPushButton("Re&lire le fichier")
        self.reread_button.setToolTip("Après avoir corrigé et enregistré le fichier, refaire l'aperçu")
        self.reread_button.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.reread_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(figures)
        layout.addWidget(self.notes)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.partial)
        layout.addLayout(buttons)

    def initializePage(self) -> None:
        if not self._wizard.preview_is_current():  # the values chosen on the previous page changed it
            self.refresh()

    def cleanupPage(self) -> None:  # « Précédent »: the preview no longer holds
        self._wizard.preview = None

    def refresh(self) -> None:
        self._wizard.run_preview()

    def show_preview(self, preview: ImportPreview | None) -> None:
        self.problems.set_rows(list(preview.rejected) if preview else [])
        self.warnings.set_rows(list(preview.warnings) if preview else [])
        self.changes.set_rows(change_rows(preview) if preview else [])
        self.created.set_rows(list(preview.to_create) if preview else [])
        self.report_button.setEnabled(preview is not None)
        if preview is None:
            for figure in self.figures.values():
                figure.value.setText("—")
            set_banner(self.banner, "ok", "")
            self.notes.clear()
            self.completeChanged.emit()
            return
        rejected_rows = len(preview.rejected_rows)
        for key, n in (
            ("create", len(preview.to_create)),
            ("update", len(preview.to_update)),
            ("unchanged", len(preview.unchanged)),
            ("rejected", rejected_rows),
            ("porteurs", len(preview.porteurs_to_create)),
        ):
            self.figures[key].set_value(n)
        if preview.rejected and self.partial.isChecked():
            set_banner(
                self.banner,
                "rejected",
                f"<b>{plural(rejected_rows, 'ligne rejetée', 'lignes rejetées')}</b> : « Importer » enregistrera "
                f"les lignes valides ({planned_counts(preview)}) et écrira les lignes rejetées, avec leur motif, "
                f"dans « {Path(preview.file).stem}-rejets.xlsx » à côté du fichier.",
            )
            self.tabs.setCurrentWidget(self.problems_view)
        elif preview.rejected:
            set_banner(
                self.banner,
                "rejected",
                f"<b>{plural(rejected_rows, 'ligne rejetée', 'lignes rejetées')}</b> : rien ne sera "
                "importé tant que le fichier n'est pas corrigé (l'import est tout ou rien). Corrigez les "
                "lignes listées ci-dessous, enregistrez le fichier, puis cliquez « Relire le fichier ».",
            )
            self.tabs.setCurrentWidget(self.problems_view)
        else:
            set_banner(
                self.banner,
                "ok",
                f"Aucune ligne rejetée. « Importer » va enregistrer : {planned_counts(preview)}.",
            )
            self.tabs.setCurrentWidget(self.changes_view if preview.to_update else self.created_view)
        self.tabs.setTabText(0, f"Lignes rejetées ({len(preview.rejected)})")
        self.tabs.setTabText(1, f"Mises à jour ({len(self.changes.rows)})")
        self.tabs.setTabText(2, f"Créations ({len(preview.to_create)})")
        self.tabs.setTabText(3, f"Avertissements ({len(preview.warnings)})")
        self.partial.setVisible(bool(preview.rejected) or self.partial.isChecked())
        notes = []
        if preview.announcement:
            notes.append(
                f"{preview.announcement[0].upper()}{preview.announcement[1:]} : {' ; '.join(preview.notes)}."
            )
        if preview.warnings:
            notes.append(
                f"{plural(len(preview.warnings), 'avertissement')} (onglet « Avertissements ») : "
                "ils n'empêchent pas l'import."
            )
        if preview.totals_rows:
            numbers = ", ".join(str(n) for n in preview.totals_rows)
            several = len(preview.totals_rows) > 1
            notes.append(
                f"Ligne{'s' if several else ''} {numbers} ignorée{'s' if several else ''} : "
                f"ligne{'s' if several else ''} de total."
            )
        if preview.unrecognised:
            notes.append("Colonnes ignorées : " + ", ".join(f"« {h} »" for h in preview.unrecognised) + ".")
        if preview.porteurs_to_create:
            notes.append("Porteurs nouveaux : " + ", ".join(preview.porteurs_to_create) + ".")
        self.notes.setText(" ".join(notes))
        self.notes.setVisible(bool(notes))
        self.completeChanged.emit()

    def _on_partial(self, checked: bool) -> None:
        self._wizard.set_partial(checked)
        self.show_preview(self._wizard.preview)

    def isComplete(self) -> bool:
        preview = self._wizard.preview
        if preview is None or self._wizard.busy:
            return False
        valid = bool(preview.to_create or preview.to_update)
        return preview.ok or (self.partial.isChecked() and valid)

    def validatePage(self) -> bool:
        if self._wizard.outcome is not None:
            return True
        self._wizard.run_apply()
        return self._wizard.outcome is not None  # synchronous jobs (tests) are already done

    def save_report(self) -> None:
        preview = self._wizard.preview
        if preview is None:
            return
        suggested = (
            self._wizard.analysis.path.with_name(f"{Path(preview.file).stem}-rapport-import.csv")
            if self._wizard.analysis
            else Path(f"{preview.file}-rapport.csv")
        )
        path = self._wizard.dialogs.ask_export_path(
            self, "Enregistrer le rapport", str(suggested), REPORT_FILTER
        )
        if path is None:
            return
        if path.suffix.lower() not in (".csv", ".txt"):
            path = path.with_suffix(".csv")
        try:
            write_report(path, preview)
        except OSError as exc:
            self._wizard.dialogs.error(
                self, "Rapport", f"Impossible d'écrire « {path} » : {exc.strerror or exc}"
            )
            return
        self.notes.setText(f"Rapport enregistré : {path}")
        self.notes.show()


class ResultPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Import terminé")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Résultat de l'import")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("font-size: 11pt;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def show_result(self, result: ImportResult) -> None:
        porteurs = result.porteurs_created
        text = f"{result.preview.summary(details=10)}."
        if porteurs:
            text += f"\n{plural(porteurs, 'porteur créé', 'porteurs créés')}."
        if result.rejects_file is not None:
            rows = len(result.preview.rejected_rows)
            text += (
                f"\n{plural(rows, 'ligne rejetée écrite', 'lignes rejetées écrites')} dans « {result.rejects_file} » "
                "(colonne « Motif ») : corrigez-les puis importez ce fichier."
            )
        text += "\n\nLa liste des dossiers de la campagne est à jour ; l'historique de chaque dossier garde la trace de l'import."
        self.summary.setText(text)
