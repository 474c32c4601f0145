"""What a campagne's synthesis is made of: its perimeters, labels, result types and loaded rows.

The rules behind each perimeter are told in `instructeur.services.synthese` (the public entry
point, which re-exports the public names of this module).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from instructeur.domain.statuts import Statut
from instructeur.storage.models import Campagne, Objectif, Quartier

NON_RECEVABLES = frozenset({Statut.DEPOSE, Statut.INCOMPLET, Statut.IRRECEVABLE})
RECEVABLES = frozenset(Statut) - NON_RECEVABLES
AU_COMITE = frozenset(
    {
        Statut.EN_COMITE,
        Statut.RETENU,
        Statut.AJOURNE,
        Statut.REFUSE,
        Statut.NOTIFIE,
        Statut.SOLDE,
        Statut.NON_REALISE,
    }
)
# Statuts where a dossier whose decision is « retenu » counts as voted.
RETENUS = frozenset({Statut.RETENU, Statut.NOTIFIE, Statut.SOLDE, Statut.NON_REALISE})

COTATION_LABELS: dict[int | None, str] = {
    0: "0 — l'égalité F/H n'est pas un objectif",
    1: "1 — objectif significatif",
    2: "2 — objectif principal",
    None: "Non cotée",
}
QUARTIER_TYPE_LABELS = {
    "qpv": "QPV",
    "veille": "Quartier de veille",
    "vecu": "Quartier vécu",
    "fragile": "Quartier fragile",
}
SANS_AXE = "Non rattaché"
SANS_QUARTIER = "Sans quartier renseigné"


def cotation_label(level: int | None) -> str:
    return COTATION_LABELS.get(level, f"Niveau {level}")


def split_equally(cents: int, parts: int) -> list[int]:
    """`cents` split in `parts` equal shares to the cent; the remainder goes to the first share.

    >>> split_equally(1001, 2)
    [501, 500]
    """
    if parts <= 0:
        return []
    base, remainder = divmod(cents, parts)
    return [base + remainder] + [base] * (parts - 1)


def is_retenu(statut: Statut, decision: Statut | None) -> bool:
    """Does the dossier count as voted (decision « retenu », statut retenu or after)?"""
    return decision is Statut.RETENU and statut in RETENUS


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Montants:
    demande_cents: int = 0
    vote_cents: int = 0


@dataclass(frozen=True)
class StatutCount:
    statut: Statut
    label: str
    nombre: int


@dataclass(frozen=True)
class FinanceurSynthese:
    financeur_id: int
    code: str
    nom: str
    type: str
    enveloppe_cents: int  # 0 when the campagne has no enveloppe for this financeur
    demande_cents: int
    propose_cents: int
    vote_cents: int
    reste_cents: int  # enveloppe − voté (negative when the enveloppe is exceeded)
    taux_utilisation: Decimal | None  # voté / enveloppe in %, None without enveloppe
    nb_dossiers_demande: int
    nb_dossiers_vote: int


@dataclass(frozen=True)
class AxeSynthese:
    objectif_id: int | None  # None: dossiers without objectif (« Non rattaché »)
    code: str
    titre: str
    nb_dossiers: int  # recevables
    nb_retenus: int
    par_financeur: Mapping[str, Montants]  # by financeur code
    total: Montants


@dataclass(frozen=True)
class QuartierSynthese:
    quartier_id: int | None  # None: dossiers without quartier
    code: str | None
    nom: str
    type: str | None
    type_label: str
    nb_dossiers: int  # recevables touching the quartier (counted once in each quartier)
    nb_retenus: int
    demande_cents: int  # shares (split equally between a dossier's quartiers)
    vote_cents: int
    par_financeur: Mapping[str, Montants]


@dataclass(frozen=True)
class CotationSynthese:
    niveau: int | None
    label: str
    nb_entree: int
    demande_entree_cents: int  # by cotation déclarée, else instruite
    nb_sortie: int
    vote_sortie_cents: int  # by cotation instruite, else déclarée


@dataclass(frozen=True)
class NatureSynthese:
    reconduite: bool
    label: str  # « Nouvelle » / « Reconduite »
    nb_dossiers: int
    nb_retenus: int
    demande_cents: int
    vote_cents: int


@dataclass(frozen=True)
class Totaux:
    nb_dossiers: int  # every dossier of the campagne (every statut)
    nb_recevables: int
    nb_au_comite: int
    nb_retenus: int
    cout_total_cents: int  # recevables
    demande_cents: int
    propose_cents: int
    vote_cents: int


@dataclass(frozen=True)
class SyntheseCampagne:
    campagne_id: int
    annee: int
    libelle: str
    contrat_id: int
    contrat_nom: str
    financeur_code: str | None  # the filter, when the synthesis is one financeur's
    statuts: tuple[StatutCount, ...]  # every statut of the life cycle, in its order (0 included)
    financeurs: tuple[FinanceurSynthese, ...]
    axes: tuple[AxeSynthese, ...]
    quartiers: tuple[QuartierSynthese, ...]
    cotations: tuple[CotationSynthese, ...]
    natures: tuple[NatureSynthese, ...]  # nouvelle, then reconduite
    totaux: Totaux


@dataclass(frozen=True)
class ProgrammationRow:
    dossier_id: int
    reference: str
    porteur: str
    siret: str | None
    intitule: str
    axe_code: str
    axe_titre: str
    objectif_code: str
    objectif_titre: str
    quartiers: str  # names, « , »-separated, French order
    reconduite: bool
    nature_label: str  # « Nouvelle » / « Reconduite »
    cout_total_cents: int
    demande: Mapping[str, int]  # by financeur code (0 when not asked)
    vote: Mapping[str, int | None]  # by financeur code (None when nothing voted yet)
    total_demande_cents: int
    total_vote_cents: int | None  # None when no vote is recorded on any line
    taux: Decimal | None  # total voté / coût total, in % (2 decimals)
    cotation: int | None  # instruite, else déclarée
    cotation_label: str
    score: Decimal | None  # /20, 2 decimals
    statut: Statut
    statut_label: str
    decision: Statut | None
    decision_label: str  # the decision, else the statut (« En comité »)
    observations: str
    date_debut: date | None = None
    date_fin: date | None = None


@dataclass(frozen=True)
class FinanceurRef:
    id: int
    code: str
    nom: str
    type: str


# --- Internal loading ------------------------------------------------------------------------


@dataclass
class _Dossier:
    id: int
    reference: str
    porteur: str
    siret: str | None
    intitule: str
    objectif_id: int | None
    reconduite: bool
    cout_total_cents: int
    statut: Statut
    decision: Statut | None
    cotation_declaree: int | None
    cotation_instruite: int | None
    observations: str
    date_debut: date | None
    date_fin: date | None
    demande: dict[int, int]
    propose: dict[int, int]
    vote: dict[int, int | None]
    quartiers: list[tuple[int, str]]

    @property
    def recevable(self) -> bool:
        return self.statut in RECEVABLES

    @property
    def retenu(self) -> bool:
        return is_retenu(self.statut, self.decision)


@dataclass
class _Loaded:
    campagne: Campagne
    contrat_nom: str
    financeurs: list[FinanceurRef]
    enveloppes: dict[int, int]
    objectifs: dict[int, Objectif]
    order: dict[int, int]  # objectif id → depth-first position
    roots: dict[int, int]  # objectif id → id of its top-level node
    quartiers: dict[int, Quartier]
    dossiers: list[_Dossier]
