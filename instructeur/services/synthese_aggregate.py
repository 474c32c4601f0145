"""The aggregations of a campagne's synthesis: per statut, financeur, axe, quartier, cotation F/H,
nature, and the totals.

Each `_…_lines` function turns the loaded dossiers (`_Loaded`) into one part of the
`SyntheseCampagne`; the perimeters (recevables for demandé, retenus for voté) are decided once in
`_Scope`. `voted_by_financeur` and `cotation_totals` are also the live bar's rules
(`synthese_live`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from instructeur.domain.money import percent
from instructeur.domain.statuts import Statut
from instructeur.domain.text import sort_key
from instructeur.services.synthese_types import (
    AU_COMITE,
    QUARTIER_TYPE_LABELS,
    SANS_AXE,
    SANS_QUARTIER,
    AxeSynthese,
    CotationSynthese,
    FinanceurRef,
    FinanceurSynthese,
    Montants,
    NatureSynthese,
    QuartierSynthese,
    StatutCount,
    SyntheseCampagne,
    Totaux,
    _Dossier,
    _Loaded,
    cotation_label,
    split_equally,
)
from instructeur.storage.models import Objectif, Quartier


@dataclass
class _Acc:
    """Running totals of a synthesis line: counts, and demandé / voté per financeur id."""

    n: int
    r: int
    dem: dict[int, int]
    vot: dict[int, int]

    @classmethod
    def of(cls, fids: list[int]) -> _Acc:
        return cls(0, 0, dict.fromkeys(fids, 0), dict.fromkeys(fids, 0))

    def add(
        self,
        d: _Dossier,
        fids: list[int],
        demande: Callable[[_Dossier, int], int],
        vote: Callable[[_Dossier, int], int],
    ) -> None:
        self.n += 1
        self.r += 1 if d.retenu else 0
        for fid in fids:
            self.dem[fid] += demande(d, fid)
            self.vot[fid] += vote(d, fid)

    def par_financeur(self, codes: dict[int, str]) -> dict[str, Montants]:
        return {codes[fid]: Montants(self.dem[fid], self.vot[fid]) for fid in self.dem}


def _concerns(d: _Dossier, financeur_id: int) -> bool:
    return d.demande.get(financeur_id, 0) > 0 or (d.vote.get(financeur_id) or 0) > 0


def _axe_of(data: _Loaded, d: _Dossier) -> Objectif | None:
    if d.objectif_id is None or d.objectif_id not in data.roots:
        return None
    return data.objectifs[data.roots[d.objectif_id]]


def _dossier_order(data: _Loaded, d: _Dossier) -> tuple[int, int, object]:
    axe = _axe_of(data, d)
    big = len(data.order) + 1
    return (
        data.order[axe.id] if axe is not None else big,
        data.order.get(d.objectif_id, big) if d.objectif_id is not None else big,
        sort_key(d.reference),
    )


@dataclass
class _Scope:
    """The dossiers a synthesis counts and the financeurs it sums, with the perimeters' rules."""

    data: _Loaded
    fids: list[int]
    codes: dict[int, str]
    dossiers: list[_Dossier]  # every statut (restricted to the financeur's dossiers when filtered)
    recevables: list[_Dossier]
    retenus: list[_Dossier]

    @classmethod
    def of(cls, data: _Loaded, selected: list[FinanceurRef], filtered: bool) -> _Scope:
        fids = [f.id for f in selected]
        dossiers = [d for d in data.dossiers if _concerns(d, fids[0])] if filtered else data.dossiers
        return cls(
            data=data,
            fids=fids,
            codes={f.id: f.code for f in selected},
            dossiers=dossiers,
            recevables=[d for d in dossiers if d.recevable],
            retenus=[d for d in dossiers if d.retenu],
        )

    @staticmethod
    def demande(d: _Dossier, fid: int) -> int:
        return d.demande.get(fid, 0) if d.recevable else 0

    @staticmethod
    def vote(d: _Dossier, fid: int) -> int:
        return (d.vote.get(fid) or 0) if d.retenu else 0


