"""Tab « Plan de financement »: coût total, one line per financeur or other resource (demandé and
proposé typed in French; voté read-only: it comes from the comité's decision, changed only by
« Modifier la décision… » in the « Comité et suivi » tab), live totals and warnings.

A line that carries a voted amount keeps its financeur and cannot be removed here (the service
refuses any change of voté in the fiche's save: `instructeur.domain.decision.vote_change_problems`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount, parse_amount, percent
from instructeur.errors import UserError
from instructeur.services.dossiers import DossierData, Ligne, plan_warnings
from instructeur.services.fiche import FicheContext
from ui.delegates import AmountDelegate
from ui.fiche.fields import ERROR_COLOUR, WARNING_COLOUR, AmountEdit, add_row, form_layout

AnyIndex = QModelIndex | QPersistentModelIndex
OTHER = -1  # « Autre ressource » in the financeur column
COL_FINANCEUR, COL_LIBELLE, COL_DEMANDE, COL_PROPOSE, COL_VOTE, COL_PART = range(6)
HEADERS = ("Financeur", "Libellé", "Demandé", "Proposé", "Voté", "Part du coût")
AMOUNT_COLUMNS = {COL_DEMANDE: "demande", COL_PROPOSE: "propose", COL_VOTE: "vote"}
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
VOTE_TOOLTIP = (
    "Montant voté par le comité : il vient de la décision du comité et ne se saisit pas ici "
    "(« Modifier la décision… » dans l'onglet « Comité et suivi »)"
)
VOTED_LINE_TOOLTIP = "Cette ligne porte un montant voté par le comité : son financeur ne peut pas changer"
READ_ONLY_BACKGROUND = "#eceff1"
READ_ONLY_FOREGROUND = "#455a64"

Amount = int | str | None  # cents, or the unreadable text the user typed


@dataclass
class _Line:
    financeur_id: int | None
    libelle: str
    demande: Amount
    propose: Amount = None
    vote: Amount = None


def _problem(value: Amount) -> str | None:
    if isinstance(value, str):
        return f"montant illisible : « {value} »"
    if isinstance(value, int) and value < 0:
        return "un montant ne peut pas être négatif"
    return None


def _cents(value: Amount) -> int:
    return value if isinstance(value, int) else 0


class PlanModel(QAbstractTableModel):
    """The lines of the plan, editable, plus a last « Total » row (read-only)."""

    def __init__(self, context: FicheContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._financeurs = {f.id: f for f in context.financeurs}
        self._lines: list[_Line] = []
        self._cout_total = 0

    # --- content --------------------------------------------------------------------------

    def set_lignes(self, lignes: tuple[Ligne, ...]) -> None:
        self.beginResetModel()
        try:
            self._lines = [
                _Line(
                    ligne.financeur_id,
                    ligne.libelle,
                    ligne.demande_cents,
                    ligne.propose_cents,
                    ligne.vote_cents,
                )
                for ligne in lignes
            ]
        finally:
            self.endResetModel()

    def set_cout_total(self, cents: int) -> None:
        if cents == self._cout_total:
            return
        self._cout_total = cents
        if self._lines:
            self.dataChanged.emit(self.index(0, COL_PART), self.index(len(self._lines), COL_PART))

    def lignes(self) -> tuple[Ligne, ...]:
        return tuple(
            Ligne(
                line.financeur_id,
                line.libelle.strip(),
                _cents(line.demande),
                line.propose if isinstance(line.propose, int) else None,
                line.vote if isinstance(line.vote, int) else None,
            )
            for line in self._lines
        )

    def problems(self) -> list[str]:
        out = []
        for n, line in enumerate(self._lines, start=1):
            for attr, label in (("demande", "demandé"), ("propose", "proposé"), ("vote", "voté")):
                if isinstance(getattr(line, attr), str):
                    out.append(f"plan de financement, ligne {n}, {label} : {_problem(getattr(line, attr))}")
        return out

    def add_line(self, financeur_id: int | None) -> int:
        row = len(self._lines)
        self.beginInsertRows(QModelIndex(), row, row)
        self._lines.append(_Line(financeur_id, "", 0))
        self.endInsertRows()
        self._totals_changed()
        return row

    def is_voted(self, row: int) -> bool:
        """The line carries a voted amount (set by the comité's decision)."""
        return 0 <= row < len(self._lines) and bool(_cents(self._lines[row].vote))

    def remove_line(self, row: int) -> None:
        if 0 <= row < len(self._lines) and not self.is_voted(row):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._lines[row]
            self.endRemoveRows()
            self._totals_changed()

    def line_count(self) -> int:
        return len(self._lines)

    def totals(self) -> tuple[int, int, int]:
        """(demandé, proposé, voté) over all lines, readable amounts only."""
        return (
            sum(_cents(line.demande) for line in self._lines),
            sum(_cents(line.propose) for line in self._lines),
            sum(_cents(line.vote) for line in self._lines),
        )

    def is_total_row(self, row: int) -> bool:
        return row == len(self._lines)

    # --- QAbstractItemModel ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(self._lines) + 1

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _RIGHT if section >= COL_DEMANDE else _LEFT
            if role == Qt.ItemDataRole.ToolTipRole and section == COL_VOTE:
                return VOTE_TOOLTIP
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self._lines):
                return section + 1
            if section == len(self._lines):
                return "Σ"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.is_total_row(index.row()) or index.column() in (COL_PART, COL_VOTE):
            return base
        if index.column() == COL_FINANCEUR and self.is_voted(index.row()):
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            not index.isValid()
            or not (0 <= index.row() <= len(self._lines))
            or not 0 <= index.column() < len(HEADERS)
        ):
            return None
        row, col = index.row(), index.column()
        if self.is_total_row(row):
            return self._total_data(col, role)
        line = self._lines[row]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col >= COL_DEMANDE else _LEFT
        if col == COL_VOTE:
            return self._vote_data(line, role)
        if col == COL_FINANCEUR:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._financeur_name(line.financeur_id)
            if role == Qt.ItemDataRole.EditRole:
                return line.financeur_id if line.financeur_id is not None else OTHER
            if role == Qt.ItemDataRole.ToolTipRole and self.is_voted(row):
                return VOTED_LINE_TOOLTIP
            return None
        if col == COL_LIBELLE:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
                return line.libelle
            if (
                role == Qt.ItemDataRole.ForegroundRole
                and line.financeur_id is None
                and not line.libelle.strip()
            ):
                return QColor(ERROR_COLOUR)
            if role == Qt.ItemDataRole.ToolTipRole and line.financeur_id is None:
                return "Nature de la ressource : fonds propres, mécénat, bénévolat valorisé…"
            return None
        if col in AMOUNT_COLUMNS:
            value: Amount = getattr(line, AMOUNT_COLUMNS[col])
            if role == Qt.ItemDataRole.DisplayRole:
                return "" if value is None else (value if isinstance(value, str) else format_amount(value))
            if role == Qt.ItemDataRole.EditRole:
                return (
                    ""
                    if value is None
                    else (value if isinstance(value, str) else format_amount(value, symbol=False))
                )
            problem = _problem(value) or self._cell_warning(line, col)
            if role == Qt.ItemDataRole.ForegroundRole and problem:
                return QColor(ERROR_COLOUR if _problem(value) else WARNING_COLOUR)
            if role == Qt.ItemDataRole.BackgroundRole and _problem(value):
                return QColor("#fdecea")
            if role == Qt.ItemDataRole.ToolTipRole:
                return problem
            return None
        if col == COL_PART and role == Qt.ItemDataRole.DisplayRole:
            ratio = percent(_cents(line.demande), self._cout_total)
            return "" if ratio is None else f"{ratio:.1f} %".replace(".", ",")
        return None

    def _vote_data(self, line: _Line, role: int) -> Any:
        """Read-only, visibly: grey cell, tooltip saying where the amount comes from."""
        value = line.vote
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if value is None else (value if isinstance(value, str) else format_amount(value))
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(READ_ONLY_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(READ_ONLY_FOREGROUND)
        if role == Qt.ItemDataRole.ToolTipRole:
            return VOTE_TOOLTIP
        return None

    def _total_data(self, col: int, role: int) -> Any:
        demande, propose, vote = self.totals()
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col >= COL_DEMANDE else _LEFT
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(READ_ONLY_BACKGROUND if col == COL_VOTE else "#eef1f4")
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_VOTE:
            return VOTE_TOOLTIP
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and col == COL_DEMANDE
            and self._lines
            and demande != self._cout_total
        ):
            return QColor(WARNING_COLOUR)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == COL_FINANCEUR:
            return "Total des ressources"
        if col == COL_DEMANDE:
            return format_amount(demande)
        if col == COL_PROPOSE:
            return format_amount(propose) if any(line.propose is not None for line in self._lines) else ""
        if col == COL_VOTE:
            return format_amount(vote) if any(line.vote is not None for line in self._lines) else ""
        if col == COL_PART:
            ratio = percent(demande, self._cout_total)
            return "" if ratio is None else f"{ratio:.1f} %".replace(".", ",")
        return ""

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or not self.flags(index) & Qt.ItemFlag.ItemIsEditable
        ):
            return False
        line = self._lines[index.row()]
        col = index.column()
        if col == COL_FINANCEUR:
            fid = None if value in (None, OTHER) else int(value)
            if fid is not None and fid not in self._financeurs:
                return False
            line.financeur_id = fid
            self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), COL_LIBELLE))
            return True
        if col == COL_LIBELLE:
            line.libelle = str(value or "")
            self.dataChanged.emit(index, index)
            return True
        text = str(value if value is not None else "").strip()
        parsed: Amount
        if not text:
            parsed = 0 if col == COL_DEMANDE else None
        else:
            try:
                parsed = parse_amount(text)
            except UserError:
                parsed = text  # kept as typed, shown in red, refused on save
        setattr(line, AMOUNT_COLUMNS[col], parsed)
        self.dataChanged.emit(self.index(index.row(), COL_DEMANDE), self.index(index.row(), COL_PART))
        self._totals_changed()
        return True

    # --- internals ------------------------------------------------------------------------

    def _financeur_name(self, financeur_id: int | None) -> str:
        if financeur_id is None:
            return "Autre ressource"
        f = self._financeurs.get(financeur_id)
        return f.nom if f else f"financeur n° {financeur_id}"

    def _cell_warning(self, line: _Line, col: int) -> str | None:
        demande, propose, vote = line.demande, line.propose, line.vote
        if col == COL_PROPOSE and isinstance(propose, int) and isinstance(demande, int) and propose > demande:
            return "proposé supérieur au demandé"
        if col == COL_VOTE and isinstance(vote, int) and isinstance(propose, int) and vote > propose:
            return "voté supérieur au proposé"
        return None

    def _totals_changed(self) -> None:
        total = len(self._lines)
        self.dataChanged.emit(self.index(total, 0), self.index(total, len(HEADERS) - 1))


