"""Tab « Instruction » of the fiche dossier (DESIGN.md §6, §7.3): the grille d'analyse of each
évaluateur assigned and the dossier's aggregate, the cotation égalité F/H, the avis technique with
the proposed amounts, and what still prevents « instruit ».

One module per section, mixed into `InstructionTab`: `instruction_notation` (évaluations and
score), `instruction_cotation`, `instruction_avis`; their small widgets in `instruction_widgets`.
This module holds the tab itself: layout, loading, completeness and the guarded dossier write.

**How it saves (relative to the fiche's main « Enregistrer »).** Each section has its OWN save
button and writes through its service at once; the main button never saves this tab.

* « Enregistrer la notation », « Déclarer un conflit d'intérêts… », « Retirer le conflit » write
  the évaluation row (`NotationService`, the évaluation's own version): the dossier's version does
  not move, so the rest of the fiche is untouched; the window is told (`scores_saved`) so that the
  list shows the new score.
* « Enregistrer la cotation » and « Enregistrer l'avis » write the dossier row (its version moves,
  and the avis writes the proposé of the plan's lines, which the « Plan de financement » tab also
  edits). So before writing, the tab asks the window (`guard`) to have no unsaved change in the
  other tabs — the same « Enregistrer / Ne pas enregistrer / Annuler » question as before a
  change of statut — then writes with the dossier version the window holds, and emits
  `dossier_written`: the window reloads the whole fiche, so its `expected_version` is the new one
  and its other tabs never hit a false concurrent-edit error (nor write back a stale proposé).
  While the guard runs, a reload of the fiche does not reset this tab's inputs.
* « Déroger… » (éliminatoire criterion) is recorded in the audit log (no version change).

A concurrent edit (someone else saved the évaluation or the dossier) is refused by the service;
the section shows the French message and a « Recharger » button.

The tab reads its data only when shown (`showEvent`) or when `refresh()` is called: the rank
needs the scores of the whole campagne.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.scoring import Scorer
from instructeur.errors import ConcurrentEditError, UserError, ValidationError
from instructeur.services.dossiers import DossierDetail, DossierService
from instructeur.services.fiche import FicheContext
from instructeur.services.instruction import CotationDto, InstructionService
from instructeur.services.notation import EvaluationDto, NotationService, ScoreRow
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.fiche.fields import ERROR_COLOUR, AmountEdit, two_columns
from ui.fiche.instruction_avis import AvisPanel
from ui.fiche.instruction_cotation import CotationPanel
from ui.fiche.instruction_notation import NotationPanel
from ui.fiche.instruction_widgets import (
    MOTIVATION_REQUIRED,
    MUTED,
    OK_COLOUR,
    CritereInput,
    SectionMessage,
    coloured,
    plain_text,
)

# Names other modules and the tests import from here.
_Message = SectionMessage
__all__ = ["MOTIVATION_REQUIRED", "MUTED", "OK_COLOUR", "InstructionTab", "SectionMessage", "plain_text"]


_BEFORE_INSTRUIT = frozenset({"depose", "incomplet", "recevable", "en_instruction"})  # statuts that can still move to instruit

class InstructionTab(NotationPanel, CotationPanel, AvisPanel, QWidget):
    """See the module docstring. `load(detail)` is called by the window with every snapshot."""

    dossier_written = Signal(int)  # cotation / avis saved: the dossier's version moved
    scores_saved = Signal(int)  # notation, conflict, dérogation saved: the list's score may move

    def __init__(
        self,
        db: Database,
        context: FicheContext,
        dialogs: Dialogs,
        user: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._dialogs = dialogs
        self.notation = NotationService(db, user)
        self.instruction = InstructionService(db, user)
        self.dossiers = DossierService(db, user)
        # Set by the window: True when the other tabs have no unsaved change (asks otherwise).
        self.guard: Callable[[], bool] = lambda: True
        self._detail: DossierDetail | None = None
        self._stale = True
        self._writing = False
        self._reloaded = False
        self._evaluations: list[EvaluationDto] = []
        self._current: EvaluationDto | None = None
        self._scorer: Scorer | None = None
        self._loaded_notes: tuple[object, ...] = ()
        self._cotation_loaded: tuple[object, ...] | None = None  # forms as last loaded or saved
        self._avis_loaded: tuple[object, ...] | None = None
        self._cotation: CotationDto | None = None
        self._score: ScoreRow | None = None
        self._ranked = 0
        self.inputs: dict[int, CritereInput] = {}
        self.question_boxes: dict[str, QCheckBox] = {}
        self.proposed_edits: dict[int, AmountEdit] = {}
        self._build()

    # --- construction -----------------------------------------------------------------------

    def _build(self) -> None:
        aggregate, completeness = self._build_aggregate(), self._build_completeness()
        cotation, avis = self._build_cotation(), self._build_avis()
        two_columns(self, [aggregate, self._build_evaluations()], [completeness, cotation, avis], stretch=(11, 9))
        # --- team mode (H10): what an évaluateur does not see (ui/equipe_rights.py) ---
        self.notation_only = False
        self._viewer: tuple[int, ...] = ()
        self._instruction_boxes = (aggregate, completeness, cotation, avis)

    def show_notation_only(self, viewer: tuple[int, ...] = ()) -> None:
        """An évaluateur's fiche (`viewer`: their évaluateur ids): their own évaluation, the others'
        read-only when the campagne's option lets them (services/notes_visibilite.py), not the
        instructeur's work (the server gives them neither the avis nor the journal)."""
        self.notation_only = True
        self._viewer = viewer
        for box in self._instruction_boxes:
            box.hide()
        self.evaluateur_combo.currentIndexChanged.connect(self._lock_others)

    def _lock_others(self) -> None:
        ev = self._current
        if not self.notation_only or ev is None or ev.evaluateur_id in self._viewer:
            return
        for widget in self.inputs.values():
            widget.setInputEnabled(False)
        self.commentaire.setReadOnly(True)
        self.conflict_button.setVisible(False)
        self.withdraw_button.setVisible(False)

    # --- end team mode ---

    def _build_completeness(self) -> QGroupBox:
        box = QGroupBox("Complétude de l'instruction")
        self.completeness_label = QLabel()
        self.completeness_label.setAccessibleName("Complétude de l'instruction")
        self.completeness_label.setWordWrap(True)
        self.completeness_label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(box)
        layout.addWidget(self.completeness_label)
        return box

    # --- loading ----------------------------------------------------------------------------

    @property
    def dossier_id(self) -> int | None:
        return self._detail.id if self._detail else None

    def load(self, detail: DossierDetail | None) -> None:
        """The window's snapshot changed: remember it and read again when shown."""
        self._detail = detail
        self._stale = True
        self._reloaded = True
        if self._writing:  # the guard saved or reverted the fiche: keep this tab's inputs
            return
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Read everything again from the database (drops this tab's unsaved inputs)."""
        self._stale = False
        for message in (
            self.notation_message,
            self.aggregate_message,
            self.cotation_message,
            self.avis_message,
        ):
            message.clear()
        if self._detail is None:
            return
        did = self._detail.id
        keep = self._current.evaluateur_id if self._current else None
        self._evaluations = self.notation.evaluations_of(did, self._viewer if self.notation_only else None)
        self.evaluateur_combo.blockSignals(True)
        try:
            self.evaluateur_combo.clear()
            for ev in self._evaluations:
                self.evaluateur_combo.addItem(self._evaluateur_text(ev), ev.evaluateur_id)
            index = next((n for n, ev in enumerate(self._evaluations) if ev.evaluateur_id == keep), 0)
            if self._evaluations:
                self.evaluateur_combo.setCurrentIndex(index)
        finally:
            self.evaluateur_combo.blockSignals(False)
        has = bool(self._evaluations)
        self.no_evaluateur.setVisible(not has)
        self.evaluation_panel.setVisible(has)
        self.evaluateur_combo.setEnabled(has)
        self._show_evaluation(self._evaluations[self.evaluateur_combo.currentIndex()] if has else None)
        if self.notation_only:  # team mode (H10)
            self._lock_others()
            return
        self._refresh_aggregate()
        self._load_cotation(self.instruction.cotation(did))
        self._load_avis(self._detail)
        self.refresh_completeness()

    def unsaved_sections(self) -> list[str]:
        """Sections of the tab typed into but not saved (the fiche asks before closing)."""
        sections = []
        if self.notation_modified():
            sections.append("la notation")
        if self._cotation_loaded is not None and self._cotation_form() != self._cotation_loaded:
            sections.append("la cotation égalité F/H")
        if self._avis_loaded is not None and self._avis_form() != self._avis_loaded:
            sections.append("l'avis et la proposition")
        return sections

    # --- completeness -----------------------------------------------------------------------

    def refresh_completeness(self) -> list[str]:
        if self._detail is None or self.notation_only:
            return []
        missing = self.instruction.missing(self._detail.id)
        if missing:
            items = "".join(f"<li>{html.escape(m)}</li>" for m in missing)
            self.completeness_label.setText(
                coloured("Il manque, pour passer à « instruit » :", ERROR_COLOUR, bold=True)
                + f"<ul style='margin:2px 0'>{items}</ul>"
            )
        elif str(getattr(self._detail.statut, "value", self._detail.statut)) not in _BEFORE_INSTRUIT:
            # Already instruit, en comité or decided: « peut passer à instruit » would mislead.
            self.completeness_label.setText(coloured("✓ Instruction complète.", OK_COLOUR, bold=True))
        else:
            self.completeness_label.setText(
                coloured("✓ Ce dossier peut passer à « instruit ».", OK_COLOUR, bold=True)
                + f"<br><span style='{MUTED}'>Onglet « Statut » pour changer le statut.</span>"
            )
        return missing

    def completeness_text(self) -> str:
        return plain_text(self.completeness_label.text())

    # --- internals --------------------------------------------------------------------------

    def _detail_id(self) -> int:
        assert self._detail is not None
        return self._detail.id

    def _write_dossier(self, write: Callable[[int], None], message: SectionMessage, done: str) -> bool:
        """Guard (the other tabs saved or reverted), write with the window's dossier version, then
        let the window reload the fiche (new `expected_version`)."""
        message.clear()
        self._writing = True
        try:
            if not self.guard():
                message.error("enregistrez ou annulez d'abord les modifications des autres onglets")
                return False
        finally:
            self._writing = False
        assert self._detail is not None
        try:
            write(self._detail.version)
        except ConcurrentEditError as exc:
            message.error(exc.message, reload=True)
            return False
        except ValidationError as exc:
            message.error(exc.problems)
            return False
        except UserError as exc:
            message.error(exc.message, reload="modifié par" in exc.message)
            return False
        self._reload_dossier()
        message.success(done)
        return True

    def _reload_dossier(self) -> None:
        """The window reloads the fiche (load() → refresh()); alone, the tab reads it itself."""
        assert self._detail is not None
        did = self._detail.id
        self._reloaded = False
        self.dossier_written.emit(did)
        if not self._reloaded:
            self._detail = self.dossiers.get(did)
        if not self._reloaded or self._stale:
            self.refresh()

    def _reload_section(self) -> None:
        """« Recharger » after a concurrent edit of the dossier: the other tabs are saved or
        reverted first (guard), then the whole fiche is read again."""
        if self._detail is None:
            return
        self._writing = True
        try:
            ok = self.guard()
        finally:
            self._writing = False
        if ok:
            self._reload_dossier()
