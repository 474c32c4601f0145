"""Tab « Public et territoire »: public visé, quartiers (several), dates of the action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from instructeur.services.dossiers import DossierData
from instructeur.services.fiche import QUARTIER_TYPE_LABELS, FicheContext
from ui.fiche.fields import CountEdit, DateEdit, add_row, form_layout, mark_invalid


@dataclass(frozen=True)
class PublicValues:
    public_prevu: int | None
    public_femmes: int | None
    public_hommes: int | None
    public_ages: str | None
    part_qpv_pct: int | None
    quartiers: tuple[int, ...]
    date_depot: date | None
    date_debut: date | None
    date_fin: date | None


class PublicTab(QWidget):
    changed = Signal()

    def __init__(self, context: FicheContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.public_prevu = CountEdit("Public prévu")
        self.public_femmes = CountEdit("Dont femmes")
        self.public_hommes = CountEdit("Dont hommes")
        self.public_ages = QLineEdit()
        self.public_ages.setPlaceholderText("ex. 11-15 ans, adultes")
        self.part_qpv = CountEdit("Part du public QPV (%)", maximum=100)
        self.parite = QLabel()
        self.parite.setAccessibleName("Répartition femmes / hommes")
        self.parite.setStyleSheet("color: palette(placeholder-text);")

        public_box = QGroupBox("Public visé")
        form = form_layout()
        add_row(form, "Public &prévu :", self.public_prevu)
        add_row(form, "dont &femmes :", self.public_femmes)
        add_row(form, "dont &hommes :", self.public_hommes)
        form.addRow("", self.parite)
        add_row(form, "Â&ges :", self.public_ages, name="Âges du public")
        qpv_row = QHBoxLayout()
        qpv_row.addWidget(self.part_qpv)
        qpv_row.addWidget(QLabel("% issu des quartiers prioritaires"))
        qpv_row.addStretch(1)
        qpv_label = QLabel("Part &QPV :")
        qpv_label.setBuddy(self.part_qpv)
        form.addRow(qpv_label, qpv_row)
        public_box.setLayout(form)

        self.date_depot = DateEdit("Date de dépôt")
        self.date_debut = DateEdit("Date de début de l'action")
        self.date_fin = DateEdit("Date de fin de l'action")
        dates_box = QGroupBox("Dates")
        dates = form_layout()
        add_row(dates, "Dépôt du &dossier :", self.date_depot)
        add_row(dates, "Dé&but de l'action :", self.date_debut)
        add_row(dates, "Fi&n de l'action :", self.date_fin)
        dates_box.setLayout(dates)

        self.quartiers = QListWidget()
        self.quartiers.setAccessibleName("Quartiers concernés")
        self.quartiers.setToolTip("Cochez les quartiers (Espace pour cocher au clavier)")
        self.quartiers.setAlternatingRowColors(True)
        for q in context.quartiers:
            label = (
                q.nom if q.type == "qpv" else f"{q.nom} ({QUARTIER_TYPE_LABELS.get(q.type, q.type).lower()})"
            )
            if q.code:
                label += f" — {q.code}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, q.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.quartiers.addItem(item)
        self.quartiers.setSpacing(2)
        rows = sum(self.quartiers.sizeHintForRow(n) + 4 for n in range(self.quartiers.count()))
        self.quartiers.setMaximumHeight(max(120, min(rows + 2 * self.quartiers.frameWidth() + 8, 520)))
        self.quartiers_count = QLabel()
        quartiers_box = QGroupBox("&Quartiers concernés")
        qlayout = QVBoxLayout(quartiers_box)
        qlayout.addWidget(self.quartiers, 1)
        qlayout.addWidget(self.quartiers_count)

        left = QVBoxLayout()
        left.addWidget(public_box)
        left.addWidget(dates_box)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(16)
        layout.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(quartiers_box)
        right.addStretch(1)
        layout.addLayout(right, 1)

        for w in (self.public_prevu, self.public_femmes, self.public_hommes, self.public_ages, self.part_qpv):
            w.textChanged.connect(self._on_change)
        for w in (self.date_depot, self.date_debut, self.date_fin):
            w.textChanged.connect(self._on_change)
        self.quartiers.itemChanged.connect(self._on_change)

    def load(self, data: DossierData) -> None:
        self.public_prevu.set_value(data.public_prevu)
        self.public_femmes.set_value(data.public_femmes)
        self.public_hommes.set_value(data.public_hommes)
        self.public_ages.setText(data.public_ages or "")
        self.part_qpv.set_value(data.part_qpv_pct)
        self.date_depot.set_value(data.date_depot)
        self.date_debut.set_value(data.date_debut)
        self.date_fin.set_value(data.date_fin)
        chosen = set(data.quartiers)
        self.quartiers.blockSignals(True)
        try:
            for n in range(self.quartiers.count()):
                item = self.quartiers.item(n)
                checked = item.data(Qt.ItemDataRole.UserRole) in chosen
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        finally:
            self.quartiers.blockSignals(False)
        self._on_change()

    def values(self) -> PublicValues:
        return PublicValues(
            public_prevu=self.public_prevu.value(),
            public_femmes=self.public_femmes.value(),
            public_hommes=self.public_hommes.value(),
            public_ages=self.public_ages.text().strip() or None,
            part_qpv_pct=self.part_qpv.value(),
            quartiers=tuple(sorted(self.checked_quartiers())),
            date_depot=self.date_depot.value(),
            date_debut=self.date_debut.value(),
            date_fin=self.date_fin.value(),
        )

    def checked_quartiers(self) -> list[int]:
        return [
            int(self.quartiers.item(n).data(Qt.ItemDataRole.UserRole))
            for n in range(self.quartiers.count())
            if self.quartiers.item(n).checkState() == Qt.CheckState.Checked
        ]

    def problems(self) -> list[tuple[QWidget, str]]:
        out: list[tuple[QWidget, str]] = []
        for w, label in (
            (self.public_prevu, "public prévu"),
            (self.public_femmes, "dont femmes"),
            (self.public_hommes, "dont hommes"),
            (self.part_qpv, "part du public QPV"),
            (self.date_depot, "date de dépôt"),
            (self.date_debut, "date de début"),
            (self.date_fin, "date de fin"),
        ):
            if (p := w.problem()) is not None:
                out.append((w, f"{label} : {p}"))
        return out

    def _on_change(self, *_args: object) -> None:
        n = len(self.checked_quartiers())
        self.quartiers_count.setText(
            "Aucun quartier coché"
            if n == 0
            else f"{n} quartier{'s' if n > 1 else ''} coché{'s' if n > 1 else ''}"
        )
        prevu, f, h = self.public_prevu.value(), self.public_femmes.value(), self.public_hommes.value()
        text = ""
        if prevu and (f is not None or h is not None):
            rest = prevu - (f or 0) - (h or 0)
            text = f"{round(100 * (f or 0) / prevu)} % de femmes, {round(100 * (h or 0) / prevu)} % d'hommes"
            if rest > 0:
                text += f" ; {rest} non réparti{'s' if rest > 1 else ''}"
        self.parite.setText(text)
        over = prevu is not None and (f or 0) + (h or 0) > prevu
        if self.public_femmes.problem() is None:
            mark_invalid(self.public_femmes, "femmes + hommes dépassent le public prévu" if over else None)
        if self.public_hommes.problem() is None:
            mark_invalid(self.public_hommes, "femmes + hommes dépassent le public prévu" if over else None)
        fin_problem = self.date_fin.problem()
        debut, fin = self.date_debut.value(), self.date_fin.value()
        if fin_problem is None:
            mark_invalid(self.date_fin, "la fin précède le début" if debut and fin and fin < debut else None)
        self.changed.emit()
