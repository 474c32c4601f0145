"""The one aggregation service of a campagne: dashboard, Excel synthesis sheets, relevé de décisions.

`SyntheseService(db).campagne(campagne_id)` returns a `SyntheseCampagne` (frozen dataclasses, money
in integer cents, sums done in Python over integers read from the database — never SQL sums on
floating point, see P9), and `programmation_rows(campagne_id)` the rows of the tableau de
programmation. Both read everything in one transaction with a handful of queries.

Perimeters (the same everywhere, so that every figure of every screen and sheet agrees):

* **demandé / proposé** (and the coût total): dossiers that passed the recevabilité, i.e. every
  statut except « Déposé », « Incomplet » and « Irrecevable » (`RECEVABLES`);
* **voté**: dossiers retenus by a comité — decision « retenu » and statut retenu, notifié, soldé
  or non réalisé (`RETENUS`); the amounts are the lines' `vote_cents`;
* the **tableau de programmation** lists the dossiers that went to a comité or beyond
  (`AU_COMITE`), or every recevable dossier for the provisional table (`include_all=True`).

Money per **axe** goes to the top-level node of the cadre stratégique the dossier's main objectif
belongs to (« Non rattaché » when the dossier has no objectif).

Money per **quartier**: a dossier on several quartiers is split equally between them, to the cent,
the remainder going to the first quartier in French alphabetical order (`split_equally`), so
that the sheet's column adds up to the campagne total. Dossiers without a quartier form their
own line. The split is done per financeur, and the totals are the sum of the financeurs' shares.

Money per **cotation égalité F/H** (DESIGN.md §6, « € demandés and € votés per level, before and
after the comité »): demandé « à l'entrée » is classed by the cotation déclarée by the porteur
(the instruite one when none was declared), voté « à la sortie » by the cotation instruite (the
déclarée one when the instruction gave none); « non cotée » when neither exists.

Score (programmation rows): the grille's one computation, `instructeur.domain.scoring` over the
notation service's loading (`load_scores`): weighted total /20 of each évaluation counted (no
conflict of interest, every weighted criterion scored), mean over them, exact, rounded half-up to
2 decimals for display. None when the dossier has no counted évaluation (an incomplete évaluation
does not count).

With `financeur_code`, every amount is restricted to that financeur's lines and every count to the
dossiers where it is asked (demandé > 0) or votes (voté > 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from instructeur.services.synthese_aggregate import _synthese, cotation_totals, voted_by_financeur
from instructeur.services.synthese_classements import ClassificationSynthese, syntheses_of
from instructeur.services.synthese_live import (
    EnveloppeFigures,
    LiveData,
    LiveFigures,
    live_figures,
    load_live,
)
from instructeur.services.synthese_load import _campagne, _financeurs, _load, _scores, _select_financeurs
from instructeur.services.synthese_programmation import _programmation_rows
from instructeur.services.synthese_types import (
    AU_COMITE,
    COTATION_LABELS,
    RECEVABLES,
    RETENUS,
    AxeSynthese,
    CotationSynthese,
    FinanceurRef,
    FinanceurSynthese,
    Montants,
    NatureSynthese,
    ProgrammationRow,
    QuartierSynthese,
    StatutCount,
    SyntheseCampagne,
    Totaux,
    _Loaded,
    cotation_label,
    is_retenu,
    split_equally,
)
from instructeur.storage.db import Database

# The modules behind this entry point: synthese_types (perimeters, labels, result types),
# synthese_load (reading), synthese_aggregate (per statut, financeur, axe, quartier, cotation,
# nature), synthese_programmation (programmation rows), synthese_live (the comité's live bar).
__all__ = [
    "AU_COMITE",
    "COTATION_LABELS",
    "RECEVABLES",
    "RETENUS",
    "AxeSynthese",
    "CotationSynthese",
    "EnveloppeFigures",
    "FinanceurRef",
    "FinanceurSynthese",
    "LiveData",
    "LiveFigures",
    "Montants",
    "NatureSynthese",
    "Programmation",
    "ProgrammationRow",
    "QuartierSynthese",
    "StatutCount",
    "SyntheseCampagne",
    "SyntheseService",
    "Totaux",
    "cotation_label",
    "cotation_totals",
    "is_retenu",
    "live_figures",
    "load_live",
    "split_equally",
    "voted_by_financeur",
]


class SyntheseService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def financeurs(self, campagne_id: int) -> list[FinanceurRef]:
        """The financeurs of the campagne's contrat, in their order."""
        with self.db.session() as s:
            campagne = _campagne(s, campagne_id)
            return _financeurs(s, campagne.contrat_id)

    def campagne(self, campagne_id: int, financeur_code: str | None = None) -> SyntheseCampagne:
        with self.db.session() as s:
            data = _load(s, campagne_id)
        selected = _select_financeurs(data.financeurs, financeur_code)
        return _synthese(data, selected, financeur_code)

    def programmation_rows(
        self, campagne_id: int, financeur_code: str | None = None, *, include_all: bool = False
    ) -> list[ProgrammationRow]:
        """One row per dossier that went to a comité or beyond (every recevable one with
        `include_all`), ordered by axe, objectif, then référence; with `financeur_code`, only the
        dossiers where that financeur is asked or votes."""
        with self.db.session() as s:
            data = _load(s, campagne_id)
            scores = _scores(s, campagne_id)
        return _rows_of(data, scores, financeur_code, include_all)

    def programmation(
        self, campagne_id: int, financeur_code: str | None = None, *, include_all: bool = False
    ) -> Programmation:
        """Everything the tableau de programmation shows, from one loading of the campagne: the
        synthesis (`campagne`), the rows (`programmation_rows`), the contrat's financeurs and the
        syntheses per additional classification."""
        with self.db.session() as s:
            data = _load(s, campagne_id)
            scores = _scores(s, campagne_id)
            classements = syntheses_of(s, data, financeur_code)
        return Programmation(
            synthese=_synthese(data, _select_financeurs(data.financeurs, financeur_code), financeur_code),
            rows=_rows_of(data, scores, financeur_code, include_all),
            financeurs=list(data.financeurs),
            classements=classements,
        )


def _rows_of(
    data: _Loaded, scores: dict[int, Decimal], financeur_code: str | None, include_all: bool
) -> list[ProgrammationRow]:
    selected = _select_financeurs(data.financeurs, financeur_code)
    only = selected[0] if financeur_code is not None else None
    return _programmation_rows(data, scores, only, include_all=include_all)


@dataclass(frozen=True)
class Programmation:
    """What `SyntheseService.programmation` returns."""

    synthese: SyntheseCampagne
    rows: list[ProgrammationRow]
    financeurs: list[FinanceurRef]  # every financeur of the contrat, in order
    classements: list[ClassificationSynthese]
