"""« Paramètres » of a contrat and its campagnes (DESIGN.md §7 screen 6).

Tabs: Contrat (identification, signataires), Quartiers (QPV and other quartiers), Cadre stratégique
(read only), Financeurs, Campagne (libellé, statut, dates, enveloppes with the voté so far,
recevabilité list, links to the grille, cotation F/H and letters settings windows).

Each editable tab has its own « Enregistrer » and reports `modified`; closing the window (or
switching to another campagne) with unsaved changes asks « Enregistrer / Ne pas enregistrer /
Annuler ». Saving goes through the services (`ContratService`, `CampagneService`), whose French
refusals are shown in the tab. The editable grids are small `QAbstractTableModel`s defined here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import AmountError, format_amount, parse_amount
from instructeur.errors import UserError, ValidationError
from instructeur.services.campagnes import (
    CAMPAGNE_STATUT_LABELS,
    CampagneService,
    RecevabiliteItemEdit,
)
from instructeur.services.contrats import (
    FINANCEUR_TYPE_LABELS,
    QUARTIER_KIND_LABELS,
    ContratService,
    FinanceurEdit,
    QuartierEdit,
    QuartierRow,
)
from instructeur.storage.db import Database
from instructeur.storage.models import CAMPAGNE_STATUTS, FINANCEUR_TYPES
from ui.dialogs import Dialogs
from ui.models.table import ALIGN_RIGHT, Column, RowTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
EDIT = Qt.ItemDataRole.EditRole
DISPLAY = Qt.ItemDataRole.DisplayRole
_MUTED = QColor("#5f6368")
_WARN = QColor("#b3261e")

NOTE_STYLE = "color: palette(placeholder-text);"


def problems_text(exc: UserError) -> str:
    if isinstance(exc, ValidationError) and len(exc.problems) > 1:
        return "\n".join(f"• {p}" for p in exc.problems)
    return exc.message


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


# --- editable models -------------------------------------------------------------------------


def _line_buttons(
    add_text: str, add: Callable[[], object], remove: Callable[[], object], move: Callable[[int], None]
) -> tuple[QHBoxLayout, tuple[QPushButton, QPushButton, QPushButton, QPushButton]]:
    """The row « Ajouter · Retirer · Monter · Descendre » under an editable list."""
    buttons = (
        QPushButton(add_text),
        QPushButton("&Retirer"),
        QPushButton("Monter"),
        QPushButton("Descendre"),
    )
    buttons[0].clicked.connect(lambda: add())
    buttons[1].clicked.connect(lambda: remove())
    buttons[2].clicked.connect(lambda: move(-1))
    buttons[3].clicked.connect(lambda: move(1))
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row, buttons


def _move_current(table: QTableView, model: _LinesModel, delta: int) -> None:
    """Move the selected line up or down and keep it selected."""
    index = table.currentIndex()
    if index.isValid():
        row = model.move(index.row(), delta)
        table.setCurrentIndex(model.index(row, index.column()))


class _LinesModel(QAbstractTableModel):
    """An editable list of lines (`self.lines`) that can grow, shrink and be reordered; every
    change emits `edited` (the tab then shows its unsaved mark)."""

    edited = Signal()
    lines: list[Any]

    def add(self, line: Any) -> int:
        row = len(self.lines)
        self.beginInsertRows(QModelIndex(), row, row)
        self.lines.append(line)
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.lines[row]
        self.endRemoveRows()
        self.edited.emit()

    def move(self, row: int, delta: int) -> int:
        target = row + delta
        if not (0 <= row < len(self.lines) and 0 <= target < len(self.lines)):
            return row
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), target + 1 if delta > 0 else target)
        self.lines.insert(target, self.lines.pop(row))
        self.endMoveRows()
        self.edited.emit()
        return target


@dataclass
class FinanceurLine:
    id: int | None
    code: str
    nom: str
    type: str
    version: int | None = None
    usage: str = ""  # « 12 dossiers, 2 enveloppes »
    used: bool = False


class FinanceursModel(_LinesModel):
    """The contrat's financeurs as an editable grid: code, nom, type (edited with a combo), use."""

    HEADERS = ("Code", "Nom", "Type", "Utilisation")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[FinanceurLine] = []

    def set_lines(self, lines: list[FinanceurLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def edits(self) -> list[FinanceurEdit]:
        return [FinanceurEdit(line.id, line.code, line.nom, line.type, line.version) for line in self.lines]

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
        return base | Qt.ItemFlag.ItemIsEditable if index.column() < 3 else base

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
            return line.usage or ("nouveau" if line.id is None else "non utilisé")
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return _MUTED
        if role == Qt.ItemDataRole.ToolTipRole and col == 3 and line.used:
            return "Financeur utilisé : il ne peut pas être supprimé"
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid() or index.column() > 2:
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


@dataclass
class EnveloppeLine:
    financeur_id: int
    code: str
    nom: str
    enveloppe_cents: int
    vote_cents: int = 0
    changed: bool = field(default=False)
    has_enveloppe: bool = True  # False: the campagne gives this financeur no enveloppe (yet)

    @property
    def reste_cents(self) -> int:
        return self.enveloppe_cents - self.vote_cents


class EnveloppesModel(QAbstractTableModel):
    """One line per financeur: enveloppe (editable, « 150 000 » or « 150 000,00 € »), voté, reste."""

    HEADERS = ("Financeur", "Enveloppe", "Voté à ce jour", "Reste")
    edited = Signal()
    rejected = Signal(str)  # an amount that cannot be read

    def __init__(self, parent: QObject | None = None, *, with_vote: bool = True) -> None:
        super().__init__(parent)
        self.lines: list[EnveloppeLine] = []
        self.with_vote = with_vote

    def set_lines(self, lines: list[EnveloppeLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def montants(self) -> dict[int, int]:
        return {
            line.financeur_id: line.enveloppe_cents
            for line in self.lines
            if line.has_enveloppe or line.changed
        }

    def total_cents(self) -> int:
        return sum(line.enveloppe_cents for line in self.lines)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else (4 if self.with_vote else 2)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < self.columnCount():
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == 1 else base

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if role == DISPLAY:
            if col == 0:
                return f"{line.code} — {line.nom}"
            if not (line.has_enveloppe or line.changed) and col in (1, 3):
                return "non définie" if col == 1 else "—"
            return format_amount((line.enveloppe_cents, line.vote_cents, line.reste_cents)[col - 1])
        if role == EDIT and col == 1:
            return format_amount(line.enveloppe_cents, symbol=False)
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(ALIGN_RIGHT)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 3 and line.reste_cents < 0:
                return _WARN
            if col == 2:
                return _MUTED
        if role == Qt.ItemDataRole.ToolTipRole and col == 3 and line.reste_cents < 0:
            return "Le voté dépasse l'enveloppe"
        if role == Qt.ItemDataRole.FontRole and col == 1 and line.changed:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = EDIT) -> bool:
        if role != EDIT or not index.isValid() or index.column() != 1:
            return False
        line = self.lines[index.row()]
        try:
            cents = parse_amount(str(value).strip() or "0") if not isinstance(value, int) else value
        except AmountError as exc:
            self.rejected.emit(f"Enveloppe {line.code} : {exc.message}")
            return False
        if cents < 0:
            self.rejected.emit(f"Enveloppe {line.code} : le montant ne peut pas être négatif")
            return False
        if cents == line.enveloppe_cents:
            return False
        line.enveloppe_cents = cents
        line.changed = True
        self.dataChanged.emit(index, self.index(index.row(), self.columnCount() - 1))
        self.edited.emit()
        return True


@dataclass
class RecevabiliteLine:
    id: int | None
    libelle: str
    obligatoire: bool
    n_checks: int = 0


class RecevabiliteModel(_LinesModel):
    """The campagne's recevabilité list: libellé (editable), obligatoire (check box), use."""

    HEADERS = ("Critère de recevabilité", "Obligatoire", "Vérifié sur")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[RecevabiliteLine] = []

    def set_lines(self, lines: list[RecevabiliteLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def edits(self) -> list[RecevabiliteItemEdit]:
        return [RecevabiliteItemEdit(line.id, line.libelle, line.obligatoire) for line in self.lines]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < 3:
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            return base | Qt.ItemFlag.ItemIsEditable
        if index.column() == 1:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line, col = self.lines[index.row()], index.column()
        if col == 0 and role in (DISPLAY, EDIT):
            return line.libelle
        if col == 1 and role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if line.obligatoire else Qt.CheckState.Unchecked
        if col == 1 and role == DISPLAY:
            return "oui" if line.obligatoire else "non"
        if col == 2 and role == DISPLAY:
            return plural(line.n_checks, "dossier") if line.n_checks else "—"
        if col == 2 and role == Qt.ItemDataRole.ForegroundRole:
            return _MUTED
        if role == Qt.ItemDataRole.ToolTipRole and col == 2 and line.n_checks:
            return "Déjà vérifié sur des dossiers : renommable, mais pas supprimable"
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = EDIT) -> bool:
        if not index.isValid():
            return False
        line = self.lines[index.row()]
        if index.column() == 0 and role == EDIT:
            text = str(value).strip()
            if not text or text == line.libelle:
                return False
            line.libelle = text
        elif index.column() == 1 and role == Qt.ItemDataRole.CheckStateRole:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
            if checked == line.obligatoire:
                return False
            line.obligatoire = checked
        else:
            return False
        self.dataChanged.emit(index, index)
        self.edited.emit()
        return True


def quartiers_model(parent: QObject | None = None) -> RowTableModel[QuartierRow]:
    columns: list[Column[QuartierRow]] = [
        Column("type", "Type", lambda q: QUARTIER_KIND_LABELS.get(q.type, q.type), width=140),
        Column("code", "Code", lambda q: q.code or "", width=100),
        Column("nom", "Nom", lambda q: q.nom, width=220, stretch=2),
        Column("communes", "Communes", lambda q: ", ".join(q.communes), width=220, stretch=2),
        Column(
            "population",
            "Population",
            lambda q: q.population,
            alignment=ALIGN_RIGHT,
            formatter=lambda n: f"{n:,}".replace(",", "\u00a0"),
            width=100,
        ),
        Column("aliases", "Autres noms", lambda q: ", ".join(q.aliases), width=180, stretch=1),
        Column(
            "dossiers",
            "Dossiers",
            lambda q: q.dossiers,
            alignment=ALIGN_RIGHT,
            formatter=lambda n: str(n or "—"),
        ),
    ]
    return RowTableModel(columns, parent)


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.setWordWrap(False)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
        | QAbstractItemView.EditTrigger.SelectedClicked
    )
    return view


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    return label


def _problems_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("color: #b3261e;")
    label.setAccessibleName("Problèmes")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


# --- tabs --------------------------------------------------------------------------------------


class _Tab(QWidget):
    """A tab with its own « Enregistrer » and a `modified` flag shown in the tab title (« • »)."""

    modified_changed = Signal(bool)
    saved = Signal()

    def __init__(self, dialogs: Dialogs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialogs = dialogs
        self.modified = False
        self._loading = False
        self.problems = _problems_label()
        self.save_button = QPushButton("&Enregistrer")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Annuler les modifications")
        self.revert_button.setEnabled(False)
        self.revert_button.clicked.connect(self.load)

    def footer(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.problems, 1)
        row.addWidget(self.revert_button)
        row.addWidget(self.save_button)
        return row

    def mark(self, *_args: object) -> None:
        if not self._loading:
            self.set_modified(True)

    def set_modified(self, value: bool) -> None:
        self.save_button.setEnabled(value)
        self.revert_button.setEnabled(value)
        if value != self.modified:
            self.modified = value
            self.modified_changed.emit(value)

    def show_problems(self, exc: UserError | None) -> None:
        self.problems.setText("" if exc is None else f"Enregistrement refusé : {problems_text(exc)}")
        self.problems.setVisible(exc is not None)

    def load(self) -> None:
        raise NotImplementedError

    def save(self) -> bool:
        raise NotImplementedError


class ContratTab(_Tab):
    def __init__(
        self, db: Database, contrat_id: int, dialogs: Dialogs, parent: QWidget | None = None
    ) -> None:
        super().__init__(dialogs, parent)
        self.service = ContratService(db)
        self.contrat_id = contrat_id
        self.version = 0
        self.nom = QLineEdit()
        self.epci = QLineEdit()
        self.siren = QLineEdit()
        self.siren.setPlaceholderText("9 chiffres, par ex. 200 040 442")
        self.siren.setMaximumWidth(220)
        self.debut, self.fin = QSpinBox(), QSpinBox()
        for box in (self.debut, self.fin):
            box.setRange(1990, 2100)
            box.setGroupSeparatorShown(False)
        periode = QHBoxLayout()
        periode.addWidget(self.debut)
        periode.addWidget(QLabel("à"))
        periode.addWidget(self.fin)
        periode.addStretch(1)
        self.signataires = QPlainTextEdit()
        self.signataires.setPlaceholderText("Un signataire par ligne (« Le Préfet du Pas-de-Calais »…)")
        self.signataires.setTabChangesFocus(True)
        self.referentiel = QLabel()
        self.referentiel.setStyleSheet(NOTE_STYLE)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for caption, widget, name in (
            ("&Nom du contrat :", self.nom, "Nom du contrat"),
            ("&EPCI :", self.epci, "Nom de l'EPCI"),
            ("&SIREN de l'EPCI :", self.siren, "SIREN de l'EPCI"),
            ("&Période :", periode, None),
            ("Si&gnataires :", self.signataires, "Signataires du contrat"),
            ("Référentiel :", self.referentiel, None),
        ):
            if isinstance(widget, QWidget) and name:
                widget.setAccessibleName(name)
            form.addRow(caption, widget)
        self.debut.setAccessibleName("Début de la période")
        self.fin.setAccessibleName("Fin de la période")
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(
            _note(
                "L'expéditeur, le signataire et le logo des lettres de notification se règlent dans "
                "l'onglet Campagne, bouton « Lettres : expéditeur, signataire, logo… »."
            )
        )
        layout.addLayout(self.footer())
        for edit in (self.nom, self.epci, self.siren):
            edit.textEdited.connect(self.mark)
        self.debut.valueChanged.connect(self.mark)
        self.fin.valueChanged.connect(self.mark)
        self.signataires.textChanged.connect(self.mark)
        self.load()

    def load(self) -> None:
        d = self.service.detail(self.contrat_id)
        self._loading = True
        try:
            self.version = d.version
            self.nom.setText(d.nom)
            self.epci.setText(d.epci_nom)
            self.siren.setText(d.epci_siren or "")
            self.debut.setValue(d.periode[0])
            self.fin.setValue(d.periode[1])
            self.signataires.setPlainText("\n".join(d.signataires))
            self.referentiel.setText(
                f"créé à partir du référentiel « {d.referentiel_code} »"
                if d.referentiel_code
                else "contrat saisi"
            )
        finally:
            self._loading = False
        self.show_problems(None)
        self.set_modified(False)

    def save(self) -> bool:
        try:
            self.version = self.service.update_contrat(
                self.contrat_id,
                self.version,
                self.nom.text(),
                self.epci.text(),
                self.siren.text() or None,
                (self.debut.value(), self.fin.value()),
            )
            self.service.save_signataires(self.contrat_id, self.signataires.toPlainText().splitlines())
        except UserError as exc:
            self.show_problems(exc)
            return False
        self.load()
        self.saved.emit()
        return True


class QuartierDialog(QDialog):
    """Add or edit one quartier; « OK » saves it (the dialog stays open on a refusal)."""

    def __init__(
        self, service: ContratService, contrat_id: int, row: QuartierRow | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.contrat_id = contrat_id
        self.row = row
        self.saved_id: int | None = None
        self.setWindowTitle("Modifier le quartier" if row else "Nouveau quartier")
        self.type = QComboBox()
        for code, label in QUARTIER_KIND_LABELS.items():
            self.type.addItem(label, code)
        self.code = QLineEdit()
        self.code.setPlaceholderText("QN06201M (QPV seulement)")
        self.nom = QLineEdit()
        self.communes = QLineEdit()
        self.communes.setPlaceholderText("séparées par des virgules")
        self.population = QSpinBox()
        self.population.setRange(-1, 10_000_000)
        self.population.setSpecialValueText("inconnue")
        self.population.setGroupSeparatorShown(True)
        self.aliases = QLineEdit()
        self.aliases.setPlaceholderText("anciens noms, graphies rencontrées ; séparés par des virgules")
        form = QFormLayout()
        for caption, widget, name in (
            ("&Type :", self.type, "Type de quartier"),
            ("&Code QPV :", self.code, "Code QPV"),
            ("&Nom :", self.nom, "Nom du quartier"),
            ("C&ommunes :", self.communes, "Communes"),
            ("&Population :", self.population, "Population"),
            ("&Autres noms :", self.aliases, "Autres noms"),
        ):
            widget.setAccessibleName(name)
            form.addRow(caption, widget)
        self.problems = _problems_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.type.currentIndexChanged.connect(self._on_type)
        if row is not None:
            self.type.setCurrentIndex(self.type.findData(row.type))
            self.code.setText(row.code or "")
            self.nom.setText(row.nom)
            self.communes.setText(", ".join(row.communes))
            self.population.setValue(-1 if row.population is None else row.population)
            self.aliases.setText(", ".join(row.aliases))
        else:
            self.population.setValue(-1)
        self._on_type()
        self.resize(520, self.sizeHint().height())

    def _on_type(self) -> None:
        self.code.setEnabled(self.type.currentData() == "qpv")

    def data(self) -> QuartierEdit:
        def split(text: str) -> tuple[str, ...]:
            return tuple(p.strip() for p in text.split(",") if p.strip())

        kind = str(self.type.currentData())
        return QuartierEdit(
            self.row.id if self.row else None,
            kind,
            self.nom.text(),
            code=self.code.text() if kind == "qpv" else None,
            population=None if self.population.value() < 0 else self.population.value(),
            communes=split(self.communes.text()),
            aliases=split(self.aliases.text()),
            version=self.row.version if self.row else None,
        )

    def accept(self) -> None:
        try:
            self.saved_id = self.service.save_quartier(self.contrat_id, self.data())
        except UserError as exc:
            self.problems.setText(problems_text(exc))
            self.problems.show()
            return
        super().accept()


class QuartiersTab(QWidget):
    """QPV and other quartiers: each change is saved at once (dialog « OK », « Supprimer »)."""

    saved = Signal()

    def __init__(
        self, db: Database, contrat_id: int, dialogs: Dialogs, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.dialogs = dialogs
        self.service = ContratService(db)
        self.contrat_id = contrat_id
        self.modified = False
        self.dialog: QuartierDialog | None = None
        self.model = quartiers_model(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Quartiers du contrat")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.activated.connect(lambda _i: self.edit_current())
        self.add_button = QPushButton("&Ajouter…")
        self.edit_button = QPushButton("&Modifier…")
        self.delete_button = QPushButton("&Supprimer")
        self.import_button = QPushButton("&Importer la liste officielle des QPV…")
        self.add_button.clicked.connect(lambda: self.open_dialog(None))
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.import_button.clicked.connect(self.import_qpv)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(
            _note(
                "Un quartier visé par des dossiers ne peut pas être supprimé ; pour un QPV renommé "
                "(géographie 2024), modifiez-le et gardez l'ancien nom dans « Autres noms »."
            )
        )
        self.load()

    def load(self) -> None:
        rows = self.service.quartiers(self.contrat_id)
        self.model.set_rows(rows)
        qpv = [q for q in rows if q.type == "qpv"]
        population = sum(q.population or 0 for q in qpv)
        codes = sum(1 for q in qpv if q.code)
        habitants = f"{population:,}".replace(",", "\u00a0")
        text = f"{len(qpv)} QPV, {habitants} habitants · {plural(len(rows) - len(qpv), 'autre quartier')}"
        if qpv and codes < len(qpv):
            text += f" · {len(qpv) - codes} QPV sans code officiel (à saisir ou importer)"
        self.summary.setText(text)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for n, column in enumerate(self.model.columns):
            hh.resizeSection(
                n, max(column.width or 90, self.fontMetrics().horizontalAdvance(column.header) + 30)
            )
        hh.setSectionResizeMode(self.model.column_index("aliases"), QHeaderView.ResizeMode.Stretch)

    def current(self) -> QuartierRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def open_dialog(self, row: QuartierRow | None) -> QuartierDialog:
        dialog = QuartierDialog(self.service, self.contrat_id, row, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._after_change)
        self.dialog = dialog
        dialog.open()  # window-modal, does not block
        return dialog

    def edit_current(self) -> QuartierDialog | None:
        row = self.current()
        if row is None:
            self.dialogs.info(self, "Quartiers", "Choisissez d'abord un quartier dans la liste.")
            return None
        return self.open_dialog(row)

    def delete_current(self) -> bool:
        row = self.current()
        if row is None:
            return False
        if not self.dialogs.confirm(
            self, "Supprimer le quartier", f"Supprimer « {row.nom} » du contrat ?", "Supprimer"
        ):
            return False
        try:
            self.service.delete_quartier(row.id)
        except UserError as exc:
            self.dialogs.error(self, "Suppression impossible", exc.message)
            return False
        self._after_change()
        return True

    def import_qpv(self) -> QWidget:
        from ui.import_wizard import QpvImportDialog

        contrat = self.service.get(self.contrat_id)
        dialog = QpvImportDialog(
            self.db, self.contrat_id, self.window(), dialogs=self.dialogs, contrat_label=contrat.nom
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(lambda _r: self._after_change())
        dialog.show()
        return dialog

    def _after_change(self) -> None:
        self.load()
        self.saved.emit()


class CadreTab(QWidget):
    def __init__(self, db: Database, contrat_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        service = ContratService(db)
        contrat = service.get(contrat_id)
        nodes = service.objectifs(contrat_id)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Code", "Titre", "Niveau"])
        self.tree.setAccessibleName("Cadre stratégique")
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        items: dict[int, QTreeWidgetItem] = {}
        niveaux = contrat.niveaux
        for o in nodes:
            level = niveaux[o.niveau] if o.niveau < len(niveaux) else f"niveau {o.niveau + 1}"
            parent_item = items.get(o.parent_id) if o.parent_id is not None else None
            item = QTreeWidgetItem([o.code, o.titre, level])
            item.setToolTip(1, o.titre)
            if parent_item is None:
                self.tree.addTopLevelItem(item)
            else:
                parent_item.addChild(item)
            items[o.id] = item
        self.tree.expandToDepth(0)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        counts: dict[int, int] = {}
        for o in nodes:
            counts[o.niveau] = counts.get(o.niveau, 0) + 1
        summary = " · ".join(
            f"{(niveaux[n] if n < len(niveaux) else f'niveau {n + 1}').lower()} : {counts[n]}"
            for n in sorted(counts)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(summary or "Cadre stratégique vide"))
        layout.addWidget(self.tree, 1)
        layout.addWidget(
            _note(
                "Le cadre stratégique vient du référentiel du contrat et se consulte ici en lecture seule : "
                "sa modification n'est pas encore possible dans l'application (les dossiers y sont rattachés)."
            )
        )


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
        hh.resizeSection(3, 260)
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
                "pas être retiré."
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
                    f.id, f.code, f.nom, f.type, versions.get(f.id), ", ".join(parts), bool(u and u.used)
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


def _date_edit(name: str) -> QDateEdit:
    """A date that may be empty: its minimum shows « non fixée »."""
    edit = QDateEdit()
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(1999, 12, 31))
    edit.setSpecialValueText("non fixée")
    edit.setAccessibleName(name)
    return edit


def _get_date(edit: QDateEdit) -> date | None:
    d = edit.date()
    return None if d == edit.minimumDate() else date(d.year(), d.month(), d.day())


def _set_date(edit: QDateEdit, value: date | None) -> None:
    edit.setDate(edit.minimumDate() if value is None else QDate(value.year, value.month, value.day))


class CampagneTab(_Tab):
    """One campagne of the contrat (chosen in the combo): identification, enveloppes, recevabilité."""

    open_window = Signal(str, int)  # "grille" / "cotation" / "lettres", campagne id
    new_campagne = Signal()

    def __init__(
        self,
        db: Database,
        contrat_id: int,
        campagne_id: int | None,
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(dialogs, parent)
        self.service = CampagneService(db)
        self.contrat_id = contrat_id
        self.campagne_id = campagne_id
        self.version = 0
        self.choice = QComboBox()
        self.choice.setAccessibleName("Campagne à paramétrer")
        self.choice.activated.connect(self._on_choice)
        self.new_button = QPushButton("&Nouvelle campagne…")
        self.new_button.clicked.connect(self.new_campagne.emit)
        top = QHBoxLayout()
        caption = QLabel("Ca&mpagne :")
        caption.setBuddy(self.choice)
        top.addWidget(caption)
        top.addWidget(self.choice, 1)
        top.addWidget(self.new_button)

        self.libelle = QLineEdit()
        self.libelle.setAccessibleName("Libellé de la campagne")
        self.annee = QSpinBox()
        self.annee.setRange(1990, 2100)
        self.annee.setGroupSeparatorShown(False)
        self.annee.setAccessibleName("Année")
        self.annee.setMaximumWidth(120)
        self.statut = QComboBox()
        self.statut.setAccessibleName("Statut de la campagne")
        for code in CAMPAGNE_STATUTS:
            self.statut.addItem(CAMPAGNE_STATUT_LABELS[code], code)
        self.ouverture = _date_edit("Date d'ouverture")
        self.cloture = _date_edit("Date de clôture")
        form = QFormLayout()
        form.addRow("&Libellé :", self.libelle)
        form.addRow("&Année :", self.annee)
        form.addRow("S&tatut :", self.statut)
        form.addRow("&Ouverture des dépôts :", self.ouverture)
        form.addRow("&Clôture des dépôts :", self.cloture)
        ident = QGroupBox("Appel à projets")
        ident.setLayout(form)

        links = QVBoxLayout()
        self.grille_button = QPushButton("&Grille d'analyse…")
        self.cotation_button = QPushButton("Cotation égalité &F/H…")
        self.lettres_button = QPushButton("Lettres : e&xpéditeur, signataire, logo…")
        for button, kind in (
            (self.grille_button, "grille"),
            (self.cotation_button, "cotation"),
            (self.lettres_button, "lettres"),
        ):
            button.clicked.connect(lambda _c=False, k=kind: self._open(k))
            links.addWidget(button)
        links.addStretch(1)
        tools = QGroupBox("Réglages de la campagne")
        tools.setLayout(links)

        upper = QHBoxLayout()
        upper.addWidget(ident, 3)
        upper.addWidget(tools, 2)

        self.enveloppes = EnveloppesModel(self)
        self.enveloppes.edited.connect(self.mark)
        self.enveloppes.edited.connect(self._update_total)
        self.enveloppes.rejected.connect(self._on_rejected)
        self.enveloppes_table = _table(self.enveloppes, "Enveloppes par financeur")
        hh = self.enveloppes_table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.total = QLabel()
        self.total.setAccessibleName("Total des enveloppes")
        env_box = QGroupBox("Enveloppes par financeur")
        env_layout = QVBoxLayout(env_box)
        env_layout.addWidget(self.enveloppes_table, 1)
        env_layout.addWidget(self.total)

        self.recevabilite = RecevabiliteModel(self)
        self.recevabilite.edited.connect(self.mark)
        self.recevabilite_table = _table(self.recevabilite, "Critères de recevabilité")
        rh = self.recevabilite_table.horizontalHeader()
        rh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        rh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        rh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        item_buttons, buttons = _line_buttons(
            "Ajouter un critère",
            self.add_item,
            self.remove_item,
            lambda delta: _move_current(self.recevabilite_table, self.recevabilite, delta),
        )
        self.add_item_button, self.remove_item_button, self.up_item_button, self.down_item_button = buttons
        rec_box = QGroupBox("Recevabilité")
        rec_layout = QVBoxLayout(rec_box)
        rec_layout.addWidget(self.recevabilite_table, 1)
        rec_layout.addLayout(item_buttons)
        rec_layout.addWidget(
            _note(
                "Un critère déjà vérifié sur des dossiers peut être renommé ou rendu facultatif, pas retiré."
            )
        )

        lower = QHBoxLayout()
        lower.addWidget(env_box, 1)
        lower.addWidget(rec_box, 1)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(upper)
        body.addLayout(lower, 1)
        self.empty = _note("Ce contrat n'a pas encore de campagne : créez-la avec « Nouvelle campagne… ».")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.body, 1)
        layout.addLayout(self.footer())

        self.libelle.textEdited.connect(self.mark)
        self.annee.valueChanged.connect(self.mark)
        self.statut.currentIndexChanged.connect(self.mark)
        self.ouverture.dateChanged.connect(self.mark)
        self.cloture.dateChanged.connect(self.mark)
        self.load()

    # --- loading -------------------------------------------------------------------------

    def fill_choices(self) -> None:
        rows = [c for c in self.service.all() if c.contrat_id == self.contrat_id]
        if self.campagne_id not in {c.id for c in rows}:
            self.campagne_id = max(rows, key=lambda c: c.annee).id if rows else None
        self.choice.blockSignals(True)
        self.choice.clear()
        for c in rows:
            name = c.libelle if str(c.annee) in c.libelle else f"{c.annee} — {c.libelle}"
            self.choice.addItem(f"{name} ({plural(c.nb_dossiers, 'dossier')})", c.id)
        self.choice.setCurrentIndex(self.choice.findData(self.campagne_id))
        self.choice.blockSignals(False)

    def load(self) -> None:
        self.fill_choices()
        has = self.campagne_id is not None
        self.body.setVisible(has)
        self.empty.setVisible(not has)
        self.choice.setEnabled(has)
        self._loading = True
        try:
            if self.campagne_id is not None:
                d = self.service.detail(self.campagne_id)
                self.version = d.version
                self.libelle.setText(d.libelle)
                self.annee.setValue(d.annee)
                self.statut.setCurrentIndex(self.statut.findData(d.statut))
                _set_date(self.ouverture, d.date_ouverture)
                _set_date(self.cloture, d.date_cloture)
                self.enveloppes.set_lines(
                    [
                        EnveloppeLine(
                            e.financeur_id,
                            e.code,
                            e.nom,
                            e.enveloppe_cents,
                            e.vote_cents,
                            has_enveloppe=e.has_enveloppe,
                        )
                        for e in self.service.enveloppes_suivi(self.campagne_id)
                    ]
                )
                self.recevabilite.set_lines(
                    [
                        RecevabiliteLine(i.id, i.libelle, i.obligatoire, i.n_checks)
                        for i in self.service.recevabilite_items(self.campagne_id)
                    ]
                )
        finally:
            self._loading = False
        self._update_total()
        self.show_problems(None)
        self.set_modified(False)

    def _update_total(self) -> None:
        env = self.enveloppes.total_cents()
        vote = sum(line.vote_cents for line in self.enveloppes.lines)
        self.total.setText(
            f"Total : {format_amount(env)} — voté {format_amount(vote)} — reste {format_amount(env - vote)}"
        )

    def _on_rejected(self, message: str) -> None:
        self.problems.setText(message)
        self.problems.show()

    def _on_choice(self, index: int) -> None:
        wanted = self.choice.itemData(index)
        if wanted == self.campagne_id:
            return
        if self.modified and not self.ask_keep_going("Changer de campagne"):
            self.choice.setCurrentIndex(self.choice.findData(self.campagne_id))
            return
        self.campagne_id = int(wanted)
        self.load()

    def show_campagne(self, campagne_id: int) -> None:
        self.campagne_id = campagne_id
        self.load()

    def ask_keep_going(self, title: str) -> bool:
        """Unsaved changes: save them, drop them, or stay (False)."""
        answer = self.dialogs.ask_save_discard_cancel(
            self, title, "La campagne a des modifications non enregistrées. Les enregistrer ?"
        )
        return answer == "discard" or (answer == "save" and self.save())

    # --- editing -------------------------------------------------------------------------

    def add_item(self) -> None:
        row = self.recevabilite.add(RecevabiliteLine(None, "Nouveau critère", True))
        index = self.recevabilite.index(row, 0)
        self.recevabilite_table.setCurrentIndex(index)
        self.recevabilite_table.edit(index)

    def remove_item(self) -> bool:
        index = self.recevabilite_table.currentIndex()
        if not index.isValid():
            return False
        line = self.recevabilite.lines[index.row()]
        if line.n_checks:
            self.dialogs.error(
                self,
                "Retrait impossible",
                f"« {line.libelle} » a déjà été vérifié sur {plural(line.n_checks, 'dossier')} : "
                "renommez-le ou rendez-le facultatif.",
            )
            return False
        self.recevabilite.remove(index.row())
        return True

    def _open(self, kind: str) -> None:
        if self.campagne_id is not None:
            self.open_window.emit(kind, self.campagne_id)

    def save(self) -> bool:
        if self.campagne_id is None:
            return True
        try:
            self.version = self.service.update(
                self.campagne_id,
                self.version,
                self.libelle.text(),
                str(self.statut.currentData()),
                _get_date(self.ouverture),
                _get_date(self.cloture),
                annee=self.annee.value(),
            )
            self.service.save_enveloppes(self.campagne_id, self.enveloppes.montants())
            self.service.save_recevabilite_items(self.campagne_id, self.recevabilite.edits())
        except UserError as exc:
            self.show_problems(exc)
            return False
        self.load()
        self.saved.emit()
        return True


# --- the window --------------------------------------------------------------------------------


class ParametresWindow(QMainWindow):
    """Paramètres of one contrat (and of one of its campagnes)."""

    changed = Signal()  # something was saved: the main window reloads
    open_campagne_window = Signal(str, int)  # "grille" / "cotation" / "lettres", campagne id
    new_campagne = Signal(int)  # contrat id

    TABS = ("contrat", "quartiers", "cadre", "financeurs", "campagne")

    def __init__(
        self,
        db: Database,
        contrat_id: int,
        campagne_id: int | None = None,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("parametres")
        self.db = db
        self.contrat_id = contrat_id
        self.dialogs = dialogs or Dialogs()
        contrat = ContratService(db).get(contrat_id)
        self.setWindowTitle(f"Paramètres — {contrat.nom}[*]")
        self.contrat_tab = ContratTab(db, contrat_id, self.dialogs)
        self.quartiers_tab = QuartiersTab(db, contrat_id, self.dialogs)
        self.cadre_tab = CadreTab(db, contrat_id)
        self.financeurs_tab = FinanceursTab(db, contrat_id, self.dialogs)
        self.campagne_tab = CampagneTab(db, contrat_id, campagne_id, self.dialogs)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Paramètres")
        self._titles = {
            self.contrat_tab: "C&ontrat",
            self.quartiers_tab: "&Quartiers",
            self.cadre_tab: "Ca&dre stratégique",
            self.financeurs_tab: "&Financeurs",
            self.campagne_tab: "Ca&mpagne",
        }
        for widget, title in self._titles.items():
            self.tabs.addTab(widget, title)
        self.setCentralWidget(self.tabs)
        for tab in self.editable_tabs():
            tab.modified_changed.connect(lambda _m, t=tab: self._on_modified(t))
            tab.saved.connect(self._on_saved)
        self.quartiers_tab.saved.connect(self.changed.emit)
        # Financeurs change the enveloppe lines of the campagne.
        self.financeurs_tab.saved.connect(self._reload_campagne_if_clean)
        self.campagne_tab.open_window.connect(self.open_campagne_window.emit)
        self.campagne_tab.new_campagne.connect(lambda: self.new_campagne.emit(self.contrat_id))
        save = self.addAction("Enregistrer l'onglet")
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(self.save_current)
        self.resize(1100, 720)

    def editable_tabs(self) -> tuple[_Tab, ...]:
        return (self.contrat_tab, self.financeurs_tab, self.campagne_tab)

    def show_tab(self, name: str) -> None:
        self.tabs.setCurrentIndex(self.TABS.index(name))

    @property
    def modified(self) -> bool:
        return any(t.modified for t in self.editable_tabs())

    def save_current(self) -> bool:
        tab = self.tabs.currentWidget()
        return tab.save() if isinstance(tab, _Tab) and tab.modified else True

    def _on_modified(self, tab: _Tab) -> None:
        title = self._titles[tab]
        self.tabs.setTabText(self.tabs.indexOf(tab), f"{title} •" if tab.modified else title)
        self.setWindowModified(self.modified)

    def _on_saved(self) -> None:
        self.statusBar().showMessage("Enregistré", 4000)
        self.changed.emit()

    def _reload_campagne_if_clean(self) -> None:
        if not self.campagne_tab.modified:
            self.campagne_tab.load()

    def closeEvent(self, event: QCloseEvent) -> None:
        dirty = [t for t in self.editable_tabs() if t.modified]
        if dirty:
            names = ", ".join(self._titles[t].replace("&", "") for t in dirty)
            answer = self.dialogs.ask_save_discard_cancel(
                self,
                "Fermer les paramètres",
                f"Modifications non enregistrées ({names}). Les enregistrer ?",
            )
            if answer == "cancel" or (answer == "save" and not all(t.save() for t in dirty)):
                event.ignore()
                return
        event.accept()


__all__ = [
    "CampagneTab",
    "EnveloppeLine",
    "EnveloppesModel",
    "FinanceurLine",
    "FinanceursModel",
    "ParametresWindow",
    "RecevabiliteModel",
    "TypeDelegate",
    "quartiers_model",
]
