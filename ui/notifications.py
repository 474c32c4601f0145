"""« Campagne ▸ Notifications… »: the letters of a campagne's decided dossiers.

Three tabs:

* **Suivi des lettres**: one line per decided dossier (retenu, refusé, ajourné and later) with
  its letter's état — à générer (no letter yet), à signer, à notifier, notifié — and dates;
  « Générer les lettres… » (a folder, optionally one merged PDF to sign; for the selection or
  every dossier awaiting notification; in a background job with progress and « Annuler »);
  « Marquer signées / envoyées / notifiées » at a date (states only move forward; « notifiée »
  also moves the dossier to « Notifié »).
* **Modèles de lettres**: one editor per modèle (attribution, refus, ajournement): the text, the
  merge fields (double-click inserts), problems shown as you type (« Enregistrer » refused while
  there are any), « Aperçu » of the merged text for a dossier, « Rétablir le modèle par défaut ».
* **Paramètres**: sender block, ville, signataire, fonction, financeur signataire, logo and
  signature images.

Everything goes through `NotificationService` (and `DossierService.list_rows` for the list of
decided dossiers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.dates import format_date
from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut
from instructeur.domain.text import sort_key
from instructeur.errors import UserError, ValidationError
from instructeur.exports.letters import MODELES, template_problems
from instructeur.services.dossiers import DossierService
from instructeur.services.notifications import (
    ETAT_LABELS,
    FIELDS,
    GenerationResult,
    NotificationService,
    NotificationSettings,
)
from instructeur.services.synthese import SyntheseService
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.models.table import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel
from ui.workers import Job, Progress, run_job

__all__ = [
    "NotificationLine",
    "NotificationsModel",
    "NotificationsWindow",
    "SettingsForm",
    "TemplateEditor",
    "notification_lines",
]

MODELE_LABELS = {"attribution": "Attribution", "refus": "Refus", "ajournement": "Ajournement"}
_MODELE_OF = {Statut.RETENU: "attribution", Statut.REFUSE: "refus", Statut.AJOURNE: "ajournement"}
_DECIDED = frozenset(
    {Statut.RETENU, Statut.REFUSE, Statut.AJOURNE, Statut.NOTIFIE, Statut.SOLDE, Statut.NON_REALISE}
)
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg);;Tous les fichiers (*)"
_ETAT_COLORS = {"a_generer": "#8a5a00", "a_signer": "#174a7c", "a_notifier": "#5b3a8c", "notifie": "#1b5e20"}


@dataclass(frozen=True)
class NotificationLine:
    """A decided dossier and the state of its letter (no `notification_id`: not generated yet)."""

    dossier_id: int
    reference: str
    porteur: str
    decision: str  # French label
    modele: str
    vote_cents: int | None
    etat: str
    notification_id: int | None = None
    financeur: str = ""
    date_generation: date | None = None
    date_signature: date | None = None
    date_notification: date | None = None
    fichier: str | None = None

    @property
    def etat_label(self) -> str:
        return ETAT_LABELS.get(self.etat, self.etat)


def notification_lines(db: Database, campagne_id: int) -> list[NotificationLine]:
    """The campagne's decided dossiers in référence order, each with its letter's state."""
    notifications = {(n.dossier_id, n.modele): n for n in NotificationService(db).list(campagne_id)}
    lines: list[NotificationLine] = []
    for d in DossierService(db).list_rows(campagne_id):
        if d.statut not in _DECIDED or d.decision not in _MODELE_OF:
            continue
        modele = _MODELE_OF[d.decision]
        n = notifications.get((d.id, modele))
        lines.append(
            NotificationLine(
                dossier_id=d.id,
                reference=d.reference,
                porteur=d.porteur,
                decision=d.decision.label,
                modele=modele,
                vote_cents=d.vote_cents if d.decision is Statut.RETENU else None,
                etat=n.etat if n else "a_generer",
                notification_id=n.id if n else None,
                financeur=n.financeur if n else "",
                date_generation=n.date_generation if n else None,
                date_signature=n.date_signature if n else None,
                date_notification=n.date_notification if n else None,
                fichier=n.fichier if n else None,
            )
        )
    return lines


def _etat_color(line: NotificationLine):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor

    return QColor(_ETAT_COLORS.get(line.etat, "#37474f"))


def _date_sort(d: date | None) -> str | None:
    return d.isoformat() if d else None


COLUMNS: tuple[Column[NotificationLine], ...] = (
    Column("reference", "Référence", lambda r: r.reference, width=110),
    Column("porteur", "Porteur", lambda r: r.porteur, sort_key=sort_key, width=220, stretch=2),
    Column("decision", "Décision", lambda r: r.decision, width=90),
    Column("modele", "Lettre", lambda r: MODELE_LABELS.get(r.modele, r.modele), width=100),
    Column("vote", "Voté", lambda r: r.vote_cents, ALIGN_RIGHT, format_amount, width=120),
    Column(
        "etat",
        "État",
        lambda r: r.etat_label,
        ALIGN_CENTER,
        sort_key=lambda label: [*ETAT_LABELS.values()].index(label) if label in ETAT_LABELS.values() else 9,
        width=100,
        foreground=_etat_color,
    ),
    Column(
        "generation",
        "Générée le",
        lambda r: r.date_generation,
        formatter=format_date,
        sort_key=_date_sort,
        width=100,
    ),
    Column(
        "signature",
        "Signée le",
        lambda r: r.date_signature,
        formatter=format_date,
        sort_key=_date_sort,
        width=100,
    ),
    Column(
        "notification",
        "Notifiée le",
        lambda r: r.date_notification,
        formatter=format_date,
        sort_key=_date_sort,
        width=100,
    ),
    Column(
        "fichier",
        "Fichier",
        lambda r: Path(r.fichier).name if r.fichier else None,
        width=200,
        stretch=1,
        tooltip=lambda r: r.fichier,
    ),
)


class NotificationsModel(RowTableModel[NotificationLine]):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)


# --- Template editor ------------------------------------------------------------------------


class TemplateEditor(QWidget):
    """The text of one modèle, its merge fields, live problems, preview, save and reset."""

    saved = Signal(str)

    def __init__(
        self,
        service: NotificationService,
        modele: str,
        dossiers: Sequence[NotificationLine],
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.modele = modele
        self.dialogs = dialogs
        label = MODELE_LABELS.get(modele, modele)

        self.edit = QPlainTextEdit()
        self.edit.setAccessibleName(f"Texte du modèle {label.lower()}")
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.problems_label = QLabel("")
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b3261e;")
        self.problems_label.setAccessibleName("Problèmes du modèle")
        self.status_label = QLabel("")
        self.status_label.setAccessibleName("État du modèle")

        self.fields_list = QListWidget()
        self.fields_list.setAccessibleName("Champs de fusion")
        self.fields_list.setToolTip("Double-cliquer (ou Entrée) pour insérer le champ dans le texte")
        for name, description in FIELDS.items():
            item = QListWidgetItem(f"{{{name}}} — {description}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(description)
            self.fields_list.addItem(item)
        self.fields_list.itemActivated.connect(self._insert_item)
        self.fields_list.itemDoubleClicked.connect(self._insert_item)

        self.dossier_combo = QComboBox()
        self.dossier_combo.setAccessibleName("Dossier de l'aperçu")
        own = [d for d in dossiers if d.modele == modele] or list(dossiers)
        for d in own:
            self.dossier_combo.addItem(f"{d.reference} — {d.porteur}", d.dossier_id)
        self.preview_button = QPushButton("&Aperçu")
        self.preview_button.clicked.connect(self.show_preview)
        self.preview_button.setEnabled(bool(own))
        self.preview_pane = QPlainTextEdit()
        self.preview_pane.setReadOnly(True)
        self.preview_pane.setAccessibleName("Aperçu de la lettre")
        self.preview_pane.setPlaceholderText(
            "L'aperçu montre le texte fusionné pour le dossier choisi." if own else "Aucun dossier décidé."
        )

        self.save_button = QPushButton("&Enregistrer")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton("&Rétablir le modèle par défaut")
        self.reset_button.clicked.connect(self.reset_default)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        text_label = QLabel("&Texte de la lettre :")
        text_label.setBuddy(self.edit)
        left_layout.addWidget(text_label)
        left_layout.addWidget(self.edit, 1)
        left_layout.addWidget(self.problems_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.status_label)
        left_layout.addLayout(buttons)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        fields_label = QLabel("&Champs de fusion (double-clic pour insérer) :")
        fields_label.setBuddy(self.fields_list)
        right_layout.addWidget(fields_label)
        right_layout.addWidget(self.fields_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.dossier_combo, 1)
        row.addWidget(self.preview_button)
        right_layout.addLayout(row)
        right_layout.addWidget(self.preview_pane, 2)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.edit.textChanged.connect(self._check)
        self.load()

    # --- content ---------------------------------------------------------------------------

    def load(self) -> None:
        self.edit.setPlainText(self.service.templates()[self.modele])
        self.edit.document().setModified(False)
        self._check()

    @property
    def text(self) -> str:
        return self.edit.toPlainText()

    def problems(self) -> list[str]:
        return template_problems(self.text, FIELDS)

    def _check(self) -> None:
        problems = self.problems()
        self.problems_label.setText("\n".join(f"• {p}" for p in problems))
        self.problems_label.setVisible(bool(problems))
        self.save_button.setEnabled(not problems)
        self.save_button.setToolTip("Corrigez d'abord les problèmes signalés" if problems else "")
        self.status_label.setText("")

    def insert_field(self, name: str) -> None:
        cursor = self.edit.textCursor()
        cursor.insertText(f"{{{name}}}")
        self.edit.setTextCursor(cursor)
        self.edit.setFocus()

    def _insert_item(self, item: QListWidgetItem) -> None:
        self.insert_field(str(item.data(Qt.ItemDataRole.UserRole)))

    def save(self) -> bool:
        if self.problems():
            self._check()
            return False
        try:
            self.service.save_template(self.modele, self.text)
        except ValidationError as exc:
            self.problems_label.setText("\n".join(f"• {p}" for p in exc.problems))
            self.problems_label.show()
            return False
        self.edit.document().setModified(False)
        self.status_label.setText("Modèle enregistré.")
        self.saved.emit(self.modele)
        return True

    def reset_default(self) -> bool:
        label = MODELE_LABELS.get(self.modele, self.modele).lower()
        if not self.dialogs.confirm(
            self,
            "Rétablir le modèle par défaut",
            f"Remplacer le modèle « {label} » par le texte livré avec l'application ? "
            "Vos modifications seront perdues.",
            "Rétablir",
        ):
            return False
        self.service.save_template(self.modele, None)
        self.load()
        self.status_label.setText("Modèle par défaut rétabli.")
        return True

    def select_dossier(self, dossier_id: int) -> None:
        index = self.dossier_combo.findData(dossier_id)
        if index >= 0:
            self.dossier_combo.setCurrentIndex(index)

    def show_preview(self) -> str:
        dossier_id = self.dossier_combo.currentData()
        if dossier_id is None:
            return ""
        try:
            text = self.service.preview(int(dossier_id), template=self.text)
        except UserError as exc:
            text = f"Aperçu impossible : {exc.message}"
        self.preview_pane.setPlainText(text)
        return text


# --- Settings -------------------------------------------------------------------------------


class SettingsForm(QWidget):
    """The letters' sender, signataire and images (`NotificationService.settings`)."""

    def __init__(
        self,
        service: NotificationService,
        financeurs: Sequence[tuple[str, str]],
        dialogs: Dialogs,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.dialogs = dialogs
        form = QFormLayout()
        self.expediteur = QPlainTextEdit()
        self.expediteur.setPlaceholderText(
            "Une ligne par ligne du bloc expéditeur (vide : l'EPCI du contrat)"
        )
        self.expediteur.setTabChangesFocus(True)
        self.expediteur.setMaximumHeight(110)
        self.ville = QLineEdit()
        self.signataire = QLineEdit()
        self.fonction = QLineEdit()
        self.service_edit = QLineEdit()
        self.contact = QLineEdit()
        self.financeur = QComboBox()
        self.financeur.addItem("Par défaut (l'EPCI, sinon l'État)", "")
        for code, nom in financeurs:
            self.financeur.addItem(nom, code)
        self.logo = QLineEdit()
        self.signature = QLineEdit()
        for caption, widget, name in (
            ("&Expéditeur :", self.expediteur, "Bloc expéditeur"),
            ("&Ville (lieu d'émission) :", self.ville, "Ville"),
            ("&Signataire :", self.signataire, "Signataire"),
            ("&Fonction du signataire :", self.fonction, "Fonction du signataire"),
            ("Ser&vice :", self.service_edit, "Service instructeur"),
            ("Affaire suivie &par :", self.contact, "Affaire suivie par"),
            ("Financeur &signataire :", self.financeur, "Financeur signataire"),
        ):
            widget.setAccessibleName(name)
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, widget)
        for caption, edit, name in (
            ("&Logo :", self.logo, "Logo"),
            ("&Image de signature :", self.signature, "Image de signature"),
        ):
            edit.setAccessibleName(name)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            choose = QPushButton("Choisir…")
            choose.setAccessibleName(f"Choisir : {name.lower()}")
            choose.clicked.connect(lambda _c=False, e=edit, n=name: self._choose_image(e, n))
            clear = QPushButton("Retirer")
            clear.setAccessibleName(f"Retirer : {name.lower()}")
            clear.clicked.connect(edit.clear)
            row.addWidget(choose)
            row.addWidget(clear)
            label = QLabel(caption)
            label.setBuddy(edit)
            form.addRow(label, row)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Résultat de l'enregistrement")
        self.save_button = QPushButton("&Enregistrer les paramètres")
        self.save_button.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        box = QWidget()
        box.setMaximumWidth(860)
        box.setLayout(form)
        layout.addWidget(box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.message, 1)
        layout.addLayout(bottom)
        layout.addStretch(1)
        self.load()

    def _choose_image(self, edit: QLineEdit, name: str) -> None:
        start = str(Path(edit.text()).parent) if edit.text() else ""
        path = self.dialogs.ask_open_path(self, name, start, IMAGE_FILTER)
        if path is not None:
            edit.setText(str(path))

    def load(self) -> None:
        s = self.service.settings()
        self.expediteur.setPlainText(s.expediteur)
        self.ville.setText(s.ville)
        self.signataire.setText(s.signataire)
        self.fonction.setText(s.fonction_signataire)
        self.service_edit.setText(s.service)
        self.contact.setText(s.contact)
        index = self.financeur.findData(s.financeur_signataire)
        if index < 0 and s.financeur_signataire:
            self.financeur.addItem(f"{s.financeur_signataire} (hors contrat)", s.financeur_signataire)
            index = self.financeur.count() - 1
        self.financeur.setCurrentIndex(max(index, 0))
        self.logo.setText(s.logo)
        self.signature.setText(s.signature)

    def values(self) -> NotificationSettings:
        return NotificationSettings(
            expediteur=self.expediteur.toPlainText().strip(),
            ville=self.ville.text().strip(),
            signataire=self.signataire.text().strip(),
            fonction_signataire=self.fonction.text().strip(),
            logo=self.logo.text().strip(),
            signature=self.signature.text().strip(),
            financeur_signataire=str(self.financeur.currentData() or ""),
            service=self.service_edit.text().strip(),
            contact=self.contact.text().strip(),
        )

    def save(self) -> bool:
        try:
            self.service.save_settings(self.values())
        except ValidationError as exc:
            self.message.setStyleSheet("color: #b3261e;")
            self.message.setText("Non enregistré : " + " ; ".join(exc.problems))
            return False
        self.message.setStyleSheet("")
        self.message.setText("Paramètres enregistrés.")
        return True


