"""Paramètres › Campagne: libellé, statut, dates, enveloppes, recevabilité list, links to the grille,
cotation F/H and letters settings; new campagne; deleting one created by mistake."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount
from instructeur.domain.statuts import CAMPAGNE_STATUT_LABELS
from instructeur.errors import UserError
from instructeur.services.campagnes import CampagneService
from instructeur.storage.db import Database
from instructeur.storage.models import CAMPAGNE_STATUTS
from ui.delegates import AmountDelegate
from ui.dialogs import Dialogs
from ui.parametres.campagne_models import EnveloppeLine, EnveloppesModel, RecevabiliteLine, RecevabiliteModel
from ui.parametres.common import (
    _line_buttons,
    _move_current,
    _note,
    _Tab,
    _table,
    plural,
)


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
        self._db = db
        self.service = CampagneService(db)
        self.contrat_id = contrat_id
        self.campagne_id = campagne_id
        self.version = 0
        top = self._build_choice()
        upper = self._build_identification()
        lower = QHBoxLayout()
        lower.addWidget(self._build_enveloppes(), 1)
        lower.addWidget(self._build_recevabilite(), 1)

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

    def _build_choice(self) -> QHBoxLayout:
        """The campagne to set up, « Nouvelle campagne… » and « Supprimer la campagne… »."""
        self.choice = QComboBox()
        self.choice.setAccessibleName("Campagne à paramétrer")
        self.choice.activated.connect(self._on_choice)
        self.new_button = QPushButton("&Nouvelle campagne…")
        self.new_button.clicked.connect(self.new_campagne.emit)
        self.delete_button = QPushButton("&Supprimer la campagne…")
        self.delete_button.setToolTip("Supprime une campagne créée par erreur (sans dossier ni comité)")
        self.delete_button.clicked.connect(self.delete_campagne)
        top = QHBoxLayout()
        caption = QLabel("Ca&mpagne :")
        caption.setBuddy(self.choice)
        top.addWidget(caption)
        top.addWidget(self.choice, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.delete_button)
        return top

    def _build_identification(self) -> QHBoxLayout:
        """The appel à projets (libellé, année, statut, dates) beside the campagne's other settings."""
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
        return upper

    def _build_enveloppes(self) -> QGroupBox:
        """The enveloppe of each financeur, and their total."""
        self.enveloppes = EnveloppesModel(self)
        self.enveloppes.edited.connect(self.mark)
        self.enveloppes.edited.connect(self._update_total)
        self.enveloppes.rejected.connect(self._on_rejected)
        self.enveloppes_table = _table(self.enveloppes, "Enveloppes par financeur")
        self.enveloppes_table.setItemDelegateForColumn(1, AmountDelegate(self.enveloppes_table))
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
        return env_box

    def _build_recevabilite(self) -> QGroupBox:
        """The recevabilité criteria, editable, with their buttons."""
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
        return rec_box

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
        self.delete_button.setEnabled(has)
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

    def delete_campagne(self) -> bool:
        """« Supprimer la campagne… » (one created by mistake: no dossier, no comité)."""
        from ui.deletion import confirm_and_delete

        if self.campagne_id is None:
            return False
        if self.modified and not self.ask_keep_going("Supprimer la campagne"):
            return False
        if not confirm_and_delete(self, self.dialogs, self._db, "campagne", self.campagne_id):
            return False
        self.campagne_id = None
        self.load()
        self.saved.emit()  # the main window's campagnes change
        return True

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
