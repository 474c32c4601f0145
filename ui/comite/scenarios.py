"""« Simulations » of a comité: scenarios of decisions and amounts compared with the enveloppes.

A scenario (GSL's « simulation ») is a provisional décision and montant per financeur for each
dossier of the ordre du jour; it never touches a real decision. Left, the comité's scenarios (checked
ones, 2 or 3, are compared); centre, the selected scenario's lines, editable (décision, montant per
financeur: « 12 500 » or « 12 500,00 € »); bottom, the comparison: per financeur enveloppe, total of
each scenario and its reste (red when exceeded), and a bullet chart per scenario.
« Retenir comme propositions de séance » writes the scenario as the séance's proposals (confirmed).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from instructeur.errors import UserError
from instructeur.services.comites import ComiteService, PointRow
from instructeur.services.scenarios import ScenarioService
from instructeur.storage.db import Database
from ui.charts import BulletChart, BulletRow
from ui.comite import comite_title
from ui.comite.scenario_models import (
    MAX_COMPARED,
    ComparisonModel,
    DecisionDelegate,
    ScenarioLinesModel,
)
from ui.delegates import AmountDelegate
from ui.dialogs import Dialogs
from ui.screen_fit import FitsScreen

__all__ = ["ScenariosWindow"]


class ScenariosWindow(FitsScreen, QMainWindow):
    """The scenarios of one comité, their lines, and the comparison against the enveloppes."""

    proposals_changed = Signal()

    def __init__(
        self,
        db: Database,
        comite_id: int,
        *,
        parent: QWidget | None = None,
        dialogs: Dialogs | None = None,
        user: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("scenariosWindow")
        self._dialogs = dialogs or Dialogs()
        self.service = ComiteService(db, user)
        self.scenario_service = ScenarioService(db, user)
        self.comite_id = comite_id
        comite, _m = self.service.get(comite_id)
        self.setWindowTitle(f"Simulations — {comite_title(comite)}")
        self.points: list[PointRow] = []

        banner = QLabel("Simulation — ne modifie aucune décision")
        banner.setObjectName("simulationBanner")
        banner.setAccessibleName("Simulation : ne modifie aucune décision")
        banner.setStyleSheet(
            "#simulationBanner { background: #fff1c2; color: #4a3000; border: 2px solid #b07a00;"
            " border-radius: 4px; padding: 6px 10px; font-size: 13pt; font-weight: 700; }"
        )
        self.banner = banner

        left = self._build_scenarios()
        centre = self._build_lines()
        bottom = self._build_comparison()

        top = QSplitter()
        top.addWidget(left)
        top.addWidget(centre)
        top.setStretchFactor(1, 3)
        top.setSizes([300, 1100])
        vertical = QSplitter(Qt.Orientation.Vertical)
        vertical.addWidget(top)
        vertical.addWidget(bottom)
        vertical.setSizes([330, 570])
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(banner)
        layout.addWidget(vertical, 1)
        self.setCentralWidget(body)
        self.reload()

    def _build_scenarios(self) -> QWidget:
        """The comité's scenarios (checked: compared) and their buttons."""
        self.list = QListWidget()
        self.list.setAccessibleName("Scénarios du comité (cochez-en 2 ou 3 pour les comparer)")
        self.list.currentRowChanged.connect(self._on_current)
        self.list.itemChanged.connect(lambda _i: self.refresh_comparison())
        buttons = QVBoxLayout()
        self.new_button = QPushButton("&Nouveau (depuis les propositions)")
        self.new_button.clicked.connect(lambda: self.new_scenario(from_proposals=True))
        self.new_empty_button = QPushButton("Nouveau &vide")
        self.new_empty_button.clicked.connect(lambda: self.new_scenario(from_proposals=False))
        self.rename_button = QPushButton("&Renommer…")
        self.rename_button.clicked.connect(self.rename_scenario)
        self.delete_button = QPushButton("&Supprimer")
        self.delete_button.clicked.connect(self.delete_scenario)
        self.proposals_button = QPushButton("Retenir comme &propositions de séance…")
        self.proposals_button.clicked.connect(self.to_proposals)
        for b in (self.new_button, self.new_empty_button, self.rename_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addSpacing(12)
        buttons.addWidget(self.proposals_button)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("<b>Scénarios</b> (cochés : comparés)"))
        ll.addWidget(self.list, 1)
        ll.addLayout(buttons)
        return left

    def _build_lines(self) -> QWidget:
        """The selected scenario's lines, editable, and the message under them."""
        self.lines_model = ScenarioLinesModel(self)
        self.lines_model.save = self._save_line
        self.lines = QTableView()
        self.lines.setObjectName("scenarioLines")
        self.lines.setAccessibleName("Décisions et montants du scénario")
        self.lines.setModel(self.lines_model)
        self.lines.setItemDelegate(AmountDelegate(self.lines, zero_as_empty=True))  # the amount columns
        self.lines.setItemDelegateForColumn(ScenarioLinesModel.DECISION_COL, DecisionDelegate(self.lines))
        self.lines.verticalHeader().setVisible(False)
        self.lines.setAlternatingRowColors(True)
        self.lines.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.lines_title = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #7a1f00; font-weight: 600;")
        centre = QWidget()
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.lines_title)
        cl.addWidget(self.lines, 1)
        cl.addWidget(self.message)
        return centre

    def _build_comparison(self) -> QFrame:
        """The checked scenarios against the enveloppes: a table and a bullet chart each."""
        self.comparison_model = ComparisonModel(self)
        self.comparison = QTableView()
        self.comparison.setObjectName("comparisonTable")
        self.comparison.setAccessibleName("Comparaison des scénarios avec les enveloppes")
        self.comparison.setModel(self.comparison_model)
        self.comparison.verticalHeader().setVisible(False)
        self.comparison.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.comparison.horizontalHeader().setStretchLastSection(False)
        self.charts_box = QHBoxLayout()
        self.charts: list[BulletChart] = []
        self.comparison_note = QLabel()
        bottom = QFrame()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel("<b>Comparaison avec les enveloppes</b> (en rouge : enveloppe dépassée)"))
        bl.addWidget(self.comparison_note)
        bl.addWidget(self.comparison, 1)
        bl.addLayout(self.charts_box)
        return bottom

    # --- data --------------------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        keep = select if select is not None else self.current_scenario()
        checked = set(self.checked_scenarios())
        self.points = self.service.agenda(self.comite_id)
        scenarios = self.scenario_service.scenarios(self.comite_id)
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for sid, nom in scenarios:
                item = QListWidgetItem(nom)
                item.setData(Qt.ItemDataRole.UserRole, sid)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                on = sid in checked or (not checked and len(scenarios) <= MAX_COMPARED)
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                self.list.addItem(item)
        finally:
            self.list.blockSignals(False)
        row = next((n for n, (sid, _) in enumerate(scenarios) if sid == keep), 0 if scenarios else -1)
        self.list.setCurrentRow(row)
        self._on_current(row)
        self.refresh_comparison()

    def scenario_ids(self) -> list[int]:
        return [int(self.list.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.list.count())]

    def current_scenario(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def checked_scenarios(self) -> list[int]:
        return [
            int(self.list.item(n).data(Qt.ItemDataRole.UserRole))
            for n in range(self.list.count())
            if self.list.item(n).checkState() == Qt.CheckState.Checked
        ]

    def set_compared(self, scenario_ids: list[int]) -> None:
        self.list.blockSignals(True)
        try:
            for n in range(self.list.count()):
                item = self.list.item(n)
                on = int(item.data(Qt.ItemDataRole.UserRole)) in scenario_ids
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        finally:
            self.list.blockSignals(False)
        self.refresh_comparison()

    def _financeurs(self) -> list[tuple[int, str]]:
        seen: dict[int, str] = {}
        for e in self.service.tableau(self.comite_id).enveloppes:
            seen.setdefault(e.financeur_id, e.code)
        used = {m.financeur_id for p in self.points for m in p.montants if m.demande_cents or m.propose_cents}
        extra = {
            m.financeur_id: m.code for p in self.points for m in p.montants if m.financeur_id not in seen
        }
        ordered = [(fid, code) for fid, code in seen.items() if fid in used]
        return ordered + [(fid, code) for fid, code in extra.items() if fid in used]

    def _on_current(self, row: int) -> None:
        sid = self.current_scenario() if row >= 0 else None
        enabled = sid is not None
        for b in (self.rename_button, self.delete_button, self.proposals_button):
            b.setEnabled(enabled)
        if sid is None:
            self.lines_model.set_data(self.points, self._financeurs(), {})
            self.lines_title.setText("Aucun scénario : créez-en un depuis les propositions de l'instruction.")
            self.lines.setEnabled(False)
            self.lines.resizeColumnsToContents()  # the financeurs' codes in full, as with a scenario
            return
        self.lines.setEnabled(True)
        self.lines_model.set_data(self.points, self._financeurs(), self.scenario_service.scenario_lines(sid))
        self.lines_title.setText(
            f"<b>{self.list.currentItem().text()}</b> — double-cliquez une décision ou un montant pour le modifier"
        )
        self.lines.resizeColumnsToContents()

    def _save_line(self, dossier_id: int, decision: str | None, votes: dict[int, int]) -> str | None:
        sid = self.current_scenario()
        if sid is None:
            return "aucun scénario sélectionné"
        try:
            self.scenario_service.set_scenario_line(sid, dossier_id, decision, votes)
        except UserError as exc:
            self.message.setText(exc.message)
            return exc.message
        self.message.clear()
        self.refresh_comparison()
        return None

    def refresh_comparison(self) -> None:
        ids = self.checked_scenarios()[:MAX_COMPARED]
        names = {sid: self.list.item(n).text() for n, sid in enumerate(self.scenario_ids())}
        tableaux = self.scenario_service.compare_scenarios(ids) if ids else {}
        self.comparison_model.set_comparison([names[i] for i in ids], [tableaux[i] for i in ids])
        self.comparison_note.setText(
            "Cochez 2 ou 3 scénarios pour les comparer."
            if len(ids) < 2
            else f"{len(ids)} scénarios comparés (votes déjà enregistrés de la campagne inclus)."
        )
        while self.charts_box.count():
            item = self.charts_box.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.charts = []
        for sid in ids:
            t = tableaux[sid]
            chart = BulletChart(f"Scénario « {names[sid]} »")
            chart.set_rows([BulletRow(e.code, e.vote_cents, e.enveloppe_cents) for e in t.enveloppes])
            box = QVBoxLayout()
            title = QLabel(f"<b>{names[sid]}</b>")
            title.setBuddy(chart)
            holder = QWidget()
            holder.setLayout(box)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(title)
            box.addWidget(chart)
            self.charts_box.addWidget(holder, 1)
            self.charts.append(chart)

    # --- actions -----------------------------------------------------------------------------

    def _next_name(self) -> str:
        existing = {self.list.item(n).text() for n in range(self.list.count())}
        letter = next(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if f"Scénario {c}" not in existing)
        return f"Scénario {letter}"

    def new_scenario(self, *, from_proposals: bool = True, nom: str | None = None) -> int | None:
        if nom is None:
            nom = self._dialogs.ask_text(self, "Nouveau scénario", "Nom du scénario :", self._next_name())
        if nom is None:
            return None
        try:
            sid = self.scenario_service.create_scenario(self.comite_id, nom.strip(), from_proposals)
        except UserError as exc:
            self._dialogs.error(self, "Nouveau scénario", exc.message)
            return None
        self.reload(select=sid)
        return sid

    def rename_scenario(self) -> int | None:
        """A renamed copy replaces the scenario (the service keeps scenarios by name)."""
        sid = self.current_scenario()
        if sid is None:
            return None
        old = self.list.currentItem().text()
        nom = self._dialogs.ask_text(self, "Renommer le scénario", "Nouveau nom :", old)
        if nom is None or not nom.strip() or nom.strip() == old:
            return None
        try:
            lines = self.scenario_service.scenario_lines(sid)
            new_id = self.scenario_service.create_scenario(self.comite_id, nom.strip(), from_proposals=False)
            for dossier_id, (decision, votes) in lines.items():
                self.scenario_service.set_scenario_line(new_id, dossier_id, decision, votes)
            self.scenario_service.delete_scenario(sid)
        except UserError as exc:
            self._dialogs.error(self, "Renommer le scénario", exc.message)
            return None
        checked = self.checked_scenarios()
        self.reload(select=new_id)
        if sid in checked:
            self.set_compared([new_id if i == sid else i for i in checked])
        return new_id

    def delete_scenario(self) -> None:
        sid = self.current_scenario()
        if sid is None:
            return
        nom = self.list.currentItem().text()
        if not self._dialogs.confirm(
            self, "Supprimer le scénario", f"Supprimer le scénario « {nom} » ?", "Supprimer"
        ):
            return
        try:
            self.scenario_service.delete_scenario(sid)
        except UserError as exc:
            self._dialogs.error(self, "Supprimer le scénario", exc.message)
            return
        self.reload()

    def to_proposals(self) -> bool:
        sid = self.current_scenario()
        if sid is None:
            return False
        nom = self.list.currentItem().text()
        if not self._dialogs.confirm(
            self,
            "Retenir comme propositions de séance",
            f"Les montants du scénario « {nom} » deviennent les montants proposés à la séance "
            "(les décisions ne changent pas). Continuer ?",
            "Retenir",
        ):
            return False
        try:
            self.scenario_service.scenario_to_proposals(sid)
        except UserError as exc:
            self._dialogs.error(self, "Retenir comme propositions de séance", exc.message)
            return False
        self.points = self.service.agenda(self.comite_id)
        self.proposals_changed.emit()
        self._dialogs.info(
            self, "Propositions de séance", f"Le scénario « {nom} » est retenu comme propositions."
        )
        return True

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(1400, 900)
