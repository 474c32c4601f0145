"""Paramètres › Quartiers: QPV and other quartiers of the contrat, edited in a dialog; official QPV import."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import UserError
from instructeur.services.contrats import (
    QUARTIER_KIND_LABELS,
    ContratService,
    QuartierEdit,
    QuartierRow,
)
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.models.table import ALIGN_RIGHT, Column, RowTableModel
from ui.parametres.common import (
    _note,
    _problems_label,
    plural,
    problems_text,
)
from ui.screen_fit import FitsScreen


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


class QuartierDialog(FitsScreen, QDialog):
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