class FinanceurDelegate(QStyledItemDelegate):
    """A combo box of the contrat's financeurs, plus « Autre ressource »."""

    def __init__(self, context: FicheContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._choices = [(f.id, f.nom) for f in context.financeurs] + [(OTHER, "Autre ressource")]

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.setAccessibleName("Financeur de la ligne")
        for fid, nom in self._choices:
            combo.addItem(nom, fid)
        return combo

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def financement_warnings(data: DossierData, context: FicheContext) -> list[str]:
    """Non-blocking checks of the plan shown live under the table."""
    out = list(plan_warnings(data))
    names = {f.id: f.nom for f in context.financeurs}
    for ligne in data.lignes:
        if ligne.financeur_id is None:
            continue
        nom = names.get(ligne.financeur_id, "financeur")
        enveloppe = context.enveloppes.get(ligne.financeur_id)
        if enveloppe is not None and ligne.demande_cents > enveloppe:
            out.append(
                f"{nom} : demandé {format_amount(ligne.demande_cents)}, plus que son enveloppe "
                f"de la campagne ({format_amount(enveloppe)})"
            )
        if ligne.propose_cents is not None and ligne.propose_cents > ligne.demande_cents:
            out.append(f"{nom} : proposé ({format_amount(ligne.propose_cents)}) supérieur au demandé")
        if (
            ligne.vote_cents is not None
            and ligne.propose_cents is not None
            and ligne.vote_cents > ligne.propose_cents
        ):
            out.append(f"{nom} : voté ({format_amount(ligne.vote_cents)}) supérieur au proposé")
    financeurs = [ligne.financeur_id for ligne in data.lignes if ligne.financeur_id is not None]
    if len(financeurs) != len(set(financeurs)):
        out.append("un financeur apparaît sur deux lignes")
    return out


class FinancementTab(QWidget):
    changed = Signal()

    def __init__(self, context: FicheContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.cout_total = AmountEdit("Coût total de l'action")
        self.cout_total.setMaximumWidth(200)
        self.ecart = QLabel()
        self.ecart.setAccessibleName("Écart entre ressources et coût total")

        self.model = PlanModel(context, self)
        self.table = QTableView()
        self.table.setAccessibleName("Plan de financement")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(COL_FINANCEUR, FinanceurDelegate(context, self.table))
        # The application's amount input: empty with a placeholder, whole content selected on focus.
        self.table.setItemDelegateForColumn(COL_DEMANDE, AmountDelegate(self.table, zero_as_empty=True))
        self.table.setItemDelegateForColumn(COL_PROPOSE, AmountDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setTabKeyNavigation(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.table.setToolTip(
            "F2 ou saisie directe pour modifier une cellule ; montants en euros (« 12 500,50 »)"
        )
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(COL_FINANCEUR, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(COL_LIBELLE, QHeaderView.ResizeMode.Stretch)
        hh.resizeSection(COL_FINANCEUR, 340)
        for col in (COL_DEMANDE, COL_PROPOSE, COL_VOTE):
            hh.resizeSection(col, 140)
        hh.resizeSection(COL_PART, 110)

        self.add_financeur = QPushButton("Ajouter un &financeur")
        self.add_other = QPushButton("Ajouter une &autre ressource")
        self.remove = QPushButton("&Supprimer la ligne")
        self.remove.setToolTip("Supprime la ligne sélectionnée (Suppr dans le tableau)")
        QShortcut(QKeySequence.StandardKey.Delete, self.table, self._remove_current)

        self.warnings = QLabel()
        self.warnings.setAccessibleName("Avertissements du plan de financement")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.RichText)
        self.voted_note = QLabel()
        self.voted_note.setAccessibleName("Montants votés")
        self.voted_note.setWordWrap(True)
        self.voted_note.setTextFormat(Qt.TextFormat.RichText)
        self.enveloppes = QLabel()
        self.enveloppes.setWordWrap(True)
        self.enveloppes.setStyleSheet("color: palette(placeholder-text);")

        form = form_layout()
        cout_row = QHBoxLayout()
        cout_row.addWidget(self.cout_total)
        cout_row.addSpacing(12)
        cout_row.addWidget(self.ecart, 1)
        label = add_row(form, "&Coût total de l'action :", None)
        label.setBuddy(self.cout_total)
        form.addRow(label, cout_row)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_financeur)
        buttons.addWidget(self.add_other)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.warnings)
        layout.addWidget(self.voted_note)
        layout.addWidget(self.enveloppes)
        layout.addStretch(1)

        self.cout_total.textChanged.connect(self._on_change)
        self.model.dataChanged.connect(self._on_change)
        self.model.rowsInserted.connect(self._on_change)
        self.model.rowsRemoved.connect(self._on_change)
        self.add_financeur.clicked.connect(self._add_financeur)
        self.add_other.clicked.connect(lambda: self._add(None))
        self.remove.clicked.connect(self._remove_current)

    def load(self, data: DossierData) -> None:
        self.model.set_lignes(data.lignes)
        voted = any(ligne.vote_cents for ligne in data.lignes)
        self.voted_note.setText(
            "La colonne « Voté » reprend la décision du comité ; elle se modifie par "
            "« Modifier la décision… » (onglet « Comité et suivi »)."
            if voted
            else ""
        )
        self.voted_note.setVisible(voted)
        self.cout_total.set_cents(data.cout_total_cents)
        self._on_change()

    def cout_total_cents(self) -> int:
        return self.cout_total.cents() or 0

    def problems(self) -> list[tuple[QWidget, str]]:
        out: list[tuple[QWidget, str]] = []
        if (p := self.cout_total.problem()) is not None:
            out.append((self.cout_total, f"coût total : {p}"))
        out.extend((self.table, p) for p in self.model.problems())
        return out

    def update_warnings(self, data: DossierData) -> None:
        """Called by the window with the fiche's current data (coût total and lines)."""
        warnings = financement_warnings(data, self._context)
        errors = [p for _, p in self.problems()]
        parts = [f"<span style='color:{ERROR_COLOUR}'>✗ {_esc(e)}</span>" for e in errors]
        parts += [f"<span style='color:{WARNING_COLOUR}'>⚠ {_esc(w)}</span>" for w in warnings]
        self.warnings.setText("<br>".join(parts))
        self.warnings.setVisible(bool(parts))
        demande = sum(ligne.demande_cents for ligne in data.lignes)
        diff = demande - data.cout_total_cents
        if not data.lignes:
            self.ecart.setText("")
        elif diff == 0:
            self.ecart.setText("<span style='color:#1b5e20'>✓ ressources égales au coût total</span>")
        else:
            word = "excédent" if diff > 0 else "manque"
            self.ecart.setText(
                f"<span style='color:{WARNING_COLOUR}'>ressources {format_amount(demande)} : "
                f"{word} de {format_amount(abs(diff))}</span>"
            )
        env = []
        for f in self._context.financeurs:
            if f.id in self._context.enveloppes:
                env.append(f"{f.nom} {format_amount(self._context.enveloppes[f.id])}")
        self.enveloppes.setText(("Enveloppes de la campagne : " + " · ".join(env)) if env else "")

    # --- internals ------------------------------------------------------------------------

    def _on_change(self, *_args: object) -> None:
        self.model.set_cout_total(self.cout_total_cents())
        self._fit_height()
        self.changed.emit()

    def _fit_height(self) -> None:
        """As tall as the lines plus room for three more: warnings stay close to the totals."""
        rows = self.model.rowCount() + 3
        height = (
            self.table.horizontalHeader().sizeHint().height()
            + rows * self.table.verticalHeader().defaultSectionSize()
        )
        self.table.setMaximumHeight(height + 2 * self.table.frameWidth() + 4)

    def _add_financeur(self) -> None:
        used = {ligne.financeur_id for ligne in self.model.lignes()}
        free = next((f.id for f in self._context.financeurs if f.id not in used), None)
        self._add(
            free
            if free is not None
            else (self._context.financeurs[0].id if self._context.financeurs else None)
        )

    def _add(self, financeur_id: int | None) -> None:
        row = self.model.add_line(financeur_id)
        column = COL_DEMANDE if financeur_id is not None else COL_LIBELLE
        index = self.model.index(row, column)
        self.table.setCurrentIndex(index)
        self.table.setFocus()
        self.table.edit(index)

    def _remove_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() or self.model.is_total_row(index.row()):
            return
        if self.model.is_voted(index.row()):
            self.voted_note.setText(
                f"<span style='color:{WARNING_COLOUR}'>⚠ Cette ligne porte un montant voté par le comité : "
                "elle ne peut pas être supprimée (« Modifier la décision… » dans l'onglet « Comité et suivi »).</span>"
            )
            return
        self.model.remove_line(index.row())


def _esc(text: str) -> str:
    import html

    return html.escape(text)
