"""Page 3 of the import wizard: the values of the file that match nothing of the contrat (a quartier,
an objectif), each with a combo of the closest names, mapped once for the whole file; and the
SIRET already known under another name, rattaché or made a new porteur. Skipped when the preview
finds none of these (MappingPage.nextId, ImportWizard.values_to_choose).

The choices go to the wizard's `ImportOptions` (the preview and the import use them) and can be
saved in an import template's « Correspondances » sheet (`import dossiers --correspondances`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from instructeur.errors import UserError
from instructeur.imports import value_map
from instructeur.imports.dossiers import ImportPreview
from instructeur.imports.results import SiretConflict, Unmatched
from instructeur.imports.values import key
from ui.import_pages.analysis import TEMPLATE_FILTER
from ui.import_pages.widgets import banner, set_banner

if TYPE_CHECKING:
    from ui.import_wizard import ImportWizard

LEAVE = ""  # combo choice: no mapping, the rows stay rejected
FIELD_NAMES = {"quartiers": "Quartier", "objectif_id": "Objectif"}
RATTACHER, NOUVEAU = "rattacher", "nouveau"


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


def _grid(name: str, headers: list[str]) -> QTableWidget:
    grid = QTableWidget(0, len(headers))
    grid.setAccessibleName(name)
    grid.setHorizontalHeaderLabels(headers)
    grid.verticalHeader().setVisible(False)
    grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    grid.horizontalHeader().setStretchLastSection(True)
    return grid


def _rows_text(rows: tuple[int, ...]) -> str:
    shown = ", ".join(str(n) for n in rows[:6])
    return shown + ("…" if len(rows) > 6 else "")


class ValuesPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Valeurs à faire correspondre")
        self.setSubTitle(
            "Une valeur du fichier qui ne désigne aucun quartier ou objectif du contrat : choisissez une "
            "fois ce qu'elle veut dire, pour tout le fichier."
        )
        self.banner = banner("Valeurs du fichier")
        self.unmatched: list[Unmatched] = []
        self.conflicts: list[SiretConflict] = []
        self.values = _grid(
            "Valeurs sans correspondance", ["Champ", "Valeur du fichier", "Lignes", "Correspond à"]
        )
        self.sirets = _grid(
            "SIRET connus sous un autre nom",
            ["SIRET", "Connu sous le nom", "Nom dans le fichier", "Lignes", "Choix"],
        )
        self.sirets_label = QLabel("SIRET déjà connus sous un autre nom :")
        self.save_button = QPushButton("Enregistrer les correspondances dans un &modèle…")
        self.save_button.setToolTip(
            "Un modèle d'import .xlsx avec une feuille « Correspondances », réutilisable "
            "(import dossiers --correspondances MODELE.xlsx)"
        )
        self.save_button.clicked.connect(self.save_template)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.values, 3)
        layout.addWidget(self.sirets_label)
        layout.addWidget(self.sirets, 2)
        layout.addLayout(buttons)

    def initializePage(self) -> None:
        if not self._wizard.preview_is_current():  # made when leaving the mapping page
            self._wizard.run_preview()

    def isComplete(self) -> bool:
        return self._wizard.preview is not None and not self._wizard.busy

    def show_preview(self, preview: ImportPreview | None) -> None:
        if preview is None:
            set_banner(self.banner, "ok", "Lecture du fichier…")
            self.completeChanged.emit()
            return
        self.unmatched = list(preview.unmatched)
        self.conflicts = list(preview.siret_conflicts)
        self._fill_values()
        self._fill_sirets()
        n, m = len(self.unmatched), len(self.conflicts)
        if n or m:
            parts = []
            if n:
                parts.append(f"{n} valeur{'s' if n > 1 else ''} sans correspondance")
            if m:
                parts.append(f"{m} SIRET connu{'s' if m > 1 else ''} sous un autre nom")
            set_banner(
                self.banner,
                "rejected" if n else "ok",
                " ; ".join(parts)
                + ". Les propositions sont classées de la plus proche à la plus lointaine ; "
                "« laisser rejetée » garde la ligne parmi les rejets.",
            )
        else:
            set_banner(self.banner, "ok", "Toutes les valeurs du fichier correspondent au contrat.")
        self.sirets.setVisible(bool(m))
        self.sirets_label.setVisible(bool(m))
        self.save_button.setEnabled(bool(n) or bool(self._wizard.import_options.values))
        self.completeChanged.emit()

    def _fill_values(self) -> None:
        choices = self._wizard.value_choices()
        self.values.setRowCount(len(self.unmatched))
        for n, u in enumerate(self.unmatched):
            self.values.setItem(n, 0, _item(FIELD_NAMES.get(u.field, u.field)))
            self.values.setItem(n, 1, _item(u.value))
            self.values.setItem(n, 2, _item(_rows_text(u.rows)))
            combo = QComboBox()
            combo.setAccessibleName(f"Correspondance de « {u.value} »")
            combo.addItem("— laisser la ligne rejetée —", LEAVE)
            for proposal in u.proposals:
                combo.addItem(proposal, proposal)
            if u.proposals:
                combo.insertSeparator(combo.count())
            for name in choices.get(u.field, []):
                if name not in u.proposals:
                    combo.addItem(name, name)
            if u.proposals:
                combo.setCurrentIndex(1)  # the closest: the user confirms or changes it
            self.values.setCellWidget(n, 3, combo)
        self.values.setColumnWidth(0, 90)
        self.values.setColumnWidth(1, 260)
        self.values.setColumnWidth(2, 90)

    def _fill_sirets(self) -> None:
        self.sirets.setRowCount(len(self.conflicts))
        for n, c in enumerate(self.conflicts):
            for col, text in enumerate((c.siret, c.known_as, c.file_name, _rows_text(c.rows))):
                self.sirets.setItem(n, col, _item(text))
            combo = QComboBox()
            combo.setAccessibleName(f"Choix pour le SIRET {c.siret}")
            combo.addItem(f"Rattacher à « {c.known_as} »", RATTACHER)
            combo.addItem(f"Nouveau porteur « {c.file_name} » (sans ce SIRET)", NOUVEAU)
            if c.siret in self._wizard.import_options.nouveaux_porteurs:
                combo.setCurrentIndex(1)
            self.sirets.setCellWidget(n, 4, combo)
        for col, width in enumerate((130, 200, 200, 80)):
            self.sirets.setColumnWidth(col, width)

    def combo(self, row: int) -> QComboBox:
        widget = self.values.cellWidget(row, 3)
        assert isinstance(widget, QComboBox)
        return widget

    def siret_combo(self, row: int) -> QComboBox:
        widget = self.sirets.cellWidget(row, 4)
        assert isinstance(widget, QComboBox)
        return widget

    def chosen(self) -> value_map.ValueMap:
        """The mapping chosen on this page (rows left « rejetée » are not in it)."""
        out: value_map.ValueMap = {}
        for n, u in enumerate(self.unmatched):
            target = self.combo(n).currentData()
            if target:
                value_map.add(out, u.field, u.value, str(target))
        return out

    def nouveaux(self) -> frozenset[str]:
        return frozenset(
            c.siret for n, c in enumerate(self.conflicts) if self.siret_combo(n).currentData() == NOUVEAU
        )

    def validatePage(self) -> bool:
        self._wizard.set_choices(
            self.chosen(), self.nouveaux(), {key(u.value): u.value for u in self.unmatched}
        )
        return True

    def save_template(self) -> None:
        wizard = self._wizard
        path = wizard.dialogs.ask_export_path(
            self, "Enregistrer les correspondances", "modele-import-correspondances.xlsx", TEMPLATE_FILTER
        )
        if path is None:
            return
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        values = value_map.merge(wizard.import_options.values, self.chosen())
        try:
            wizard.save_value_template(path, values, {key(u.value): u.value for u in self.unmatched})
        except (UserError, OSError) as exc:
            message = exc.message if isinstance(exc, UserError) else f"Impossible d'écrire « {path} » : {exc}"
            wizard.dialogs.error(self, "Correspondances", message)
            return
        set_banner(self.banner, "ok", f"Correspondances enregistrées dans « {path} ».")
