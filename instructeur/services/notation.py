"""Notation: an évaluateur's notes on the grille, conflicts of interest, the scoring matrix and the
campagne's scores (aggregate, spread, disagreement, z-score option, rank, éliminatoire).

Every write checks the évaluation's version (optimistic locking: a stale save is refused with the
name of whoever saved last). Scores are computed in Python from all the notes of the campagne loaded
in a few set-based queries (`instructeur.domain.scoring` for the arithmetic).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain import scoring
from instructeur.domain.scoring import (
    CritereSpec,
    DossierScore,
    EvaluationInput,
    ScoredEvaluation,
    Scorer,
    note_problem,
)
from instructeur.errors import ConcurrentEditError, NotFoundError, UserError, ValidationError
from instructeur.services import audit, notes_visibilite
from instructeur.services.grilles import CritereDto, critere_dto, latest_grille_id
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AuditLog,
    Critere,
    Dossier,
    Evaluateur,
    Evaluation,
    Grille,
    Note,
    Porteur,
)

CONFLICT_REFUSED = "conflit d'intérêts déclaré : cet évaluateur ne peut pas noter ce dossier"
# AuditLog actions (the column holds 20 characters) recording a motivated override of an
# éliminatoire criterion on a dossier, and its withdrawal; the latest of the two wins.
OVERRIDE_ACTION = "derog_eliminatoire"
OVERRIDE_WITHDRAWN = "derog_eliminatoire_x"


@dataclass(frozen=True)
class EvaluationDto:
    id: int
    version: int
    dossier_id: int
    dossier_reference: str
    dossier_intitule: str
    evaluateur_id: int
    evaluateur_nom: str
    grille_id: int
    grille_numero_version: int
    criteres: tuple[CritereDto, ...]  # with their aide and level labels (guidance)
    notes: dict[int, int]
    commentaire: str | None
    conflit: bool
    conflit_motif: str | None
    date_evaluation: date | None
    updated_by: str | None
    total: Fraction | None  # exact /20; None while incomplete

    @property
    def complete(self) -> bool:
        return self.total is not None

    @property
    def total_display(self) -> Decimal | None:
        return scoring.display(self.total)


@dataclass(frozen=True)
class MatrixRow:
    evaluation_id: int
    version: int
    dossier_id: int
    reference: str
    intitule: str
    porteur: str
    grille_id: int
    conflit: bool
    notes: dict[int, int]
    commentaire: str | None
    total: Fraction | None  # running total /20, None while incomplete
    updated_by: str | None


@dataclass(frozen=True)
class MatrixDto:
    """Rows = the dossiers of the campagne assigned to one évaluateur (référence order); columns =
    the criteria of the campagne's latest grille. A row whose `grille_id` differs was scored on an
    older version: its criteria are in `grilles[row.grille_id]`."""

    campagne_id: int
    evaluateur_id: int
    evaluateur_nom: str
    grille_id: int | None
    columns: tuple[CritereDto, ...]
    rows: tuple[MatrixRow, ...]
    grilles: dict[int, tuple[CritereDto, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MatrixChange:
    evaluation_id: int
    expected_version: int
    notes: Mapping[int, int | None]  # critère id → note; None erases the note
    commentaire: str | None = None  # None: unchanged


@dataclass(frozen=True)
class EliminatoireHit:
    critere_id: int
    critere: str
    evaluateur_id: int
    evaluateur: str


@dataclass(frozen=True)
class ScoreRow:
    dossier_id: int
    score: DossierScore
    rank: int | None  # competition ranking in the campagne; None when the score is None
    eliminatoire: tuple[EliminatoireHit, ...] = ()
    override: str | None = None  # motivation of the override, if any

    @property
    def non_retenable(self) -> bool:
        return bool(self.eliminatoire) and self.override is None


# --- Shared loading (also used by the instruction service) ------------------------------------


@dataclass
class LoadedScores:
    criteria: dict[int, tuple[CritereSpec, ...]]  # grille id → criteria
    scorers: dict[int, Scorer]
    evaluations: dict[
        int, list[tuple[int, int, int, bool]]
    ]  # dossier → [(eval id, évaluateur, grille, conflit)]
    notes: dict[int, dict[int, int]]  # evaluation id → {critère id: note}
    names: dict[int, str]  # évaluateur id → nom


def load_scores(s: Session, *, campagne_id: int | None = None, dossier_id: int | None = None) -> LoadedScores:
    """Criteria, évaluations and notes of a campagne (or of one dossier): four queries."""
    ev_query = select(
        Evaluation.id,
        Evaluation.dossier_id,
        Evaluation.evaluateur_id,
        Evaluation.grille_id,
        Evaluation.conflit,
    )
    note_query = select(Note.evaluation_id, Note.critere_id, Note.valeur).join(
        Evaluation, Evaluation.id == Note.evaluation_id
    )
    if dossier_id is not None:
        ev_query = ev_query.where(Evaluation.dossier_id == dossier_id)
        note_query = note_query.where(Evaluation.dossier_id == dossier_id)
        campagne_id = s.scalar(select(Dossier.campagne_id).where(Dossier.id == dossier_id))
    else:
        in_campagne = select(Dossier.id).where(Dossier.campagne_id == campagne_id)
        ev_query = ev_query.where(Evaluation.dossier_id.in_(in_campagne))
        note_query = note_query.where(Evaluation.dossier_id.in_(in_campagne))
    criteria: dict[int, list[CritereSpec]] = {}
    for cid, gid, poids, low, high, elim, libelle in s.execute(
        select(
            Critere.id,
            Critere.grille_id,
            Critere.poids,
            Critere.echelle_min,
            Critere.echelle_max,
            Critere.eliminatoire,
            Critere.libelle,
        )
        .join(Grille, Grille.id == Critere.grille_id)
        .where(Grille.campagne_id == campagne_id)
        .order_by(Critere.grille_id, Critere.position, Critere.id)
    ):
        criteria.setdefault(gid, []).append(CritereSpec(cid, poids, low, high, bool(elim), libelle))
    evaluations: dict[int, list[tuple[int, int, int, bool]]] = {}
    evaluateur_ids: set[int] = set()
    for eid, did, evid, gid, conflit in s.execute(ev_query):
        evaluations.setdefault(did, []).append((eid, evid, gid, bool(conflit)))
        evaluateur_ids.add(evid)
    notes: dict[int, dict[int, int]] = {}
    for eid, cid, valeur in s.execute(note_query):
        notes.setdefault(eid, {})[cid] = valeur
    names = (
        {
            evid: nom
            for evid, nom in s.execute(
                select(Evaluateur.id, Evaluateur.nom).where(Evaluateur.id.in_(evaluateur_ids))
            )
        }
        if evaluateur_ids
        else {}
    )
    frozen = {gid: tuple(items) for gid, items in criteria.items()}
    return LoadedScores(
        frozen, {gid: Scorer(items) for gid, items in frozen.items()}, evaluations, notes, names
    )


def standing_overrides(
    s: Session, dossier_ids: Iterable[int] | None = None, campagne_id: int | None = None
) -> dict[int, str]:
    """Dossier id → motivation of its standing éliminatoire override (latest entry wins)."""
    query = (
        select(AuditLog.entity_id, AuditLog.action, AuditLog.changes)
        .where(AuditLog.entity == "dossier", AuditLog.action.in_((OVERRIDE_ACTION, OVERRIDE_WITHDRAWN)))
        .order_by(AuditLog.id)
    )
    if campagne_id is not None:
        query = query.where(
            AuditLog.entity_id.in_(select(Dossier.id).where(Dossier.campagne_id == campagne_id))
        )
    if dossier_ids is not None:
        query = query.where(AuditLog.entity_id.in_(list(dossier_ids)))
    out: dict[int, str] = {}
    for entity_id, action, changes in s.execute(query):
        if action == OVERRIDE_ACTION:
            out[entity_id] = str(json.loads(changes or "{}").get("motivation", ""))
        else:
            out.pop(entity_id, None)
    return out


def scored_evaluations(
    loaded: LoadedScores, dossier_id: int
) -> tuple[list[ScoredEvaluation], tuple[EliminatoireHit, ...]]:
    """The dossier's évaluations reduced to their totals, and its éliminatoire hits."""
    scored: list[ScoredEvaluation] = []
    by_grille: dict[int, list[EvaluationInput]] = {}
    for eid, evid, gid, conflit in loaded.evaluations.get(dossier_id, ()):
        inputs = EvaluationInput(evid, loaded.notes.get(eid, {}), conflit)
        scorer = loaded.scorers.get(gid)
        scored.append(
            scoring.score_evaluation(scorer, inputs) if scorer else ScoredEvaluation(evid, None, conflit)
        )
        by_grille.setdefault(gid, []).append(inputs)
    hits = tuple(
        EliminatoireHit(c.id, c.libelle, evid, loaded.names.get(evid, str(evid)))
        for gid, inputs in by_grille.items()
        if any(c.eliminatoire for c in loaded.criteria.get(gid, ()))
        for c, evid in scoring.eliminatoire(loaded.criteria[gid], inputs)
    )
    return scored, hits