# --- The window -----------------------------------------------------------------------------


class NotificationsWindow(QDialog):
    """Notifications of one campagne (non-modal window)."""

    changed = Signal()  # dossiers moved to « Notifié »: the main window reloads

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
        self._db = db
        self.campagne_id = campagne_id
        self.dialogs = dialogs or Dialogs()
        self.service = NotificationService(db)
        self.job: Job[GenerationResult] | None = None
        self.last_result: GenerationResult | None = None
        synthese = SyntheseService(db)
        financeurs = synthese.financeurs(campagne_id)
        self.setWindowTitle("Notifications")
        self.setAccessibleName("Notifications de la campagne")

        self.model = NotificationsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Lettres de notification")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        for n, column in enumerate(COLUMNS):
            if column.width:
                hh.resizeSection(n, column.width)
        self.summary = QLabel("")
        self.summary.setAccessibleName("Résumé des notifications")

        self.scope_combo = QComboBox()
        self.scope_combo.setAccessibleName("Lettres à générer")
        self.scope_combo.addItem("Tous les dossiers en attente de notification", "pending")
        self.scope_combo.addItem("Les dossiers sélectionnés", "selection")
        self.merged_check = QCheckBox("Aussi un &PDF unique à signer")
        self.merged_check.setChecked(True)
        self.generate_button = QPushButton("&Générer les lettres…")
        self.generate_button.clicked.connect(self.ask_generate)

        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setAccessibleName("Date de l'étape")
        self.signed_button = QPushButton("Marquer &signées (à notifier)")
        self.notified_button = QPushButton("Marquer &notifiées")
        self.signed_button.clicked.connect(lambda: self.mark_selected("a_notifier"))
        self.notified_button.clicked.connect(lambda: self.mark_selected("notifie"))
        self.signed_button.setToolTip("Lettres signées, prêtes à envoyer : elles passent à « À notifier »")
        self.notified_button.setToolTip(
            "Les porteurs ont reçu la lettre : les dossiers passent à « Notifié »"
        )
        self.mark_status = QLabel("")
        self.mark_status.setAccessibleName("Résultat du suivi")

        list_page = QWidget()
        page = QVBoxLayout(list_page)
        gen_row = QHBoxLayout()
        gen_row.addWidget(self.scope_combo)
        gen_row.addWidget(self.merged_check)
        gen_row.addWidget(self.generate_button)
        gen_row.addStretch(1)
        gen_row.addWidget(self.summary)
        page.addLayout(gen_row)
        page.addWidget(self.table, 1)
        mark_row = QHBoxLayout()
        date_label = QLabel("&Date :")
        date_label.setBuddy(self.date_edit)
        mark_row.addWidget(date_label)
        mark_row.addWidget(self.date_edit)
        mark_row.addWidget(self.signed_button)
        mark_row.addWidget(self.notified_button)
        mark_row.addWidget(self.mark_status, 1)
        page.addLayout(mark_row)

        self.reload()
        lines = self.model.rows
        self.editors: dict[str, TemplateEditor] = {}
        templates = QTabWidget()
        templates.setAccessibleName("Modèles de lettres")
        for modele in MODELES:
            editor = TemplateEditor(self.service, modele, lines, self.dialogs)
            self.editors[modele] = editor
            templates.addTab(editor, MODELE_LABELS.get(modele, modele))
        self.templates_tabs = templates
        self.settings_form = SettingsForm(self.service, [(f.code, f.nom) for f in financeurs], self.dialogs)

        self.tabs = QTabWidget()
        self.tabs.addTab(list_page, "Suivi des &lettres")
        self.tabs.addTab(templates, "&Modèles de lettres")
        self.tabs.addTab(self.settings_form, "Pa&ramètres")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self._on_selection()
        self.resize(1200, 720)

    # --- list ------------------------------------------------------------------------------

    def reload(self) -> None:
        selected = set(self.selected_dossier_ids()) if self.table.selectionModel() else set()
        self.model.set_rows(notification_lines(self._db, self.campagne_id))
        counts: dict[str, int] = {}
        for line in self.model.rows:
            counts[line.etat] = counts.get(line.etat, 0) + 1
        parts = [f"{label.lower()} : {counts[k]}" for k, label in ETAT_LABELS.items() if counts.get(k)]
        self.summary.setText(" · ".join(parts) if parts else "Aucun dossier décidé dans cette campagne")
        if selected:
            self.select_dossiers(selected)

    def lines(self) -> list[NotificationLine]:
        return self.model.rows

    def selected_lines(self) -> list[NotificationLine]:
        rows = sorted({ix.row() for ix in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r) for r in rows]

    def selected_dossier_ids(self) -> list[int]:
        return [line.dossier_id for line in self.selected_lines()]

    def select_dossiers(self, dossier_ids: Sequence[int] | set[int]) -> None:
        wanted = set(dossier_ids)
        selection = self.table.selectionModel()
        selection.clearSelection()
        from PySide6.QtCore import QItemSelectionModel

        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r, line in enumerate(self.model.rows):
            if line.dossier_id in wanted:
                selection.select(self.model.index(r, 0), flags)

    def _on_selection(self, *_args: object) -> None:
        n = len(self.table.selectionModel().selectedRows())
        for button in (self.signed_button, self.notified_button):
            button.setEnabled(n > 0)
        self.scope_combo.setItemText(1, f"Les dossiers sélectionnés ({n})")
        if n:
            line = self.selected_lines()[0]
            editor = self.editors.get(line.modele) if hasattr(self, "editors") else None
            if editor is not None:
                editor.select_dossier(line.dossier_id)

    # --- generation ------------------------------------------------------------------------

    def ask_generate(self) -> None:
        folder = self.dialogs.ask_directory(self, "Dossier des lettres", str(Path.home()))
        if folder is not None:
            self.generate(folder)

    def generate(self, folder: Path) -> Job[GenerationResult] | None:
        ids: list[int] | None = None
        if self.scope_combo.currentData() == "selection":
            ids = self.selected_dossier_ids()
            if not ids:
                self.dialogs.error(self, "Générer les lettres", "Aucun dossier sélectionné.")
                return None
        merged = (
            folder / f"Lettres_a_signer_{date.today().isoformat()}.pdf"
            if self.merged_check.isChecked()
            else None
        )
        service, cid = self.service, self.campagne_id

        def work(progress: Progress) -> GenerationResult:
            return service.generate(
                cid,
                folder,
                dossier_ids=ids,
                merged=merged,
                progress=lambda done, total: progress.update(done, total, f"Lettre {done} sur {total}"),
                cancel=lambda: progress.cancelled,
            )

        self.generate_button.setEnabled(False)
        self.job = run_job(
            self,
            "Génération des lettres",
            work,
            lambda result: self._generated(result, folder),
            self._generation_failed,
            True,
            on_cancel=lambda: self.generate_button.setEnabled(True),
            dialogs=self.dialogs,
        )
        return self.job

    def _generated(self, result: GenerationResult, folder: Path) -> None:
        self.generate_button.setEnabled(True)
        self.last_result = result
        self.reload()
        n = len(result.files)
        message = f"{n} lettre{'s' if n > 1 else ''} générée{'s' if n > 1 else ''} dans {folder}"
        if result.cancelled:
            message += " (génération interrompue)"
        if result.merged is not None:
            message += f"\nPDF unique à signer : {result.merged.name}"
        if result.unchanged:
            message += (
                "\nDéjà signées ou notifiées, état inchangé : "
                + ", ".join(result.unchanged[:10])
                + ("…" if len(result.unchanged) > 10 else "")
            )
        paths = list(result.files) + ([result.merged] if result.merged is not None else [])
        self.dialogs.files_written(self, "Générer les lettres", message, paths, folder)

    def _generation_failed(self, exc: BaseException) -> None:
        self.generate_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.dialogs.error(self, "Générer les lettres", exc.message)
            return
        import sys

        sys.excepthook(type(exc), exc, exc.__traceback__)

    # --- workflow --------------------------------------------------------------------------

    def mark_selected(self, etat: str, when: date | None = None) -> None:
        when = when or self.date_edit.date().toPython()
        lines = self.selected_lines()
        if not lines:
            return
        ids = [line.notification_id for line in lines if line.notification_id is not None]
        refused = [
            f"{line.reference} : lettre pas encore générée" for line in lines if line.notification_id is None
        ]
        notified: tuple[int, ...] = ()
        if ids:
            result = self.service.mark(ids, etat, when)
            by_id = {line.notification_id: line.reference for line in lines}
            refused += [
                f"{by_id.get(nid, '')} : {reason}" if nid else reason for nid, reason in result.refused
            ]
            changed = len(result.changed)
            notified = result.dossiers_notifies
        else:
            changed = 0
        self.reload()
        if notified:
            self.changed.emit()
        label = ETAT_LABELS.get(etat, etat).lower()
        message = (
            f"{changed} lettre{'s' if changed > 1 else ''} passée{'s' if changed > 1 else ''} à « {label} »"
        )
        if notified:
            message += f" ; {len(notified)} dossier{'s' if len(notified) > 1 else ''} notifié{'s' if len(notified) > 1 else ''}"
        self.mark_status.setText(message + ".")
        if refused:
            self.dialogs.report(self, "Suivi des lettres", message + ".", refused)
