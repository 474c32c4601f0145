"""« Nouveau contrat… » wizard and « Nouvelle campagne… » dialog.

The wizard: référentiel (the most recent preselected, or « contrat vide ») with a preview of its cadre →
identification → financeurs (proposed from the référentiel's signataires, with their SIRET; the usual
five for a contrat vide; editable) → first campagne (année,
libellé, enveloppes) → everything is created through the services and `created(contrat, campagne)`
is emitted (the main window then shows the new campagne).
"""

from __future__ import annotations

import contextlib
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from instructeur.domain.identifiers import siren_problem
from instructeur.domain.money import format_amount
from instructeur.errors import UserError
from instructeur.referentiels import Referentiel, list_referentiels, most_recent
from instructeur.services.campagnes import CampagneService
from instructeur.services.contrats import ContratService, FinanceurData, default_financeurs
from instructeur.services.financeurs import FinanceurEdit, financeur_problems, financeurs_from_signataires
from instructeur.storage.db import Database
from ui.dialogs import Dialogs
from ui.parametres.window import (
    EnveloppeLine,
    EnveloppesModel,
    FinanceurLine,
    FinanceursModel,
    TypeDelegate,
    _note,
    _problems_label,
    _table,
    plural,
    problems_text,
)
from ui.screen_fit import FitsScreen

EMPTY_CHOICE = "__vide__"


def referentiel_summary(ref: Referentiel) -> str:
    """« 2024–2030 · 4 QPV · 96 éléments de cadre »."""
    nodes = sum(ref.count_by_level())
    qpv = f"{len(ref.qpv)} QPV" if ref.qpv else "QPV à saisir"
    return f"{ref.periode[0]}–{ref.periode[1]} · {qpv} · {plural(nodes, 'élément')} de cadre stratégique"