def dossier_scoring(
    loaded: LoadedScores, dossier_id: int, threshold: scoring.Number = scoring.DEFAULT_DISAGREEMENT
) -> tuple[DossierScore, list[ScoredEvaluation], tuple[EliminatoireHit, ...]]:
    scored, hits = scored_evaluations(loaded, dossier_id)
    return scoring.aggregate(scored, threshold=threshold), scored, hits


# --- Service ---------------------------------------------------------------------------------


Evaluated = dict[int, tuple[list[ScoredEvaluation], tuple[EliminatoireHit, ...]]]


def normalised(evaluated: Evaluated) -> Evaluated:
    """The same évaluations with each counted total z-score normalised per évaluateur over the
    campagne (domain `zscore_normalise`): strict and generous évaluateurs become comparable."""
    raw: dict[int, dict[int, Fraction]] = {}
    for did, (scored, _) in evaluated.items():
        for ev in scored:
            if ev.total is not None and not ev.conflit:
                raw.setdefault(ev.evaluateur_id, {})[did] = ev.total
    normal = scoring.zscore_normalise(raw)
    return {
        did: (
            [
                ScoredEvaluation(ev.evaluateur_id, normal[ev.evaluateur_id][did]) if ev.counted else ev
                for ev in scored
            ],
            hits,
        )
        for did, (scored, hits) in evaluated.items()
    }


