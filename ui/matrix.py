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
cotation F/H, évaluateurs, matrix), one window of each kind per campagne. The table and its keyboard are
in ui/matrix_table.py, its model (edits, totals, labels) in ui/matrix_model.py.
"""

from __future__ import annotations

from PySide6.QtCore import (
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import ConcurrentEditError, UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.evaluateurs import EvaluateurService
from instructeur.services.notation import NotationService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.matrix_model import FIXED, MatrixModel, modifications_text
from ui.matrix_table import MatrixView
from ui.screen_fit import FitsScreen


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

        self._build()
        self.model.modificationsChanged.connect(self._on_modifications)
        self.model.message.connect(self._show_message)
        self.model.dataChanged.connect(lambda *_: self._update_info())
        self._fill_evaluateurs(evaluateur_id)
        self.evaluateur_combo.activated.connect(self._on_evaluateur_activated)
        self.resize(1400, 800)

    def _build(self) -> None:
        """The widgets: évaluateur and progress on top, the message banner, the matrix, then the
        modifications count with « Annuler » and « Enregistrer »."""
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


__all__ = ["MatrixWindow"]
