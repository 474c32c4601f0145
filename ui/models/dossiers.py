"""The dossiers list: columns over `DossierRow`, the filters, and the search + filter proxy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from instructeur.domain import scoring
from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut
from instructeur.domain.text import fold, sort_key
from instructeur.services.dossier_list import DossierRow, ListScore
from ui.models.table import ALIGN_CENTER, ALIGN_RIGHT, Column, RowTableModel, SourceSortingProxy

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


_WARNING = QColor("#9a5b00")


def format_score(value: Fraction | None) -> str:
    """« 13,33 » (two decimals, half-up, French comma); empty for None."""
    shown = scoring.display(value)
    return "" if shown is None else f"{shown}".replace(".", ",")


def _score_tooltip(r: DossierRow) -> str | None:
    if r.score is None:
        return "Aucune évaluation complète hors conflit d'intérêts" if r.evaluateur_ids else None
    text = f"Note {format_score(r.score)} /20, rang {r.rank}"
    if r.score_spread is not None and r.score_spread > 0:
        text += f" ; écart entre évaluateurs {format_score(r.score_spread)} points"
    if r.disagreement:
        text += " — désaccord entre évaluateurs"
    return text


def _cotation_cell(r: DossierRow) -> tuple[int, bool, bool] | None:
    """(level shown, declared only, gap) or None when not rated."""
    if r.cotation is None:
        return None
    return (r.cotation, r.cotation_instruite is None, r.cotation_gap)


def _cotation_text(cell: tuple[int, bool, bool]) -> str:
    level, declared_only, gap = cell
    if declared_only:
        return f"{level} (décl.)"
    return f"{level} ⚠" if gap else str(level)


def _cotation_sort(cell: tuple[int, bool, bool] | None) -> tuple[int, bool] | None:
    return None if cell is None else (cell[0], cell[1])


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
    Column(
        "axe",
        "Axe",
        lambda r: r.axe_code,
        sort_key=sort_key,
        width=70,
        header_tooltip="Axe du cadre stratégique (niveau le plus haut de l'objectif)",
    ),
    Column(
        "objectif",
        "Objectif",
        lambda r: r.objectif_code,
        sort_key=sort_key,
        width=90,
        tooltip=lambda r: r.objectif_titre,
        header_tooltip="Objectif principal de rattachement",
    ),
    Column(
        "cotation",
        "Cotation F/H",
        _cotation_cell,
        formatter=_cotation_text,
        sort_key=_cotation_sort,
        alignment=ALIGN_CENTER,
        width=100,
        foreground=lambda r: _WARNING if r.cotation_gap else None,
        tooltip=lambda r: _cotation_tooltip(r),
        header_tooltip="Cotation égalité femmes-hommes : instruite, sinon « (décl.) » = déclarée par le "
        "porteur ; ⚠ = la déclarée diffère de l'instruite",
    ),
    Column(
        "reconduite",
        "Nouvelle / reconduite",
        lambda r: r.reconduite,
        formatter=lambda v: "Reconduite" if v else "Nouvelle",
        width=150,
    ),
    Column(
        "cout_total",
        "Coût total",
        lambda r: r.cout_total_cents,
        alignment=ALIGN_RIGHT,
        formatter=format_amount,
        width=140,
    ),
    Column(
        "vote",
        "Montant voté",
        lambda r: r.vote_cents,
        alignment=ALIGN_RIGHT,
        formatter=format_amount,
        width=140,
        header_tooltip="Total voté par les financeurs du contrat",
    ),
    Column("labels", "Labels", lambda r: r.labels or None, sort_key=sort_key, width=160, stretch=1),
    Column(
        "evaluateurs", "Évaluateurs", lambda r: r.evaluateurs or None, sort_key=sort_key, width=200, stretch=1
    ),
    Column(
        "score",
        "Note /20",
        lambda r: None if r.score is None else (r.score, r.disagreement),
        alignment=ALIGN_RIGHT,
        formatter=lambda v: format_score(v[0]) + (" ⚠" if v[1] else ""),
        sort_key=lambda v: None if v is None else v[0],
        width=80,
        foreground=lambda r: _WARNING if r.disagreement else None,
        tooltip=lambda r: _score_tooltip(r),
        header_tooltip="Note moyenne /20 de la grille d'analyse (évaluations complètes, hors conflit "
        "d'intérêts) ; ⚠ = désaccord entre évaluateurs",
    ),
    Column(
        "rang",
        "Rang",
        lambda r: r.rank,
        alignment=ALIGN_RIGHT,
        width=60,
        header_tooltip="Rang de la note dans la campagne (ex æquo : même rang)",
    ),
    Column("date_depot", "Déposé le", lambda r: r.date_depot, formatter=lambda d: f"{d:%d/%m/%Y}", width=110),
)

# Shown by default (the rest through the column chooser).
DEFAULT_COLUMNS: tuple[str, ...] = ("reference", "porteur", "intitule", "quartiers", "demande", "statut")
COLUMN_HEADERS: dict[str, str] = {c.key: c.header for c in DOSSIER_COLUMNS}


def _cotation_tooltip(r: DossierRow) -> str:
    declared = "—" if r.cotation_declaree is None else str(r.cotation_declaree)
    instructed = "—" if r.cotation_instruite is None else str(r.cotation_instruite)
    text = f"déclarée par le porteur : {declared} ; instruite : {instructed}"
    return text + " — écart entre la cotation déclarée et l'instruite" if r.cotation_gap else text


# --- filters -------------------------------------------------------------------------------------

NONE = -1  # « sans … » choice of the évaluateur / label / cotation filters
GAP = -2  # cotation filter: « écart déclarée / instruite »


@dataclass(frozen=True)
class DossierFilters:
    """What the filter panel selects. Empty = no filter. Combines with the search (AND)."""

    statuts: frozenset[Statut] = field(default_factory=frozenset)
    objectif_id: int | None = None  # an axe or any node: matches the node and its descendants
    # One node per additional classification (Saint-Omer's ambitions): the node or a descendant.
    classement_ids: tuple[int, ...] = ()
    quartier_id: int | None = None
    financeur_id: int | None = None
    cotation: int | None = None  # 0, 1, 2, NONE (not rated) or GAP (déclarée ≠ instruite)
    reconduite: bool | None = None
    evaluateur_id: int | None = None  # an id or NONE (nobody assigned)
    label_id: int | None = None  # an id or NONE (no label)

    @property
    def count(self) -> int:
        """Number of active filters (« 3 filtres actifs »)."""
        return len(self.classement_ids) + sum(
            1
            for value in (
                self.statuts or None,
                self.objectif_id,
                self.quartier_id,
                self.financeur_id,
                self.cotation,
                self.reconduite,
                self.evaluateur_id,
                self.label_id,
            )
            if value is not None
        )

    def predicates(self) -> list[Callable[[DossierRow], bool]]:
        tests: list[Callable[[DossierRow], bool]] = []
        if self.statuts:
            statuts = self.statuts
            tests.append(lambda r: r.statut in statuts)
        if self.objectif_id is not None:
            node = self.objectif_id
            tests.append(lambda r: node in r.objectif_path)
        for classement in self.classement_ids:
            tests.append(lambda r, n=classement: n in r.classement_path)
        if self.quartier_id is not None:
            quartier = self.quartier_id
            tests.append(lambda r: quartier in r.quartier_ids)
        if self.financeur_id is not None:
            financeur = self.financeur_id
            tests.append(lambda r: financeur in r.financeur_ids)
        if self.cotation == GAP:
            tests.append(lambda r: r.cotation_gap)
        elif self.cotation is not None:
            level = None if self.cotation == NONE else self.cotation
            tests.append(lambda r: r.cotation == level)
        if self.reconduite is not None:
            reconduite = self.reconduite
            tests.append(lambda r: r.reconduite is reconduite)
        if self.evaluateur_id is not None:
            evaluateur = self.evaluateur_id
            if evaluateur == NONE:
                tests.append(lambda r: not r.evaluateur_ids)
            else:
                tests.append(lambda r: evaluateur in r.evaluateur_ids)
        if self.label_id is not None:
            label = self.label_id
            if label == NONE:
                tests.append(lambda r: not r.label_ids)
            else:
                tests.append(lambda r: label in r.label_ids)
        return tests

    def matches(self, row: DossierRow) -> bool:
        return all(test(row) for test in self.predicates())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (saved views)."""
        out: dict[str, Any] = {}
        if self.statuts:
            out["statuts"] = sorted(s.value for s in self.statuts)
        for key in (
            "objectif_id",
            "quartier_id",
            "financeur_id",
            "cotation",
            "reconduite",
            "evaluateur_id",
            "label_id",
        ):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.classement_ids:
            out["classement_ids"] = list(self.classement_ids)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DossierFilters:
        """Tolerant reading: unknown keys and statuts are ignored (views outlive versions)."""
        valid = {s.value for s in Statut}
        statuts = frozenset(Statut(v) for v in data.get("statuts", ()) if v in valid)
        values: dict[str, Any] = {}
        for key in ("objectif_id", "quartier_id", "financeur_id", "cotation", "evaluateur_id", "label_id"):
            value = data.get(key)
            values[key] = value if isinstance(value, int) and not isinstance(value, bool) else None
        reconduite = data.get("reconduite")
        classements = tuple(
            v for v in data.get("classement_ids", ()) if isinstance(v, int) and not isinstance(v, bool)
        )
        return cls(
            statuts=statuts,
            reconduite=reconduite if isinstance(reconduite, bool) else None,
            classement_ids=classements,
            **values,
        )

    def without(self, key: str) -> DossierFilters:
        empty = {"statuts": frozenset(), "classement_ids": ()}
        return replace(self, **{key: empty.get(key)})


