"""Comparing a scoring file with the database (base / fichier / base de données) and applying it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from instructeur.coinstruction.scoring_format import (
    GRILLE_MISMATCH,
    KIND_LABELS,
    FileCritere,
    FileRow,
    Kind,
    RowValues,
    ScoringFile,
    fingerprint,
)
from instructeur.domain.scoring import note_problem
from instructeur.errors import ConcurrentEditError, NotFoundError, UserError, ValidationError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Contrat,
    Critere,
    Dossier,
    Evaluateur,
    Evaluation,
    Grille,
    Note,
)

# --- Plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    evaluation_id: int
    reference: str
    intitule: str
    excel_row: int
    kind: Kind
    file_values: RowValues
    db_values: RowValues
    base_values: RowValues | None
    db_version: int
    db_updated_by: str | None
    db_updated_at: datetime | None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def changed_by(self) -> str:
        """« modifié par X le 12/03/2026 à 14:05 » (the database side of a conflict)."""
        who = self.db_updated_by or "un autre utilisateur"
        when = f" le {self.db_updated_at:%d/%m/%Y à %H:%M}" if self.db_updated_at else ""
        return f"modifié par {who}{when}"


@dataclass(frozen=True)
class ImportPlan:
    campagne_id: int
    evaluateur_id: int
    evaluateur_nom: str
    source: str  # the file's name
    criteria: tuple[FileCritere, ...]
    rows: tuple[PlanRow, ...]
    warnings: tuple[str, ...] = ()

    @property
    def conflicts(self) -> tuple[PlanRow, ...]:
        return tuple(r for r in self.rows if r.kind == "conflit")

    @property
    def updates(self) -> tuple[PlanRow, ...]:
        return tuple(r for r in self.rows if r.kind == "a_mettre_a_jour")

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    def summary(self) -> str:
        parts = [
            f"{self.count(k)} {KIND_LABELS[k]}"
            for k in ("a_mettre_a_jour", "conflit", "inchangee", "identique", "base_seule")
            if self.count(k)
        ]
        return f"{len(self.rows)} dossier{'s' if len(self.rows) > 1 else ''} : " + ", ".join(parts)


def plan_import(db: Database, campagne_id: int, scoring_file: ScoringFile) -> ImportPlan:
    """What importing the file would do, row by row (module doc); refuses the wrong campagne, an
    unknown évaluateur and a tampered grille with a `UserError`."""
    sf = scoring_file
    name = sf.path.name
    with db.session() as s:
        campagne = s.get(Campagne, campagne_id)
        if campagne is None:
            raise NotFoundError(f"campagne {campagne_id} introuvable")
        contrat = s.get(Contrat, campagne.contrat_id)
        assert contrat is not None
        if sf.campagne_id != campagne.id or sf.contrat != contrat.nom:
            raise UserError(
                f"{name} : ce fichier de notation concerne la campagne {sf.campagne_label} ({sf.contrat}) — "
                f"la campagne ouverte est {campagne.annee} — {campagne.libelle} ({contrat.nom}) ; "
                "ouvrez la bonne campagne"
            )
        evaluateur = s.get(Evaluateur, sf.evaluateur_id)
        if evaluateur is None or evaluateur.contrat_id != contrat.id:
            raise UserError(
                f"{name} : ce fichier de notation est celui de « {sf.evaluateur_nom} », évaluateur "
                "inconnu dans cette base"
            )
        grille = s.get(Grille, sf.grille_id)
        if grille is None or grille.campagne_id != campagne.id:
            raise UserError(
                f"{name} : {GRILLE_MISMATCH} (la version {sf.grille_version} de la grille n'existe plus)"
            )
        criteres = list(
            s.scalars(
                select(Critere).where(Critere.grille_id == grille.id).order_by(Critere.position, Critere.id)
            )
        )
        db_keys = [(c.id, c.echelle_min, c.echelle_max, c.poids) for c in criteres]
        if fingerprint(db_keys) != sf.fingerprint:
            raise UserError(f"{name} : {GRILLE_MISMATCH} ({_grille_difference(sf.criteria, criteres)})")
        warnings: list[str] = []
        ids = [r.evaluation_id for r in sf.rows]
        evals = {
            ev.id: (ev, intitule, dcampagne)
            for ev, intitule, dcampagne in s.execute(
                select(Evaluation, Dossier.intitule, Dossier.campagne_id)
                .join(Dossier, Dossier.id == Evaluation.dossier_id)
                .where(Evaluation.id.in_(ids))
            )
        }
        notes: dict[int, dict[int, int]] = {}
        for eid, cid, valeur in s.execute(
            select(Note.evaluation_id, Note.critere_id, Note.valeur).where(Note.evaluation_id.in_(ids))
        ):
            notes.setdefault(eid, {})[cid] = valeur
        plan_rows: list[PlanRow] = []
        for row in sf.rows:
            found = evals.get(row.evaluation_id)
            if found is None or found[0].evaluateur_id != sf.evaluateur_id or found[2] != campagne.id:
                warnings.append(
                    f"dossier {row.reference} : n'est plus confié à {sf.evaluateur_nom} ; ligne ignorée"
                )
                continue
            ev, intitule, _ = found
            if ev.grille_id != sf.grille_id:
                version = s.scalar(select(Grille.numero_version).where(Grille.id == ev.grille_id))
                raise UserError(
                    f"{name} : {GRILLE_MISMATCH} (le dossier {row.reference} est désormais noté sur la "
                    f"version {version} de la grille ; préparez un nouveau fichier de notation)"
                )
            db_values = RowValues.of(notes.get(ev.id, {}), ev.conflit, ev.conflit_motif, ev.commentaire)
            plan_rows.append(
                PlanRow(
                    evaluation_id=ev.id,
                    reference=row.reference,
                    intitule=intitule,
                    excel_row=row.excel_row,
                    kind=_classify(row, db_values),
                    file_values=row.values,
                    db_values=db_values,
                    base_values=row.base_values,
                    db_version=ev.version,
                    db_updated_by=ev.updated_by,
                    db_updated_at=ev.updated_at,
                )
            )
    return ImportPlan(
        campagne_id=campagne_id,
        evaluateur_id=sf.evaluateur_id,
        evaluateur_nom=sf.evaluateur_nom,
        source=name,
        criteria=sf.criteria,
        rows=tuple(plan_rows),
        warnings=tuple(warnings),
    )


def _classify(row: FileRow, db_values: RowValues) -> Kind:
    file_changed = row.values.digest() != row.base_hash
    db_changed = db_values.digest() != row.base_hash
    if not file_changed:
        return "base_seule" if db_changed else "inchangee"
    if row.values == db_values:
        return "identique"
    return "conflit" if db_changed else "a_mettre_a_jour"


def _grille_difference(file_criteria: Sequence[FileCritere], criteres: Sequence[Critere]) -> str:
    by_id = {c.id: c for c in criteres}
    file_ids = {c.id for c in file_criteria}
    for fc in file_criteria:
        c = by_id.get(fc.id)
        if c is None:
            return f"critère « {fc.libelle} » supprimé depuis l'envoi du fichier"
        if (c.echelle_min, c.echelle_max) != (fc.echelle_min, fc.echelle_max):
            return f"critère « {c.libelle} » modifié : échelle {fc.scale_text} devenue {c.echelle_min}–{c.echelle_max}"
        if c.poids != fc.poids:
            return f"critère « {c.libelle} » modifié : poids {fc.poids} devenu {c.poids}"
    for c in criteres:
        if c.id not in file_ids:
            return f"critère « {c.libelle} » ajouté depuis l'envoi du fichier"
    return "ordre des critères modifié"


# --- Apply -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    updated: tuple[str, ...]  # références written from the file
    kept_base: tuple[str, ...]  # conflicts resolved « base »
    unchanged: int
    versions: dict[int, int] = field(default_factory=dict)  # evaluation id → new version

    def summary(self) -> str:
        n = len(self.updated)
        text = f"{n} évaluation{'s' if n > 1 else ''} mise{'s' if n > 1 else ''} à jour"
        if self.kept_base:
            text += f", {len(self.kept_base)} conflit{'s' if len(self.kept_base) > 1 else ''} réglé"
            text += f"{'s' if len(self.kept_base) > 1 else ''} en gardant la base"
        if self.unchanged:
            text += f", {self.unchanged} sans changement"
        return text


def unresolved(plan: ImportPlan, resolutions: Mapping[int, str]) -> list[PlanRow]:
    return [r for r in plan.conflicts if resolutions.get(r.evaluation_id) not in ("fichier", "base")]


def apply_import(
    db: Database, plan: ImportPlan, resolutions: Mapping[int, str] | None = None, user: str | None = None
) -> ImportOutcome:
    """Writes the plan (rows « à mettre à jour » and conflicts resolved « fichier ») in ONE
    transaction; refuses while a conflict has no resolution, and when an évaluation changed since
    the plan was made (optimistic locking)."""
    resolutions = dict(resolutions or {})
    missing = unresolved(plan, resolutions)
    if missing:
        refs = ", ".join(r.reference for r in missing)
        raise UserError(
            f"{len(missing)} conflit{'s' if len(missing) > 1 else ''} sans décision (dossier"
            f"{'s' if len(missing) > 1 else ''} {refs}) : choisissez « garder le fichier » ou "
            "« garder la base » pour chacun ; rien n'a été importé"
        )
    who = user or audit.current_user()
    targets = list(plan.updates) + [r for r in plan.conflicts if resolutions[r.evaluation_id] == "fichier"]
    kept = tuple(r.reference for r in plan.conflicts if resolutions[r.evaluation_id] == "base")
    if not targets:
        return ImportOutcome((), kept, len(plan.rows) - len(kept))
    try:
        with db.session() as s:
            ids = [r.evaluation_id for r in targets]
            evs = {ev.id: ev for ev in s.scalars(select(Evaluation).where(Evaluation.id.in_(ids)))}
            grille_ids = {ev.grille_id for ev in evs.values()}
            criteria: dict[int, list[Critere]] = {}
            for c in s.scalars(select(Critere).where(Critere.grille_id.in_(grille_ids))):
                criteria.setdefault(c.grille_id, []).append(c)
            existing: dict[int, dict[int, Note]] = {}
            for note in s.scalars(select(Note).where(Note.evaluation_id.in_(ids))):
                existing.setdefault(note.evaluation_id, {})[note.critere_id] = note
            problems = _import_problems(targets, evs, criteria)
            if problems:
                raise ValidationError(problems)
            today, now = date.today(), datetime.now()
            for row in targets:
                ev = evs[row.evaluation_id]
                record = _apply_row(s, ev, row.file_values, existing.setdefault(ev.id, {}), criteria, today)
                ev.updated_by = who
                ev.updated_at = now
                audit.record(
                    s, who, "evaluation", ev.id, "import_notation", {"source": plan.source, **record}
                )
            s.flush()
            versions = {eid: ev.version for eid, ev in evs.items()}
    except StaleDataError as exc:
        raise ConcurrentEditError(
            "une évaluation a été modifiée par un autre utilisateur pendant l'import : rien n'a été "
            "importé ; recommencez l'import"
        ) from exc
    updated = tuple(r.reference for r in targets)
    return ImportOutcome(updated, kept, len(plan.rows) - len(updated) - len(kept), versions)


def _import_problems(
    targets: Sequence[PlanRow], evs: Mapping[int, Evaluation], criteria: Mapping[int, list[Critere]]
) -> list[str]:
    """Every note of the file that the grille refuses (a missing or changed évaluation raises at
    once): a critère absent from the évaluation's grille, a note outside its scale."""
    problems: list[str] = []
    for row in targets:
        ev = evs.get(row.evaluation_id)
        if ev is None:
            raise NotFoundError(f"dossier {row.reference} : évaluation introuvable (retirée ?)")
        if ev.version != row.db_version:
            raise audit.concurrent_edit(
                f"L'évaluation du dossier {row.reference}", ev.updated_by, ev.updated_at
            )
        by_id = {c.id: c for c in criteria.get(ev.grille_id, [])}
        for cid, value in row.file_values.notes:
            crit = by_id.get(cid)
            if crit is None:
                problems.append(f"dossier {row.reference} : critère {cid} absent de la grille")
            elif problem := note_problem(value, crit.echelle_min, crit.echelle_max):
                problems.append(f"dossier {row.reference}, « {crit.libelle} » : {problem}")
    return problems