class NotationService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # One évaluation

    def evaluation(self, dossier_id: int, evaluateur_id: int) -> EvaluationDto:
        with self.db.session() as s:
            ev = s.scalar(
                select(Evaluation).where(
                    Evaluation.dossier_id == dossier_id, Evaluation.evaluateur_id == evaluateur_id
                )
            )
            if ev is None:
                raise NotFoundError(
                    f"le dossier {dossier_id} n'est pas confié à l'évaluateur {evaluateur_id}"
                )
            return self._dto(s, ev)

    def evaluation_by_id(self, evaluation_id: int) -> EvaluationDto:
        with self.db.session() as s:
            return self._dto(s, self._get(s, evaluation_id))

    def evaluations_of(self, dossier_id: int, viewer: Collection[int] | None = None) -> list[EvaluationDto]:
        """The évaluations of a dossier (fiche dossier), évaluateur name order. `viewer`: the
        évaluateur ids of an évaluateur reading it (services/notes_visibilite.py); None: all."""
        with self.db.session() as s:
            rows = s.scalars(
                select(Evaluation)
                .join(Evaluateur, Evaluateur.id == Evaluation.evaluateur_id)
                .where(Evaluation.dossier_id == dossier_id)
                .order_by(Evaluateur.nom, Evaluation.id)
            ).all()
            dtos = [self._dto(s, ev) for ev in rows]
            return dtos if viewer is None else notes_visibilite.visible(s, dossier_id, dtos, viewer)

    def save_notes(
        self,
        evaluation_id: int,
        expected_version: int,
        notes: Mapping[int, int | None],
        commentaire: str | None = None,
    ) -> int:
        """Sets (None erases) the given notes; other notes are kept. `commentaire` None: unchanged.
        Returns the évaluation's new version."""
        return self.save_matrix([MatrixChange(evaluation_id, expected_version, notes, commentaire)])[
            evaluation_id
        ]

    def declare_conflict(self, evaluation_id: int, expected_version: int, motif: str) -> int:
        """Declares a conflict of interest: the notes stay stored but leave the aggregate."""
        if not (motif or "").strip():
            raise ValidationError(["conflit d'intérêts : le motif est obligatoire"])
        return self._set_conflict(evaluation_id, expected_version, True, motif.strip())

    def withdraw_conflict(self, evaluation_id: int, expected_version: int) -> int:
        return self._set_conflict(evaluation_id, expected_version, False, None)

    # Matrix

    def matrix(self, campagne_id: int, evaluateur_id: int) -> MatrixDto:
        with self.db.session() as s:
            evaluateur = s.get(Evaluateur, evaluateur_id)
            if evaluateur is None:
                raise NotFoundError(f"évaluateur {evaluateur_id} introuvable")
            latest = latest_grille_id(s, campagne_id)
            rows = s.execute(
                select(Evaluation, Dossier.reference, Dossier.intitule, Porteur.raison_sociale)
                .join(Dossier, Dossier.id == Evaluation.dossier_id)
                .join(Porteur, Porteur.id == Dossier.porteur_id)
                .where(Dossier.campagne_id == campagne_id, Evaluation.evaluateur_id == evaluateur_id)
                .order_by(Dossier.reference)
            ).all()
            notes: dict[int, dict[int, int]] = {}
            for eid, cid, valeur in s.execute(
                select(Note.evaluation_id, Note.critere_id, Note.valeur)
                .join(Evaluation, Evaluation.id == Note.evaluation_id)
                .join(Dossier, Dossier.id == Evaluation.dossier_id)
                .where(Dossier.campagne_id == campagne_id, Evaluation.evaluateur_id == evaluateur_id)
            ):
                notes.setdefault(eid, {})[cid] = valeur
            grille_ids = {ev.grille_id for ev, *_ in rows} | ({latest} if latest is not None else set())
            grilles: dict[int, tuple[CritereDto, ...]] = {}
            for c in s.scalars(
                select(Critere)
                .where(Critere.grille_id.in_(grille_ids))
                .order_by(Critere.position, Critere.id)
            ):
                grilles[c.grille_id] = (*grilles.get(c.grille_id, ()), critere_dto(c))
            scorers = {gid: Scorer([_spec(c) for c in items]) for gid, items in grilles.items()}
            out = []
            for ev, reference, intitule, porteur in rows:
                values = notes.get(ev.id, {})
                scorer = scorers.get(ev.grille_id)
                out.append(
                    MatrixRow(
                        evaluation_id=ev.id,
                        version=ev.version,
                        dossier_id=ev.dossier_id,
                        reference=reference,
                        intitule=intitule,
                        porteur=porteur,
                        grille_id=ev.grille_id,
                        conflit=ev.conflit,
                        notes=values,
                        commentaire=ev.commentaire,
                        total=scorer.total(values) if scorer else None,
                        updated_by=ev.updated_by,
                    )
                )
            return MatrixDto(
                campagne_id=campagne_id,
                evaluateur_id=evaluateur_id,
                evaluateur_nom=evaluateur.nom,
                grille_id=latest,
                columns=grilles.get(latest, ()) if latest is not None else (),
                rows=tuple(out),
                grilles=grilles,
            )

    def save_matrix(self, changes: Sequence[MatrixChange]) -> dict[int, int]:
        """All the changes in one transaction, or none: any stale version, out-of-scale note or
        conflicted évaluation refuses the whole save. Returns {evaluation id: new version}."""
        if not changes:
            return {}
        try:
            with self.db.session() as s:
                ids = [c.evaluation_id for c in changes]
                evs = {
                    ev.id: (ev, reference)
                    for ev, reference in s.execute(
                        select(Evaluation, Dossier.reference)
                        .join(Dossier, Dossier.id == Evaluation.dossier_id)
                        .where(Evaluation.id.in_(ids))
                    )
                }
                grille_ids = {ev.grille_id for ev, _ in evs.values()}
                criteria = {
                    c.id: c for c in s.scalars(select(Critere).where(Critere.grille_id.in_(grille_ids)))
                }
                problems = _matrix_problems(changes, evs, criteria)
                if problems:
                    raise ValidationError(problems)
                existing: dict[int, dict[int, Note]] = {}
                for note in s.scalars(select(Note).where(Note.evaluation_id.in_(ids))):
                    existing.setdefault(note.evaluation_id, {})[note.critere_id] = note
                for change in changes:
                    ev, _ = evs[change.evaluation_id]
                    self._apply_change(s, ev, change, existing.setdefault(ev.id, {}), criteria)
                s.flush()
                return {change.evaluation_id: evs[change.evaluation_id][0].version for change in changes}
        except StaleDataError as exc:
            raise ConcurrentEditError(
                "une évaluation a été modifiée par un autre utilisateur pendant l'enregistrement : "
                "rien n'a été enregistré ; rechargez la grille"
            ) from exc

    def _apply_change(
        self,
        s: Session,
        ev: Evaluation,
        change: MatrixChange,
        current: dict[int, Note],
        criteria: dict[int, Critere],
    ) -> None:
        """Writes one checked change: its notes (None erases), its commentaire, one journal entry."""
        diff: dict[str, list[int | None]] = {}
        for cid, value in change.notes.items():
            row = current.get(cid)
            before = row.valeur if row is not None else None
            if before == value:
                continue
            diff[criteria[cid].libelle] = [before, value]
            if value is None:
                assert row is not None
                s.delete(row)
                del current[cid]
            elif row is None:
                current[cid] = Note(evaluation_id=ev.id, critere_id=cid, valeur=value)
                s.add(current[cid])
            else:
                row.valeur = value
        record: dict[str, object] = {"notes": diff} if diff else {}
        if change.commentaire is not None and change.commentaire != (ev.commentaire or ""):
            record["commentaire"] = [ev.commentaire, change.commentaire]
            ev.commentaire = change.commentaire.strip() or None
        if diff:
            ev.date_evaluation = date.today()
        if record:
            ev.updated_by = self.user
            ev.updated_at = datetime.now()  # notes are other rows: bump the version
            audit.record(s, self.user, "evaluation", ev.id, "notes", record)

    # Scores

    def scores(
        self,
        campagne_id: int,
        normalise: bool = False,
        threshold: scoring.Number = scoring.DEFAULT_DISAGREEMENT,
    ) -> dict[int, ScoreRow]:
        """Every dossier of the campagne: aggregate score, spread, counts, rank, éliminatoire.

        `normalise`: the totals are z-score normalised per évaluateur over the campagne before the
        mean (domain `zscore_normalise`); only counted évaluations take part. Dossiers without a
        counted évaluation are listed unranked."""
        with self.db.session() as s:
            loaded = load_scores(s, campagne_id=campagne_id)
            dossier_ids = list(s.scalars(select(Dossier.id).where(Dossier.campagne_id == campagne_id)))
            overrides = standing_overrides(s, campagne_id=campagne_id)
        evaluated = {did: scored_evaluations(loaded, did) for did in dossier_ids}
        if normalise:
            evaluated = normalised(evaluated)
        aggregates = {
            did: scoring.aggregate(scored, threshold=threshold) for did, (scored, _) in evaluated.items()
        }
        ranks = scoring.rank({did: score.score for did, score in aggregates.items()})
        return {
            did: ScoreRow(
                did,
                score,
                ranks.get(did),
                evaluated[did][1],
                overrides.get(did) if evaluated[did][1] else None,
            )
            for did, score in aggregates.items()
        }

    def dossier_score(
        self, dossier_id: int, threshold: scoring.Number = scoring.DEFAULT_DISAGREEMENT
    ) -> ScoreRow:
        """One dossier's aggregate (no rank: use `scores` for the campagne's ranking)."""
        with self.db.session() as s:
            loaded = load_scores(s, dossier_id=dossier_id)
            overrides = standing_overrides(s, dossier_ids=[dossier_id])
        score, _, hits = dossier_scoring(loaded, dossier_id, threshold)
        return ScoreRow(dossier_id, score, None, hits, overrides.get(dossier_id) if hits else None)

    # Internals

    def _set_conflict(
        self, evaluation_id: int, expected_version: int, conflit: bool, motif: str | None
    ) -> int:
        try:
            with self.db.session() as s:
                ev = self._get(s, evaluation_id)
                reference = s.scalar(select(Dossier.reference).where(Dossier.id == ev.dossier_id))
                if ev.version != expected_version:
                    raise audit.concurrent_edit(
                        f"L'évaluation du dossier {reference}", ev.updated_by, ev.updated_at
                    )
                if not conflit and not ev.conflit:
                    raise UserError(f"dossier {reference} : aucun conflit d'intérêts déclaré")
                audit.record(
                    s,
                    self.user,
                    "evaluation",
                    ev.id,
                    "conflit" if conflit else "conflit_retire",
                    {"conflit": [ev.conflit, conflit], "motif": [ev.conflit_motif, motif]},
                )
                ev.conflit = conflit
                ev.conflit_motif = motif
                ev.updated_by = self.user
                ev.updated_at = datetime.now()
                s.flush()
                return ev.version
        except StaleDataError as exc:
            raise ConcurrentEditError(
                "l'évaluation a été modifiée par un autre utilisateur pendant l'enregistrement : rechargez-la"
            ) from exc

    @staticmethod
    def _get(s: Session, evaluation_id: int) -> Evaluation:
        ev = s.get(Evaluation, evaluation_id)
        if ev is None:
            raise NotFoundError(f"évaluation {evaluation_id} introuvable")
        return ev

    @staticmethod
    def _dto(s: Session, ev: Evaluation) -> EvaluationDto:
        dossier = s.get(Dossier, ev.dossier_id)
        grille = s.get(Grille, ev.grille_id)
        assert dossier is not None and grille is not None
        criteres = tuple(
            critere_dto(c)
            for c in s.scalars(
                select(Critere).where(Critere.grille_id == ev.grille_id).order_by(Critere.position)
            )
        )
        notes: dict[int, int] = {
            cid: valeur
            for cid, valeur in s.execute(
                select(Note.critere_id, Note.valeur).where(Note.evaluation_id == ev.id)
            )
        }
        return EvaluationDto(
            id=ev.id,
            version=ev.version,
            dossier_id=ev.dossier_id,
            dossier_reference=dossier.reference,
            dossier_intitule=dossier.intitule,
            evaluateur_id=ev.evaluateur_id,
            evaluateur_nom=ev.evaluateur.nom,
            grille_id=ev.grille_id,
            grille_numero_version=grille.numero_version,
            criteres=criteres,
            notes=notes,
            commentaire=ev.commentaire,
            conflit=ev.conflit,
            conflit_motif=ev.conflit_motif,
            date_evaluation=ev.date_evaluation,
            updated_by=ev.updated_by,
            total=Scorer([_spec(c) for c in criteres]).total(notes),
        )


