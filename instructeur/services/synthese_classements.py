"""Syntheses of a campagne by additional classification (Saint-Omer's « Synthèse par ambition »).

A classification (Classification, e.g. the seven ambitions › engagements) classifies the same
dossiers as the main cadre, each dossier in at most one node of it. One line per top-level node
(the ambition), a dossier classé in an engagement counting in its ambition, then « Non classé »
when some recevable dossiers are not classés. Lines have the shape of the axes' synthesis
(AxeSynthese) and the same rules: recevable dossiers counted, demandé of the recevables, voté of
the retained ones; with a financeur code, only the dossiers where it is asked or votes. Each
synthesis also carries the node every dossier of the campagne is classé in (`noeuds`), the column
of that classification in the tableau de programmation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.services.synthese_aggregate import _Acc, _concerns
from instructeur.services.synthese_load import _load, _select_financeurs
from instructeur.services.synthese_types import AxeSynthese, Montants, _Dossier, _Loaded
from instructeur.storage.db import Database
from instructeur.storage.models import Classification, Dossier, Objectif, dossier_classement

__all__ = ["SANS_CLASSEMENT", "ClassificationSynthese", "classification_syntheses", "syntheses_of"]

SANS_CLASSEMENT = "Non classé"


@dataclass(frozen=True)
class ClassificationSynthese:
    classification_id: int
    code: str
    nom: str  # « Ambitions de la feuille de route »
    niveau: str  # name of its top level (« Ambition »)
    lignes: tuple[AxeSynthese, ...]  # objectif_id = the top-level node, None for « Non classé »
    niveaux: tuple[str, ...] = ()  # its level names (« Ambition », « Engagement »)
    noeuds: Mapping[int, tuple[str, str]] = field(default_factory=dict)  # dossier → (code, titre) of its node


# a node: (classification id, parent id, code, titre, position)
_Node = tuple[int | None, int | None, str, str, int]


def classification_syntheses(
    db: Database, campagne_id: int, financeur_code: str | None = None
) -> list[ClassificationSynthese]:
    """One synthesis per additional classification of the campagne's contrat, in their order."""
    with db.session() as s:
        data = _load(s, campagne_id)  # raises NotFoundError for an unknown campagne
        return syntheses_of(s, data, financeur_code)


def syntheses_of(s: Session, data: _Loaded, financeur_code: str | None) -> list[ClassificationSynthese]:
    """`classification_syntheses` on a campagne already loaded in session `s` (the tableau de
    programmation loads it once for every sheet)."""
    classifications, nodes, classes = _load_classements(s, data.campagne.contrat_id, data.campagne.id)
    selected = _select_financeurs(data.financeurs, financeur_code)
    fids = [f.id for f in selected]
    codes = {f.id: f.code for f in selected}
    dossiers = (
        data.dossiers if financeur_code is None else [d for d in data.dossiers if _concerns(d, fids[0])]
    )
    recevables = [d for d in dossiers if d.recevable]

    def demande(d: _Dossier, fid: int) -> int:
        return d.demande.get(fid, 0) if d.recevable else 0

    def vote(d: _Dossier, fid: int) -> int:
        return (d.vote.get(fid) or 0) if d.retenu else 0

    def root(node_id: int) -> int:
        parent = nodes[node_id][1]
        return root(parent) if parent is not None and parent in nodes else node_id

    out = []
    for k_id, k_code, k_nom, k_niveaux in classifications:
        accs: dict[int | None, _Acc] = {}
        for d in recevables:
            node = classes.get(d.id, {}).get(k_id)
            acc = accs.setdefault(root(node) if node is not None else None, _Acc.of(fids))
            acc.add(d, fids, demande, vote)
        tops = sorted(
            (i for i, n in nodes.items() if n[0] == k_id and (n[1] is None or n[1] not in nodes)),
            key=lambda i: (nodes[i][4], i),
        )
        keys: list[int | None] = [*tops, *([None] if None in accs else [])]
        lignes = []
        for key in keys:
            acc = accs.get(key) or _Acc.of(fids)
            lignes.append(
                AxeSynthese(
                    objectif_id=key,
                    code=nodes[key][2] if key is not None else "",
                    titre=nodes[key][3] if key is not None else SANS_CLASSEMENT,
                    nb_dossiers=acc.n,
                    nb_retenus=acc.r,
                    par_financeur=acc.par_financeur(codes),
                    total=Montants(sum(acc.dem.values()), sum(acc.vot.values())),
                )
            )
        niveaux = tuple(n.strip() for n in (k_niveaux or "").split("|") if n.strip())
        noeuds = {d: nodes[n][2:4] for d, by_k in classes.items() if (n := by_k.get(k_id)) is not None}
        out.append(
            ClassificationSynthese(
                k_id, k_code, k_nom, niveaux[0] if niveaux else k_nom, tuple(lignes), niveaux, noeuds
            )
        )
    return out


def _load_classements(
    s: Session, contrat_id: int, campagne_id: int
) -> tuple[list[tuple[int, str, str, str | None]], dict[int, _Node], dict[int, dict[int, int]]]:
    """The contrat's classifications (id, code, nom, niveaux), their nodes by id, and the node of
    every dossier of the campagne in each classification ({dossier: {classification: node}})."""
    classifications = [
        (k.id, k.code, k.nom, k.niveaux)
        for k in s.execute(
            select(Classification.id, Classification.code, Classification.nom, Classification.niveaux)
            .where(Classification.contrat_id == contrat_id)
            .order_by(Classification.position, Classification.id)
        )
    ]
    nodes: dict[int, _Node] = {
        o.id: (o.classification_id, o.parent_id, o.code, o.titre, o.position)
        for o in s.execute(
            select(
                Objectif.id,
                Objectif.classification_id,
                Objectif.parent_id,
                Objectif.code,
                Objectif.titre,
                Objectif.position,
            ).where(Objectif.contrat_id == contrat_id, Objectif.classification_id.is_not(None))
        )
    }
    classes: dict[int, dict[int, int]] = {}
    for dossier_id, node_id in s.execute(
        select(dossier_classement.c.dossier_id, dossier_classement.c.objectif_id)
        .join(Dossier, Dossier.id == dossier_classement.c.dossier_id)
        .where(Dossier.campagne_id == campagne_id)
    ):
        if node_id in nodes:
            classes.setdefault(dossier_id, {})[nodes[node_id][0] or 0] = node_id
    return classifications, nodes, classes
