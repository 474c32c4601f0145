"""Dossier use cases: list, read, create, update (with optimistic locking), statut changes.

Every method is one transaction and returns frozen dataclasses (no live ORM objects leave the
service), so the Qt models, the CLI and the exports never trigger lazy loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from fractions import Fraction
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain import scoring
from instructeur.domain.money import format_amount
from instructeur.domain.statuts import DECISIONS, Statut, allowed_targets, transition_problem
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.services import audit
from instructeur.services.notation import load_scores, normalised, scored_evaluations
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AxeTransversal,
    Campagne,
    Dossier,
    Evaluateur,
    Evaluation,
    Financeur,
    Label,
    LigneFinancement,
    Objectif,
    Porteur,
    Quartier,
    Transition,
    dossier_label,
    dossier_quartier,
)

COTATION_LEVELS = (0, 1, 2)


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierRow:
    """One line of the dossiers list, with what its columns and filters need (ids, not objects)."""

    id: int
    reference: str
    porteur: str
    intitule: str
    quartiers: str
    demande_cents: int
    cout_total_cents: int
    statut: Statut
    objectif_code: str | None
    cotation_declaree: int | None
    cotation_instruite: int | None
    reconduite: bool
    vote_cents: int | None
    porteur_id: int = 0
    decision: Statut | None = None
    objectif_id: int | None = None
    objectif_titre: str | None = None
    # The objectif and its ancestors, root first: path[0] is the axe (top-level node of the cadre).
    objectif_path: tuple[int, ...] = ()
    axe_id: int | None = None
    axe_code: str | None = None
    quartier_ids: tuple[int, ...] = ()
    financeur_ids: tuple[int, ...] = ()  # financeurs asked for a non-zero amount
    label_ids: tuple[int, ...] = ()
    labels: str = ""
    evaluateur_ids: tuple[int, ...] = ()
    evaluateurs: str = ""
    # Grille d'analyse (NotationService.scores): exact mean /20 of the counted évaluations (None:
    # none counted), spread max − min, disagreement flag, competition rank in the whole campagne.
    score: Fraction | None = None
    date_depot: date | None = None
    score_spread: Fraction | None = None
    disagreement: bool = False
    rank: int | None = None

    @property
    def cotation(self) -> int | None:
        """The cotation F/H that counts: the instructeur's, else the porteur's declaration."""
        return self.cotation_instruite if self.cotation_instruite is not None else self.cotation_declaree

    @property
    def cotation_gap(self) -> bool:
        """The porteur's declared cotation F/H differs from the instructed one."""
        return (
            self.cotation_declaree is not None
            and self.cotation_instruite is not None
            and self.cotation_declaree != self.cotation_instruite
        )


@dataclass(frozen=True)
class Ligne:
    financeur_id: int | None
    libelle: str
    demande_cents: int
    propose_cents: int | None = None
    vote_cents: int | None = None


@dataclass(frozen=True)
class DossierData:
    """Editable fields of a dossier (what a fiche or an import row provides)."""

    reference: str
    porteur_id: int
    intitule: str
    description: str = ""
    objectifs_action: str = ""
    public_prevu: int | None = None
    public_femmes: int | None = None
    public_hommes: int | None = None
    public_ages: str | None = None
    part_qpv_pct: int | None = None
    objectif_id: int | None = None
    objectifs_secondaires: tuple[int, ...] = ()
    axes_transversaux: tuple[int, ...] = ()
    quartiers: tuple[int, ...] = ()
    date_depot: date | None = None
    date_debut: date | None = None
    date_fin: date | None = None
    pluriannuel: bool = False
    reconduite: bool = False
    reconduction_de_id: int | None = None
    cout_total_cents: int = 0
    lignes: tuple[Ligne, ...] = ()
    cotation_declaree: int | None = None
    observations: str | None = None


@dataclass(frozen=True)
class TransitionRow:
    at: datetime
    utilisateur: str
    de_statut: Statut | None
    vers_statut: Statut
    motivation: str | None


