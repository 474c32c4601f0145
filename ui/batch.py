"""Batch actions on the selected dossiers: change statut (one shared motivation), assign an
évaluateur, add a label. The list reloads afterwards and keeps the selection; what could not be
done is reported with its French reason (like démarches-simplifiées' batch operations)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QTableView, QWidget

from instructeur.domain.statuts import Statut, allowed_targets, motivation_required
from instructeur.errors import UserError
from instructeur.services.dossier_list import DossierRow
from ui.dialogs import Dialogs
from ui.models.table import RowTableModel

if TYPE_CHECKING:
    from instructeur.storage.db import Database

NOTHING_SELECTED = (
    "Aucun dossier sélectionné : choisissez une ou plusieurs lignes (Ctrl+clic, Maj+clic, Ctrl+A)."
)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def target_choices(rows: list[DossierRow]) -> list[tuple[Statut, int]]:
    """Statuts reachable by at least one selected dossier, in life-cycle order, with how many."""
    counts: dict[Statut, int] = {}
    for row in rows:
        for target in allowed_targets(row.statut, row.decision):
            counts[target] = counts.get(target, 0) + 1
    return [(s, counts[s]) for s in Statut if s in counts]


class BatchActions(QObject):
    def __init__(
        self,
        parent: QWidget,
        table: QTableView,
        db: Callable[[], Database],
        contrat_id: Callable[[], int | None],
        reload: Callable[[list[int]], None],
        dialogs: Dialogs,
    ) -> None:
        super().__init__(parent)
        self._parent, self._table, self._db = parent, table, db
        self._contrat_id, self._reload, self._dialogs = contrat_id, reload, dialogs
        self.statut_action = QAction("Changer le &statut…", parent)
        self.statut_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.statut_action.setToolTip("Changer le statut des dossiers sélectionnés (une motivation commune)")
        self.statut_action.triggered.connect(self.change_statut)
        self.assign_action = QAction("Confier à un &évaluateur…", parent)
        self.assign_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.assign_action.setToolTip("Confier les dossiers sélectionnés à un évaluateur")
        self.assign_action.triggered.connect(self.assign_evaluateur)
        self.label_action = QAction("Ajouter un &label…", parent)
        self.label_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.label_action.setToolTip("Ajouter un label aux dossiers sélectionnés")
        self.label_action.triggered.connect(self.add_label)
        self.actions = [self.statut_action, self.assign_action, self.label_action]
        parent.addActions(self.actions)

    # --- selection ---------------------------------------------------------------------------

    def selected_rows(self) -> list[DossierRow]:
        model = self._table.model()
        selection = self._table.selectionModel()
        if model is None or selection is None:
            return []
        rows = sorted({ix.row() for ix in selection.selectedRows()})
        out = []
        for r in rows:
            value = model.index(r, 0).data(RowTableModel.RowRole)
            if isinstance(value, DossierRow):
                out.append(value)
        return out

    def populate_menu(self, menu: QMenu) -> None:
        for action in self.actions:
            menu.addAction(action)

    def context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self._table)
        self.populate_menu(menu)
        menu.popup(self._table.viewport().mapToGlobal(pos))

    def _selection_or_warn(self) -> list[DossierRow]:
        rows = self.selected_rows()
        if not rows:
            self._dialogs.info(self._parent, "Actions groupées", NOTHING_SELECTED)
        return rows

    # --- actions -----------------------------------------------------------------------------

    def change_statut(self) -> None:
        rows = self._selection_or_warn()
        if not rows:
            return
        choices = target_choices(rows)
        n = len(rows)
        if not choices:
            self._dialogs.info(
                self._parent,
                "Changer le statut",
                f"Aucun changement de statut n'est possible pour {'ce dossier' if n == 1 else f'ces {n} dossiers'}.",
            )
            return
        labels = [
            s.label if count == n else f"{s.label} (possible pour {count} sur {n})" for s, count in choices
        ]
        picked = self._dialogs.ask_choice(
            self._parent, "Changer le statut", f"Nouveau statut pour {plural(n, 'dossier')} :", labels
        )
        if picked is None or picked not in labels:
            return
        target = choices[labels.index(picked)][0]
        motivation: str | None = None
        concerned = [r for r in rows if target in allowed_targets(r.statut, r.decision)]
        if any(motivation_required(r.statut, target) for r in concerned):
            motivation = self._dialogs.ask_text(
                self._parent,
                "Motivation",
                f"Motivation du passage à « {target.label} » (commune aux {plural(len(concerned), 'dossier')}) :",
                multiline=True,
            )
            if motivation is None:
                return
            if not motivation.strip():
                self._dialogs.error(
                    self._parent,
                    "Changer le statut",
                    f"Une motivation est obligatoire pour passer à « {target.label} ».",
                )
                return
        try:
            from instructeur.services.dossiers import DossierService

            result = DossierService(self._db()).change_statut_many([r.id for r in rows], target, motivation)
        except UserError as exc:
            self._dialogs.error(self._parent, "Changer le statut", exc.message)
            return
        self._reload([r.id for r in rows])
        done = len(result.changed)
        message = (
            f"{plural(done, 'dossier')} passé{'s' if done > 1 else ''} à « {target.label} »."
            if done
            else f"Aucun dossier n'est passé à « {target.label} »."
        )
        self._dialogs.report(
            self._parent, "Changer le statut", message, [reason for _, reason in result.refused]
        )

    def assign_evaluateur(self) -> None:
        rows = self._selection_or_warn()
        if not rows:
            return
        contrat_id = self._contrat_id()
        from instructeur.services.evaluateurs import EvaluateurService

        service = EvaluateurService(self._db())
        evaluateurs = service.all(contrat_id) if contrat_id is not None else []
        if not evaluateurs:
            self._dialogs.info(
                self._parent, "Confier à un évaluateur", "Aucun évaluateur n'est déclaré pour ce contrat."
            )
            return
        labels = [e.nom if not e.financeur else f"{e.nom} — {e.financeur}" for e in evaluateurs]
        picked = self._dialogs.ask_choice(
            self._parent,
            "Confier à un évaluateur",
            f"Évaluateur des {plural(len(rows), 'dossier')} :",
            labels,
        )
        if picked is None or picked not in labels:
            return
        evaluateur = evaluateurs[labels.index(picked)]
        try:
            result = service.assign([r.id for r in rows], evaluateur.id)
        except UserError as exc:
            self._dialogs.error(self._parent, "Confier à un évaluateur", exc.message)
            return
        self._reload([r.id for r in rows])
        done = len(result.assigned)
        self._dialogs.report(
            self._parent,
            "Confier à un évaluateur",
            f"{plural(done, 'dossier')} confié{'s' if done > 1 else ''} à {evaluateur.nom}.",
            [reason for _, reason in result.skipped],
        )

    def add_label(self) -> None:
        rows = self._selection_or_warn()
        if not rows:
            return
        from instructeur.services.labels import LabelService

        service = LabelService(self._db())
        names = [lb.nom for lb in service.all()]
        picked = self._dialogs.ask_choice(
            self._parent,
            "Ajouter un label",
            f"Label à ajouter aux {plural(len(rows), 'dossier')} (choisissez ou saisissez un nouveau nom) :",
            names,
            editable=True,
        )
        if picked is None:
            return
        try:
            change = service.add_label([r.id for r in rows], picked)
        except UserError as exc:
            self._dialogs.error(self._parent, "Ajouter un label", exc.message)
            return
        self._reload([r.id for r in rows])
        done = len(change.changed)
        details = [
            f"dossier {r.reference} : porte déjà ce label" for r in rows if r.id in set(change.unchanged)
        ]
        self._dialogs.report(
            self._parent,
            "Ajouter un label",
            f"Label « {' '.join(picked.split())} » ajouté à {plural(done, 'dossier')}.",
            details,
        )