class DossierTableModel(RowTableModel[DossierRow]):
    """Dossiers of one campagne; keeps the folded search text of each row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(DOSSIER_COLUMNS, parent)
        self._search: list[str] | None = []  # None: not folded yet (see _prepare_rows)
        self.generation = 0  # changes whenever row positions change (reset or sort)

    def _prepare_rows(self, rows: list[DossierRow]) -> None:
        # The search texts (~60 ms for 8 000 rows) are folded when the rows' loader says
        # (`DossiersWorkspace.load_rows`), or by the first search that comes before.
        self._search = None
        self.generation += 1

    def _reorder_extra(self, order: list[int]) -> None:
        if self._search is not None:
            self._search = [self._search[i] for i in order]
        self.generation += 1

    def set_scores(self, scores: Mapping[int, ListScore]) -> None:
        """Fill the score columns after a first paint without them (`list_rows(with_scores=False)`):
        rows keep their place and selection, unless the list is sorted by a score column."""
        rows = [replace(r, **scores[r.id]._asdict()) if r.id in scores else r for r in self._rows]
        score_columns = [n for n, c in enumerate(self._columns) if c.key in ("score", "rang")]
        if self._sorted_by is not None and self._sorted_by[0] in score_columns:
            self.set_rows(rows)
            return
        self._rows = rows
        self._display = [None] * len(rows)
        for n in score_columns:
            self._sort_keys.pop(n, None)
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self._columns) - 1))

    def search_texts(self) -> list[str]:
        if self._search is None:
            # Folded field by field: porteurs and intitulés repeat, and `fold` caches them.
            self._search = [f"{fold(r.reference)} {fold(r.porteur)} {fold(r.intitule)}" for r in self._rows]
        return self._search

    def row_list(self) -> list[DossierRow]:
        """The rows in model order (not a copy: do not modify)."""
        return self._rows

    def source_row_of(self) -> dict[int, int]:
        """dossier id → row in the model."""
        return {r.id: n for n, r in enumerate(self._rows)}

    def search_text(self, row: int) -> str:
        return self.search_texts()[row]

    def total_demande_cents(self) -> int:
        return sum(r.demande_cents for r in self._rows)


class DossierFilterProxy(SourceSortingProxy):
    """Instant, accent- and case-insensitive search on référence, porteur and intitulé, combined
    with the filter panel's `DossierFilters`; also hides the columns the user does not want.

    Every word typed must appear (« elan quartier » finds « Élan Solidaire — Quartiers »).
    Which rows pass is computed once per change in one Python pass (a list of booleans), so
    `filterAcceptsRow` — called by Qt for every row — is a list lookup.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._terms: tuple[str, ...] = ()
        self._filters = DossierFilters()
        self._accepted: list[bool] | None = None
        self._accepted_for = -1  # model generation the list was computed for
        self._visible: frozenset[str] = frozenset(DEFAULT_COLUMNS)

    # --- search and filters ---------------------------------------------------------------------

    @property
    def search(self) -> str:
        return " ".join(self._terms)

    @property
    def filters(self) -> DossierFilters:
        return self._filters

    def set_search(self, text: str) -> None:
        terms = tuple(fold(text).split())
        if terms == self._terms:
            return
        self.begin_filter_change()
        self._terms = terms
        self._accepted = None
        self.end_filter_change()

    def set_filters(self, filters: DossierFilters) -> None:
        if filters == self._filters:
            return
        self.begin_filter_change()
        self._filters = filters
        self._accepted = None
        self.end_filter_change()

    def _accepted_rows(self, model: DossierTableModel) -> list[bool]:
        if self._accepted is None or self._accepted_for != model.generation:
            terms = self._terms
            tests = self._filters.predicates()
            rows, texts = model.row_list(), model.search_texts()
            if not tests:
                self._accepted = [all(t in text for t in terms) for text in texts]
            else:
                self._accepted = [
                    all(t in text for t in terms) and all(test(row) for test in tests)
                    for row, text in zip(rows, texts, strict=True)
                ]
            self._accepted_for = model.generation
        return self._accepted

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._terms and not self._filters.count:
            return True
        model = self.sourceModel()
        if not isinstance(model, DossierTableModel):
            return True
        accepted = self._accepted_rows(model)
        return 0 <= source_row < len(accepted) and accepted[source_row]

    # --- columns -----------------------------------------------------------------------------

    @property
    def visible_columns(self) -> tuple[str, ...]:
        """Keys of the shown columns, in column order."""
        return tuple(c.key for c in DOSSIER_COLUMNS if c.key in self._visible)

    def set_visible_columns(self, keys: Iterable[str]) -> None:
        wanted = frozenset(k for k in keys if k in COLUMN_HEADERS) or frozenset({"reference"})
        if wanted == self._visible:
            return
        self.begin_filter_change()
        self._visible = wanted
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Columns)
        else:  # pragma: no cover - Qt < 6.10
            self.invalidateFilter()

    def filterAcceptsColumn(
        self, source_column: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        return (
            0 <= source_column < len(DOSSIER_COLUMNS) and DOSSIER_COLUMNS[source_column].key in self._visible
        )

    def column_of(self, key: str) -> int:
        """Proxy column of a column key, -1 when hidden."""
        keys = self.visible_columns
        return keys.index(key) if key in keys else -1

    def key_of(self, column: int) -> str | None:
        keys = self.visible_columns
        return keys[column] if 0 <= column < len(keys) else None

    # --- sorting: the view speaks in proxy columns, the model in its own ---------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.key_of(column)
        source = self.sourceModel()
        if key is not None and isinstance(source, RowTableModel):
            self._sort_column, self._sort_order = column, order
            source.sort(source.column_index(key), order)
        else:
            super().sort(column, order)

    def sort_by_key(self, key: str, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column, shown or not."""
        source = self.sourceModel()
        if isinstance(source, RowTableModel):
            self._sort_column, self._sort_order = self.column_of(key), order
            source.sort(source.column_index(key), order)

    def sorted_key(self) -> tuple[str | None, Qt.SortOrder]:
        source = self.sourceModel()
        sorted_by = getattr(source, "_sorted_by", None)
        if isinstance(source, RowTableModel) and sorted_by is not None:
            return source.columns[sorted_by[0]].key, sorted_by[1]
        return None, Qt.SortOrder.AscendingOrder

    def dossier_ids(self, rows: Iterable[int]) -> list[int]:
        """Dossier ids of proxy rows."""
        out = []
        for row in rows:
            value = self.index(row, 0).data(RowTableModel.RowRole)
            if isinstance(value, DossierRow):
                out.append(value.id)
        return out