@dataclass(frozen=True)
class DossierDetail:
    id: int
    campagne_id: int
    version: int
    statut: Statut
    decision: Statut | None
    data: DossierData
    porteur: str
    updated_by: str | None
    updated_at: datetime | None
    cotation_instruite: int | None
    avis: str | None
    avis_motivation: str | None
    transitions: tuple[TransitionRow, ...] = field(default=())


@dataclass(frozen=True)
class DossierFilter:
    statuts: frozenset[Statut] = frozenset()
    quartier_id: int | None = None
    financeur_id: int | None = None
    objectif_id: int | None = None


@dataclass(frozen=True)
class BatchResult:
    changed: tuple[int, ...]
    refused: tuple[tuple[int, str], ...]  # (dossier id, French reason)


# --- Validation (pure) -----------------------------------------------------------------------


def validate(data: DossierData) -> list[str]:
    problems: list[str] = []
    if not data.reference.strip():
        problems.append("référence : obligatoire")
    if not data.intitule.strip():
        problems.append("intitulé : obligatoire")
    if data.cout_total_cents < 0:
        problems.append("coût total : un montant ne peut pas être négatif")
    for n, ligne in enumerate(data.lignes, start=1):
        for name, value in (
            ("demandé", ligne.demande_cents),
            ("proposé", ligne.propose_cents),
            ("voté", ligne.vote_cents),
        ):
            if value is not None and value < 0:
                problems.append(f"plan de financement, ligne {n} : montant {name} négatif")
        if ligne.financeur_id is None and not ligne.libelle.strip():
            problems.append(f"plan de financement, ligne {n} : financeur ou libellé obligatoire")
    for name, value in (
        ("public prévu", data.public_prevu),
        ("dont femmes", data.public_femmes),
        ("dont hommes", data.public_hommes),
    ):
        if value is not None and value < 0:
            problems.append(f"{name} : nombre négatif")
    if (
        data.public_prevu is not None
        and (data.public_femmes or 0) + (data.public_hommes or 0) > data.public_prevu
    ):
        problems.append("public : femmes + hommes dépassent le public prévu")
    if data.part_qpv_pct is not None and not 0 <= data.part_qpv_pct <= 100:
        problems.append("part du public QPV : entre 0 et 100 %")
    if data.date_debut and data.date_fin and data.date_fin < data.date_debut:
        problems.append("dates : la fin précède le début")
    if data.cotation_declaree is not None and data.cotation_declaree not in COTATION_LEVELS:
        problems.append("cotation égalité F/H déclarée : 0, 1 ou 2")
    financeurs = [ligne.financeur_id for ligne in data.lignes if ligne.financeur_id is not None]
    if len(financeurs) != len(set(financeurs)):
        problems.append("plan de financement : un financeur apparaît deux fois")
    return problems


def plan_warnings(data: DossierData) -> list[str]:
    """Non-blocking checks shown live in the fiche (blocking only for a decision)."""
    total = sum(ligne.demande_cents for ligne in data.lignes)
    if data.lignes and total != data.cout_total_cents:
        return [
            f"les ressources ({format_amount(total)}) diffèrent du coût total ({format_amount(data.cout_total_cents)})"
        ]
    return []


def instruction_missing(dossier: Dossier) -> list[str]:
    """What prevents the dossier from being « instruit » or decided (DESIGN.md §3): cotation, avis
    and its motivation, balanced plan, proposed amount, grille (complete évaluation without
    conflict, éliminatoire criteria) — the complete rule lives in `services.instruction`."""
    from instructeur.services.instruction import instruction_problems  # only this body may change here

    return instruction_problems(dossier)


# --- Service ---------------------------------------------------------------------------------


