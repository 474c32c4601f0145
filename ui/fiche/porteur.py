"""Tab « Porteur »: pick an existing porteur or create one, its fields (SIRET and RNA checked as
you type), and its dossiers of every campagne with the voted amounts and the CRF."""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.dates import format_date
from instructeur.domain.identifiers import rna_problem, siret_problem
from instructeur.domain.money import format_amount
from instructeur.domain.text import sort_key
from instructeur.services.porteurs import PorteurData, PorteurHistoryRow, PorteurRow, PorteurService
from ui.fiche.fields import ERROR_COLOUR, add_row, form_layout, mark_invalid
from ui.models.table import ALIGN_RIGHT, Column, RowTableModel

HISTORY_COLUMNS: tuple[Column[PorteurHistoryRow], ...] = (
    Column("annee", "Année", lambda r: r.annee, width=60),
    Column("reference", "Référence", lambda r: r.reference, sort_key=sort_key, width=110),
    Column("intitule", "Intitulé", lambda r: r.intitule, sort_key=sort_key, width=280, stretch=1),
    Column("statut", "Statut", lambda r: r.statut.label, width=110),
    Column(
        "demande",
        "Demandé",
        lambda r: r.demande_cents,
        alignment=ALIGN_RIGHT,
        formatter=format_amount,
        width=120,
    ),
    Column("vote", "Voté", lambda r: r.vote_cents, alignment=ALIGN_RIGHT, formatter=format_amount, width=120),
    Column(
        "crf",
        "CRF reçu le",
        lambda r: r.crf_recu_le,
        formatter=format_date,
        width=110,
        header_tooltip="Compte rendu financier (CERFA 15059) reçu",
    ),
)

# Field name → (label, width hint). Order = form order.
_IDENTITE = (
    ("raison_sociale", "Raison &sociale :"),
    ("sigle", "Si&gle :"),
    ("siret", "SIRE&T :"),
    ("rna", "&RNA :"),
    ("forme_juridique", "&Forme juridique :"),
    ("adresse", "&Adresse :"),
    ("code_postal", "&Code postal :"),
    ("ville", "&Ville :"),
)
_CONTACT = (
    ("representant_nom", "&Nom :"),
    ("representant_prenom", "&Prénom :"),
    ("representant_fonction", "Fonc&tion :"),
    ("contact_nom", "Contact, &nom :"),
    ("contact_email", "Contact, &courriel :"),
    ("contact_telephone", "Contact, télé&phone :"),
)
_NAMES = {
    "raison_sociale": "Raison sociale",
    "sigle": "Sigle",
    "siret": "SIRET",
    "rna": "Numéro RNA",
    "forme_juridique": "Forme juridique",
    "adresse": "Adresse",
    "code_postal": "Code postal",
    "ville": "Ville",
    "representant_nom": "Nom du représentant légal",
    "representant_prenom": "Prénom du représentant légal",
    "representant_fonction": "Fonction du représentant légal",
    "contact_nom": "Nom du contact",
    "contact_email": "Courriel du contact",
    "contact_telephone": "Téléphone du contact",
}
_CIVILITES = ("", "Madame", "Monsieur")


