"""The porteurs directory's two dialogs (issue 11):

* `PorteurDialog` edits a porteur (raison sociale, sigle, SIRET, RNA, adresse, représentant,
  contact): saved by `PorteurService.update` with the version read (optimistic locking); refusals
  (SIRET key, RNA format, a SIRET another porteur has, someone saved meanwhile) shown in the dialog,
  which stays open with what was typed;
* `MergeDialog` shows both porteurs side by side, which one is kept, what the result will be
  (empty fields of the kept one completed from the other) and how many dossiers move, before
  « Fusionner ».
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.identifiers import siret_problem
from instructeur.errors import UserError
from instructeur.services.porteurs import PorteurData, PorteurRow, PorteurService, merged_data
from instructeur.storage.db import Database
from ui.screen_fit import FitsScreen

__all__ = ["FIELD_LABELS", "MergeDialog", "PorteurDialog"]

# Every field of PorteurData, in form order, with its French label.
FIELD_LABELS: dict[str, str] = {
    "raison_sociale": "Raison sociale",
    "sigle": "Sigle",
    "siret": "SIRET",
    "rna": "RNA",
    "forme_juridique": "Forme juridique",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "ville": "Ville",
    "representant_civilite": "Civilité du représentant",
    "representant_nom": "Nom du représentant",
    "representant_prenom": "Prénom du représentant",
    "representant_fonction": "Fonction du représentant",
    "contact_nom": "Contact",
    "contact_email": "Courriel du contact",
    "contact_telephone": "Téléphone du contact",
}
_ACCESS = {"raison_sociale": "&Raison sociale", "siret": "&SIRET", "rna": "R&NA", "adresse": "&Adresse"}
ERROR_STYLE = "color: #7a1f00; font-weight: 600;"


class PorteurDialog(FitsScreen, QDialog):
    """« Modifier le porteur » — one field per line, saved with the version that was read."""

    def __init__(self, db: Database, porteur_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = PorteurService(db)
        row = self.service.get(porteur_id)
        self.porteur_id = porteur_id
        self.version = row.version
        self.setWindowTitle(f"Modifier le porteur — {row.data.raison_sociale}")
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name, label in FIELD_LABELS.items():
            edit = QLineEdit(getattr(row.data, name) or "")
            edit.setAccessibleName(label)
            edit.textEdited.connect(self._check)
            caption = QLabel(_ACCESS.get(name, label) + " :")
            caption.setBuddy(edit)
            form.addRow(caption, edit)
            self.edits[name] = edit
        self.edits["siret"].setPlaceholderText("14 chiffres")
        self.edits["rna"].setPlaceholderText("W suivi de 9 chiffres")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(ERROR_STYLE)
        self.problems.setAccessibleName("Problèmes")
        self.problems.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Enregistrer")
        self.save_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.resize(620, self.sizeHint().height())

    def data(self) -> PorteurData:
        return PorteurData(**{name: edit.text() for name, edit in self.edits.items()})  # type: ignore[arg-type]

    def _check(self, *_args: object) -> None:
        """Live hints while typing; a fixed field clears its message at once."""
        problems = []
        if not self.edits["raison_sociale"].text().strip():
            problems.append("raison sociale : obligatoire")
        siret = "".join(self.edits["siret"].text().split())
        if siret and (reason := siret_problem(siret)):
            problems.append(f"SIRET : {reason}")
        self._show(problems)

    def _show(self, problems: list[str]) -> None:
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))

    def save(self) -> bool:
        try:
            self.version = self.service.update(self.porteur_id, self.version, self.data())
        except UserError as exc:
            self._show([exc.message])
            return False
        self.accept()
        return True


class MergeDialog(FitsScreen, QDialog):
    """Both porteurs side by side; the user picks the one kept and sees the result before merging."""

    def __init__(
        self,
        first: PorteurRow,
        second: PorteurRow,
        counts: dict[int, int],
        *,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fusionner deux porteurs")
        self.rows = (first, second)
        self.counts = counts
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        self.keep_group = QButtonGroup(self)
        self.keep_buttons: list[QRadioButton] = []
        grid.addWidget(QLabel("<b>Champ</b>"), 0, 0)
        for n, row in enumerate(self.rows):
            button = QRadioButton(f"Conserver « {row.data.raison_sociale} »")
            button.setAccessibleName(f"Conserver {row.data.raison_sociale}")
            self.keep_group.addButton(button, n)
            self.keep_buttons.append(button)
            grid.addWidget(button, 0, n + 1)
        grid.addWidget(QLabel("<b>Après la fusion</b>"), 0, 3)
        self.result_labels: dict[str, QLabel] = {}
        grid.addWidget(QLabel("<b>Dossiers</b>"), 1, 0)
        for n, row in enumerate(self.rows):
            grid.addWidget(QLabel(f"<b>{_dossiers(counts.get(row.id, 0))}</b>"), 1, n + 1)
        for line, (name, label) in enumerate(FIELD_LABELS.items(), start=2):
            grid.addWidget(QLabel(label), line, 0)
            for n, row in enumerate(self.rows):
                cell = QLabel(getattr(row.data, name) or "—")
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(cell, line, n + 1)
            result = QLabel()
            self.result_labels[name] = result
            grid.addWidget(result, line, 3)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Ce que la fusion déplace")
        # A wrapped label gets no height for its width in a dialog: reserve three lines.
        self.summary.setMinimumHeight(3 * self.summary.fontMetrics().lineSpacing() + 6)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.merge_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.merge_button.setText("&Fusionner")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        self.keep_group.idToggled.connect(lambda _id, on: self._update() if on else None)
        self.keep_buttons[0].setChecked(True)

    @property
    def keep(self) -> PorteurRow:
        return self.rows[max(0, self.keep_group.checkedId())]

    @property
    def duplicate(self) -> PorteurRow:
        return self.rows[1 - max(0, self.keep_group.checkedId())]

    def _update(self) -> None:
        keep, dup = self.keep, self.duplicate
        result = merged_data(keep.data, dup.data)
        for f in fields(PorteurData):
            value = getattr(result, f.name)
            label = self.result_labels[f.name]
            label.setText(value or "—")
            completed = value and not getattr(keep.data, f.name)
            label.setStyleSheet("color: #1b5e20; font-weight: 600;" if completed else "")
            label.setToolTip(f"repris de « {dup.data.raison_sociale} »" if completed else "")
        moved = self.counts.get(dup.id, 0)
        self.summary.setText(
            f"{_dossiers(moved).capitalize()} de « {dup.data.raison_sociale} » "
            f"{'passeront' if moved > 1 else 'passera'} à « {keep.data.raison_sociale} », "
            f"qui aura alors {_dossiers(moved + self.counts.get(keep.id, 0))} ; les champs en vert "
            f"complètent ses champs vides, puis « {dup.data.raison_sociale} » est supprimé "
            "(la fusion est inscrite au journal)."
        )


def _dossiers(n: int) -> str:
    return f"{n} dossier{'s' if n > 1 else ''}"