def _synthese(data: _Loaded, selected: list[FinanceurRef], financeur_code: str | None) -> SyntheseCampagne:
    scope = _Scope.of(data, selected, filtered=financeur_code is not None)
    financeurs = _financeur_lines(scope, selected)
    return SyntheseCampagne(
        campagne_id=data.campagne.id,
        annee=data.campagne.annee,
        libelle=data.campagne.libelle,
        contrat_id=data.campagne.contrat_id,
        contrat_nom=data.contrat_nom,
        financeur_code=selected[0].code if financeur_code is not None else None,
        statuts=_statut_counts(scope.dossiers),
        financeurs=financeurs,
        axes=_axe_lines(scope),
        quartiers=_quartier_lines(scope),
        # Cotation F/H: entrée by déclarée (else instruite), sortie by instruite (else déclarée)
        cotations=cotation_totals(scope.recevables, scope.retenus, scope.fids),
        natures=_nature_lines(scope),
        totaux=_totaux(scope, financeurs),
    )


def _statut_counts(dossiers: list[_Dossier]) -> tuple[StatutCount, ...]:
    per_statut = {st: 0 for st in Statut}
    for d in dossiers:
        per_statut[d.statut] += 1
    return tuple(StatutCount(st, st.label, n) for st, n in per_statut.items())


def _financeur_lines(scope: _Scope, selected: list[FinanceurRef]) -> tuple[FinanceurSynthese, ...]:
    financeurs = []
    for f in selected:
        enveloppe = scope.data.enveloppes.get(f.id, 0)
        voted = voted_by_financeur(scope.retenus, [f.id])[f.id]
        financeurs.append(
            FinanceurSynthese(
                financeur_id=f.id,
                code=f.code,
                nom=f.nom,
                type=f.type,
                enveloppe_cents=enveloppe,
                demande_cents=sum(scope.demande(d, f.id) for d in scope.recevables),
                propose_cents=sum(d.propose.get(f.id, 0) for d in scope.recevables),
                vote_cents=voted,
                reste_cents=enveloppe - voted,
                taux_utilisation=percent(voted, enveloppe),
                nb_dossiers_demande=sum(1 for d in scope.recevables if d.demande.get(f.id, 0) > 0),
                nb_dossiers_vote=sum(1 for d in scope.retenus if (d.vote.get(f.id) or 0) > 0),
            )
        )
    return tuple(financeurs)


def _axe_lines(scope: _Scope) -> tuple[AxeSynthese, ...]:
    """One line per top-level node of the cadre, in its order, then « Non rattaché » if used."""
    data, fids = scope.data, scope.fids
    axes_acc: dict[int | None, _Acc] = {}
    for d in scope.recevables:
        axe = _axe_of(data, d)
        acc = axes_acc.setdefault(axe.id if axe is not None else None, _Acc.of(fids))
        acc.add(d, fids, scope.demande, scope.vote)
    roots = sorted(
        (o for o in data.objectifs.values() if data.roots.get(o.id) == o.id), key=lambda o: data.order[o.id]
    )
    keys: list[int | None] = [o.id for o in roots]
    if None in axes_acc:
        keys.append(None)
    axes = []
    for key in keys:
        acc = axes_acc.get(key) or _Acc.of(fids)
        node = data.objectifs[key] if key is not None else None
        axes.append(
            AxeSynthese(
                objectif_id=key,
                code=node.code if node else "",
                titre=node.titre if node else SANS_AXE,
                nb_dossiers=acc.n,
                nb_retenus=acc.r,
                par_financeur=acc.par_financeur(scope.codes),
                total=Montants(sum(acc.dem.values()), sum(acc.vot.values())),
            )
        )
    return tuple(axes)


def _quartier_lines(scope: _Scope) -> tuple[QuartierSynthese, ...]:
    """QPV first, then the other quartiers, French order; a dossier's money is split equally
    between its quartiers, per financeur (remainder on the first quartier)."""
    fids = scope.fids
    q_acc: dict[int | None, _Acc] = {}
    for d in scope.recevables:
        qkeys: list[int | None] = [qid for qid, _ in d.quartiers] or [None]
        for key in qkeys:
            acc = q_acc.setdefault(key, _Acc.of(fids))
            acc.n += 1
            acc.r += 1 if d.retenu else 0
        for fid in fids:
            for key, share in zip(qkeys, split_equally(scope.demande(d, fid), len(qkeys)), strict=True):
                q_acc[key].dem[fid] += share
            for key, share in zip(qkeys, split_equally(scope.vote(d, fid), len(qkeys)), strict=True):
                q_acc[key].vot[fid] += share
    ordered_q = sorted(scope.data.quartiers.values(), key=lambda q: (q.type != "qpv", sort_key(q.nom)))
    entries: list[tuple[Quartier | None, _Acc]] = [(q, q_acc.get(q.id) or _Acc.of(fids)) for q in ordered_q]
    if None in q_acc:
        entries.append((None, q_acc[None]))
    return tuple(
        QuartierSynthese(
            quartier_id=q.id if q else None,
            code=q.code if q else None,
            nom=q.nom if q else SANS_QUARTIER,
            type=q.type if q else None,
            type_label=QUARTIER_TYPE_LABELS.get(q.type, q.type) if q else "",
            nb_dossiers=acc.n,
            nb_retenus=acc.r,
            demande_cents=sum(acc.dem.values()),
            vote_cents=sum(acc.vot.values()),
            par_financeur=acc.par_financeur(scope.codes),
        )
        for q, acc in entries
    )


