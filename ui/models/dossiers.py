"""The dossiers list: columns over `DossierRow`, and the search proxy."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QColor

from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut
from instructeur.domain.text import fold, sort_key
from instructeur.services.dossiers import DossierRow
from ui.models.table import ALIGN_RIGHT, Column, RowTableModel, SourceSortingProxy

# Statut families and their colours (text, background): a light tint with dark text stays readable
# on a light palette and printed on a projector.
_FAMILY_COLOURS: dict[str, tuple[str, str]] = {
    "depot": ("#37474f", "#eceff1"),  # déposé: waiting for the recevabilité check
    "attente": ("#7a4b00", "#fdf0d5"),  # incomplet, ajourné: something is expected
    "instruction": ("#174a7c", "#e3eefa"),  # recevable → en comité
    "favorable": ("#1b5e20", "#e2f3e4"),  # retenu, soldé
    "cloture": ("#0f5757", "#dff1ef"),  # notifié (retenu or refusé: the decision says which)
    "negatif": ("#8e1b1b", "#fbe5e5"),  # irrecevable, refusé, non réalisé
}

STATUT_FAMILY: dict[Statut, str] = {
    Statut.DEPOSE: "depot",
    Statut.INCOMPLET: "attente",
    Statut.AJOURNE: "attente",
    Statut.RECEVABLE: "instruction",
    Statut.EN_INSTRUCTION: "instruction",
    Statut.INSTRUIT: "instruction",
    Statut.EN_COMITE: "instruction",
    Statut.RETENU: "favorable",
    Statut.SOLDE: "favorable",
    Statut.NOTIFIE: "cloture",
    Statut.IRRECEVABLE: "negatif",
    Statut.REFUSE: "negatif",
    Statut.NON_REALISE: "negatif",
}

_STATUT_FG = {s: QColor(_FAMILY_COLOURS[f][0]) for s, f in STATUT_FAMILY.items()}
_STATUT_BG = {s: QColor(_FAMILY_COLOURS[f][1]) for s, f in STATUT_FAMILY.items()}
# Life-cycle order: sorting by statut follows the dossier's progress, not the alphabet.
_STATUT_ORDER = {s: n for n, s in enumerate(Statut)}


def statut_colours(statut: Statut) -> tuple[QColor, QColor]:
    """(text, background) colours of a statut."""
    return _STATUT_FG[statut], _STATUT_BG[statut]


DOSSIER_COLUMNS: tuple[Column[DossierRow], ...] = (
    Column("reference", "Référence", lambda r: r.reference, sort_key=sort_key, width=120),
    Column("porteur", "Porteur", lambda r: r.porteur, sort_key=sort_key, width=240, stretch=2),
    Column("intitule", "Intitulé", lambda r: r.intitule, sort_key=sort_key, width=340, stretch=4),
    Column("quartiers", "Quartiers", lambda r: r.quartiers, sort_key=sort_key, width=220, stretch=3),
    Column(
        "demande",
        "Montant demandé",
        lambda r: r.demande_cents,
        alignment=ALIGN_RIGHT,
        formatter=format_amount,
        width=150,
        header_tooltip="Total demandé aux financeurs du contrat",
    ),
    Column(
        "statut",
        "Statut",
        lambda r: r.statut,
        formatter=lambda s: s.label,
        sort_key=_STATUT_ORDER.__getitem__,
        width=140,
        foreground=lambda r: _STATUT_FG[r.statut],
        background=lambda r: _STATUT_BG[r.statut],
        header_tooltip="Statut du dossier (tri dans l'ordre du cycle de vie)",
    ),
)


class DossierTableModel(RowTableModel[DossierRow]):
    """Dossiers of one campagne; keeps the folded search text of each row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(DOSSIER_COLUMNS, parent)
        self._search: list[str] = []

    def _prepare_rows(self, rows: list[DossierRow]) -> None:
        self._search = [fold(f"{r.reference} {r.porteur} {r.intitule}") for r in rows]

    def _reorder_extra(self, order: list[int]) -> None:
        self._search = [self._search[i] for i in order]

    def search_text(self, row: int) -> str:
        return self._search[row]

    def total_demande_cents(self) -> int:
        return sum(r.demande_cents for r in self._rows)


class DossierFilterProxy(SourceSortingProxy):
    """Instant, accent- and case-insensitive search on référence, porteur and intitulé.

    Every word typed must appear (« elan quartier » finds « Élan Solidaire — Quartiers »).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: tuple[str, ...] = ()

    @property
    def search(self) -> str:
        return " ".join(self._terms)

    def set_search(self, text: str) -> None:
        terms = tuple(fold(text).split())
        if terms == self._terms:
            return
        self.begin_filter_change()
        self._terms = terms
        self.end_filter_change()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._terms:
            return True
        model = self.sourceModel()
        if not isinstance(model, DossierTableModel):
            return True
        text = model.search_text(source_row)
        return all(term in text for term in self._terms)
