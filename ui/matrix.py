"""« Notation » : the keyboard-fast scoring matrix of one évaluateur (DESIGN.md §7, screen 4).

Rows = the dossiers of the campagne assigned to the évaluateur, columns = the criteria of the
campagne's grille, then « Total /20 » and « Commentaire ». Edits stay in the model (bold, tinted)
until « Enregistrer » (Ctrl+S) sends every changed évaluation at once (`save_matrix`, all or
nothing); a refusal (another user saved meanwhile, a note out of scale) leaves the edits in place.

Keyboard: typing a digit on a criterion cell opens the editor with that digit; Tab / Maj+Tab go to
the next / previous criterion (wrapping to the next / previous dossier), Entrée goes down to the
same criterion of the next dossier; Suppr erases a note. Évaluations in conflict of interest are
greyed and read-only.

`ui.actions.instruction.InstructionActions` adds the instruction entries to the main window's « Campagne » menu (grille,
cotation F/H, évaluateurs, matrix), one window of each kind per campagne.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QRegularExpressionValidator,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain import scoring
from instructeur.domain.scoring import CritereSpec
from instructeur.errors import ConcurrentEditError, UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.grilles import CritereDto
from instructeur.services.notation import MatrixChange, MatrixDto, MatrixRow, NotationService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.models.table import ALIGN_CENTER, ALIGN_LEFT, ALIGN_RIGHT
from ui.screen_fit import FitsScreen

if TYPE_CHECKING:
    pass

AnyIndex = QModelIndex | QPersistentModelIndex

MODIFIED_BACKGROUND = QColor("#fff3c4")
CONFLICT_BACKGROUND = QColor("#e6e6e6")
CONFLICT_FOREGROUND = QColor("#8a8a8a")
INCOMPLETE_FOREGROUND = QColor("#8a8a8a")
INTITULE_CHARS = 42


def short_label(critere: CritereDto, number: int, unique_sections: bool) -> str:
    """Header of a criterion column: « 3. Porteur » when sections name one criterion each."""
    if unique_sections and critere.section.strip():
        return f"{number}. {critere.section.strip()}"
    words = critere.libelle.split()
    text = ""
    for word in words:
        if len(text) + len(word) > 14 and text:
            break
        text = f"{text} {word}".strip()
    return f"{number}. {text}"


def two_lines(text: str, limit: int = 12) -> str:
    """A header on two balanced lines when longer than `limit` characters (narrow columns)."""
    spaces = [n for n, ch in enumerate(text) if ch == " "][1:]  # never right after « 3. »
    if len(text) <= limit or not spaces:
        return text
    cut = min(spaces, key=lambda n: abs(n - len(text) / 2))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def critere_tooltip(critere: CritereDto) -> str:
    """Full label, aide and scale (with the level labels) of a criterion."""
    lines = [critere.libelle]
    if critere.aide.strip():
        lines.append(critere.aide.strip())
    scale = f"Échelle {critere.echelle_min}–{critere.echelle_max}"
    if critere.niveaux:
        levels = ", ".join(f"{critere.echelle_min + n} {label}" for n, label in enumerate(critere.niveaux))
        scale += f" : {levels}"
    lines.append(scale)
    details = [f"poids {critere.poids}"]
    if critere.eliminatoire:
        details.append("éliminatoire (la note minimale rend le dossier non retenable)")
    lines.append(", ".join(details).capitalize())
    return "\n".join(lines)


def format_total(value: Any) -> str:
    shown = scoring.display(value)
    return "" if shown is None else f"{shown}".replace(".", ",")


def modifications_text(n: int) -> str:
    if n == 0:
        return "Aucune modification"
    return f"{n} modification{'s' if n > 1 else ''} non enregistrée{'s' if n > 1 else ''}"


@dataclass(frozen=True)
class _Fixed:
    key: str
    header: str
    width: int


FIXED = (
    _Fixed("reference", "Référence", 96),
    _Fixed("porteur", "Porteur", 170),
    _Fixed("intitule", "Intitulé", 230),
)


class MatrixModel(QAbstractTableModel):
    """Editable dossiers × criteria table over a `MatrixDto`; edits kept until `changes()` is saved."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    modificationsChanged = Signal(int)
    message = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dto: MatrixDto | None = None
        self._rows: list[MatrixRow] = []
        self._criteria: list[tuple[CritereDto, ...]] = []  # per row: its grille's criteria
        self._headers: list[CritereDto] = []
        self._labels: list[str] = []
        self._edits: dict[tuple[int, int], int | None] = {}  # (row, critere id) → note (None erases)
        self._comments: dict[int, str] = {}  # row → commentaire
        self._totals: list[Any] = []

    # --- content ----------------------------------------------------------------------------

    @property
    def dto(self) -> MatrixDto | None:
        return self._dto

    @property
    def n_criteria(self) -> int:
        return len(self._headers)

    @property
    def total_column(self) -> int:
        return len(FIXED) + self.n_criteria

    @property
    def comment_column(self) -> int:
        return self.total_column + 1

    def criterion_column(self, position: int) -> int:
        return len(FIXED) + position

    def is_criterion_column(self, column: int) -> bool:
        return len(FIXED) <= column < self.total_column

    def set_matrix(self, dto: MatrixDto, *, keep_edits: bool = False) -> None:
        """Shows `dto`; with `keep_edits`, the unsaved edits are applied again on top of it (rows
        matched by évaluation, edits equal to the new stored values dropped)."""
        old_edits: dict[tuple[int, int], int | None] = {}
        old_comments: dict[int, str] = {}
        if keep_edits:
            old_edits = {(self._rows[r].evaluation_id, cid): v for (r, cid), v in self._edits.items()}
            old_comments = {self._rows[r].evaluation_id: text for r, text in self._comments.items()}
        self.beginResetModel()
        try:
            self._dto = dto
            self._rows = list(dto.rows)
            self._criteria = [dto.grilles.get(r.grille_id, dto.columns) for r in self._rows]
            longest = max([dto.columns, *self._criteria], key=len, default=())
            self._headers = list(dto.columns) + list(longest[len(dto.columns) :])
            unique = len({c.section for c in self._headers}) == len(self._headers)
            self._labels = [short_label(c, n, unique) for n, c in enumerate(self._headers, start=1)]
            self._edits = {}
            self._comments = {}
            rows_by_eval = {row.evaluation_id: n for n, row in enumerate(self._rows)}
            for (eid, cid), value in old_edits.items():
                n = rows_by_eval.get(eid)
                if (
                    n is not None
                    and not self._rows[n].conflit
                    and self._rows[n].notes.get(cid) != value
                    and any(c.id == cid for c in self._criteria[n])
                ):
                    self._edits[(n, cid)] = value
            for eid, text in old_comments.items():
                n = rows_by_eval.get(eid)
                if n is not None and not self._rows[n].conflit and text != (self._rows[n].commentaire or ""):
                    self._comments[n] = text
            self._totals = [self._compute_total(n) for n in range(len(self._rows))]
        finally:
            self.endResetModel()
        self.modificationsChanged.emit(self.modification_count())

    def row_at(self, row: int) -> MatrixRow:
        return self._rows[row]

    def critere_at(self, row: int, column: int) -> CritereDto | None:
        """The criterion of the row's own grille shown in `column` (None outside the criteria)."""
        if not (0 <= row < len(self._rows) and self.is_criterion_column(column)):
            return None
        criteria = self._criteria[row]
        position = column - len(FIXED)
        return criteria[position] if position < len(criteria) else None

    def notes_of(self, row: int) -> dict[int, int]:
        """The row's notes with the unsaved edits applied."""
        notes = dict(self._rows[row].notes)
        for (r, cid), value in self._edits.items():
            if r != row:
                continue
            if value is None:
                notes.pop(cid, None)
            else:
                notes[cid] = value
        return notes

    def total_of(self, row: int) -> Any:
        return self._totals[row]

    def is_editable(self, row: int, column: int) -> bool:
        if not 0 <= row < len(self._rows) or self._rows[row].conflit:
            return False
        return column == self.comment_column or self.critere_at(row, column) is not None

    def modification_count(self) -> int:
        return len(self._edits) + len(self._comments)

    def is_modified(self) -> bool:
        return bool(self._edits or self._comments)

    def is_cell_modified(self, row: int, column: int) -> bool:
        if column == self.comment_column:
            return row in self._comments
        critere = self.critere_at(row, column)
        return critere is not None and (row, critere.id) in self._edits

    def changes(self) -> list[MatrixChange]:
        """One `MatrixChange` per évaluation with edits (its changed notes and commentaire)."""
        rows = sorted({r for r, _ in self._edits} | set(self._comments))
        out = []
        for r in rows:
            row = self._rows[r]
            notes = {cid: value for (rr, cid), value in self._edits.items() if rr == r}
            out.append(MatrixChange(row.evaluation_id, row.version, notes, self._comments.get(r)))
        return out

    def revert(self) -> None:
        """Drops the unsaved edits (« Annuler les modifications »)."""
        if self._dto is not None:
            self.set_matrix(self._dto)

    # --- QAbstractItemModel -----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt default)
        return 0 if parent.isValid() else len(FIXED) + self.n_criteria + 2

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._rows):
                return section + 1
            return None
        if not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(FIXED):
                return FIXED[section].header
            if section == self.total_column:
                return "Total /20"
            if section == self.comment_column:
                return "Commentaire"
            return two_lines(self._labels[section - len(FIXED)])
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.is_criterion_column(section):
                return critere_tooltip(self._headers[section - len(FIXED)])
            if section == self.total_column:
                return (
                    "Total pondéré ramené sur 20, recalculé à chaque note (vide tant qu'il manque une note)"
                )
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self.is_criterion_column(section):
                return int(ALIGN_CENTER.value)
            if section == self.total_column:
                return int(ALIGN_RIGHT.value)
            return int(ALIGN_LEFT.value)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._rows) and 0 <= c < self.columnCount()):
            return None
        row = self._rows[r]
        if role == self.RowRole:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(r, c, role == Qt.ItemDataRole.EditRole)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self.is_criterion_column(c):
                return int(ALIGN_CENTER.value)
            return int((ALIGN_RIGHT if c == self.total_column else ALIGN_LEFT).value)
        if role == Qt.ItemDataRole.FontRole:
            if self.is_cell_modified(r, c) or (c == self.total_column and self._row_modified(r)):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.conflit:
                return CONFLICT_BACKGROUND
            if self.is_cell_modified(r, c):
                return MODIFIED_BACKGROUND
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.conflit:
                return CONFLICT_FOREGROUND
            if c == self.total_column and self._totals[r] is None:
                return INCOMPLETE_FOREGROUND
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, c)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.reference}, {self.headerData(c, Qt.Orientation.Horizontal)} : {self._text(r, c, False)}"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        if self.is_editable(index.row(), index.column()):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        r, c = index.row(), index.column()
        if not self.is_editable(r, c):
            if 0 <= r < len(self._rows) and self._rows[r].conflit:
                self.message.emit(
                    f"Dossier {self._rows[r].reference} : conflit d'intérêts déclaré, évaluation non modifiable"
                )
            return False
        row = self._rows[r]
        if c == self.comment_column:
            text = "" if value is None else str(value)
            if text == (row.commentaire or ""):
                self._comments.pop(r, None)
            else:
                self._comments[r] = text
            self.dataChanged.emit(index, index)
            self.modificationsChanged.emit(self.modification_count())
            return True
        critere = self.critere_at(r, c)
        assert critere is not None
        note = self._parse(value, critere, row.reference)
        if note is False:
            return False
        assert note is not True
        key = (r, critere.id)
        if note == row.notes.get(critere.id):
            self._edits.pop(key, None)
        else:
            self._edits[key] = note
        self._totals[r] = self._compute_total(r)
        total = self.index(r, self.total_column)
        self.dataChanged.emit(index, index)
        self.dataChanged.emit(total, total)
        self.modificationsChanged.emit(self.modification_count())
        return True

    # --- internals --------------------------------------------------------------------------

    def _parse(self, value: Any, critere: CritereDto, reference: str) -> int | None | bool:
        """The note typed (None = erased), or False after emitting the refusal message."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            note = value
        else:
            text = str(value).strip()
            if not text.isdigit():
                self.message.emit(f"« {text} » : tapez une note entière (chiffres seulement)")
                return False
            note = int(text)
        if not critere.echelle_min <= note <= critere.echelle_max:
            self.message.emit(
                f"Dossier {reference}, « {critere.libelle} » : note {note} refusée, "
                f"l'échelle va de {critere.echelle_min} à {critere.echelle_max}"
            )
            return False
        return note

    def _row_modified(self, r: int) -> bool:
        return r in self._comments or any(rr == r for rr, _ in self._edits)

    def _compute_total(self, r: int) -> Any:
        specs = [
            CritereSpec(c.id, c.poids, c.echelle_min, c.echelle_max, c.eliminatoire, c.libelle)
            for c in self._criteria[r]
        ]
        if not specs:
            return None
        try:
            return scoring.weighted_total_20(specs, self.notes_of(r))
        except ValueError:
            return None

    def _text(self, r: int, c: int, edit: bool) -> str:
        row = self._rows[r]
        if c == 0:
            return row.reference
        if c == 1:
            return row.porteur
        if c == 2:
            if edit or len(row.intitule) <= INTITULE_CHARS:
                return row.intitule
            return row.intitule[: INTITULE_CHARS - 1].rstrip() + "…"
        if c == self.total_column:
            if row.conflit:
                return "conflit"
            total = self._totals[r]
            if total is None:
                notes = self.notes_of(r)
                weighted = [x for x in self._criteria[r] if x.poids > 0]
                done = sum(1 for x in weighted if x.id in notes)
                return f"{done}/{len(weighted)} notes" if done else ""
            return format_total(total)
        if c == self.comment_column:
            return self._comments.get(r, row.commentaire or "")
        critere = self.critere_at(r, c)
        if critere is None:
            return ""
        value = self.notes_of(r).get(critere.id)
        return "" if value is None else str(value)

    def _tooltip(self, r: int, c: int) -> str | None:
        row = self._rows[r]
        if row.conflit:
            return f"Conflit d'intérêts déclaré : évaluation exclue de la moyenne, non modifiable ({row.reference})"
        if c == 2:
            return row.intitule
        if c == self.comment_column:
            return self._text(r, c, False) or None
        critere = self.critere_at(r, c)
        if critere is None:
            return None
        value = self.notes_of(r).get(critere.id)
        head = critere.libelle
        if self._dto is not None and row.grille_id != self._dto.grille_id:
            head += " (notée sur une version antérieure de la grille)"
        if value is None:
            return f"{head}\nNon noté ({critere.echelle_min}–{critere.echelle_max})"
        return f"{head}\n{value} — {critere.level_label(value)}"


class NoteDelegate(QStyledItemDelegate):
    """Digits-only editor for the criteria (a plain line for the commentaire); Tab and Entrée
    commit, close the editor and let the view move (`MatrixView.after_commit`)."""

    def __init__(self, view: MatrixView) -> None:
        super().__init__(view)
        self._view = view
        self.editor: QLineEdit | None = None
        self.last_accepted = True

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        model = index.model()
        if isinstance(model, MatrixModel) and model.is_criterion_column(index.column()):
            editor.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,3}"), editor))
            editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
            editor.setAccessibleName("Note")
        else:
            editor.setAccessibleName("Commentaire")
        self.editor = editor
        editor.destroyed.connect(self._forget)
        return editor

    def _forget(self, *_args: object) -> None:
        self.editor = None

    def setModelData(self, editor: QWidget, model: Any, index: AnyIndex) -> None:
        assert isinstance(editor, QLineEdit)
        self.last_accepted = bool(model.setData(index, editor.text(), Qt.ItemDataRole.EditRole))

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, QLineEdit):
            assert isinstance(event, QKeyEvent)
            key = event.key()
            moves = {
                Qt.Key.Key_Tab: "next",
                Qt.Key.Key_Backtab: "previous",
                Qt.Key.Key_Return: "down",
                Qt.Key.Key_Enter: "down",
            }
            if key in moves and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                move = moves[key]
                if key == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    move = "previous"
                self.last_accepted = True
                self.commitData.emit(editor)
                accepted = self.last_accepted
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                self._view.after_commit(move if accepted else None)
                return True
        return super().eventFilter(editor, event)


class MatrixView(QTableView):
    """The matrix table with its keyboard: digits start editing, Tab/Entrée move (module doc)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delegate = NoteDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setTabKeyNavigation(True)
        self.setAccessibleName("Matrice de notation")

    def matrix_model(self) -> MatrixModel:
        model = self.model()
        assert isinstance(model, MatrixModel)
        return model

    def editor(self) -> QLineEdit | None:
        """The open editor, if any."""
        return self.delegate.editor

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        if editor is self.delegate.editor:
            self.delegate.editor = None
        super().closeEditor(editor, hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.matrix_model()
        index = self.currentIndex()
        key = event.key()
        editing = self.state() == QAbstractItemView.State.EditingState
        if not editing and index.isValid() and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            column = index.column()
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                back = key == Qt.Key.Key_Backtab or bool(
                    event.modifiers() & Qt.KeyboardModifier.ShiftModifier
                )
                self.after_commit("previous" if back else "next")
                event.accept()
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.after_commit("down")
                event.accept()
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and model.is_criterion_column(column):
                if model.is_editable(index.row(), column):
                    model.setData(index, "", Qt.ItemDataRole.EditRole)
                event.accept()
                return
            if model.is_criterion_column(column) and event.text():
                if not event.text().isdigit():
                    event.accept()  # letters never open a note editor
                    return
                if not model.is_editable(index.row(), column):
                    model.setData(index, event.text())  # explains the refusal in the status bar
                    event.accept()
                    return
        super().keyPressEvent(event)

    def after_commit(self, move: str | None) -> None:
        """Moves the current cell after a commit: "next"/"previous" criterion, "down", or stays."""
        index = self.currentIndex()
        if move is None or not index.isValid():
            return
        target = self._target(index.row(), index.column(), move)
        if target is not None:
            self.setCurrentIndex(target)
            self.scrollTo(target)

    def _target(self, row: int, column: int, move: str) -> QModelIndex | None:
        model = self.matrix_model()
        first, last = model.criterion_column(0), model.total_column - 1
        rows = model.rowCount()
        if move == "down":
            for r in range(row + 1, rows):
                if model.is_editable(r, column):
                    return model.index(r, column)
            return None
        step = 1 if move == "next" else -1
        r, c = row, column
        if not model.is_criterion_column(c):  # from a fixed column or the commentaire
            c = first - step if step > 0 else last + 1
        while True:
            c += step
            if c > last:
                r, c = r + 1, first
            elif c < first:
                r, c = r - 1, last
            if not 0 <= r < rows:
                return None
            if model.is_editable(r, c):
                return model.index(r, c)


class MatrixWindow(FitsScreen, QMainWindow):
    """« Notation — <campagne> » for one évaluateur at a time (combo)."""

    saved = Signal()

    def __init__(
        self,
        db: Database,
        campagne_id: int,
        *,
        evaluateur_id: int | None = None,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self._db = db
        self._dialogs = dialogs or Dialogs()
        self.campagne_id = campagne_id
        self.notation = NotationService(db)
        campagne = next((c for c in CampagneService(db).all() if c.id == campagne_id), None)
        if campagne is None:
            raise UserError(f"campagne {campagne_id} introuvable")
        self.campagne = campagne
        name = (
            campagne.libelle
            if str(campagne.annee) in campagne.libelle
            else f"{campagne.libelle} {campagne.annee}"
        )
        self.setWindowTitle(f"Notation — {name}[*]")
        self.setObjectName("matrixWindow")

        self.model = MatrixModel(self)
        self.view = MatrixView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.verticalHeader().setVisible(False)
        hh = self.view.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)

        self.evaluateur_combo = QComboBox()
        self.evaluateur_combo.setAccessibleName("Évaluateur")
        self.evaluateur_combo.setMinimumContentsLength(30)
        self.evaluateur_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label = QLabel("É&valuateur :")
        label.setBuddy(self.evaluateur_combo)
        self.info_label = QLabel()
        self.info_label.setAccessibleName("Avancement de la notation")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background:#fde8e8; color:#8a1c1c; border:1px solid #e3a5a5; border-radius:4px; padding:6px;"
        )
        self.banner.setAccessibleName("Message")
        self.banner.hide()
        self.reload_button = QPushButton("&Recharger en gardant mes modifications")
        self.reload_button.setToolTip(
            "Relit les notes enregistrées par les autres et y réapplique vos modifications non enregistrées"
        )
        self.reload_button.clicked.connect(lambda: self.reload(keep_edits=True))
        self.reload_button.hide()

        self.modified_label = QLabel(modifications_text(0))
        self.modified_label.setAccessibleName("Modifications non enregistrées")
        self.revert_button = QPushButton("&Annuler les modifications")
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("&Enregistrer")
        self.save_button.setToolTip("Enregistrer toutes les notes modifiées (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.save_action = QAction("Enregistrer", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)

        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.evaluateur_combo)
        top.addSpacing(16)
        top.addWidget(self.info_label, 1)
        hint = QLabel("Chiffre : noter · Tab : critère suivant · Entrée : dossier suivant · Suppr : effacer")
        hint.setStyleSheet("color: palette(placeholder-text);")
        top.addWidget(hint)
        banner_line = QHBoxLayout()
        banner_line.addWidget(self.banner, 1)
        banner_line.addWidget(self.reload_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.modified_label, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(top)
        layout.addLayout(banner_line)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(central)

        self.model.modificationsChanged.connect(self._on_modifications)
        self.model.message.connect(self._show_message)
        self.model.dataChanged.connect(lambda *_: self._update_info())
        self._fill_evaluateurs(evaluateur_id)
        self.evaluateur_combo.activated.connect(self._on_evaluateur_activated)
        self.resize(1400, 800)

    # --- data ---------------------------------------------------------------------------------

    @property
    def evaluateur_id(self) -> int | None:
        data = self.evaluateur_combo.currentData()
        return None if data is None else int(data)

    def _fill_evaluateurs(self, wanted: int | None) -> None:
        rows = EvaluateurService(self._db).all(self.campagne.contrat_id)
        self.evaluateur_combo.clear()
        for row in rows:
            text = row.nom if not row.financeur else f"{row.nom} — {row.financeur}"
            self.evaluateur_combo.addItem(text, row.id)
        if not rows:
            self.evaluateur_combo.addItem("Aucun évaluateur dans ce contrat")
            self.evaluateur_combo.setEnabled(False)
            self._update_info()
            return
        index = self.evaluateur_combo.findData(wanted) if wanted is not None else -1
        if index < 0:  # the first évaluateur with dossiers in this campagne
            index = 0
            for n, row in enumerate(rows):
                if self.notation.matrix(self.campagne_id, row.id).rows:
                    index = n
                    break
        self.evaluateur_combo.setCurrentIndex(index)
        self.reload()

    def select_evaluateur(self, evaluateur_id: int) -> bool:
        """Shows another évaluateur (asks first when edits are unsaved)."""
        index = self.evaluateur_combo.findData(evaluateur_id)
        if index < 0:
            return False
        previous = self.evaluateur_combo.currentIndex()
        if index == previous:
            return True
        if not self._may_discard("Changer d'évaluateur"):
            return False
        self.evaluateur_combo.setCurrentIndex(index)
        self.reload()
        return True

    def _on_evaluateur_activated(self, index: int) -> None:
        data = self.evaluateur_combo.itemData(index)
        dto = self.model.dto
        if dto is None or data is None or int(data) == dto.evaluateur_id:
            return
        if not self._may_discard("Changer d'évaluateur"):
            self.evaluateur_combo.setCurrentIndex(self.evaluateur_combo.findData(dto.evaluateur_id))
            return
        self.reload()

    def reload(self, *, keep_edits: bool = False) -> None:
        evaluateur_id = self.evaluateur_id
        if evaluateur_id is None:
            return
        try:
            dto = self.notation.matrix(self.campagne_id, evaluateur_id)
        except UserError as exc:
            self._show_banner(exc.message)
            return
        self.model.set_matrix(dto, keep_edits=keep_edits)
        self.banner.hide()
        self.reload_button.hide()
        self._fit_columns()
        self._update_info()
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            first = self.view._target(0, self.model.criterion_column(0) - 1, "next")
            if first is not None:
                self.view.setCurrentIndex(first)

    def _fit_columns(self) -> None:
        """Criteria as narrow as their (two-line) headers; porteur and intitulé give up room so
        that « Total /20 » and the commentaire stay in view."""
        hh = self.view.horizontalHeader()
        fm = self.view.fontMetrics()
        widths = [fixed.width for fixed in FIXED]
        for position in range(self.model.n_criteria):
            column = self.model.criterion_column(position)
            label = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            widest = max(fm.horizontalAdvance(line) for line in label.split("\n"))
            widths.append(max(48, min(widest + 20, 130)))
        widths.append(max(84, fm.horizontalAdvance("Total /20") + 28))
        available = self.view.viewport().width() or self.width() - 40
        spare = available - sum(widths) - 180  # keep room for the commentaire
        if spare < 0:
            for n, floor in ((2, 140), (1, 110)):
                give = min(widths[n] - floor, -spare)
                widths[n] -= give
                spare += give
        elif spare > 0:
            widths[2] += spare // 2
            widths[1] += spare // 4
        for n, width in enumerate(widths):
            hh.resizeSection(n, width)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_columns()

    # --- actions ------------------------------------------------------------------------------

    def save(self) -> bool:
        """Sends every changed évaluation at once; on refusal the edits stay in the model."""
        if self.view.state() == QAbstractItemView.State.EditingState:
            editor = self.view.editor()
            if editor is not None:
                self.view.commitData(editor)
                self.view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        changes = self.model.changes()
        if not changes:
            self.statusBar().showMessage("Rien à enregistrer", 4000)
            return True
        try:
            self.notation.save_matrix(changes)
        except UserError as exc:
            self._show_banner(
                f"Rien n'a été enregistré. {exc.message}",
                reload=isinstance(exc, ConcurrentEditError),
            )
            self.statusBar().showMessage("Enregistrement refusé : vos modifications sont conservées", 8000)
            return False
        n = len(changes)
        current = self.view.currentIndex()
        self.reload()
        if current.isValid():
            self.view.setCurrentIndex(self.model.index(current.row(), current.column()))
        self.statusBar().showMessage(
            f"{n} évaluation{'s' if n > 1 else ''} enregistrée{'s' if n > 1 else ''}", 6000
        )
        self.saved.emit()
        return True

    def revert(self) -> None:
        if self.view.state() == QAbstractItemView.State.EditingState and self.view.editor() is not None:
            self.view.closeEditor(self.view.editor(), QAbstractItemDelegate.EndEditHint.RevertModelCache)
        current = self.view.currentIndex()
        self.model.revert()
        self.banner.hide()
        self.reload_button.hide()
        if current.isValid():
            self.view.setCurrentIndex(self.model.index(current.row(), current.column()))

    def _may_discard(self, title: str) -> bool:
        if not self.model.is_modified():
            return True
        answer = self._dialogs.ask_save_discard_cancel(
            self, title, f"{modifications_text(self.model.modification_count())}. Les enregistrer ?"
        )
        if answer == "save":
            return self.save()
        return answer == "discard"

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_discard("Fermer la notation"):
            event.ignore()
            return
        event.accept()

    # --- display --------------------------------------------------------------------------------

    def _on_modifications(self, n: int) -> None:
        self.modified_label.setText(modifications_text(n))
        self.modified_label.setStyleSheet("color:#8a5a00; font-weight:600;" if n else "")
        self.save_button.setEnabled(n > 0)
        self.revert_button.setEnabled(n > 0)
        self.setWindowModified(n > 0)

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _show_banner(self, text: str, *, reload: bool = False) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.reload_button.setVisible(reload)

    def _update_info(self) -> None:
        dto = self.model.dto
        if dto is None or not self.model.rowCount():
            self.info_label.setText("Aucun dossier confié à cet évaluateur dans cette campagne")
            return
        rows = self.model.rowCount()
        done = sum(
            1 for r in range(rows) if self.model.total_of(r) is not None and not self.model.row_at(r).conflit
        )
        conflicts = sum(1 for r in range(rows) if self.model.row_at(r).conflit)
        text = f"{rows} dossier{'s' if rows > 1 else ''} confié{'s' if rows > 1 else ''} · {done} noté{'s' if done > 1 else ''}"
        if conflicts:
            text += f" · {conflicts} en conflit d'intérêts"
        self.info_label.setText(text)


__all__ = ["MatrixModel", "MatrixView", "MatrixWindow", "NoteDelegate"]
