"""Paramètres › Financeurs: the contrat's financeurs (code, nom, type, SIRET), editable lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.identifiers import siret_problem
from instructeur.errors import UserError
from instructeur.services.contrats import (
    FINANCEUR_TYPE_LABELS,
    ContratService,
    FinanceurEdit,
)
from instructeur.storage.db import Database
from instructeur.storage.models import FINANCEUR_TYPES
from ui.dialogs import Dialogs
from ui.parametres.common import (
    _MUTED,
    _WARN,
    DISPLAY,
    EDIT,
    AnyIndex,
    _line_buttons,
    _LinesModel,
    _move_current,
    _note,
    _Tab,
    _table,
    plural,
)


@dataclass
class FinanceurLine:
    id: int | None
    code: str
    nom: str
    type: str
    version: int | None = None
    usage: str = ""  # « 12 dossiers, 2 enveloppes »
    used: bool = False
    siret: str = ""  # the open data's idAttribuant (SCDL)


class FinanceursModel(_LinesModel):
    """The contrat's financeurs as an editable grid: code, nom, type (edited with a combo), SIRET
    (an invalid one in red, its reason in the tooltip; refused on save), use."""

    HEADERS = ("Code", "Nom", "Type", "SIRET", "Utilisation")
    USAGE = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[FinanceurLine] = []

    def set_lines(self, lines: list[FinanceurLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def edits(self) -> list[FinanceurEdit]:
        return [
            FinanceurEdit(line.id, line.code, line.nom, line.type, line.version, line.siret or None)
            for line in self.lines
        ]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() < self.USAGE else base

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if role in (DISPLAY, EDIT):
            if col == 0:
                return line.code
            if col == 1:
                return line.nom
            if col == 2:
                return line.type if role == EDIT else FINANCEUR_TYPE_LABELS.get(line.type, line.type)
            if col == 3:
                return line.siret
            return line.usage or ("nouveau" if line.id is None else "non utilisé")
        problem = siret_problem(line.siret) if col == 3 and line.siret else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return _MUTED if col == self.USAGE else (_WARN if problem else None)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 3:
                return problem or "14 chiffres : l'identifiant de l'attribuant dans les données ouvertes"
            if col == self.USAGE and line.used:
                return "Financeur utilisé : il ne peut pas être supprimé"
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid() or index.column() >= self.USAGE:
            return False
        line, text = self.lines[index.row()], str(value).strip()
        if index.column() == 0:
            text = text.upper()
            if text == line.code:
                return False
            line.code = text
        elif index.column() == 1:
            if text == line.nom:
                return False
            line.nom = text
        elif index.column() == 3:
            text = "".join(text.split())
            if text == line.siret:
                return False
            line.siret = text
        else:
            if text not in FINANCEUR_TYPES or text == line.type:
                return False
            line.type = text
        self.dataChanged.emit(index, index, [DISPLAY, EDIT])
        self.edited.emit()
        return True


class TypeDelegate(QStyledItemDelegate):
    """The financeur's type chosen in a combo of French labels (the model stores the code)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.setAccessibleName("Type de financeur")
        for code in FINANCEUR_TYPES:
            combo.addItem(FINANCEUR_TYPE_LABELS[code], code)
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(EDIT))))

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), EDIT)


class FinanceursTab(_Tab):
    def __init__(
        self, db: Database, contrat_id: int, dialogs: Dialogs, parent: QWidget | None = None
    ) -> None:
        super().__init__(dialogs, parent)
        self.service = ContratService(db)
        self.contrat_id = contrat_id
        self.model = FinanceursModel(self)
        self.model.edited.connect(self.mark)
        self.table = _table(self.model, "Financeurs du contrat")
        self.table.setItemDelegateForColumn(2, TypeDelegate(self.table))
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.resizeSection(0, 120)
        hh.resizeSection(2, 150)
        hh.resizeSection(3, 150)
        hh.resizeSection(4, 240)
        buttons, (self.add_button, self.remove_button, self.up_button, self.down_button) = _line_buttons(
            "&Ajouter",
            self.add,
            self.remove_current,
            lambda delta: _move_current(self.table, self.model, delta),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(
            _note(
                "L'ordre des financeurs est celui des colonnes du plan de financement et des exports. "
                "Un financeur sollicité par des dossiers, doté d'une enveloppe ou voté en comité ne peut "
                "pas être retiré. Le SIRET (14 chiffres) identifie l'attribuant dans les données ouvertes."
            )
        )
        layout.addLayout(self.footer())
        self.load()

    def load(self) -> None:
        usage = self.service.financeur_usage(self.contrat_id)
        versions = self.service.financeur_versions(self.contrat_id)
        lines = []
        for f in self.service.financeurs(self.contrat_id):
            u = usage.get(f.id)
            parts = []
            if u and u.dossiers:
                parts.append(plural(u.dossiers, "dossier"))
            if u and u.enveloppes:
                parts.append(plural(u.enveloppes, "enveloppe"))
            if u and u.votes:
                parts.append(plural(u.votes, "vote"))
            lines.append(
                FinanceurLine(
                    f.id, f.code, f.nom, f.type, versions.get(f.id), ", ".join(parts), bool(u and u.used),
                    f.siret or "",
                )
            )
        self.model.set_lines(lines)
        self.show_problems(None)
        self.set_modified(False)

    def add(self) -> QModelIndex:
        row = self.model.add(FinanceurLine(None, "", "", "autre"))
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.edit(index)
        return index

    def remove_current(self) -> bool:
        index = self.table.currentIndex()
        if not index.isValid():
            return False
        line = self.model.lines[index.row()]
        if line.used:
            self.dialogs.error(
                self,
                "Retrait impossible",
                f"Le financeur {line.code} ne peut pas être retiré : {line.usage}.",
            )
            return False
        self.model.remove(index.row())
        return True

    def save(self) -> bool:
        try:
            self.service.save_financeurs(self.contrat_id, self.model.edits())
        except UserError as exc:
            self.show_problems(exc)
            return False
        self.load()
        self.saved.emit()
        return True
