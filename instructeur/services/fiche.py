"""What the fiche dossier needs beyond `DossierService`: the campagne's référentiel in one call,
the recevabilité checklist, one save for the whole fiche, and a French journal of changes.

Every method is one session and returns frozen dataclasses. `save_fiche` writes the dossier fields,
its plan de financement and its recevabilité checks in ONE transaction and ONE version bump, so the
optimistic lock covers all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.recevabilite import Point, untick_problem, unticked_mandatory
from instructeur.domain.statuts import PASSED_RECEVABILITE, Statut
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.services.dossiers import (
    DossierData,
    DossierService,
    Ligne,
    _apply,
    _data_of,
    insert_dossier,
    validate,
)
from instructeur.services.journal import JournalRow, dossier_journal
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AxeTransversal,
    Campagne,
    Classification,
    Contrat,
    Dossier,
    Enveloppe,
    Financeur,
    Objectif,
    Porteur,
    Quartier,
    RecevabiliteCheck,
    RecevabiliteItem,
)

# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinanceurChoice:
    id: int
    code: str
    nom: str
    type: str


@dataclass(frozen=True)
class QuartierChoice:
    id: int
    type: str  # qpv, veille, vecu, fragile
    code: str | None
    nom: str


@dataclass(frozen=True)
class ObjectifNode:
    id: int
    parent_id: int | None
    code: str
    titre: str
    niveau: int


@dataclass(frozen=True)
class ClassificationChoice:
    """An additional classification of the contrat (Saint-Omer's ambitions › engagements)."""

    id: int
    code: str
    nom: str
    niveaux: tuple[str, ...]
    noeuds: tuple[ObjectifNode, ...]  # depth-first, parents before children


@dataclass(frozen=True)
class AxeChoice:
    id: int
    titre: str


@dataclass(frozen=True)
class RecevabiliteItemRow:
    id: int
    libelle: str
    obligatoire: bool


@dataclass(frozen=True)
class FicheContext:
    """The campagne's référentiel: load once per campagne, keep it while fiches are open."""

    campagne_id: int
    contrat_id: int
    campagne_annee: int
    campagne_libelle: str
    financeurs: tuple[FinanceurChoice, ...]
    enveloppes: dict[int, int]  # financeur id → enveloppe of the campagne, cents
    quartiers: tuple[QuartierChoice, ...]
    objectifs: tuple[ObjectifNode, ...]  # depth-first, parents before children
    niveaux: tuple[str, ...]  # names of the cadre's levels (« Axe », « Objectif »…)
    axes: tuple[AxeChoice, ...]
    recevabilite_items: tuple[RecevabiliteItemRow, ...]
    classifications: tuple[ClassificationChoice, ...] = ()


@dataclass(frozen=True)
class RecevabiliteRow:
    item_id: int
    libelle: str
    obligatoire: bool
    ok: bool
    commentaire: str | None = None


QUARTIER_TYPE_LABELS = {
    "qpv": "QPV",
    "veille": "Quartier de veille",
    "vecu": "Quartier vécu",
    "fragile": "Fragile",
}

_LINE_FIELDS = (("demande_cents", "demandé"), ("propose_cents", "proposé"), ("vote_cents", "voté"))


# --- Service ---------------------------------------------------------------------------------


class FicheService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # Reading

    def context(self, campagne_id: int) -> FicheContext:
        with self.db.session() as s:
            campagne = s.get(Campagne, campagne_id)
            if campagne is None:
                raise NotFoundError(f"campagne {campagne_id} introuvable")
            contrat = s.get(Contrat, campagne.contrat_id)
            assert contrat is not None  # foreign key
            financeurs = tuple(
                FinanceurChoice(f.id, f.code, f.nom, f.type)
                for f in s.scalars(
                    select(Financeur)
                    .where(Financeur.contrat_id == contrat.id)
                    .order_by(Financeur.position, Financeur.id)
                )
            )
            enveloppes = {
                fid: int(cents)
                for fid, cents in s.execute(
                    select(Enveloppe.financeur_id, Enveloppe.montant_cents).where(
                        Enveloppe.campagne_id == campagne_id
                    )
                )
            }
            quartiers = tuple(
                QuartierChoice(q.id, q.type, q.code, q.nom)
                for q in s.scalars(
                    select(Quartier)
                    .where(Quartier.contrat_id == contrat.id)
                    .order_by(Quartier.type != "qpv", Quartier.type, Quartier.nom)
                )
            )
            nodes = s.scalars(select(Objectif).where(Objectif.contrat_id == contrat.id)).all()
            axes = tuple(
                AxeChoice(a.id, a.titre)
                for a in s.scalars(
                    select(AxeTransversal)
                    .where(AxeTransversal.contrat_id == contrat.id)
                    .order_by(AxeTransversal.position, AxeTransversal.id)
                )
            )
            items = tuple(
                RecevabiliteItemRow(i.id, i.libelle, i.obligatoire)
                for i in s.scalars(
                    select(RecevabiliteItem)
                    .where(RecevabiliteItem.campagne_id == campagne_id)
                    .order_by(RecevabiliteItem.position, RecevabiliteItem.id)
                )
            )
            classifications = tuple(
                ClassificationChoice(
                    k.id,
                    k.code,
                    k.nom,
                    tuple(n.strip() for n in k.niveaux.split("|") if n.strip()),
                    _depth_first([o for o in nodes if o.classification_id == k.id]),
                )
                for k in s.scalars(
                    select(Classification)
                    .where(Classification.contrat_id == contrat.id)
                    .order_by(Classification.position, Classification.id)
                )
            )
            return FicheContext(
                campagne_id=campagne_id,
                contrat_id=contrat.id,
                campagne_annee=campagne.annee,
                campagne_libelle=campagne.libelle,
                financeurs=financeurs,
                enveloppes=enveloppes,
                quartiers=quartiers,
                objectifs=_depth_first([o for o in nodes if o.classification_id is None]),
                niveaux=tuple(n.strip() for n in contrat.niveaux.split("|") if n.strip()),
                axes=axes,
                recevabilite_items=items,
                classifications=classifications,
            )

    def recevabilite(self, dossier_id: int) -> list[RecevabiliteRow]:
        """The campagne's checklist with this dossier's answers (unanswered items are not ok)."""
        with self.db.session() as s:
            campagne_id = s.scalar(select(Dossier.campagne_id).where(Dossier.id == dossier_id))
            if campagne_id is None:
                raise NotFoundError(f"dossier {dossier_id} introuvable")
            rows = s.execute(
                select(RecevabiliteItem, RecevabiliteCheck)
                .outerjoin(
                    RecevabiliteCheck,
                    (RecevabiliteCheck.item_id == RecevabiliteItem.id)
                    & (RecevabiliteCheck.dossier_id == dossier_id),
                )
                .where(RecevabiliteItem.campagne_id == campagne_id)
                .order_by(RecevabiliteItem.position, RecevabiliteItem.id)
            ).all()
            return [
                RecevabiliteRow(
                    item.id,
                    item.libelle,
                    item.obligatoire,
                    bool(check.ok) if check else False,
                    check.commentaire if check else None,
                )
                for item, check in rows
            ]

    def suggest_reference(self, campagne_id: int) -> str:
        """The next « 26-000123 »-style reference of the campagne."""
        with self.db.session() as s:
            annee = s.scalar(select(Campagne.annee).where(Campagne.id == campagne_id))
            if annee is None:
                raise NotFoundError(f"campagne {campagne_id} introuvable")
            prefix = f"{annee % 100:02d}-"
            refs = s.scalars(
                select(Dossier.reference).where(
                    Dossier.campagne_id == campagne_id, Dossier.reference.like(prefix + "%")
                )
            ).all()
        numbers = [int(m[1]) for r in refs if (m := re.fullmatch(r"\d\d-(\d+)", r))]
        return f"{prefix}{(max(numbers, default=0) + 1):06d}"

    def journal(self, dossier_id: int) -> list[JournalRow]:
        """Statut transitions, field changes and comité decisions, most recent first, in French
        (written by `services/journal.py`)."""
        with self.db.session() as s:
            d = s.get(Dossier, dossier_id)
            if d is None:
                raise NotFoundError(f"dossier {dossier_id} introuvable")
            return dossier_journal(s, d, _Names(s, d))

    # Writing

    def save_fiche(
        self,
        dossier_id: int,
        expected_version: int,
        data: DossierData,
        recevabilite: list[RecevabiliteRow],
    ) -> int:
        """Save the whole fiche (fields, plan, checklist) in one transaction. Returns the new
        version; raises ConcurrentEditError if the dossier was saved by someone else meanwhile."""
        _check(data)
        try:
            with self.db.session() as s:
                d = DossierService._load(s, dossier_id)
                if d.version != expected_version:
                    raise audit.concurrent_edit(f"Le dossier {d.reference}", d.updated_by, d.updated_at)
                DossierService._check_unique_reference(s, d.campagne_id, data.reference, d.id)
                before = _data_of(d)
                if data.classements is None:  # a caller that does not show them leaves them
                    data = replace(data, classements=before.classements)
                names = _Names(s, d) if before.lignes != data.lignes else None
                d.recevabilite  # noqa: B018 - loaded now: no query (hence no autoflush) below
                with s.no_autoflush:  # everything goes out in one flush: one UPDATE, one bump
                    _apply(s, d, data)
                    changes: dict[str, Any] = {
                        f.name: [getattr(before, f.name), getattr(data, f.name)]
                        for f in fields(DossierData)
                        if f.name != "lignes" and getattr(before, f.name) != getattr(data, f.name)
                    }
                    if names is not None:
                        changes["lignes"] = _line_changes(before.lignes, data.lignes, names)
                    checks = _apply_checks(s, d, recevabilite)
                    if checks:
                        changes["recevabilite"] = checks
                    if changes:
                        d.updated_by = self.user
                        d.updated_at = datetime.now()  # forces the UPDATE, hence the version bump
                        audit.record(s, self.user, "dossier", d.id, "update", changes)
                s.flush()
                return d.version
        except StaleDataError:
            info = DossierService(self.db, self.user).get(dossier_id)
            raise audit.concurrent_edit(
                f"Le dossier {info.data.reference}", info.updated_by, info.updated_at
            ) from None

    def create_dossier(
        self, campagne_id: int, data: DossierData, recevabilite: list[RecevabiliteRow] | None = None
    ) -> int:
        """« Nouveau dossier »: the dossier, its first statut (déposé) and its checklist."""
        _check(data)
        with self.db.session() as s:
            if s.get(Campagne, campagne_id) is None:
                raise NotFoundError(f"campagne {campagne_id} introuvable")
            d = insert_dossier(s, campagne_id, data, self.user)
            _apply_checks(s, d, recevabilite or [])
            return d.id


# --- Internals -------------------------------------------------------------------------------


def _check(data: DossierData) -> None:
    problems = validate(data)
    if problems:
        raise ValidationError(problems)


def _keep_mandatory_points(
    d: Dossier,
    items: dict[int, RecevabiliteItem],
    existing: dict[int, RecevabiliteCheck],
    rows: list[RecevabiliteRow],
) -> None:
    """A dossier past « recevable » cannot lose a mandatory point (`domain.recevabilite`)."""
    if Statut(d.statut) not in PASSED_RECEVABILITE:
        return
    before = {item_id for item_id, check in existing.items() if check.ok}
    after = (before - {r.item_id for r in rows}) | {r.item_id for r in rows if r.ok}
    points = [Point(i.id, i.libelle, i.obligatoire) for i in sorted(items.values(), key=lambda i: (i.position, i.id))]
    problem = untick_problem(unticked_mandatory(points, before, after))
    if problem:
        raise ValidationError([problem])


def _apply_checks(s: Session, d: Dossier, rows: list[RecevabiliteRow]) -> list[list[Any]]:
    """Write the checklist answers; returns [libellé, old ok, new ok, old comment, new comment]."""
    if not rows:
        return []
    items = {
        i.id: i
        for i in s.scalars(select(RecevabiliteItem).where(RecevabiliteItem.campagne_id == d.campagne_id))
    }
    existing = {c.item_id: c for c in d.recevabilite} if d.id is not None else {}
    _keep_mandatory_points(d, items, existing, rows)  # issue 9: recevable ⇒ mandatory points
    changes: list[list[Any]] = []
    with s.no_autoflush:
        for row in rows:
            item = items.get(row.item_id)
            if item is None:
                raise ValidationError([f"recevabilité : point {row.item_id} inconnu dans cette campagne"])
            comment = (row.commentaire or "").strip() or None
            check = existing.get(row.item_id)
            old_ok, old_comment = (check.ok, check.commentaire) if check else (False, None)
            if (old_ok, old_comment) == (row.ok, comment):
                continue
            if check is None:
                d.recevabilite.append(RecevabiliteCheck(item_id=row.item_id, ok=row.ok, commentaire=comment))
            else:
                check.ok, check.commentaire = row.ok, comment
            changes.append([item.libelle, old_ok, row.ok, old_comment, comment])
    return changes


class _Names:
    """Names of the ids a journal or a change list mentions (the contrat's référentiel is small)."""

    def __init__(self, s: Session, d: Dossier) -> None:
        self._s = s
        contrat_id = s.scalar(select(Campagne.contrat_id).where(Campagne.id == d.campagne_id))
        self.quartiers = {
            k: v
            for k, v in s.execute(select(Quartier.id, Quartier.nom).where(Quartier.contrat_id == contrat_id))
        }
        self.objectifs = {
            oid: f"{code} {titre}"
            for oid, code, titre in s.execute(
                select(Objectif.id, Objectif.code, Objectif.titre).where(Objectif.contrat_id == contrat_id)
            )
        }
        self.axes = {
            k: v
            for k, v in s.execute(
                select(AxeTransversal.id, AxeTransversal.titre).where(AxeTransversal.contrat_id == contrat_id)
            )
        }
        self.financeurs = {
            k: v
            for k, v in s.execute(
                select(Financeur.id, Financeur.nom).where(Financeur.contrat_id == contrat_id)
            )
        }
        self._porteurs: dict[int, str] = {}
        self._dossiers: dict[int, str] = {}

    def porteur(self, pid: int) -> str:
        if pid not in self._porteurs:
            self._porteurs[pid] = (
                self._s.scalar(select(Porteur.raison_sociale).where(Porteur.id == pid)) or f"n° {pid}"
            )
        return self._porteurs[pid]

    def dossier(self, did: int) -> str:
        if did not in self._dossiers:
            row = self._s.execute(
                select(Dossier.reference, Campagne.annee)
                .join(Campagne, Campagne.id == Dossier.campagne_id)
                .where(Dossier.id == did)
            ).first()
            self._dossiers[did] = f"{row[0]} ({row[1]})" if row else f"n° {did}"
        return self._dossiers[did]

    def ligne(self, ligne: Ligne) -> str:
        if ligne.financeur_id is not None:
            return self.financeurs.get(ligne.financeur_id, f"financeur {ligne.financeur_id}")
        return ligne.libelle or "autre ressource"


def _line_changes(before: tuple[Ligne, ...], after: tuple[Ligne, ...], names: _Names) -> list[list[Any]]:
    """[ligne, champ, ancien, nouveau]; champ « ligne » for an added (ancien None) or removed line."""

    def key(ligne: Ligne) -> tuple[int | None, str]:
        return (ligne.financeur_id, "" if ligne.financeur_id is not None else ligne.libelle.strip())

    old = {key(ligne): ligne for ligne in before}
    new = {key(ligne): ligne for ligne in after}
    out: list[list[Any]] = []
    for k, ligne in new.items():
        label = names.ligne(ligne)
        previous = old.get(k)
        if previous is None:
            out.append([label, "ligne", None, ligne.demande_cents])
            continue
        for attr, _ in _LINE_FIELDS:
            if getattr(previous, attr) != getattr(ligne, attr):
                out.append([label, attr, getattr(previous, attr), getattr(ligne, attr)])
    for k, ligne in old.items():
        if k not in new:
            out.append([names.ligne(ligne), "ligne", ligne.demande_cents, None])
    if not out:  # same lines, another order
        out.append(["", "ordre", None, None])
    return out


def _depth_first(nodes: list[Objectif]) -> tuple[ObjectifNode, ...]:
    """One tree's nodes, parents before children, siblings by position."""
    children: dict[int | None, list[Objectif]] = {}
    for o in nodes:
        children.setdefault(o.parent_id, []).append(o)
    ordered: list[ObjectifNode] = []

    def walk(parent: int | None) -> None:
        for o in sorted(children.get(parent, []), key=lambda o: (o.position, o.id)):
            ordered.append(ObjectifNode(o.id, o.parent_id, o.code, o.titre, o.niveau))
            walk(o.id)

    walk(None)
    return tuple(ordered)