class ReferentielPage(QWizardPage):
    def __init__(self, wizard: NouveauContratWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Point de départ")
        self.setSubTitle(
            "Partez du référentiel de votre contrat de ville (quartiers, cadre stratégique, signataires "
            "repris du document signé), ou d'un contrat vide."
        )
        self.list = QListWidget()
        self.list.setAccessibleName("Référentiels disponibles")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        for ref in wizard.referentiels:
            imported = " (importé)" if ref.importe else ""
            item = QListWidgetItem(f"{ref.nom}{imported}\n{referentiel_summary(ref)}")
            item.setData(Qt.ItemDataRole.UserRole, ref.code)
            self.list.addItem(item)
        empty = QListWidgetItem("Contrat vide\nquartiers et objectifs à saisir ou importer ensuite")
        empty.setData(Qt.ItemDataRole.UserRole, EMPTY_CHOICE)
        self.list.addItem(empty)
        self.detail_title = QLabel()
        self.detail_title.setWordWrap(True)
        self.detail_title.setStyleSheet("font-weight: 600;")
        self.detail_text = QLabel()
        self.detail_text.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Code", "Titre"])
        self.tree.setAccessibleName("Cadre stratégique du référentiel")
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.detail_text)
        dl.addWidget(self.tree, 1)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setMinimumHeight(520)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.list.currentItemChanged.connect(self._show_detail)
        self.list.currentItemChanged.connect(lambda *_: self.completeChanged.emit())
        recent = most_recent(wizard.referentiels)  # by end of period: not an expired contrat
        self.list.setCurrentRow(wizard.referentiels.index(recent) if recent else 0)

    def choice(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def choose(self, code: str) -> None:
        for n in range(self.list.count()):
            if self.list.item(n).data(Qt.ItemDataRole.UserRole) == code:
                self.list.setCurrentRow(n)
                return
        raise KeyError(code)

    def isComplete(self) -> bool:
        return self.choice() is not None

    def _show_detail(self, *_args: object) -> None:
        self.tree.clear()
        ref = next((r for r in self.wiz.referentiels if r.code == self.choice()), None)
        if ref is None:
            self.detail_title.setText("Contrat vide")
            self.detail_text.setText(
                "Vous saisirez vos QPV (ou importerez la liste officielle de l'ANCT) dans Paramètres ▸ "
                "Quartiers. Le cadre stratégique restera vide : les dossiers pourront être créés sans "
                "rattachement à un objectif."
            )
            return
        self.detail_title.setText(ref.contrat_nom)
        qpv = ", ".join(q.nom for q in ref.qpv) or "non nommés dans la source"
        niveaux = " → ".join(ref.niveaux)
        self.detail_text.setText(
            f"{ref.epci_nom} · {ref.periode[0]}–{ref.periode[1]}<br>"
            f"<b>QPV :</b> {qpv}<br><b>Niveaux :</b> {niveaux}<br>"
            f"<b>Signataires :</b> {len(ref.signataires)}"
            + "".join(
                f"<br><b>{k.nom} :</b> {' → '.join(k.niveaux)} ({plural(sum(1 for _ in k.walk()), 'élément')})"
                for k in ref.classifications
            )
        )

        def add(node: object, parent: QTreeWidgetItem | None) -> None:
            from instructeur.referentiels import Noeud

            assert isinstance(node, Noeud)
            item = QTreeWidgetItem([node.code, node.titre])
            item.setToolTip(1, node.titre)
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            for child in node.enfants:
                add(child, item)

        for node in ref.cadre:
            add(node, None)
        self.tree.expandToDepth(0)


class ContratPage(QWizardPage):
    def __init__(self, wizard: NouveauContratWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Le contrat")
        self.setSubTitle(
            "Son nom et l'intercommunalité qui le porte ; tout reste modifiable dans Paramètres."
        )
        self.nom = QLineEdit()
        self.nom.setAccessibleName("Nom du contrat")
        self.epci = QLineEdit()
        self.epci.setAccessibleName("Nom de l'EPCI")
        self.siren = QLineEdit()
        self.siren.setAccessibleName("SIREN de l'EPCI")
        self.siren.setPlaceholderText("facultatif : 9 chiffres")
        self.debut, self.fin = QSpinBox(), QSpinBox()
        for box, name in ((self.debut, "Début de la période"), (self.fin, "Fin de la période")):
            box.setRange(1990, 2100)
            box.setGroupSeparatorShown(False)
            box.setAccessibleName(name)
        periode = QHBoxLayout()
        periode.addWidget(self.debut)
        periode.addWidget(QLabel("à"))
        periode.addWidget(self.fin)
        periode.addStretch(1)
        self.problems = _problems_label()
        form = QFormLayout(self)
        form.addRow("&Nom du contrat :", self.nom)
        form.addRow("&EPCI :", self.epci)
        form.addRow("&SIREN de l'EPCI :", self.siren)
        periode_label = QLabel("&Période :")  # a layout cannot be a buddy: its first field is
        periode_label.setBuddy(self.debut)
        form.addRow(periode_label, periode)
        form.addRow(self.problems)
        self.nom.textChanged.connect(lambda: self.completeChanged.emit())
        self._filled_for: str | None = None

    def initializePage(self) -> None:
        choice = self.wiz.referentiel_page.choice()
        if choice == self._filled_for:
            return  # keep what the user typed when coming back
        self._filled_for = choice
        ref = self.wiz.referentiel()
        self.nom.setText(ref.contrat_nom if ref else "")
        self.epci.setText(ref.epci_nom if ref else "")
        self.siren.setText((ref.epci_siren or "") if ref else "")
        self.debut.setValue(ref.periode[0] if ref else 2024)
        self.fin.setValue(ref.periode[1] if ref else 2030)

    def isComplete(self) -> bool:
        return bool(self.nom.text().strip())

    def validatePage(self) -> bool:
        problems = []
        if self.siren.text().strip():
            problem = siren_problem(self.siren.text())
            if problem:
                problems.append(problem)
        if self.debut.value() > self.fin.value():
            problems.append("la période commence après sa fin")
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        return not problems


class FinanceursPage(QWizardPage):
    def __init__(self, wizard: NouveauContratWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Les financeurs")
        self.setSubTitle(
            "Ceux qui financent les actions du contrat, proposés d'après les signataires du référentiel. "
            "Double-cliquez pour modifier ; l'ordre est celui des colonnes du plan de financement."
        )
        self.model = FinanceursModel(self)
        self.table = _table(self.model, "Financeurs du contrat")
        self.table.setItemDelegateForColumn(2, TypeDelegate(self.table))
        self.table.setColumnHidden(FinanceursModel.USAGE, True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.resizeSection(0, 170)
        hh.resizeSection(2, 130)
        hh.resizeSection(3, 150)
        self.add_button = QPushButton("&Ajouter un financeur")
        self.remove_button = QPushButton("&Retirer")
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.problems = _problems_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(
            _note(
                "Retirez les signataires qui ne financent pas d'actions, ajoutez les autres partenaires "
                "maintenant ou plus tard. Le SIRET (facultatif, 14 chiffres) identifie l'attribuant dans "
                "les données ouvertes."
            )
        )
        layout.addWidget(self.problems)
        self._filled_for: str | None = None

    def initializePage(self) -> None:
        """Proposed once per référentiel chosen: coming back keeps what the user edited."""
        choice = self.wiz.referentiel_page.choice()
        if choice == self._filled_for:
            return
        self._filled_for = choice
        epci = self.wiz.contrat_page.epci.text().strip()
        ref = self.wiz.referentiel()
        proposed = financeurs_from_signataires(ref.signataires_detail(), epci) if ref else default_financeurs(epci)
        self.model.set_lines(
            [FinanceurLine(None, f.code, f.nom, f.type, siret=f.siret or "") for f in proposed]
        )

    def add(self) -> None:
        row = self.model.add(FinanceurLine(None, "", "", "autre"))
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.edit(self.model.index(row, 0))

    def remove_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.model.remove(index.row())

    def financeurs(self) -> list[FinanceurData]:
        return [
            FinanceurData(line.code.strip().upper(), line.nom.strip(), line.type, line.siret or None)
            for line in self.model.lines
        ]

    def validatePage(self) -> bool:
        problems = financeur_problems(
            [FinanceurEdit(None, f.code, f.nom, f.type, siret=f.siret) for f in self.financeurs()]
        )
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        return not problems


class CampagnePage(QWizardPage):
    def __init__(self, wizard: NouveauContratWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("La première campagne")
        self.setSubTitle(
            "L'appel à projets de l'année et l'enveloppe de chaque financeur (modifiables ensuite). "
            "La grille d'analyse par défaut et la liste de recevabilité usuelle sont créées avec elle."
        )
        self.annee = QSpinBox()
        self.annee.setRange(1990, 2100)
        self.annee.setGroupSeparatorShown(False)
        self.annee.setValue(date.today().year + (1 if date.today().month >= 9 else 0))
        self.annee.setAccessibleName("Année de la campagne")
        self.annee.setMaximumWidth(120)
        self.libelle = QLineEdit("Appel à projets")
        self.libelle.setAccessibleName("Libellé de la campagne")
        self.model = EnveloppesModel(self, with_vote=False)
        self.table = _table(self.model, "Enveloppes par financeur")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().resizeSection(1, 180)
        self.total = QLabel()
        self.model.edited.connect(self._update_total)
        self.problems = _problems_label()
        self.model.rejected.connect(self._on_rejected)
        form = QFormLayout()
        form.addRow("&Année :", self.annee)
        form.addRow("&Libellé :", self.libelle)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Enveloppes (double-cliquez sur un montant, par ex. « 150 000 ») :"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.problems)

    def initializePage(self) -> None:
        old = {line.code: line.enveloppe_cents for line in self.model.lines}
        self.model.set_lines(
            [
                EnveloppeLine(n, f.code, f.nom, old.get(f.code, 0))
                for n, f in enumerate(self.wiz.financeurs_page.financeurs())
            ]
        )  # financeur_id is the line's position until the financeurs exist
        self._update_total()

    def _update_total(self) -> None:
        self.problems.hide()
        self.total.setText(f"Total des enveloppes : {format_amount(self.model.total_cents())}")

    def _on_rejected(self, message: str) -> None:
        self.problems.setText(message)
        self.problems.show()

    def validatePage(self) -> bool:
        return self.wiz.create_all()


class NouveauContratWizard(FitsScreen, QWizard):
    created = Signal(int, int)  # contrat id, campagne id

    def __init__(
        self, db: Database, *, parent: QWidget | None = None, dialogs: Dialogs | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.dialogs = dialogs or Dialogs()
        self.setWindowTitle("Nouveau contrat de ville")
        self.setObjectName("nouveauContrat")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Créer le contrat")
        self.referentiels = list_referentiels()
        self.referentiel_page = ReferentielPage(self)
        self.contrat_page = ContratPage(self)
        self.financeurs_page = FinanceursPage(self)
        self.campagne_page = CampagnePage(self)
        for page in (self.referentiel_page, self.contrat_page, self.financeurs_page, self.campagne_page):
            self.addPage(page)
        self.contrat_id: int | None = None
        self.campagne_id: int | None = None
        self.resize(1000, 680)

    def referentiel(self) -> Referentiel | None:
        code = self.referentiel_page.choice()
        return next((r for r in self.referentiels if r.code == code), None)

    def create_all(self) -> bool:
        """Creates the contrat, its financeurs and the first campagne (once)."""
        if self.campagne_id is not None:
            return True
        page = self.contrat_page
        financeurs = self.financeurs_page.financeurs()
        contrats = ContratService(self.db)
        campagnes = CampagneService(self.db)
        try:
            if self.contrat_id is None:
                ref = self.referentiel()
                periode = (page.debut.value(), page.fin.value())
                siren = page.siren.text().strip() or None
                if ref is None:
                    self.contrat_id = contrats.create_empty(
                        page.nom.text(),
                        epci_nom=page.epci.text(),
                        epci_siren=siren,
                        periode=periode,
                        financeurs=financeurs,
                    )
                else:
                    self.contrat_id = contrats.create_from_referentiel(
                        ref, financeurs, page.nom.text().strip()
                    )
                    detail = contrats.detail(self.contrat_id)
                    contrats.update_contrat(
                        self.contrat_id, detail.version, page.nom.text(), page.epci.text(), siren, periode
                    )
            ids = {f.code: f.id for f in contrats.financeurs(self.contrat_id)}
            enveloppes = {
                ids[line.code.strip().upper()]: line.enveloppe_cents
                for line in self.campagne_page.model.lines
                if line.code.strip().upper() in ids
            }
            self.campagne_id = campagnes.create_checked(
                self.contrat_id,
                self.campagne_page.annee.value(),
                libelle=self.campagne_page.libelle.text(),
                enveloppes=enveloppes,
            )
            _default_grille(self.db, self.campagne_id)
        except UserError as exc:
            self.campagne_page.problems.setText(f"Création refusée : {problems_text(exc)}")
            self.campagne_page.problems.show()
            return False
        self.created.emit(self.contrat_id, self.campagne_id)
        return True


def _default_grille(db: Database, campagne_id: int) -> None:
    from instructeur.services.grilles import GrilleService

    with contextlib.suppress(UserError):  # a grille exists already
        GrilleService(db).create_default(campagne_id)


class NouvelleCampagneDialog(FitsScreen, QDialog):
    """A new campagne of a contrat: from scratch, or copied from an existing one (enveloppes,
    recevabilité, grille, cotation F/H)."""

    created = Signal(int)

    def __init__(
        self,
        db: Database,
        contrat_id: int | None = None,
        *,
        source_campagne_id: int | None = None,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.dialogs = dialogs or Dialogs()
        self.service = CampagneService(db)
        self.campagne_id: int | None = None
        self.setWindowTitle("Nouvelle campagne")
        self.contrats = ContratService(db).all()
        self.campagnes = self.service.all()
        self.contrat = QComboBox()
        self.contrat.setAccessibleName("Contrat")
        for c in self.contrats:
            self.contrat.addItem(c.nom, c.id)
        if contrat_id is not None:
            self.contrat.setCurrentIndex(max(0, self.contrat.findData(contrat_id)))
        self.annee = QSpinBox()
        self.annee.setRange(1990, 2100)
        self.annee.setGroupSeparatorShown(False)
        self.annee.setAccessibleName("Année")
        self.libelle = QLineEdit("Appel à projets")
        self.libelle.setAccessibleName("Libellé")
        self.copy_radio = QRadioButton(
            "&Copier une campagne existante (enveloppes, recevabilité, grille, cotation F/H)"
        )
        self.empty_radio = QRadioButton("Partir d'une campagne &vide (grille par défaut)")
        group = QButtonGroup(self)
        group.addButton(self.copy_radio)
        group.addButton(self.empty_radio)
        self.source = QComboBox()
        self.source.setAccessibleName("Campagne à copier")
        self.problems = _problems_label()
        form = QFormLayout()
        form.addRow("C&ontrat :", self.contrat)
        form.addRow("&Année :", self.annee)
        form.addRow("&Libellé :", self.libelle)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Créer la campagne")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.copy_radio)
        layout.addWidget(self.source)
        layout.addWidget(self.empty_radio)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.contrat.currentIndexChanged.connect(self._fill_sources)
        self.copy_radio.toggled.connect(self.source.setEnabled)
        self._fill_sources()
        if source_campagne_id is not None:
            self.source.setCurrentIndex(max(0, self.source.findData(source_campagne_id)))
        self.resize(560, self.sizeHint().height())

    def _fill_sources(self) -> None:
        cid = self.contrat.currentData()
        own = [c for c in self.campagnes if c.contrat_id == cid]
        self.source.clear()
        for c in own:
            name = c.libelle if str(c.annee) in c.libelle else f"{c.annee} — {c.libelle}"
            self.source.addItem(name, c.id)
        latest = max((c.annee for c in own), default=date.today().year - 1)
        self.annee.setValue(latest + 1)
        self.copy_radio.setEnabled(bool(own))
        self.copy_radio.setChecked(bool(own))
        self.empty_radio.setChecked(not own)
        self.source.setEnabled(bool(own))

    def create_campagne(self) -> int | None:
        try:
            if self.copy_radio.isChecked() and self.source.currentData() is not None:
                libelle = self.libelle.text().strip()
                source = next(c for c in self.campagnes if c.id == self.source.currentData())
                same = libelle in ("", "Appel à projets") and str(source.annee) in source.libelle
                self.campagne_id = self.service.copy_from(
                    int(self.source.currentData()), self.annee.value(), libelle=None if same else libelle
                )
            else:
                contrat_id = self.contrat.currentData()
                if contrat_id is None:
                    raise UserError("aucun contrat : créez d'abord un contrat (Fichier ▸ Nouveau contrat…)")
                self.campagne_id = self.service.create_checked(
                    int(contrat_id), self.annee.value(), libelle=self.libelle.text()
                )
                _default_grille(self.db, self.campagne_id)
        except UserError as exc:
            self.problems.setText(problems_text(exc))
            self.problems.show()
            return None
        self.created.emit(self.campagne_id)
        return self.campagne_id

    def accept(self) -> None:
        if self.create_campagne() is not None:
            super().accept()


__all__ = ["NouveauContratWizard", "NouvelleCampagneDialog", "referentiel_summary"]
