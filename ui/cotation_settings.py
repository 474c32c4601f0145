"""« Cotation égalité F/H — <campagne> »: the levels, the yes/no questionnaire and the rule that
proposes a level (DESIGN.md §6), editable per campagne, with a live preview.

The levels are numbered 0, 1, 2… by their order (the value is not typed); each question has a
short code (used by the rule and stored with the answers) and its text. The rule: a yes to one
chosen question implies a chosen level; otherwise at least N yes among the other questions give
level 1. Problems (`CotationSettings.problems()`) are listed live and block « Enregistrer ».
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.scoring import DEFAULT_RULE, CotationSettings
from instructeur.errors import UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.grilles import GrilleService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.screen_fit import FitsScreen

PROBLEM_STYLE = "color:#8a1c1c;"
PREVIEW_STYLE = "background:#e3eefa; color:#174a7c; border-radius:4px; padding:6px; font-weight:600;"


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class CotationSettingsWindow(FitsScreen, QMainWindow):
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
        self._dialogs = dialogs or Dialogs()
        self.service = GrilleService(db)
        self.campagne_id = campagne_id
        campagne = next((c for c in CampagneService(db).all() if c.id == campagne_id), None)
        if campagne is None:
            raise UserError(f"campagne {campagne_id} introuvable")
        name = (
            campagne.libelle
            if str(campagne.annee) in campagne.libelle
            else f"{campagne.libelle} {campagne.annee}"
        )
        self.setWindowTitle(f"Cotation égalité F/H — {name}[*]")
        self.setObjectName("cotationSettings")
        self._loading = False
        self._modified = False
        self._build()
        self.load(self.service.cotation_settings(campagne_id))
        self.resize(980, 760)

    # --- construction -------------------------------------------------------------------------

    def _build(self) -> None:
        self.levels_table = _table(["Niveau", "Libellé"], "Niveaux de la cotation")
        self.add_level_button = QPushButton("Ajouter un niveau")
        self.add_level_button.clicked.connect(self.add_level)
        self.remove_level_button = QPushButton("Retirer le dernier niveau")
        self.remove_level_button.clicked.connect(self.remove_level)
        levels_box = QGroupBox("Niveaux")
        levels_layout = QVBoxLayout(levels_box)
        levels_layout.addWidget(self.levels_table)
        line = QHBoxLayout()
        line.addWidget(self.add_level_button)
        line.addWidget(self.remove_level_button)
        line.addStretch(1)
        levels_layout.addLayout(line)

        self.questions_table = _table(["Code", "Question (réponse oui / non)"], "Questions du questionnaire")
        self.add_question_button = QPushButton("Ajouter une question")
        self.add_question_button.clicked.connect(self.add_question)
        self.remove_question_button = QPushButton("Supprimer la question")
        self.remove_question_button.clicked.connect(self.remove_question)
        questions_box = QGroupBox("Questionnaire")
        questions_layout = QVBoxLayout(questions_box)
        questions_layout.addWidget(self.questions_table)
        line = QHBoxLayout()
        line.addWidget(self.add_question_button)
        line.addWidget(self.remove_question_button)
        line.addStretch(1)
        questions_layout.addLayout(line)

        self.principal_combo = QComboBox()
        self.principal_combo.setAccessibleName("Question qui implique directement un niveau")
        self.implies_spin = QSpinBox()
        self.implies_spin.setAccessibleName("Niveau impliqué")
        self.threshold_spin = QSpinBox()
        self.threshold_spin.setRange(0, 99)
        self.threshold_spin.setAccessibleName("Seuil de oui pour le niveau 1")
        rule_box = QGroupBox("Règle de proposition")
        rule = QFormLayout(rule_box)
        rule.addRow("Un oui à la question :", self.principal_combo)
        rule.addRow("propose directement le niveau :", self.implies_spin)
        rule.addRow("Sinon, nombre de oui (autres questions) pour le niveau 1 :", self.threshold_spin)

        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet(PROBLEM_STYLE)
        self.problems_label.setAccessibleName("Problèmes")

        self.preview_box = QGroupBox("Aperçu : avec ces réponses → niveau proposé")
        self.preview_layout = QVBoxLayout(self.preview_box)
        self.preview_checks: dict[str, QCheckBox] = {}
        self.preview_label = QLabel()
        self.preview_label.setWordWrap(True)
        self.preview_label.setStyleSheet(PREVIEW_STYLE)
        self.preview_label.setAccessibleName("Niveau proposé")
        self.answers_widget = QWidget()
        self.answers_layout = QVBoxLayout(self.answers_widget)
        self.answers_layout.setContentsMargins(0, 0, 0, 0)
        self.preview_layout.addWidget(self.answers_widget)
        self.preview_layout.addWidget(self.preview_label)

        self.defaults_button = QPushButton("Rétablir les valeurs par &défaut")
        self.defaults_button.clicked.connect(lambda: self.load(CotationSettings(), modified=True))
        self.modified_label = QLabel()
        self.save_button = QPushButton("&Enregistrer")
        self.save_button.clicked.connect(self.save)
        bottom = QHBoxLayout()
        bottom.addWidget(self.defaults_button)
        bottom.addStretch(1)
        bottom.addWidget(self.modified_label)
        bottom.addWidget(self.save_button)

        left = QVBoxLayout()
        left.addWidget(levels_box, 2)
        left.addWidget(questions_box, 3)
        right = QVBoxLayout()
        right.addWidget(rule_box)
        right.addWidget(self.preview_box, 1)
        right.addWidget(self.problems_label)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(columns, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(central)

        self.levels_table.itemChanged.connect(lambda _i: self._changed())
        self.questions_table.itemChanged.connect(lambda _i: self._changed(questions=True))
        self.principal_combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.implies_spin.valueChanged.connect(lambda _v: self._changed())
        self.threshold_spin.valueChanged.connect(lambda _v: self._changed())

    # --- data ---------------------------------------------------------------------------------

    def load(self, settings: CotationSettings, *, modified: bool = False) -> None:
        self._loading = True
        try:
            self.levels_table.setRowCount(0)
            for _value, text in settings.levels:
                self._append_level(text)
            self.questions_table.setRowCount(0)
            for code, text in settings.questions:
                self._append_question(code, text)
            self._fill_principal(str(settings.rule.get("principal_question") or ""))
            self.implies_spin.setValue(
                int(settings.rule.get("principal_implies", DEFAULT_RULE["principal_implies"]))
            )
            self.threshold_spin.setValue(
                int(settings.rule.get("threshold_for_1", DEFAULT_RULE["threshold_for_1"]))
            )
            self._fill_preview(settings)
        finally:
            self._loading = False
        self._set_modified(modified)
        self._refresh()

    def settings(self) -> CotationSettings:
        """The settings as edited (possibly invalid: see `problems()`)."""
        levels = tuple((n, self._text(self.levels_table, n, 1)) for n in range(self.levels_table.rowCount()))
        questions = tuple(
            (self._text(self.questions_table, n, 0), self._text(self.questions_table, n, 1))
            for n in range(self.questions_table.rowCount())
        )
        principal = self.principal_combo.currentData()
        rule = {
            "principal_question": principal or None,
            "principal_implies": self.implies_spin.value(),
            "threshold_for_1": self.threshold_spin.value(),
        }
        return CotationSettings(levels=levels, questions=questions, rule=rule)

    def is_modified(self) -> bool:
        return self._modified

    @staticmethod
    def _text(table: QTableWidget, row: int, column: int) -> str:
        item = table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _append_level(self, text: str) -> None:
        n = self.levels_table.rowCount()
        self.levels_table.insertRow(n)
        value = QTableWidgetItem(str(n))
        value.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        value.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.levels_table.setItem(n, 0, value)
        self.levels_table.setItem(n, 1, QTableWidgetItem(text))

    def _append_question(self, code: str, text: str) -> None:
        n = self.questions_table.rowCount()
        self.questions_table.insertRow(n)
        self.questions_table.setItem(n, 0, QTableWidgetItem(code))
        self.questions_table.setItem(n, 1, QTableWidgetItem(text))

    def _fill_principal(self, wanted: str) -> None:
        self.principal_combo.blockSignals(True)
        try:
            self.principal_combo.clear()
            self.principal_combo.addItem("(aucune)", "")
            for n in range(self.questions_table.rowCount()):
                code = self._text(self.questions_table, n, 0)
                if code:
                    self.principal_combo.addItem(code, code)
            index = self.principal_combo.findData(wanted)
            if index < 0 and wanted:  # a code that no longer exists stays visible (and invalid)
                self.principal_combo.addItem(f"{wanted} (n'existe plus)", wanted)
                index = self.principal_combo.count() - 1
            self.principal_combo.setCurrentIndex(max(index, 0))
        finally:
            self.principal_combo.blockSignals(False)

    def _fill_preview(self, settings: CotationSettings) -> None:
        answers = {code: box.isChecked() for code, box in self.preview_checks.items()}
        for box in self.preview_checks.values():
            self.answers_layout.removeWidget(box)
            box.deleteLater()
        self.preview_checks = {}
        for code, text in settings.questions:
            if not code or code in self.preview_checks:
                continue
            box = QCheckBox(f"{text} ({code})" if text else code)
            box.setChecked(answers.get(code, False))
            box.toggled.connect(lambda _v: self._refresh())
            self.answers_layout.addWidget(box)
            self.preview_checks[code] = box

    def answers(self) -> dict[str, bool]:
        return {code: box.isChecked() for code, box in self.preview_checks.items()}

    def set_answers(self, answers: dict[str, bool]) -> None:
        for code, box in self.preview_checks.items():
            box.setChecked(answers.get(code, False))

    def proposed_level(self) -> int | None:
        settings = self.settings()
        if settings.problems():
            return None
        return settings.propose(self.answers())

    # --- editing ------------------------------------------------------------------------------

    def add_level(self) -> None:
        self._append_level("")
        self.levels_table.setCurrentCell(self.levels_table.rowCount() - 1, 1)
        self._changed()

    def remove_level(self) -> None:
        if self.levels_table.rowCount():
            self.levels_table.removeRow(self.levels_table.rowCount() - 1)
            self._changed()

    def add_question(self) -> None:
        self._loading = True
        try:
            self._append_question("", "")
        finally:
            self._loading = False
        self.questions_table.setCurrentCell(self.questions_table.rowCount() - 1, 0)
        self._changed(questions=True)

    def remove_question(self) -> None:
        row = self.questions_table.currentRow()
        if row >= 0:
            self.questions_table.removeRow(row)
            self._changed(questions=True)

    def _changed(self, *, questions: bool = False) -> None:
        if self._loading:
            return
        if questions:
            self._loading = True
            try:
                self._fill_principal(str(self.principal_combo.currentData() or ""))
                self._fill_preview(self.settings())
            finally:
                self._loading = False
        self._set_modified(True)
        self._refresh()

    def _set_modified(self, modified: bool) -> None:
        self._modified = modified
        self.setWindowModified(modified)
        self.modified_label.setText("Modifications non enregistrées" if modified else "")
        self.modified_label.setStyleSheet("color:#8a5a00; font-weight:600;" if modified else "")

    def _refresh(self) -> None:
        if self._loading:
            return
        settings = self.settings()
        self.implies_spin.setRange(0, max(0, self.levels_table.rowCount() - 1))
        problems = settings.problems()
        self.problems_label.setText("\n".join(f"• {p}" for p in problems))
        self.problems_label.setVisible(bool(problems))
        self.save_button.setEnabled(self._modified and not problems)
        if problems:
            self.preview_label.setText("Corrigez les problèmes ci-dessous pour voir le niveau proposé.")
            return
        level = settings.propose(self.answers())
        yes = sum(1 for v in self.answers().values() if v)
        self.preview_label.setText(
            f"Avec ces réponses ({yes} oui) → niveau proposé : {level} — {settings.label(level)}"
        )

    # --- actions ------------------------------------------------------------------------------

    def save(self) -> bool:
        settings = self.settings()
        try:
            self.service.save_cotation_settings(self.campagne_id, settings)
        except UserError as exc:
            self.problems_label.setText(f"Enregistrement refusé : {exc.message}")
            self.problems_label.show()
            return False
        self._set_modified(False)
        self._refresh()
        self.statusBar().showMessage("Cotation F/H enregistrée pour cette campagne", 5000)
        self.saved.emit()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._modified:
            answer = self._dialogs.ask_save_discard_cancel(
                self,
                "Fermer la cotation F/H",
                "Les réglages ont des modifications non enregistrées. Les enregistrer ?",
            )
            if answer == "cancel" or (answer == "save" and not self.save()):
                event.ignore()
                return
        event.accept()


__all__ = ["CotationSettingsWindow"]