def _apply_row(
    s: Session,
    ev: Evaluation,
    values: RowValues,
    current: dict[int, Note],
    criteria: Mapping[int, list[Critere]],
    today: date,
) -> dict[str, object]:
    """Writes a checked row of the file on its évaluation; returns what changed, for the journal."""
    libelles = {c.id: c.libelle for c in criteria.get(ev.grille_id, [])}
    record: dict[str, object] = {}
    if ev.conflit != values.conflit or (ev.conflit_motif or "") != values.motif:
        record["conflit"] = [ev.conflit, values.conflit]
        record["motif"] = [ev.conflit_motif, values.motif or None]
        ev.conflit = values.conflit
        ev.conflit_motif = values.motif or None
    if not values.conflit:  # a conflicted row leaves the stored notes alone
        wanted = values.notes_dict
        diff: dict[str, list[int | None]] = {}
        for cid in sorted(set(current) | set(wanted)):
            stored = current.get(cid)
            before = stored.valeur if stored is not None else None
            after = wanted.get(cid)
            if before == after:
                continue
            diff[libelles.get(cid, str(cid))] = [before, after]
            if after is None:
                assert stored is not None
                s.delete(stored)
            elif stored is None:
                s.add(Note(evaluation_id=ev.id, critere_id=cid, valeur=after))
            else:
                stored.valeur = after
        if diff:
            record["notes"] = diff
            ev.date_evaluation = today
    if (ev.commentaire or "") != values.commentaire:
        record["commentaire"] = [ev.commentaire, values.commentaire or None]
        ev.commentaire = values.commentaire or None
    return record
