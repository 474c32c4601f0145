"""Importing from spreadsheets in the GUI: the dossiers wizard, the official QPV list, the template.

* `ImportWizard`: 1) choose a .xlsx / .csv (button or drag-and-drop), see the detected header
  row; 2) check and correct the column → field mapping (proposed by `propose_mapping`); its
  « Suivant » runs the preview, and 3) comes only when that finds something to choose (else the
  wizard goes straight to 4): the values that match nothing (a quartier, an objectif) mapped once
  with a combo of the closest names, and the SIRET known under another name (rattacher / nouveau
  porteur); 4) preview:
  what would be created / updated (with the diffs) / left unchanged, the warnings, the rejected rows
  with their Excel row number, column and reason — « Importer » stays disabled while a row is
  rejected (all or nothing) unless « importer les lignes valides » is ticked; 5) the summary. Reading, preview and import run through `ui.workers.run_job`.
The pages live in `ui/import_pages/` (one module each, plus the mapping model, shared widgets and
the widget-free helpers in `analysis.py`); this module is the controller that runs the jobs.
`QpvImportDialog` (ANCT file) and `save_import_template` are re-exported from there; the menu
items of the main window are `ui.actions.imports.ImportActions`.

The services are in `instructeur.imports` (Qt-free); this module only shows their results.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import (
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QWidget,
    QWizard,
)

from instructeur.errors import UserError
from instructeur.imports import dossiers as dossiers_import
from instructeur.imports import value_map
from instructeur.imports.dossiers import ImportOptions, ImportPreview, ImportRejected, ImportResult
from instructeur.imports.headers import Mapping
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.import_pages.analysis import (
    IGNORE,
    UNKNOWN,
    Analysis,
    analyse,
    done_counts,
    field_choices,
    report_text,
    write_report,
)
from ui.import_pages.file_page import FilePage
from ui.import_pages.mapping_model import MappingModel
from ui.import_pages.mapping_page import MappingPage
from ui.import_pages.preview_page import PreviewPage, ResultPage
from ui.import_pages.qpv_dialog import QpvImportDialog
from ui.import_pages.template import save_import_template
from ui.import_pages.values_page import ValuesPage
from ui.import_pages.widgets import STYLE, change_model, change_rows, created_model, problem_model, set_banner
from ui.screen_fit import FitsScreen
from ui.workers import Progress, run_job

__all__ = [
    "IGNORE",
    "UNKNOWN",
    "Analysis",
    "ImportWizard",
    "MappingModel",
    "QpvImportDialog",
    "change_model",
    "change_rows",
    "created_model",
    "done_counts",
    "field_choices",
    "problem_model",
    "report_text",
    "save_import_template",
    "write_report",
]


class ImportWizard(FitsScreen, QWizard):
    """Import dossiers into a campagne (non-modal: show() it; `imported` fires after a success)."""

    FILE, MAPPING, VALUES, PREVIEW, RESULT = range(5)
    imported = Signal(object)  # ImportResult

    def __init__(
        self,
        db: Database,
        campagne_id: int,
        parent: QWidget,
        *,
        dialogs: Dialogs | None = None,
        campagne_label: str = "",
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.campagne_id = campagne_id
        self.dialogs = dialogs or Dialogs()
        self.analysis: Analysis | None = None
        self.mapping: Mapping | None = None
        self.preview: ImportPreview | None = None
        self.outcome: ImportResult | None = None
        self.import_options = ImportOptions()  # value mapping, SIRET choices, partial import
        self.originals: dict[str, str] = {}  # key(value) → the value as the file writes it
        self._value_choices: dict[str, list[str]] | None = None
        self.busy = False
        self._preview_for: tuple[Mapping, ImportOptions] | None = None  # what `preview` was made with
        self._running_for: tuple[Mapping, ImportOptions] | None = None
        self._leaving_mapping = False  # « Suivant » on the mapping page waits for the preview
        self.setWindowTitle(f"Importer des dossiers{f' — {campagne_label}' if campagne_label else ''}")
        self.setAccessibleName("Assistant d'import des dossiers")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setStyleSheet(STYLE)
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.values_page = ValuesPage(self)
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage()
        self.setPage(self.FILE, self.file_page)
        self.setPage(self.MAPPING, self.mapping_page)
        self.setPage(self.VALUES, self.values_page)
        self.setPage(self.PREVIEW, self.preview_page)
        self.setPage(self.RESULT, self.result_page)
        self.resize(1100, 720)

    # --- choices of the values page and the preview page ----------------------------------------

    def value_choices(self) -> dict[str, list[str]]:
        """The contrat's quartiers and objectifs, what a value of the file may be mapped to."""
        if self._value_choices is None:
            self._value_choices = dossiers_import.value_choices(self.db, self.campagne_id)
        return self._value_choices

    def set_choices(
        self, values: value_map.ValueMap, nouveaux: frozenset[str], originals: dict[str, str]
    ) -> None:
        self.originals.update(originals)
        self.import_options = replace(
            self.import_options,
            values=value_map.merge(self.import_options.values, values),
            nouveaux_porteurs=nouveaux,
        )

    def set_partial(self, partial: bool) -> None:
        self.import_options = replace(self.import_options, lignes_valides=partial)

    def save_value_template(self, path: Path, values: value_map.ValueMap, originals: dict[str, str]) -> Path:
        from instructeur.imports.template import write_template

        financeurs = self.analysis.financeurs if self.analysis else ()
        return write_template(path, financeurs, values, {**self.originals, **originals})

    # --- the values step: only when there is something to choose ---------------------------------

    def _current_inputs(self) -> tuple[Mapping, ImportOptions]:
        return self.mapping or self.mapping_page.model.mapping(), self.import_options

    def preview_is_current(self) -> bool:
        """The preview is there and was made with the current mapping and choices."""
        return self.preview is not None and self._preview_for == self._current_inputs()

    def values_to_choose(self) -> bool:
        """Whether the values step has anything to show: a value matching nothing, a SIRET known
        under another name, or correspondences chosen earlier (to save in a template)."""
        p = self.preview
        return p is None or bool(p.unmatched or p.siret_conflicts or self.import_options.values)

    def leave_mapping(self) -> bool:
        """« Suivant » on the mapping page: the preview decides the next page (MappingPage.nextId).
        True when it is already there (synchronous jobs: at once); else it runs and the wizard goes
        on by itself when it arrives."""
        if self.preview_is_current():
            return True
        if self.busy:
            return False
        self._leaving_mapping = False
        self.run_preview()
        if self.preview_is_current():
            return True
        self._leaving_mapping = self.busy  # threaded job under way: go on when it arrives
        return False

    def _go_on_from_mapping(self) -> None:
        if self.currentId() == self.MAPPING and self.preview_is_current():
            self.next()

    # --- jobs -----------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        page = self.currentPage()
        if page is not None:
            page.completeChanged.emit()

    def analyse(self, path: Path) -> None:
        self.analysis = None
        self.preview = None
        self._set_busy(True)
        db, campagne_id = self.db, self.campagne_id
        run_job(
            self,
            "Lecture du fichier",
            lambda progress: analyse(db, campagne_id, path, progress),
            self._on_analysed,
            self._on_analysis_failed,
            on_cancel=lambda: self._set_busy(False),
            dialogs=self.dialogs,
        )

    def _on_analysed(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.file_page.show_analysis(analysis)
        self._set_busy(False)

    def _on_analysis_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, UserError):
            raise exc
        self.file_page.show_error(exc.message)

    def run_preview(self) -> None:
        if self.analysis is None:
            return
        self.preview = None
        self.preview_page.show_preview(None)
        self.values_page.show_preview(None)
        self._set_busy(True)
        db, campagne_id, path = self.db, self.campagne_id, self.analysis.path
        mapping, options = self._running_for = self._current_inputs()

        def job(progress: Progress) -> ImportPreview:
            progress.update(0, 0, f"Aperçu de l'import de « {path.name} »…")
            return dossiers_import.preview(db, campagne_id, path, mapping, options)

        run_job(
            self,
            "Aperçu de l'import",
            job,
            self._on_previewed,
            self._on_preview_failed,
            on_cancel=self._preview_stopped,
            dialogs=self.dialogs,
        )

    def _preview_stopped(self) -> None:
        self._leaving_mapping = False
        self._set_busy(False)

    def _on_previewed(self, preview: ImportPreview) -> None:
        self.preview = preview
        self._preview_for = self._running_for
        self.busy = False
        self.values_page.show_preview(preview)
        self.preview_page.show_preview(preview)
        if self.currentId() == self.MAPPING:
            self.mapping_page.completeChanged.emit()
            if self._leaving_mapping:  # threaded job: « Suivant » was clicked before the preview came
                QTimer.singleShot(0, self, self._go_on_from_mapping)
        self._leaving_mapping = False

    def _on_preview_failed(self, exc: BaseException) -> None:
        self._preview_stopped()
        if not isinstance(exc, UserError):
            raise exc
        for page in (self.values_page, self.preview_page):
            set_banner(page.banner, "error", f"Aperçu impossible : {exc.message}")
        if self.currentId() == self.MAPPING:  # « Suivant » stays there: say why
            self.dialogs.error(self, "Aperçu impossible", exc.message)

    def run_apply(self) -> None:
        if self.analysis is None or self.preview is None or self.busy:
            return
        if not self.preview.ok and not self.import_options.lignes_valides:
            return
        self._set_busy(True)
        db, campagne_id, path, options = self.db, self.campagne_id, self.analysis.path, self.import_options
        mapping = self.preview.mapping
        how = "lignes valides" if options.lignes_valides else "tout ou rien"

        def job(progress: Progress) -> ImportResult:
            progress.update(0, 0, f"Import de « {path.name} » ({how})…")
            return dossiers_import.apply(db, campagne_id, path, mapping, options=options)

        # Not cancellable: the import is one transaction, written at once or not at all.
        run_job(
            self,
            "Import des dossiers",
            job,
            self._on_applied,
            self._on_apply_failed,
            False,
            dialogs=self.dialogs,
        )

    def _on_applied(self, result: ImportResult) -> None:
        self.outcome = result
        self.busy = False
        self.result_page.show_result(result)
        self.imported.emit(result)
        if self.currentId() == self.PREVIEW:
            QTimer.singleShot(0, self.next)

    def _on_apply_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ImportRejected):  # the file changed since the preview
            self.dialogs.error(self, "Import refusé", f"{exc.message}. Le fichier a changé depuis l'aperçu.")
            self.run_preview()
            return
        if not isinstance(exc, UserError):
            raise exc
        self.dialogs.error(self, "Import impossible", exc.message)
