"""A contrat of the database as a référentiel (the shipped JSON format of referentiels.py): its
territory, cadre stratégique, classifications and their links, axes transversaux and signataires
(with the SIRET and type of the financeur of the same name), for another territory or another base."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from instructeur.errors import NotFoundError, UserError
from instructeur.referentiel_io import slug
from instructeur.services.cadre import depth_first, split_niveaux
from instructeur.storage.db import Database
from instructeur.storage.models import Classification, Contrat, Objectif, ObjectifLien, Quartier


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def find_contrat(db: Database, name: str) -> int:
    """The id of the contrat named `name` (case-insensitive), or whose id it is."""
    with db.session() as s:
        rows = s.execute(select(Contrat.id, Contrat.nom)).all()
    for cid, nom in rows:
        if _fold(nom) == _fold(name) or str(cid) == name.strip():
            return int(cid)
    noms = ", ".join(f"« {nom} »" for _, nom in rows) or "aucun"
    raise NotFoundError(f"contrat « {name} » introuvable dans la base (contrats : {noms})")


def _trees(nodes: list[Objectif]) -> tuple[list[dict[str, Any]], int]:
    """Nested {"code", "titre", "enfants"} and the depth."""
    out: list[dict[str, Any]] = []
    by_id: dict[int, dict[str, Any]] = {}
    depth = 0
    for o, d in depth_first(nodes):
        item: dict[str, Any] = {"code": o.code, "titre": o.titre, "enfants": []}
        by_id[o.id] = item
        (by_id[o.parent_id]["enfants"] if o.parent_id is not None else out).append(item)
        depth = max(depth, d + 1)
    return out, depth


def _levels(names: str, depth: int) -> list[str]:
    levels = list(split_niveaux(names))
    return levels + [f"Niveau {n + 1}" for n in range(len(levels), max(depth, 1))]


def contrat_to_dict(db: Database, contrat_id: int, code: str | None = None) -> dict[str, Any]:
    with db.session() as s:
        c = s.get(Contrat, contrat_id)
        if c is None:
            raise NotFoundError(f"contrat {contrat_id} introuvable")
        nodes = list(s.scalars(select(Objectif).where(Objectif.contrat_id == contrat_id)))
        main = [o for o in nodes if o.classification_id is None]
        cadre, depth = _trees(main)
        if not cadre:
            raise UserError(f"le contrat « {c.nom} » n'a pas de cadre stratégique : rien à exporter comme référentiel")
        quartiers = list(
            s.scalars(
                select(Quartier)
                .where(Quartier.contrat_id == contrat_id)
                .options(selectinload(Quartier.communes), selectinload(Quartier.aliases))
                .order_by(Quartier.id)
            )
        )
        classifications = []
        for k in s.scalars(
            select(Classification).where(Classification.contrat_id == contrat_id).order_by(Classification.position)
        ):
            noeuds, kdepth = _trees([o for o in nodes if o.classification_id == k.id])
            classifications.append({"code": k.code, "nom": k.nom, "niveaux": _levels(k.niveaux, kdepth), "noeuds": noeuds})
        codes = {o.id: o.code for o in nodes}
        liens = sorted(
            [codes[a], codes[b]]
            for a, b in s.execute(
                select(ObjectifLien.objectif_id, ObjectifLien.lie_a_id).where(ObjectifLien.objectif_id.in_(list(codes)))
            ).all()
        )
        financeurs = {_fold(f.nom): f for f in c.financeurs}
        signataires: list[Any] = []
        for sg in c.signataires:
            f = financeurs.get(_fold(sg.nom))
            signataires.append({"nom": sg.nom, "siret": f.siret, "type": f.type} if f and f.siret else sg.nom)
        data: dict[str, Any] = {
            "code": code or slug(f"{c.nom} {c.periode_debut}"),
            "nom": f"{c.nom} ({c.periode_debut}–{c.periode_fin})",
            "contrat_nom": c.nom,
            "epci": {"nom": c.epci_nom or c.nom, "siren": c.epci_siren},
            "periode": [c.periode_debut, c.periode_fin],
            "source": f"Exporté d'Instructeur le {date.today():%d/%m/%Y} depuis le contrat « {c.nom} »",
            "niveaux": _levels(c.niveaux, depth),
            "communes": [cm.nom for cm in c.communes],
            "qpv": [
                {
                    "nom": q.nom,
                    "code": q.code,
                    "communes": [cm.nom for cm in q.communes],
                    "population": q.population,
                    "aliases": [a.alias for a in q.aliases],
                }
                for q in quartiers
                if q.type == "qpv"
            ],
            "quartiers": [
                {"nom": q.nom, "type": q.type, "communes": [cm.nom for cm in q.communes]}
                for q in quartiers
                if q.type != "qpv"
            ],
            "cadre": cadre,
        }
        if classifications:
            data["classifications"] = classifications
        if liens:
            data["liens"] = liens
        data["axes_transversaux"] = [a.titre for a in c.axes_transversaux]
        data["signataires"] = signataires
        data["notes"] = ""
        return data
