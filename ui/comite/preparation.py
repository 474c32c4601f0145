"""« Comités — <campagne> »: the comités of a campagne and the préparation of one of them.

Left, the comités (type, date, lieu, statut, points), « Nouveau comité » and « Supprimer le comité… »
(one created by mistake: en préparation, no decision; `ui/deletion.py` confirms). Right, two tabs:

* « Comité »: type, date (« 15/03/2026 »), lieu, and the membres (nom, fonction, financeur, présent),
  saved together (`create` / `update`, optimistic version);
* « Ordre du jour »: the points in séance order, reordered by drag and drop (`AgendaModel.moveRows`,
  saved with `reorder`), « Ajouter les dossiers instruits » (`eligible_dossiers` → `add_points`), sort
  par axe / par score / par QPV, « Retirer le point », the members in conflict per point and the
  « Conflits d'intérêts… » editor (member × dossier, with a motif), « Ouvrir la séance »,
  « Simulations… », « Relevé de décisions (PDF)… » (`instructeur.exports.releve.render_releve`,
  run off the GUI thread).

Layout in `preparation_view.py`, models in `preparation_models.py`, conflicts in `conflits.py`; this
module wires them to `ComiteService`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QWidget

from instructeur.domain.dates import parse_date
from instructeur.domain.money import format_amount
from instructeur.errors import UserError
from instructeur.exports.releve import render_releve
from instructeur.services.comites import ComiteRow, ComiteService, PointRow
from instructeur.services.dossier_list import CampagneRow
from instructeur.services.synthese import SyntheseService
from instructeur.storage.db import Database
from ui.busy import load_in_background
from ui.comite import COMITE_STATUT_LABELS, comite_title
from ui.comite.conflits import ConflitsDialog, ConflitsModel
from ui.comite.preparation_models import (
    AGENDA_MIME,
    AgendaModel,
    AgendaView,
    ComitesModel,
    FinanceurDelegate,
    MembresModel,
    date_text,
)
from ui.comite.preparation_view import PreparationView
from ui.dialogs import Dialogs
from ui.models.table import RowTableModel
from ui.workers import run_job

__all__ = [
    "AGENDA_MIME",
    "AgendaModel",
    "AgendaView",
    "ComitesModel",
    "ConflitsDialog",
    "ConflitsModel",
    "MembresModel",
    "PreparationWindow",
]

PDF_FILTER = "Documents PDF (*.pdf)"


class PreparationWindow(PreparationView):
    """The comités of one campagne; create, edit, build the ordre du jour, open the séance."""

    decisions_changed = Signal()  # statuts of dossiers moved (agenda, séance): the main list reloads

    def __init__(
        self,
        db: Database,
        campagne: CampagneRow,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
        open_fiche: Callable[[int], object] | None = None,
        user: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._user = user
        self._dialogs = dialogs or Dialogs()
        self._open_fiche = open_fiche
        self.campagne = campagne
        self.service = ComiteService(db, user)
        self.comite_id: int | None = None  # the comité shown on the right (None: a new one)
        self._version: int | None = None
        self._form_dirty = False
        self.seance_window: QWidget | None = None
        self.scenarios_window: QWidget | None = None
        self._agenda_request = 0
        self._build_layout(campagne)
        self._connect()
        close = QAction("Fermer", self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.addAction(close)

        try:
            financeurs = SyntheseService(db).financeurs(campagne.id)
        except UserError:
            financeurs = []
        self.membres_model.set_financeurs(financeurs)
        self.comites.selectionModel().currentRowChanged.connect(self._on_comite_selected)
        self.reload()

    def _connect(self) -> None:
        self.new_button.clicked.connect(self.new_comite)
        self.delete_button.clicked.connect(self.delete_comite)
        for w in (self.date_edit, self.lieu_edit):
            w.textEdited.connect(self._mark_dirty)
        self.type_combo.activated.connect(self._mark_dirty)
        self.membres_model.changed.connect(self._mark_dirty)
        self.membres.setItemDelegateForColumn(2, FinanceurDelegate(self.membres_model, self.membres))
        self.add_membre_button.clicked.connect(self.add_membre)
        self.remove_membre_button.clicked.connect(self.remove_membre)
        self.save_button.clicked.connect(self.save_comite)
        self.add_points_button.clicked.connect(self.add_eligible)
        for key, b in self.sort_buttons.items():
            b.clicked.connect(lambda _c=False, k=key: self.sort_agenda(k))
        self.remove_point_button.clicked.connect(self.remove_point)
        self.conflits_button.clicked.connect(self.edit_conflits)
        self.agenda_model.reordered.connect(self._save_order)
        self.agenda.doubleClicked.connect(self._open_fiche_at)
        self.simulations_button.clicked.connect(self.open_scenarios)
        self.releve_button.clicked.connect(self.export_releve)
        self.close_comite_button.clicked.connect(self.close_comite)
        self.open_seance_button.clicked.connect(self.open_seance)

    def delete_comite(self) -> bool:
        """« Supprimer le comité… »: confirmation, then the list reloads (ui/deletion.py)."""
        from ui.deletion import confirm_and_delete

        if self.comite_id is None:
            return False
        comite_id = self.comite_id
        done = confirm_and_delete(self, self._dialogs, self._db, "comite", comite_id, self._user)
        if done:
            self.comite_id = None
            self.reload()
            self.decisions_changed.emit()  # its dossiers went back to « instruit »
        return done

    # --- data --------------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        keep = select if select is not None else self.comite_id
        rows = self.service.all(self.campagne.id)
        self.comites_model.set_rows(rows)
        index = next((n for n, r in enumerate(self.comites_model.rows) if r.id == keep), None)
        if index is None and rows:
            index = 0
        if index is not None:
            before = self._agenda_request
            self.comites.selectRow(index)  # may already show it (currentRowChanged)
            if self._agenda_request == before:
                self._show_comite(self.comites_model.row_at(index).id)
        else:
            self.new_comite()

    def _on_comite_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(RowTableModel.RowRole) if current.isValid() else None
        if row is not None and row.id != self.comite_id:
            self._show_comite(row.id)

    def _show_comite(self, comite_id: int) -> None:
        comite, membres = self.service.get(comite_id)
        self.comite_id = comite.id
        self._version = comite.version
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(comite.type)))
        self.date_edit.setText(date_text(comite.date_seance))
        self.lieu_edit.setText(comite.lieu or "")
        self.membres_model.set_membres(membres)
        self._form_dirty = False
        self.form_message.clear()
        self.reload_agenda()

    def reload_agenda(self) -> None:
        if self.comite_id is None:
            self.agenda_model.set_rows([])
            self.agenda_title.setText("Enregistrez d'abord le comité.")
            self._update_buttons(None)
            return
        comite, _m = self.service.get(self.comite_id)
        # The agenda of a big campagne takes about a second (scores, history): read off the GUI
        # thread, with a busy cursor, so that the window shows at once (issue 11).
        self._agenda_request += 1
        request, comite_id, service = self._agenda_request, self.comite_id, self.service
        self.agenda_title.setText(f"<b>{comite_title(comite)}</b> — chargement de l'ordre du jour…")
        self._update_buttons(None)
        load_in_background(
            self,
            "Chargement de l'ordre du jour",
            lambda _p: service.agenda(comite_id),
            lambda points: self._show_agenda(request, comite, points),
            dialogs=self._dialogs,
        )

    def _show_agenda(self, request: int, comite: ComiteRow, points: list[PointRow]) -> None:
        if request != self._agenda_request:
            return  # another comité was chosen meanwhile
        self.agenda_model.set_rows(points)
        decided = sum(1 for p in points if p.decision)
        demande = sum(m.demande_cents for p in points for m in p.montants)
        self.agenda_title.setText(
            f"<b>{comite_title(comite)}</b> — {COMITE_STATUT_LABELS.get(comite.statut, comite.statut)} — "
            f"{len(points)} point{'s' if len(points) > 1 else ''}, {decided} décidé{'s' if decided > 1 else ''}, "
            f"{format_amount(demande)} demandés"
        )
        self._update_buttons(comite)

    def _update_buttons(self, comite: ComiteRow | None) -> None:
        editable = comite is not None and comite.statut != "clos"
        for w in (
            self.add_points_button,
            self.remove_point_button,
            self.conflits_button,
            *self.sort_buttons.values(),
        ):
            w.setEnabled(editable)
        self.agenda.setDragEnabled(editable)
        self.open_seance_button.setEnabled(comite is not None and comite.statut != "clos")
        self.open_seance_button.setText(
            "&Reprendre la séance"
            if comite is not None and comite.statut == "en_seance"
            else "&Ouvrir la séance"
        )
        self.close_comite_button.setEnabled(comite is not None and comite.statut == "en_seance")
        self.simulations_button.setEnabled(comite is not None)
        self.delete_button.setEnabled(comite is not None and comite.statut == "preparation")
        self.releve_button.setEnabled(comite is not None)

    # --- comité form -------------------------------------------------------------------------

    def _mark_dirty(self, *_args: object) -> None:
        self._form_dirty = True

    def new_comite(self) -> None:
        self.comite_id = None
        self._version = None
        self.comites.clearSelection()
        self.type_combo.setCurrentIndex(self.type_combo.findData("financeurs"))
        self.date_edit.clear()
        self.lieu_edit.clear()
        self.membres_model.set_membres([])
        self._form_dirty = False
        self.show_form_message("Nouveau comité : renseignez-le puis « Enregistrer le comité ».", "info")
        self.tabs.setCurrentIndex(0)
        self.reload_agenda()
        self.date_edit.setFocus()

    def add_membre(self) -> None:
        row = self.membres_model.add()
        ix = self.membres_model.index(row, 0)
        self.membres.setCurrentIndex(ix)
        self.membres.edit(ix)

    def remove_membre(self) -> None:
        ix = self.membres.currentIndex()
        if ix.isValid():
            self.membres_model.remove(ix.row())

    def save_comite(self) -> int | None:
        text = self.date_edit.text().strip()
        try:
            when = parse_date(text) if text else None
        except UserError as exc:
            self.show_form_message(exc.message)
            self.date_edit.setFocus()
            return None
        type_ = str(self.type_combo.currentData())
        lieu = self.lieu_edit.text().strip() or None
        membres = self.membres_model.membres()
        try:
            if self.comite_id is None:
                comite_id = self.service.create(self.campagne.id, type_, when, lieu, membres)
            else:
                assert self._version is not None
                self.service.update(
                    self.comite_id, self._version, type=type_, date_seance=when, lieu=lieu, membres=membres
                )
                comite_id = self.comite_id
        except UserError as exc:
            self.show_form_message(exc.message)
            return None
        self._form_dirty = False
        self.comite_id = comite_id
        self.reload(select=comite_id)
        self.show_form_message("Comité enregistré.", "success")
        return comite_id

    # --- ordre du jour -----------------------------------------------------------------------

    def add_eligible(self) -> int:
        if self.comite_id is None:
            return 0
        try:
            ids = self.service.eligible_dossiers(self.comite_id)
            if not ids:
                self._dialogs.info(
                    self,
                    "Ordre du jour",
                    "Aucun dossier instruit en attente : tous sont déjà à un ordre du jour.",
                )
                return 0
            self.service.add_points(self.comite_id, ids, "axe")
        except UserError as exc:
            self._dialogs.error(self, "Ordre du jour", exc.message)
            return 0
        self._after_agenda_change()
        return len(ids)

    def sort_agenda(self, order: str) -> None:
        if self.comite_id is None:
            return
        try:
            self.service.sort_agenda(self.comite_id, order)
        except UserError as exc:
            self._dialogs.error(self, "Ordre du jour", exc.message)
        self._after_agenda_change()

    def _save_order(self, point_ids: list[int]) -> None:
        if self.comite_id is None:
            return
        try:
            self.service.reorder(self.comite_id, point_ids)
        except UserError as exc:
            self._dialogs.error(self, "Ordre du jour", exc.message)
        self._after_agenda_change()

    def selected_point(self) -> PointRow | None:
        ix = self.agenda.currentIndex()
        return ix.data(RowTableModel.RowRole) if ix.isValid() else None

    def remove_point(self) -> None:
        p = self.selected_point()
        if p is None:
            return
        try:
            self.service.remove_point(p.id)
        except UserError as exc:
            self._dialogs.error(self, "Retirer le point", exc.message)
            return
        self._after_agenda_change()

    def _after_agenda_change(self) -> None:
        current = self.selected_point()
        self.reload_agenda()
        if current is not None:
            for r, p in enumerate(self.agenda_model.rows):
                if p.id == current.id:
                    self.agenda.selectRow(r)
                    break
        self._refresh_comite_row()
        self.decisions_changed.emit()

    def _refresh_comite_row(self) -> None:
        rows = self.service.all(self.campagne.id)
        selected = self.comite_id
        self.comites.selectionModel().blockSignals(True)
        try:
            self.comites_model.set_rows(rows)
            for n, r in enumerate(self.comites_model.rows):
                if r.id == selected:
                    self.comites.selectRow(n)
        finally:
            self.comites.selectionModel().blockSignals(False)

    def edit_conflits(self) -> ConflitsDialog | None:
        if self.comite_id is None:
            return None
        dialog = ConflitsDialog(self.service, self.comite_id, self._dialogs, self)
        dialog.finished.connect(lambda _r: self._after_agenda_change() if dialog.changed else None)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _open_fiche_at(self, index: QModelIndex) -> None:
        p = index.data(RowTableModel.RowRole)
        if p is not None and self._open_fiche is not None:
            self._open_fiche(p.dossier_id)

    # --- séance, simulations, relevé ---------------------------------------------------------

    def open_seance(self, *, fullscreen: bool = True) -> QWidget | None:
        from ui.comite.seance import open_seance_window

        if self.comite_id is None:
            return None
        if self.seance_window is not None:
            self.seance_window.close()
            self.seance_window.deleteLater()
        win = open_seance_window(self, self._db, self.comite_id, self._dialogs, fullscreen=fullscreen)
        if win is not None:
            win.closed.connect(self._after_agenda_change)
            self.seance_window = win
        self.reload_agenda()
        return win

    def open_scenarios(self) -> QWidget | None:
        from ui.comite.scenarios import ScenariosWindow

        if self.comite_id is None:
            return None
        if self.scenarios_window is not None:
            self.scenarios_window.close()
            self.scenarios_window.deleteLater()
        win = ScenariosWindow(self._db, self.comite_id, parent=self, dialogs=self._dialogs)
        win.proposals_changed.connect(self.reload_agenda)
        self.scenarios_window = win
        win.show()
        return win

    def close_comite(self) -> None:
        if self.comite_id is None:
            return
        if not self._dialogs.confirm(
            self,
            "Clore le comité",
            "Clore le comité ? Les décisions ne pourront plus être modifiées.",
            "Clore",
        ):
            return
        try:
            self.service.close(self.comite_id)
        except UserError as exc:
            self._dialogs.error(self, "Clore le comité", exc.message)
            return
        self.reload()

    def export_releve(self) -> None:
        if self.comite_id is None:
            return
        comite, _m = self.service.get(self.comite_id)
        suffix = comite.date_seance.isoformat() if comite.date_seance else str(comite.id)
        path = self._dialogs.ask_export_path(
            self, "Relevé de décisions", str(Path.home() / f"releve-decisions-{suffix}.pdf"), PDF_FILTER
        )
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(".pdf")
        db, comite_id = self._db, self.comite_id

        def done(_result: object) -> None:
            self.statusBar().showMessage(f"Relevé de décisions enregistré : {path}", 8000)

        run_job(
            self,
            "Relevé de décisions",
            lambda _p: render_releve(db, comite_id, path),
            done,
            dialogs=self._dialogs,
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self._form_dirty and not self._dialogs.confirm(
            self,
            "Comité",
            "Les modifications du comité ne sont pas enregistrées. Fermer quand même ?",
            "Fermer",
        ):
            event.ignore()
            return
        super().closeEvent(event)
