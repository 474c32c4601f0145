"""Page 2 of the import wizard: check and correct which column holds which field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from ui.import_pages.analysis import UNKNOWN, Analysis
from ui.import_pages.mapping_model import FieldDelegate, MappingModel
from ui.import_pages.widgets import banner, set_banner, table_view

if TYPE_CHECKING:
    from ui.import_wizard import ImportWizard


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._loaded: Analysis | None = None
        self.setTitle("Colonnes du fichier")
        self.setSubTitle(
            "Chaque colonne du fichier alimente un champ du dossier. Vérifiez la proposition et "
            "corrigez-la au besoin ; « — ignorer — » laisse la colonne de côté."
        )
        self.model = MappingModel(self)
        self.model.dataChanged.connect(self._on_changed)
        self.model.modelReset.connect(self._on_changed)
        self.model.moved.connect(self._show_note)
        self.delegate = FieldDelegate(self)
        self.view = table_view("Correspondance des colonnes", self.model)
        self.view.setItemDelegateForColumn(MappingModel.FIELD_COLUMN, self.delegate)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 16)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.legend = banner("Colonnes à préciser")
        self.missing = banner("Champs obligatoires manquants")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Dernière modification")
        self.reset_button = QPushButton("&Rétablir la proposition")
        self.reset_button.setToolTip("Revenir aux colonnes reconnues automatiquement")
        self.reset_button.clicked.connect(self.reset)
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.missing)
        layout.addLayout(bottom)

    def initializePage(self) -> None:
        analysis = self._wizard.analysis
        if analysis is not None and analysis is not self._loaded:
            self._loaded = analysis
            self.reset()

    def reset(self) -> None:
        if self._loaded is None:
            return
        self.model.load(self._loaded)
        for row in range(self.model.rowCount()):
            self.view.openPersistentEditor(self.model.index(row, MappingModel.FIELD_COLUMN))
        self.note.clear()
        self._fit_columns()

    def _fit_columns(self) -> None:
        self.view.resizeColumnToContents(0)
        self.view.setColumnWidth(1, min(max(self.view.sizeHintForColumn(1) + 16, 160), 260))
        self.view.setColumnWidth(2, 300)
        self.view.setColumnWidth(MappingModel.FIELD_COLUMN, 280)

    def combo(self, column: int) -> QComboBox:
        """The combo of a file column (0-based), for tests and keyboard focus."""
        index = self.model.index(self.model.row_of_column(column), MappingModel.FIELD_COLUMN)
        widget = self.view.indexWidget(index)
        assert isinstance(widget, QComboBox)
        return widget

    def _show_note(self, text: str) -> None:
        self.note.setText(text)

    def _on_changed(self, *_args: object) -> None:
        unknown = [
            f"« {self.model.index(r, 1).data()} »"
            for r in range(self.model.rowCount())
            if self.model.key_at(r) == UNKNOWN
        ]
        set_banner(
            self.legend,
            "error",
            (
                f"En orange, {', '.join(unknown)} : un montant demandé à un financeur que le contrat n'a "
                "pas. Une ligne qui y porte un montant sera rejetée : choisissez le financeur, ou "
                "« — ignorer — »."
            )
            if unknown
            else "",
        )
        missing = self.model.missing_required()
        text = ""
        if "N° dossier" in missing:
            text = (
                "Choisissez la colonne du « N° dossier » : elle est obligatoire (elle retrouve les dossiers)."
            )
        elif missing:
            text = (
                f"Sans colonne {' ni '.join(f'« {m} »' for m in missing)}, aucun dossier nouveau ne peut "
                "être créé : seuls les dossiers existants seront mis à jour."
            )
        set_banner(self.missing, "error", text)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return "reference" in self.model.mapping().columns and not self._wizard.busy

    def validatePage(self) -> bool:
        self._wizard.mapping = self.model.mapping()
        return self._wizard.leave_mapping()

    def nextId(self) -> int:
        """The values step only when the preview finds something to choose there."""
        wizard = self._wizard
        return wizard.VALUES if wizard.values_to_choose() else wizard.PREVIEW