class DossierService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # Reading

    def list_rows(
        self,
        campagne_id: int,
        filtre: DossierFilter | None = None,
        *,
        normalise: bool = False,
        with_scores: bool = True,
    ) -> list[DossierRow]:
        """The dossiers of a campagne in référence order (`normalise`: scores z-score normalised
        per évaluateur, see `notation.normalised`; `with_scores=False` leaves them out, for a
        first paint that `list_scores` completes).

        A handful of set-based queries whatever the size (dossiers, financement lines, quartiers,
        labels, évaluations, the cadre): no query per row.
        """
        filtre = filtre or DossierFilter()
        with self.db.session() as s:
            query = (
                select(
                    Dossier.id,
                    Dossier.reference,
                    Porteur.raison_sociale,
                    Dossier.intitule,
                    Dossier.cout_total_cents,
                    Dossier.statut,
                    Dossier.objectif_id,
                    Dossier.cotation_declaree,
                    Dossier.cotation_instruite,
                    Dossier.reconduite,
                    Dossier.porteur_id,
                    Dossier.decision,
                    Dossier.date_depot,
                )
                .join(Porteur, Porteur.id == Dossier.porteur_id)
                .where(Dossier.campagne_id == campagne_id)
                .order_by(Dossier.reference)
            )
            if filtre.statuts:
                query = query.where(Dossier.statut.in_([st.value for st in filtre.statuts]))
            if filtre.objectif_id is not None:
                query = query.where(Dossier.objectif_id == filtre.objectif_id)
            if filtre.quartier_id is not None:
                query = query.where(
                    Dossier.id.in_(
                        select(dossier_quartier.c.dossier_id).where(
                            dossier_quartier.c.quartier_id == filtre.quartier_id
                        )
                    )
                )
            if filtre.financeur_id is not None:
                query = query.where(
                    Dossier.id.in_(
                        select(LigneFinancement.dossier_id).where(
                            LigneFinancement.financeur_id == filtre.financeur_id
                        )
                    )
                )
            base = s.execute(query).all()
            # Side queries cover the whole campagne (a join on campagne_id is cheaper than an IN
            # list); rows a filter left out are simply not looked up.
            in_campagne = select(Dossier.id).where(Dossier.campagne_id == campagne_id)
            demandes: dict[int, int] = {}
            votes: dict[int, int] = {}
            financeurs: dict[int, list[int]] = {}
            for dossier_id, financeur_id, demande, vote in s.execute(
                select(
                    LigneFinancement.dossier_id,
                    LigneFinancement.financeur_id,
                    LigneFinancement.demande_cents,
                    LigneFinancement.vote_cents,
                )
                .where(LigneFinancement.dossier_id.in_(in_campagne))
                .where(LigneFinancement.financeur_id.is_not(None))
                .order_by(LigneFinancement.dossier_id, LigneFinancement.position, LigneFinancement.id)
            ):
                demandes[dossier_id] = demandes.get(dossier_id, 0) + int(demande or 0)
                if vote is not None:
                    votes[dossier_id] = votes.get(dossier_id, 0) + int(vote)
                if demande and financeur_id is not None:
                    financeurs.setdefault(dossier_id, []).append(financeur_id)
            quartiers: dict[int, list[tuple[int, str]]] = {}
            for dossier_id, quartier_id, nom in s.execute(
                select(dossier_quartier.c.dossier_id, Quartier.id, Quartier.nom)
                .join(Quartier, Quartier.id == dossier_quartier.c.quartier_id)
                .where(dossier_quartier.c.dossier_id.in_(in_campagne))
                .order_by(Quartier.nom)
            ):
                quartiers.setdefault(dossier_id, []).append((quartier_id, nom))
            labels: dict[int, list[tuple[int, str]]] = {}
            for dossier_id, label_id, nom in s.execute(
                select(dossier_label.c.dossier_id, Label.id, Label.nom)
                .join(Label, Label.id == dossier_label.c.label_id)
                .where(dossier_label.c.dossier_id.in_(in_campagne))
                .order_by(Label.nom)
            ):
                labels.setdefault(dossier_id, []).append((label_id, nom))
            evaluateurs: dict[int, list[tuple[int, str]]] = {}
            for dossier_id, evaluateur_id, nom in s.execute(
                select(Evaluation.dossier_id, Evaluateur.id, Evaluateur.nom)
                .join(Evaluateur, Evaluateur.id == Evaluation.evaluateur_id)
                .where(Evaluation.dossier_id.in_(in_campagne))
                .order_by(Evaluateur.nom)
            ):
                evaluateurs.setdefault(dossier_id, []).append((evaluateur_id, nom))
            # The cadre of the campagne's contrat: every node's path from its axe.
            nodes: dict[int, tuple[int | None, str, str]] = {
                oid: (parent, code, titre)
                for oid, parent, code, titre in s.execute(
                    select(Objectif.id, Objectif.parent_id, Objectif.code, Objectif.titre)
                    .join(Campagne, Campagne.contrat_id == Objectif.contrat_id)
                    .where(Campagne.id == campagne_id)
                )
            }
            scores = _list_scores(s, campagne_id, normalise) if with_scores and evaluateurs else {}
            paths: dict[int, tuple[int, ...]] = {}

            def path_of(oid: int) -> tuple[int, ...]:
                found = paths.get(oid)
                if found is None:
                    parent = nodes[oid][0] if oid in nodes else None
                    found = (path_of(parent) if parent is not None and parent in nodes else ()) + (oid,)
                    paths[oid] = found
                return found

            out = []
            for r in base:
                did, objectif_id = r[0], r[6]
                path = path_of(objectif_id) if objectif_id is not None and objectif_id in nodes else ()
                qs = quartiers.get(did, ())
                ls = labels.get(did, ())
                es = evaluateurs.get(did, ())
                out.append(
                    DossierRow(
                        id=did,
                        reference=r[1],
                        porteur=r[2],
                        intitule=r[3],
                        quartiers=", ".join(nom for _, nom in qs),
                        demande_cents=demandes.get(did, 0),
                        cout_total_cents=r[4],
                        statut=Statut(r[5]),
                        objectif_code=nodes[path[-1]][1] if path else None,
                        cotation_declaree=r[7],
                        cotation_instruite=r[8],
                        reconduite=bool(r[9]),
                        vote_cents=votes.get(did),
                        porteur_id=r[10],
                        decision=Statut(r[11]) if r[11] else None,
                        objectif_id=objectif_id,
                        objectif_titre=nodes[path[-1]][2] if path else None,
                        objectif_path=path,
                        axe_id=path[0] if path else None,
                        axe_code=nodes[path[0]][1] if path else None,
                        quartier_ids=tuple(qid for qid, _ in qs),
                        financeur_ids=tuple(financeurs.get(did, ())),
                        label_ids=tuple(lid for lid, _ in ls),
                        labels=", ".join(nom for _, nom in ls),
                        evaluateur_ids=tuple(eid for eid, _ in es),
                        evaluateurs=", ".join(nom for _, nom in es),
                        date_depot=r[12],
                        **(scores[did]._asdict() if did in scores else {}),
                    )
                )
            return out

    def list_scores(self, campagne_id: int, *, normalise: bool = False) -> dict[int, ListScore]:
        """The score columns of `list_rows`, alone (dossier id → values)."""
        with self.db.session() as s:
            return _list_scores(s, campagne_id, normalise)

    def totals_by_porteur(self, porteur_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
        """porteur id → (number of dossiers, total voté in cents) over every campagne (the
        porteurs directory). Two grouped queries; `None` means every porteur."""
        with self.db.session() as s:
            counts = select(Dossier.porteur_id, func.count(Dossier.id)).group_by(Dossier.porteur_id)
            voted = (
                select(Dossier.porteur_id, func.sum(LigneFinancement.vote_cents))
                .join(LigneFinancement, LigneFinancement.dossier_id == Dossier.id)
                .where(LigneFinancement.financeur_id.is_not(None))
                .group_by(Dossier.porteur_id)
            )
            if porteur_ids is not None:
                counts = counts.where(Dossier.porteur_id.in_(porteur_ids))
                voted = voted.where(Dossier.porteur_id.in_(porteur_ids))
            totals = {pid: int(v or 0) for pid, v in s.execute(voted)}
            return {pid: (int(n), totals.get(pid, 0)) for pid, n in s.execute(counts)}

    def get(self, dossier_id: int) -> DossierDetail:
        with self.db.session() as s:
            d = self._load(s, dossier_id)
            transitions = s.scalars(
                select(Transition)
                .where(Transition.dossier_id == dossier_id)
                .order_by(Transition.at, Transition.id)
            ).all()
            return DossierDetail(
                id=d.id,
                campagne_id=d.campagne_id,
                version=d.version,
                statut=Statut(d.statut),
                decision=Statut(d.decision) if d.decision else None,
                data=_data_of(d),
                porteur=d.porteur.raison_sociale,
                updated_by=d.updated_by,
                updated_at=d.updated_at,
                cotation_instruite=d.cotation_instruite,
                avis=d.avis,
                avis_motivation=d.avis_motivation,
                transitions=tuple(
                    TransitionRow(
                        at=t.at,
                        utilisateur=t.utilisateur,
                        de_statut=Statut(t.de_statut) if t.de_statut else None,
                        vers_statut=Statut(t.vers_statut),
                        motivation=t.motivation,
                    )
                    for t in transitions
                ),
            )

    def allowed_transitions(self, dossier_id: int) -> tuple[Statut, ...]:
        with self.db.session() as s:
            d = self._load(s, dossier_id)
            return allowed_targets(Statut(d.statut), Statut(d.decision) if d.decision else None)

    # Writing

    def create(self, campagne_id: int, data: DossierData) -> int:
        self._check(data)
        with self.db.session() as s:
            return insert_dossier(s, campagne_id, data, self.user).id

    def update(self, dossier_id: int, expected_version: int, data: DossierData) -> int:
        """Save the fiche. Refused with a French message if someone saved the dossier meanwhile.
        Returns the new version."""
        self._check(data)
        try:
            with self.db.session() as s:
                d = self._load(s, dossier_id)
                if d.version != expected_version:
                    raise audit.concurrent_edit(f"Le dossier {d.reference}", d.updated_by, d.updated_at)
                self._check_unique_reference(s, d.campagne_id, data.reference, d.id)
                before = _data_of(d)
                _apply(s, d, data)
                d.updated_by = self.user
                changes = {
                    f.name: [getattr(before, f.name), getattr(data, f.name)]
                    for f in fields(DossierData)
                    if getattr(before, f.name) != getattr(data, f.name) and f.name != "lignes"
                }
                if before.lignes != data.lignes:
                    changes["plan de financement"] = [len(before.lignes), len(data.lignes)]
                if changes:
                    audit.record(s, self.user, "dossier", d.id, "update", changes)
                s.flush()
                return d.version
        except StaleDataError:
            # Another session committed between our read and our write (shared database).
            info = self.get(dossier_id)
            raise audit.concurrent_edit(
                f"Le dossier {info.data.reference}", info.updated_by, info.updated_at
            ) from None

    def change_statut(
        self,
        dossier_id: int,
        target: Statut,
        motivation: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        result = self.change_statut_many([dossier_id], target, motivation, {dossier_id: expected_version})
        if result.refused:
            raise UserError(result.refused[0][1])
        return self.get(dossier_id).version

    def change_statut_many(
        self,
        dossier_ids: list[int],
        target: Statut,
        motivation: str | None = None,
        expected_versions: dict[int, int | None] | None = None,
    ) -> BatchResult:
        """One shared motivation for a batch; dossiers that cannot move are reported, not changed."""
        changed: list[int] = []
        refused: list[tuple[int, str]] = []
        try:
            with self.db.session() as s:
                rows = s.scalars(
                    select(Dossier).where(Dossier.id.in_(dossier_ids)).options(selectinload(Dossier.lignes))
                ).all()
                by_id = {d.id: d for d in rows}
                for dossier_id in dossier_ids:
                    d = by_id.get(dossier_id)
                    if d is None:
                        refused.append((dossier_id, f"dossier {dossier_id} introuvable"))
                        continue
                    expected = (expected_versions or {}).get(dossier_id)
                    if expected is not None and d.version != expected:
                        refused.append(
                            (
                                d.id,
                                str(
                                    audit.concurrent_edit(
                                        f"Le dossier {d.reference}", d.updated_by, d.updated_at
                                    )
                                ),
                            )
                        )
                        continue
                    reason = self._transition_reason(d, target, motivation)
                    if reason:
                        refused.append((d.id, f"dossier {d.reference} : {reason}"))
                        continue
                    move_statut(s, d, target, self.user, motivation)
                    changed.append(d.id)
        except StaleDataError:
            return BatchResult(
                changed=(),
                refused=tuple(
                    (i, "modifié par un autre utilisateur pendant l'opération") for i in dossier_ids
                ),
            )
        return BatchResult(changed=tuple(changed), refused=tuple(refused))

    # Internals

    def _transition_reason(self, d: Dossier, target: Statut, motivation: str | None) -> str | None:
        current = Statut(d.statut)
        reason = transition_problem(current, target, motivation, Statut(d.decision) if d.decision else None)
        if reason:
            return reason
        if target is Statut.INSTRUIT or (current is Statut.EN_COMITE and target in DECISIONS):
            missing = instruction_missing(d)
            if missing:
                return "instruction incomplète : " + ", ".join(missing)
        if target is Statut.SOLDE:
            from instructeur.services.suivi import SOLDE_SANS_CRF, crf_recu  # suivi → comités → here

            session = object_session(d)
            if session is None or not crf_recu(session, d.id):
                return SOLDE_SANS_CRF
        return None

    def _check(self, data: DossierData) -> None:
        problems = validate(data)
        if problems:
            raise ValidationError(problems)

    @staticmethod
    def _check_unique_reference(s: Session, campagne_id: int, reference: str, own_id: int | None) -> None:
        other = s.scalar(
            select(Dossier.id).where(
                Dossier.campagne_id == campagne_id, Dossier.reference == reference.strip()
            )
        )
        if other is not None and other != own_id:
            raise ValidationError([f"référence : « {reference} » existe déjà dans cette campagne"])

    @staticmethod
    def _load(s: Session, dossier_id: int) -> Dossier:
        d = s.get(
            Dossier,
            dossier_id,
            options=[
                selectinload(Dossier.lignes),
                selectinload(Dossier.quartiers),
                selectinload(Dossier.objectifs_secondaires),
                selectinload(Dossier.axes_transversaux),
                selectinload(Dossier.porteur),
            ],
        )
        if d is None:
            raise NotFoundError(f"dossier {dossier_id} introuvable")
        return d


def move_statut(s: Session, d: Dossier, target: Statut, user: str, motivation: str | None = None) -> None:
    """The one way a dossier changes statut (rules already checked by the caller): the history
    line (who, when, from, to, why), the statut, and the comité decision it records, if any."""
    s.add(
        Transition(
            dossier_id=d.id,
            utilisateur=user,
            de_statut=d.statut,
            vers_statut=target.value,
            motivation=(motivation or "").strip() or None,
            at=datetime.now(),
        )
    )
    if target in DECISIONS:
        d.decision = target.value
    if target is Statut.NON_REALISE:
        from instructeur.services.suivi import mark_non_realise  # suivi → comités → here

        mark_non_realise(s, d.id, user)
    d.statut = target.value
    d.updated_by = user


class ListScore(NamedTuple):
    """The score fields of a `DossierRow`."""

    score: Fraction | None
    score_spread: Fraction | None
    disagreement: bool
    rank: int | None


def _list_scores(s: Session, campagne_id: int, normalise: bool) -> dict[int, ListScore]:
    """Scores with the notation service's loading and arithmetic (`NotationService.scores`): four
    queries for the whole campagne; ranked over the whole campagne whatever the filter."""
    loaded = load_scores(s, campagne_id=campagne_id)
    evaluated = {did: scored_evaluations(loaded, did) for did in loaded.evaluations}
    if normalise:
        evaluated = normalised(evaluated)
    aggregates = {did: scoring.aggregate(scored) for did, (scored, _) in evaluated.items()}
    ranks = scoring.rank({did: a.score for did, a in aggregates.items()})
    return {
        did: ListScore(a.score, a.spread, a.disagreement, ranks.get(did)) for did, a in aggregates.items()
    }


def insert_dossier(s: Session, campagne_id: int, data: DossierData, user: str) -> Dossier:
    """A new dossier (already validated) with its first statut, déposé, in the history and the
    audit log; the reference must be unique in the campagne."""
    DossierService._check_unique_reference(s, campagne_id, data.reference, None)
    d = Dossier(campagne_id=campagne_id, statut=Statut.DEPOSE.value, updated_by=user)
    _apply(s, d, data)
    s.add(d)
    s.flush()
    s.add(
        Transition(dossier_id=d.id, utilisateur=user, de_statut=None, vers_statut=d.statut, at=datetime.now())
    )
    audit.record(s, user, "dossier", d.id, "create", {"reference": data.reference})
    return d


def _data_of(d: Dossier) -> DossierData:
    return DossierData(
        reference=d.reference,
        porteur_id=d.porteur_id,
        intitule=d.intitule,
        description=d.description,
        objectifs_action=d.objectifs_action,
        public_prevu=d.public_prevu,
        public_femmes=d.public_femmes,
        public_hommes=d.public_hommes,
        public_ages=d.public_ages,
        part_qpv_pct=d.part_qpv_pct,
        objectif_id=d.objectif_id,
        objectifs_secondaires=tuple(sorted(o.id for o in d.objectifs_secondaires)),
        axes_transversaux=tuple(sorted(a.id for a in d.axes_transversaux)),
        quartiers=tuple(sorted(q.id for q in d.quartiers)),
        date_depot=d.date_depot,
        date_debut=d.date_debut,
        date_fin=d.date_fin,
        pluriannuel=d.pluriannuel,
        reconduite=d.reconduite,
        reconduction_de_id=d.reconduction_de_id,
        cout_total_cents=d.cout_total_cents,
        lignes=tuple(
            Ligne(
                financeur_id=ligne.financeur_id,
                libelle=ligne.libelle,
                demande_cents=ligne.demande_cents,
                propose_cents=ligne.propose_cents,
                vote_cents=ligne.vote_cents,
            )
            for ligne in d.lignes
        ),
        cotation_declaree=d.cotation_declaree,
        observations=d.observations,
    )


def _apply(s: Session, d: Dossier, data: DossierData) -> None:
    with s.no_autoflush:  # one UPDATE, hence one version bump, per save
        _apply_fields(s, d, data)


def _apply_fields(s: Session, d: Dossier, data: DossierData) -> None:
    d.reference = data.reference.strip()
    d.porteur_id = data.porteur_id
    d.intitule = data.intitule.strip()
    d.description = data.description
    d.objectifs_action = data.objectifs_action
    d.public_prevu = data.public_prevu
    d.public_femmes = data.public_femmes
    d.public_hommes = data.public_hommes
    d.public_ages = data.public_ages
    d.part_qpv_pct = data.part_qpv_pct
    d.objectif_id = data.objectif_id
    d.date_depot = data.date_depot
    d.date_debut = data.date_debut
    d.date_fin = data.date_fin
    d.pluriannuel = data.pluriannuel
    d.reconduite = data.reconduite
    d.reconduction_de_id = data.reconduction_de_id
    d.cout_total_cents = data.cout_total_cents
    d.cotation_declaree = data.cotation_declaree
    d.observations = data.observations
    d.quartiers = (
        list(s.scalars(select(Quartier).where(Quartier.id.in_(data.quartiers)))) if data.quartiers else []
    )
    d.objectifs_secondaires = (
        list(s.scalars(select(Objectif).where(Objectif.id.in_(data.objectifs_secondaires))))
        if data.objectifs_secondaires
        else []
    )
    d.axes_transversaux = (
        list(s.scalars(select(AxeTransversal).where(AxeTransversal.id.in_(data.axes_transversaux))))
        if data.axes_transversaux
        else []
    )
    current = [
        Ligne(ligne.financeur_id, ligne.libelle, ligne.demande_cents, ligne.propose_cents, ligne.vote_cents)
        for ligne in d.lignes
    ]
    if current != list(data.lignes):
        d.lignes = [
            LigneFinancement(
                financeur_id=ligne.financeur_id,
                libelle=ligne.libelle,
                demande_cents=ligne.demande_cents,
                propose_cents=ligne.propose_cents,
                vote_cents=ligne.vote_cents,
                position=n,
            )
            for n, ligne in enumerate(data.lignes)
        ]
    if data.porteur_id and s.get(Porteur, data.porteur_id) is None:
        raise ValidationError([f"porteur {data.porteur_id} introuvable"])
    for fid in {ligne.financeur_id for ligne in data.lignes if ligne.financeur_id is not None}:
        if s.get(Financeur, fid) is None:
            raise ValidationError([f"financeur {fid} introuvable"])