def _nature_lines(scope: _Scope) -> tuple[NatureSynthese, ...]:
    """Nouvelle, then reconduite."""
    fids, recevables, retenus = scope.fids, scope.recevables, scope.retenus
    return tuple(
        NatureSynthese(
            reconduite=flag,
            label="Reconduite" if flag else "Nouvelle",
            nb_dossiers=sum(1 for d in recevables if d.reconduite is flag),
            nb_retenus=sum(1 for d in retenus if d.reconduite is flag),
            demande_cents=sum(
                scope.demande(d, fid) for d in recevables if d.reconduite is flag for fid in fids
            ),
            vote_cents=sum(scope.vote(d, fid) for d in retenus if d.reconduite is flag for fid in fids),
        )
        for flag in (False, True)
    )


def _totaux(scope: _Scope, financeurs: tuple[FinanceurSynthese, ...]) -> Totaux:
    return Totaux(
        nb_dossiers=len(scope.dossiers),
        nb_recevables=len(scope.recevables),
        nb_au_comite=sum(1 for d in scope.dossiers if d.statut in AU_COMITE),
        nb_retenus=len(scope.retenus),
        cout_total_cents=sum(d.cout_total_cents for d in scope.recevables),
        demande_cents=sum(f.demande_cents for f in financeurs),
        propose_cents=sum(f.propose_cents for f in financeurs),
        vote_cents=sum(f.vote_cents for f in financeurs),
    )


# --- Shared rules (also the live bar of a comité séance) --------------------------------------


def voted_by_financeur(retenus: Iterable[_Dossier], fids: list[int]) -> dict[int, int]:
    """Σ voté per financeur over the dossiers that count as voted (`_Dossier.retenu`)."""
    totals = dict.fromkeys(fids, 0)
    for d in retenus:
        if not d.retenu:
            continue
        for fid in fids:
            totals[fid] += d.vote.get(fid) or 0
    return totals


def cotation_totals(
    recevables: Iterable[_Dossier], retenus: Iterable[_Dossier], fids: list[int]
) -> tuple[CotationSynthese, ...]:
    """€ per cotation F/H level: demandé at the entry (recevables, by cotation déclarée, else
    instruite) and voté at the exit (retenus, by cotation instruite, else déclarée)."""
    entree: dict[int | None, list[int]] = {}
    sortie: dict[int | None, list[int]] = {}
    for d in recevables:
        level = d.cotation_declaree if d.cotation_declaree is not None else d.cotation_instruite
        acc = entree.setdefault(level, [0, 0])
        acc[0] += 1
        acc[1] += sum(d.demande.get(fid, 0) for fid in fids) if d.recevable else 0
    for d in retenus:
        level = d.cotation_instruite if d.cotation_instruite is not None else d.cotation_declaree
        acc = sortie.setdefault(level, [0, 0])
        acc[0] += 1
        acc[1] += sum(d.vote.get(fid) or 0 for fid in fids) if d.retenu else 0
    levels = sorted({0, 1, 2} | {lv for lv in (*entree, *sortie) if lv is not None})
    return tuple(
        CotationSynthese(
            niveau=level,
            label=cotation_label(level),
            nb_entree=entree.get(level, [0, 0])[0],
            demande_entree_cents=entree.get(level, [0, 0])[1],
            nb_sortie=sortie.get(level, [0, 0])[0],
            vote_sortie_cents=sortie.get(level, [0, 0])[1],
        )
        for level in [*levels, None]
    )
