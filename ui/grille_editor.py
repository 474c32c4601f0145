"""« Grille d'analyse — <campagne> »: the criteria of a campagne's grille, its versions and lock.

The list on the left shows the criteria (section, libellé, poids, échelle, éliminatoire) in order;
the form on the right edits the selected one (aide on several lines, one label per level of the
scale). Edits stay in the window until « Enregistrer ». Once an évaluation holds notes (or the
grille is locked) the service accepts wording changes only: the state line says so, and a refused
structural change is shown in a red banner with « Créer une nouvelle version » beside it.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QTableWidgetItem,
    QWidget,
)

from instructeur.errors import UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.grilles import CritereData, GrilleDto, GrilleService, default_criteria
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.grille_editor_view import GrilleEditorLayout, campagne_title

FROZEN_STYLE = "background:#fdf0d5; color:#7a4b00; border-radius:4px; padding:6px;"
OPEN_STYLE = "background:#e3eefa; color:#174a7c; border-radius:4px; padding:6px;"


def state_text(grille: GrilleDto | None) -> str:
    if grille is None:
        return "Cette campagne n'a pas encore de grille d'analyse : partez de la grille par défaut ou copiez-en une."
    n = grille.n_evaluations
    head = f"Version {grille.numero_version}"
    if len(grille.versions) > 1:
        head += f" (sur {len(grille.versions)})"
    if n:
        return (
            f"{head} · {n} évaluation{'s' if n > 1 else ''} — structure figée : "
            "seules les formulations peuvent changer"
        )
    if grille.verrouillee:
        return f"{head} · verrouillée — structure figée : seules les formulations peuvent changer"
    return f"{head} · aucune évaluation notée : tout est modifiable"


class GrilleEditor(GrilleEditorLayout):
    saved = Signal()

    def __init__(
        self,
        db: Database,
        campagne_id: int,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self._db = db
        self._dialogs = dialogs or Dialogs()
        self.service = GrilleService(db)
        campagnes = CampagneService(db).all()
        campagne = next((c for c in campagnes if c.id == campagne_id), None)
        if campagne is None:
            raise UserError(f"campagne {campagne_id} introuvable")
        self.campagne = campagne
        self.campagne_id = campagne_id
        self.grille: GrilleDto | None = None
        self.criteria: list[CritereData] = []
        self._modified = False
        self._loading = False
        self.setWindowTitle(f"Grille d'analyse — {campagne_title(campagne)}[*]")
        self.setObjectName("grilleEditor")
        self._build(campagnes)
        self._connect()
        self.reload()
        self.resize(1200, 720)

    def _connect(self) -> None:
        self.new_version_button.clicked.connect(self.create_new_version)
        self.lock_button.clicked.connect(self.toggle_lock)
        self.nom_edit.textEdited.connect(lambda _t: self._set_modified())
        self.table.currentCellChanged.connect(lambda row, *_: self._show_critere(row))
        self.add_button.clicked.connect(self.add_critere)
        self.remove_button.clicked.connect(self.remove_critere)
        self.up_button.clicked.connect(lambda: self.move_critere(-1))
        self.down_button.clicked.connect(lambda: self.move_critere(1))
        self.section_edit.textEdited.connect(lambda _t: self._form_changed())
        self.libelle_edit.textEdited.connect(lambda _t: self._form_changed())
        self.aide_edit.textChanged.connect(self._form_changed)
        self.poids_spin.valueChanged.connect(lambda _v: self._form_changed())
        self.min_spin.valueChanged.connect(lambda _v: self._scale_changed())
        self.max_spin.valueChanged.connect(lambda _v: self._scale_changed())
        self.eliminatoire_check.toggled.connect(lambda _v: self._form_changed())
        self.niveaux_table.itemChanged.connect(lambda _i: self._form_changed())
        self.default_button.clicked.connect(self.use_default)
        self.copy_button.clicked.connect(self.copy_selected)
        self.revert_button.clicked.connect(self.reload)
        self.save_button.clicked.connect(self.save)
        self.save_action.triggered.connect(self.save)

    # --- data ---------------------------------------------------------------------------------

    def reload(self) -> None:
        """Reads the campagne's latest grille again (drops unsaved edits)."""
        self.grille = self.service.get_for_campagne(self.campagne_id)
        self.criteria = [c.data() for c in self.grille.criteres] if self.grille else []
        self._loading = True
        try:
            self.nom_edit.setText(self.grille.nom if self.grille else "")
        finally:
            self._loading = False
        self.banner.hide()
        self._fill_list(0)
        self._set_modified(False)
        self._update_state()

    def is_modified(self) -> bool:
        return self._modified

    def _update_state(self) -> None:
        g = self.grille
        self.state_label.setText(state_text(g))
        self.state_label.setStyleSheet(FROZEN_STYLE if g is not None and g.structure_frozen else OPEN_STYLE)
        self.new_version_button.setVisible(g is not None and g.structure_frozen)
        self.lock_button.setEnabled(g is not None)
        self.lock_button.setText("Dé&verrouiller" if g is not None and g.verrouillee else "&Verrouiller")
        self.lock_button.setToolTip(
            "Fige la structure (échelles, poids, critères) ; les formulations restent modifiables"
        )
        frozen_tip = (
            "Structure figée : créez une nouvelle version pour changer ceci"
            if g and g.structure_frozen
            else ""
        )
        for widget in (
            self.poids_spin,
            self.min_spin,
            self.max_spin,
            self.eliminatoire_check,
            self.add_button,
        ):
            widget.setToolTip(frozen_tip)
        for widget in (self.nom_edit, self.table, self.form, self.save_button):
            widget.setEnabled(g is not None)
        self.add_button.setEnabled(g is not None and not g.structure_frozen)  # a structural change
        self.remove_button.setEnabled(self.remove_button.isEnabled() and not (g and g.structure_frozen))
        self.default_button.setText(
            "Partir de la grille par &défaut" if g is None else "Remplacer par la grille par &défaut"
        )

    def _fill_list(self, select: int | None = None) -> None:
        self._loading = True
        try:
            self.table.setRowCount(len(self.criteria))
            for n, c in enumerate(self.criteria):
                self._set_list_row(n, c)
        finally:
            self._loading = False
        if select is not None and self.criteria:
            row = max(0, min(select, len(self.criteria) - 1))
            self.table.setCurrentCell(row, 1)
            self._show_critere(row)
        elif not self.criteria:
            self._show_critere(-1)
        self._update_buttons()

    def _set_list_row(self, n: int, c: CritereData) -> None:
        scale = f"{c.echelle_min}–{c.echelle_max}"
        values = (c.section, c.libelle, str(c.poids), scale, "oui" if c.eliminatoire else "")
        for column, text in enumerate(values):
            item = QTableWidgetItem(text)
            if column >= 2:
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if column == 1:
                item.setToolTip(f"{c.libelle}\n{c.aide}".strip())
            self.table.setItem(n, column, item)

    def current_row(self) -> int:
        return self.table.currentRow()

    def _show_critere(self, row: int) -> None:
        if self._loading:
            return
        self._loading = True
        try:
            valid = 0 <= row < len(self.criteria)
            self.form.setEnabled(valid and self.grille is not None)
            c = self.criteria[row] if valid else CritereData("")
            self.section_edit.setText(c.section)
            self.libelle_edit.setText(c.libelle)
            self.aide_edit.setPlainText(c.aide)
            self.poids_spin.setValue(c.poids)
            self.min_spin.setValue(c.echelle_min)
            self.max_spin.setValue(c.echelle_max)
            self.eliminatoire_check.setChecked(c.eliminatoire)
            self._fill_niveaux(c)
        finally:
            self._loading = False
        self._update_buttons()

    def _fill_niveaux(self, c: CritereData) -> None:
        count = max(0, c.echelle_max - c.echelle_min + 1)
        self.niveaux_table.setRowCount(count)
        for n in range(count):
            value = QTableWidgetItem(str(c.echelle_min + n))
            value.setFlags(Qt.ItemFlag.ItemIsEnabled)
            value.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.niveaux_table.setItem(n, 0, value)
            self.niveaux_table.setItem(n, 1, QTableWidgetItem(c.niveaux[n] if n < len(c.niveaux) else ""))

    def _scale_changed(self) -> None:
        if self._loading:
            return
        row = self.current_row()
        if not 0 <= row < len(self.criteria):
            return
        labels = self._form_niveaux()
        low, high = self.min_spin.value(), self.max_spin.value()
        count = max(0, high - low + 1)
        labels = (list(labels) + [""] * count)[:count]
        self._loading = True
        try:
            self._fill_niveaux(
                replace(self.criteria[row], echelle_min=low, echelle_max=high, niveaux=tuple(labels))
            )
        finally:
            self._loading = False
        self._form_changed()

    def _form_niveaux(self) -> tuple[str, ...]:
        labels = []
        for n in range(self.niveaux_table.rowCount()):
            item = self.niveaux_table.item(n, 1)
            labels.append(item.text().strip() if item is not None else "")
        return tuple(labels)

    def _form_changed(self) -> None:
        if self._loading:
            return
        row = self.current_row()
        if not 0 <= row < len(self.criteria):
            return
        labels = self._form_niveaux()
        self.criteria[row] = replace(
            self.criteria[row],
            section=self.section_edit.text(),
            libelle=self.libelle_edit.text(),
            aide=self.aide_edit.toPlainText(),
            poids=self.poids_spin.value(),
            echelle_min=self.min_spin.value(),
            echelle_max=self.max_spin.value(),
            niveaux=labels if any(labels) else (),
            eliminatoire=self.eliminatoire_check.isChecked(),
        )
        self._loading = True
        try:
            self._set_list_row(row, self.criteria[row])
        finally:
            self._loading = False
        self._set_modified()

    def _set_modified(self, modified: bool = True) -> None:
        if self._loading:
            return
        self._modified = modified
        self.setWindowModified(modified)
        self.modified_label.setText("Modifications non enregistrées" if modified else "")
        self.modified_label.setStyleSheet("color:#8a5a00; font-weight:600;" if modified else "")
        self.revert_button.setEnabled(modified)

    def _update_buttons(self) -> None:
        row = self.current_row()
        valid = 0 <= row < len(self.criteria) and self.grille is not None
        frozen = self.grille is not None and self.grille.structure_frozen
        # A frozen structure: weights, scales and « éliminatoire » greyed (their tooltip says why).
        for widget in (self.poids_spin, self.min_spin, self.max_spin, self.eliminatoire_check):
            widget.setEnabled(valid and not frozen)
        self.remove_button.setEnabled(valid and not frozen)
        self.up_button.setEnabled(valid and row > 0)
        self.down_button.setEnabled(valid and row < len(self.criteria) - 1)

    # --- editing the list ---------------------------------------------------------------------

    def add_critere(self) -> None:
        row = self.current_row()
        section = self.criteria[row].section if 0 <= row < len(self.criteria) else ""
        position = row + 1 if row >= 0 else len(self.criteria)
        self.criteria.insert(position, CritereData("Nouveau critère", section=section))
        self._fill_list(position)
        self._set_modified()
        self.libelle_edit.setFocus()
        self.libelle_edit.selectAll()

    def remove_critere(self) -> None:
        row = self.current_row()
        if not 0 <= row < len(self.criteria):
            return
        del self.criteria[row]
        self._fill_list(row)
        self._set_modified()

    def move_critere(self, step: int) -> None:
        row = self.current_row()
        target = row + step
        if not (0 <= row < len(self.criteria) and 0 <= target < len(self.criteria)):
            return
        self.criteria[row], self.criteria[target] = self.criteria[target], self.criteria[row]
        self._fill_list(target)
        self._set_modified()

    # --- actions ------------------------------------------------------------------------------

    def save(self) -> bool:
        if self.grille is None:
            return False
        try:
            self.service.save(
                self.grille.id, self.grille.version, list(self.criteria), nom=self.nom_edit.text()
            )
        except UserError as exc:
            self._show_banner(exc.message)
            return False
        row = self.current_row()
        self.reload()
        self._fill_list(row)
        self.statusBar().showMessage("Grille enregistrée", 5000)
        self.saved.emit()
        return True

    def create_new_version(self) -> bool:
        """Version n + 1 of the grille; the unsaved edits are carried over onto it."""
        old = self.grille
        if old is None:
            return False
        keep = list(self.criteria) if self._modified else None
        nom = self.nom_edit.text()
        try:
            self.service.new_version(old.id)
        except UserError as exc:
            self._show_banner(exc.message)
            return False
        self.reload()
        new = self.grille
        assert new is not None
        if keep is not None:  # same criteria in the same order, new ids
            mapping = {a.id: b.id for a, b in zip(old.criteres, new.criteres, strict=False)}
            self.criteria = [replace(c, id=mapping.get(c.id) if c.id is not None else None) for c in keep]
            self.nom_edit.setText(nom)
            self._fill_list(0)
            self._set_modified()
        self.statusBar().showMessage(f"Version {new.numero_version} créée", 6000)
        return True

    def toggle_lock(self) -> None:
        if self.grille is None:
            return
        if self._modified and not self._ask_discard("Verrouiller la grille"):
            return
        if self.grille.verrouillee:
            self.service.unlock(self.grille.id)
        else:
            self.service.lock(self.grille.id)
        self.reload()

    def use_default(self) -> bool:
        """No grille: creates the default one. Otherwise loads the default criteria into the
        editor (a new version first when the structure is frozen, after confirmation)."""
        if self.grille is None:
            try:
                self.service.create_default(self.campagne_id)
            except UserError as exc:
                self._show_banner(exc.message)
                return False
            self.reload()
            return True
        if self.grille.structure_frozen:
            if not self._dialogs.confirm(
                self,
                "Grille par défaut",
                "La structure de cette grille est figée : créer une nouvelle version à partir de la grille par défaut ?",
                "Créer la version",
            ):
                return False
            try:
                new_id = self.service.new_version(self.grille.id)
                version = self.service.get(new_id).version
                self.service.save(new_id, version, default_criteria())
            except UserError as exc:
                self._show_banner(exc.message)
                return False
            self.reload()
            return True
        self.criteria = default_criteria()
        self._fill_list(0)
        self._set_modified()
        self.statusBar().showMessage("Grille par défaut chargée : enregistrez pour la garder", 6000)
        return True

    def copy_selected(self) -> bool:
        source = self.source_combo.currentData()
        if source is None:
            return False
        return self.copy_from(int(source))

    def copy_from(self, source_campagne_id: int) -> bool:
        if self._modified and not self._ask_discard("Copier une grille"):
            return False
        if self.grille is not None and not self._dialogs.confirm(
            self,
            "Copier une grille",
            f"La grille copiée deviendra la version {max(n for _, n in self.grille.versions) + 1} de cette "
            "campagne ; les évaluations déjà notées gardent leur version. Continuer ?",
            "Copier",
        ):
            return False
        try:
            self.service.copy_from(self.campagne_id, source_campagne_id)
        except UserError as exc:
            self._show_banner(exc.message)
            return False
        self.reload()
        self.statusBar().showMessage("Grille copiée", 6000)
        return True

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.statusBar().showMessage("Enregistrement refusé : vos modifications sont conservées", 8000)

    def _ask_discard(self, title: str) -> bool:
        answer = self._dialogs.ask_save_discard_cancel(
            self, title, "La grille a des modifications non enregistrées. Les enregistrer ?"
        )
        if answer == "save":
            return self.save()
        return answer == "discard"

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._modified and not self._ask_discard("Fermer la grille"):
            event.ignore()
            return
        event.accept()


__all__ = ["GrilleEditor", "state_text"]