def _spec(c: CritereDto) -> CritereSpec:
    return CritereSpec(c.id, c.poids, c.echelle_min, c.echelle_max, c.eliminatoire, c.libelle)


def _matrix_problems(
    changes: Sequence[MatrixChange],
    evs: Mapping[int, tuple[Evaluation, str]],
    criteria: Mapping[int, Critere],
) -> list[str]:
    """Every reason to refuse the save (a stale version or a missing évaluation raises at once):
    notes on a conflicted évaluation, on a critère of another grille, outside their scale."""
    problems: list[str] = []
    for change in changes:
        found = evs.get(change.evaluation_id)
        if found is None:
            raise NotFoundError(f"évaluation {change.evaluation_id} introuvable")
        ev, reference = found
        if ev.version != change.expected_version:
            raise audit.concurrent_edit(f"L'évaluation du dossier {reference}", ev.updated_by, ev.updated_at)
        if ev.conflit and (
            any(v is not None for v in change.notes.values()) or change.commentaire is not None
        ):
            problems.append(f"dossier {reference} : {CONFLICT_REFUSED}")
            continue
        for cid, value in change.notes.items():
            c = criteria.get(cid)
            if c is None or c.grille_id != ev.grille_id:
                problems.append(
                    f"dossier {reference} : critère {cid} absent de la grille de cette évaluation"
                )
            elif value is not None and (problem := note_problem(value, c.echelle_min, c.echelle_max)):
                problems.append(f"dossier {reference}, « {c.libelle} » : {problem}")
    return problems