class PorteurTab(QWidget):
    changed = Signal()
    porteur_changed = Signal()  # another porteur was picked (the history changed)

    def __init__(self, service: PorteurService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._row: PorteurRow | None = None  # None: a new porteur, created on save
        self._loaded = PorteurData(raison_sociale="")

        # Pick or create
        self.search = QLineEdit()
        self.search.setPlaceholderText("Rechercher un autre porteur : raison sociale, sigle ou SIRET…")
        self.search.setAccessibleName("Rechercher un porteur")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Porteurs trouvés")
        self.results.setMaximumHeight(110)
        self.results.hide()
        self.choose_button = QPushButton("C&hoisir ce porteur")
        self.choose_button.setEnabled(False)
        self.new_button = QPushButton("Nou&veau porteur")
        self.new_button.setToolTip(
            "Saisir un porteur qui n'est pas encore dans la base (créé à l'enregistrement)"
        )
        self.state = QLabel()
        self.state.setAccessibleName("Porteur du dossier")
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.search, 1)
        pick_row.addWidget(self.choose_button)
        pick_row.addWidget(self.new_button)

        # Fields
        self.edits: dict[str, QLineEdit] = {}
        identite = form_layout()
        for name, label in _IDENTITE:
            edit = QLineEdit()
            edit.setAccessibleName(_NAMES[name])
            self.edits[name] = edit
            add_row(identite, label, edit)
        self.siret_state = QLabel()
        self.rna_state = QLabel()
        for w in (self.siret_state, self.rna_state):
            w.setWordWrap(True)
        identite.insertRow(3, "", self.siret_state)
        identite.insertRow(5, "", self.rna_state)
        self.edits["siret"].setPlaceholderText("14 chiffres")
        self.edits["rna"].setPlaceholderText("W suivi de 9 chiffres")
        self.edits["code_postal"].setMaximumWidth(90)
        identite_box = QGroupBox("Identité")
        identite_box.setLayout(identite)

        contact = form_layout()
        self.civilite = QComboBox()
        self.civilite.addItems(list(_CIVILITES))
        add_row(contact, "Civi&lité :", self.civilite, name="Civilité du représentant légal")
        for name, label in _CONTACT:
            edit = QLineEdit()
            edit.setAccessibleName(_NAMES[name])
            self.edits[name] = edit
            add_row(contact, label, edit)
        contact_box = QGroupBox("Représentant légal et contact")
        contact_box.setLayout(contact)

        # History
        self.history_model: RowTableModel[PorteurHistoryRow] = RowTableModel(HISTORY_COLUMNS, self)
        self.history = QTableView()
        self.history.setAccessibleName("Dossiers du porteur")
        self.history.setModel(self.history_model)
        self.history.setAlternatingRowColors(True)
        self.history.setShowGrid(False)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        hh = self.history.horizontalHeader()
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for n, column in enumerate(HISTORY_COLUMNS):
            hh.resizeSection(n, column.width or 100)
        hh.setSectionResizeMode(HISTORY_COLUMNS.index(HISTORY_COLUMNS[2]), QHeaderView.ResizeMode.Stretch)
        self.history_summary = QLabel()
        history_box = QGroupBox("Dossiers du porteur (toutes campagnes)")
        hl = QVBoxLayout(history_box)
        hl.addWidget(self.history_summary)
        hl.addWidget(self.history, 1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.addWidget(identite_box, 0, 0)
        grid.addWidget(contact_box, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.addWidget(self.state)
        layout.addLayout(pick_row)
        layout.addWidget(self.results)
        layout.addLayout(grid)
        layout.addWidget(history_box, 1)

        self.search.textChanged.connect(self._search)
        self.search.returnPressed.connect(self._choose)
        self.results.itemActivated.connect(lambda _item: self._choose())
        self.results.currentRowChanged.connect(lambda row: self.choose_button.setEnabled(row >= 0))
        self.choose_button.clicked.connect(self._choose)
        self.new_button.clicked.connect(self.start_new)
        for edit in self.edits.values():
            edit.textChanged.connect(self._on_edit)
        self.civilite.currentIndexChanged.connect(self._on_edit)

    # --- state ----------------------------------------------------------------------------

    @property
    def porteur_id(self) -> int | None:
        return self._row.id if self._row else None

    @property
    def porteur_version(self) -> int | None:
        return self._row.version if self._row else None

    @property
    def is_new(self) -> bool:
        return self._row is None

    def load(
        self, row: PorteurRow | None, history: list[PorteurHistoryRow], current_dossier: int | None
    ) -> None:
        self._row = row
        self._loaded = row.data if row else PorteurData(raison_sociale="")
        self._fill(self._loaded)
        self.set_history([h for h in history if h.dossier_id != current_dossier])
        self._show_state()

    def set_history(self, history: list[PorteurHistoryRow]) -> None:
        self.history_model.set_rows(history)
        if not history:
            self.history_summary.setText("Aucun autre dossier de ce porteur.")
            return
        voted = sum(h.vote_cents or 0 for h in history)
        missing = [h for h in history if h.vote_cents and h.crf_recu_le is None]
        text = f"{len(history)} autre{'s' if len(history) > 1 else ''} dossier{'s' if len(history) > 1 else ''}, "
        text += f"{format_amount(voted)} voté{'s' if voted else ''} au total"
        if missing:
            refs = ", ".join(h.reference for h in missing[:4]) + (" …" if len(missing) > 4 else "")
            text += f" — <b style='color:{ERROR_COLOUR}'>CRF non reçu : {refs}</b>"
        self.history_summary.setText(text)

    def data(self) -> PorteurData:
        values = {name: (edit.text().strip() or None) for name, edit in self.edits.items()}
        values["representant_civilite"] = self.civilite.currentText() or None
        values["raison_sociale"] = values["raison_sociale"] or ""
        return PorteurData(**values)  # type: ignore[arg-type]

    def is_modified(self) -> bool:
        if self.is_new:  # a new porteur counts once something is typed (not on an untouched fiche)
            return any(getattr(self.data(), f) for f in PorteurData.__dataclass_fields__)
        return _comparable(self.data()) != _comparable(self._loaded)

    def problems(self) -> list[tuple[QWidget, str]]:
        out: list[tuple[QWidget, str]] = []
        data = self.data()
        if not data.raison_sociale:
            out.append((self.edits["raison_sociale"], "porteur, raison sociale : obligatoire"))
        if data.siret and (p := siret_problem(data.siret)):
            out.append((self.edits["siret"], f"porteur : {p}"))
        if data.rna and (p := rna_problem(data.rna)):
            out.append((self.edits["rna"], f"porteur : {p}"))
        return out

    def start_new(self) -> None:
        """Type a porteur that is not in the base yet; it is created when the fiche is saved."""
        self._row = None
        self._loaded = PorteurData(raison_sociale="")
        self._fill(self._loaded)
        self.set_history([])
        self._show_state()
        self.edits["raison_sociale"].setFocus()
        self.porteur_changed.emit()
        self.changed.emit()

    def pick(self, porteur_id: int) -> None:
        row = self._service.get(porteur_id)
        self.load(row, self._service.history(porteur_id), None)
        self.search.clear()
        self.porteur_changed.emit()
        self.changed.emit()

    # --- internals ------------------------------------------------------------------------

    def _fill(self, data: PorteurData) -> None:
        for name, edit in self.edits.items():
            edit.blockSignals(True)
            edit.setText(getattr(data, name) or "")
            edit.blockSignals(False)
        self.civilite.blockSignals(True)
        index = self.civilite.findText(data.representant_civilite or "")
        if index < 0 and data.representant_civilite:
            self.civilite.addItem(data.representant_civilite)
            index = self.civilite.count() - 1
        self.civilite.setCurrentIndex(max(index, 0))
        self.civilite.blockSignals(False)
        self._check_identifiers()

    def _show_state(self) -> None:
        if self._row is None:
            self.state.setText("<b>Nouveau porteur</b> : il sera créé à l'enregistrement du dossier.")
        else:
            self.state.setText(f"Porteur du dossier : <b>{_esc(self._row.data.raison_sociale)}</b>")

    def _on_edit(self, *_args: object) -> None:
        self._check_identifiers()
        mark_invalid(
            self.edits["raison_sociale"],
            "la raison sociale est obligatoire" if not self.edits["raison_sociale"].text().strip() else None,
        )
        self.changed.emit()

    def _check_identifiers(self) -> None:
        for name, label, check in (
            ("siret", self.siret_state, siret_problem),
            ("rna", self.rna_state, rna_problem),
        ):
            text = self.edits[name].text().strip()
            problem = check(text) if text else None
            mark_invalid(self.edits[name], problem)
            if problem:
                label.setText(f"<span style='color:{ERROR_COLOUR}'>✗ {_esc(problem)}</span>")
            elif text:
                label.setText("<span style='color:#1b5e20'>✓ numéro valide</span>")
            else:
                label.setText("")
            label.setVisible(bool(text))

    def _search(self, text: str) -> None:
        self.results.clear()
        if len(text.strip()) < 2:
            self.results.hide()
            return
        for row in self._service.search(text, limit=30):
            label = row.data.raison_sociale
            if row.data.sigle:
                label += f" ({row.data.sigle})"
            if row.data.siret:
                label += f" — SIRET {row.data.siret}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.results.addItem(item)
        if self.results.count() == 0:
            self.results.addItem("Aucun porteur trouvé : « Nouveau porteur » pour le saisir")
            self.results.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        else:
            self.results.setCurrentRow(0)
        self.results.show()

    def _choose(self) -> None:
        item = self.results.currentItem()
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        self.results.hide()
        self.pick(int(item.data(Qt.ItemDataRole.UserRole)))


def _comparable(data: PorteurData) -> tuple[object, ...]:
    return tuple((getattr(data, f.name) or None) for f in fields(PorteurData))


def _esc(text: str) -> str:
    import html

    return html.escape(text)
