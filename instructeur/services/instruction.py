"""Instruction of a dossier: cotation égalité F/H, avis technique and proposed amounts, and the
complete list of what still prevents the « instruit » statut.

**Override of an éliminatoire criterion.** Recorded in the append-only audit log (entity
`dossier`, action `derog_eliminatoire`, changes `{"motivation": …, "criteres": […]}`), withdrawn by
an entry `derog_eliminatoire_x`; the latest entry wins. No new table, no migration, and the
history of who overrode what, when and why is the log itself. An override covers the dossier
(whatever évaluation later hits an éliminatoire criterion); withdraw it to re-examine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from instructeur.domain.cotation import JUSTIFICATION_REQUIRED, override_problem
from instructeur.domain.money import format_amount
from instructeur.domain.scoring import CotationSettings
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.services import audit
from instructeur.services.grilles import cotation_settings_of
from instructeur.services.notation import (
    OVERRIDE_ACTION,
    OVERRIDE_WITHDRAWN,
    dossier_scoring,
    load_scores,
    standing_overrides,
)
from instructeur.storage.db import Database
from instructeur.storage.models import AVIS, Dossier, Financeur, Grille, LigneFinancement

__all__ = ["JUSTIFICATION_REQUIRED", "AvisResult", "CotationDto", "InstructionService", "instruction_problems"]

AVIS_WITH_PROPOSAL = ("favorable", "reserve")


@dataclass(frozen=True)
class CotationDto:
    dossier_id: int
    version: int
    declaree: int | None  # the porteur's
    proposee: int | None  # from the answers by the campagne's rule (None: questionnaire not filled)
    instruite: int | None  # the instructeur's
    justification: str | None
    answers: dict[str, bool]
    settings: CotationSettings  # level wordings, questions, rule

    @property
    def gap(self) -> bool:
        """The porteur's declared level differs from the instructed one."""
        return self.declaree is not None and self.instruite is not None and self.declaree != self.instruite

    @property
    def overridden(self) -> bool:
        """The instructed level differs from the questionnaire's proposal."""
        return self.proposee is not None and self.instruite is not None and self.proposee != self.instruite


@dataclass(frozen=True)
class AvisResult:
    version: int
    warnings: tuple[str, ...] = ()


def instruction_problems(dossier: Dossier) -> list[str]:
    """Everything that prevents « instruit » (and a decision), in French, for an ORM dossier.

    Fields first (cotation, avis, plan, proposed amount), then, when the dossier is attached to a
    session, the grille: at least one complete évaluation without conflict when the campagne has a
    grille, and no éliminatoire criterion at the minimum without a motivated override."""
    missing: list[str] = []
    if dossier.cotation_instruite is None:
        missing.append("cotation égalité F/H instruite")
    if dossier.avis is None:
        missing.append("avis technique")
    elif dossier.avis != "favorable" and not (dossier.avis_motivation or "").strip():
        missing.append("motivation de l'avis")
    total = sum(ligne.demande_cents for ligne in dossier.lignes)
    if not dossier.lignes:
        missing.append("plan de financement")
    elif total != dossier.cout_total_cents:
        missing.append(
            f"plan de financement équilibré (ressources {format_amount(total)}, "
            f"coût total {format_amount(dossier.cout_total_cents)})"
        )
    if dossier.avis in AVIS_WITH_PROPOSAL and not any(
        ligne.financeur_id is not None and ligne.propose_cents is not None for ligne in dossier.lignes
    ):
        missing.append("montant proposé pour au moins un financeur")
    s = object_session(dossier)
    if s is not None and dossier.id is not None:
        missing.extend(_grille_problems(s, dossier))
    return missing


def _grille_problems(s: Session, dossier: Dossier) -> list[str]:
    has_grille = s.scalar(select(Grille.id).where(Grille.campagne_id == dossier.campagne_id).limit(1))
    if has_grille is None:
        return []
    loaded = load_scores(s, dossier_id=dossier.id)
    score, scored, hits = dossier_scoring(loaded, dossier.id, 5)
    out: list[str] = []
    if score.n_counted == 0:
        if not scored:
            out.append("grille d'analyse : aucun évaluateur n'a noté ce dossier")
        elif score.n_conflicts == len(scored):
            out.append("grille d'analyse : tous les évaluateurs ont déclaré un conflit d'intérêts")
        else:
            out.append("grille d'analyse : aucune évaluation complète")
    if hits and dossier.id not in standing_overrides(s, dossier_ids=[dossier.id]):
        for hit in hits:
            out.append(
                f"critère éliminatoire « {hit.critere} » noté au minimum par {hit.evaluateur} "
                "(dérogation motivée nécessaire)"
            )
    return out


class InstructionService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # Cotation F/H

    def cotation(self, dossier_id: int) -> CotationDto:
        with self.db.session() as s:
            d = self._load(s, dossier_id)
            settings = cotation_settings_of(s, d.campagne_id)
            answers = _answers(d.cotation_reponses)
            return CotationDto(
                dossier_id=d.id,
                version=d.version,
                declaree=d.cotation_declaree,
                proposee=settings.propose(answers) if d.cotation_reponses else d.cotation_proposee,
                instruite=d.cotation_instruite,
                justification=d.cotation_justification,
                answers=answers,
                settings=settings,
            )

    def save_cotation(
        self,
        dossier_id: int,
        expected_version: int,
        answers: Mapping[str, bool],
        niveau_instruit: int | None,
        justification: str | None = None,
    ) -> int:
        """Stores the answers and the instructed level; the proposed level is recomputed from the
        answers by the campagne's rule. A level other than the proposal needs a justification."""
        with self.db.session() as s:
            d = self._load(s, dossier_id)
            if d.version != expected_version:
                raise audit.concurrent_edit(f"Le dossier {d.reference}", d.updated_by, d.updated_at)
            settings = cotation_settings_of(s, d.campagne_id)
            codes = [code for code, _ in settings.questions]
            problems = [
                f"cotation F/H : question « {code} » inconnue" for code in answers if code not in codes
            ]
            if niveau_instruit is not None and niveau_instruit not in settings.level_values:
                problems.append(
                    "cotation égalité F/H instruite : " + ", ".join(str(n) for n in settings.level_values)
                )
            full = {code: bool(answers.get(code, False)) for code in codes}
            proposed = settings.propose(full)
            text = (justification or "").strip() or None
            override = override_problem(proposed, niveau_instruit, text)
            if override:
                problems.append(override)
            if problems:
                raise ValidationError(problems)
            audit.record(
                s,
                self.user,
                "dossier",
                d.id,
                "update",
                {
                    "cotation_instruite": [d.cotation_instruite, niveau_instruit],
                    "cotation_proposee": [d.cotation_proposee, proposed],
                    "cotation_reponses": full,
                },
            )
            d.cotation_reponses = json.dumps(full, sort_keys=True)
            d.cotation_proposee = proposed
            d.cotation_instruite = niveau_instruit
            d.cotation_justification = text
            d.updated_by = self.user
            s.flush()
            return d.version

    # Avis and proposed amounts

    def save_avis(
        self,
        dossier_id: int,
        expected_version: int,
        avis: str | None,
        motivation: str | None,
        proposes: Mapping[int, int | None] | None = None,
    ) -> AvisResult:
        """Avis technique (motivation required unless favorable) and the proposed amount per
        financeur line (financeur id → cents; None clears; lines not named keep theirs).

        Refused: a negative amount, a financeur absent from the plan, a proposed total above the
        action's coût total. Warned (saved anyway): a proposal above the amount requested."""
        proposes = dict(proposes or {})
        problems: list[str] = []
        if avis is not None and avis not in AVIS:
            problems.append(f"avis : {', '.join(AVIS)}")
        text = (motivation or "").strip() or None
        if avis is not None and avis != "favorable" and text is None:
            problems.append("motivation de l'avis : obligatoire quand l'avis n'est pas favorable")
        with self.db.session() as s:
            d = self._load(s, dossier_id)
            if d.version != expected_version:
                raise audit.concurrent_edit(f"Le dossier {d.reference}", d.updated_by, d.updated_at)
            lines: dict[int, LigneFinancement] = {
                ligne.financeur_id: ligne for ligne in d.lignes if ligne.financeur_id is not None
            }
            names: dict[int, str] = {
                fid: code
                for fid, code in s.execute(
                    select(Financeur.id, Financeur.code).where(Financeur.id.in_(list(lines) + list(proposes)))
                )
            }
            warnings: list[str] = []
            for fid, cents in proposes.items():
                name = names.get(fid, str(fid))
                if fid not in lines:
                    problems.append(f"proposé {name} : ce financeur n'est pas dans le plan de financement")
                elif cents is not None and cents < 0:
                    problems.append(f"proposé {name} : un montant ne peut pas être négatif")
                elif cents is not None and cents > lines[fid].demande_cents:
                    warnings.append(
                        f"proposé {name} ({format_amount(cents)}) supérieur au demandé "
                        f"({format_amount(lines[fid].demande_cents)})"
                    )
            total = sum(proposes.get(fid, ligne.propose_cents) or 0 for fid, ligne in lines.items())
            if total > d.cout_total_cents:
                problems.append(
                    f"total proposé ({format_amount(total)}) supérieur au coût total de l'action "
                    f"({format_amount(d.cout_total_cents)})"
                )
            if problems:
                raise ValidationError(problems)
            changes: dict[str, object] = {
                "avis": [d.avis, avis],
                "avis_motivation": [d.avis_motivation, text],
            }
            with s.no_autoflush:
                for fid, cents in proposes.items():
                    if lines[fid].propose_cents != cents:
                        changes[f"propose_{names.get(fid, fid)}"] = [lines[fid].propose_cents, cents]
                        lines[fid].propose_cents = cents
                d.avis = avis
                d.avis_motivation = text
                d.updated_by = self.user
            audit.record(s, self.user, "dossier", d.id, "update", changes)
            s.flush()
            return AvisResult(d.version, tuple(warnings))

    # Completeness and overrides

    def missing(self, dossier_id: int) -> list[str]:
        """The complete list of what prevents « instruit » (empty when the instruction is complete)."""
        with self.db.session() as s:
            return instruction_problems(self._load(s, dossier_id))

    def override_eliminatoire(self, dossier_id: int, motivation: str) -> None:
        """Records a motivated override of the éliminatoire criteria hit by this dossier."""
        text = (motivation or "").strip()
        if not text:
            raise ValidationError(["dérogation au critère éliminatoire : la motivation est obligatoire"])
        with self.db.session() as s:
            d = self._load(s, dossier_id)
            _, _, hits = dossier_scoring(load_scores(s, dossier_id=d.id), d.id, 5)
            if not hits:
                raise UserError(f"dossier {d.reference} : aucun critère éliminatoire n'est noté au minimum")
            audit.record(
                s,
                self.user,
                "dossier",
                d.id,
                OVERRIDE_ACTION,
                {"motivation": text, "criteres": sorted({h.critere for h in hits})},
            )

    def withdraw_override(self, dossier_id: int, motivation: str | None = None) -> None:
        with self.db.session() as s:
            d = self._load(s, dossier_id)
            if d.id not in standing_overrides(s, dossier_ids=[d.id]):
                raise UserError(f"dossier {d.reference} : aucune dérogation en cours")
            audit.record(s, self.user, "dossier", d.id, OVERRIDE_WITHDRAWN, {"motivation": motivation})

    def override(self, dossier_id: int) -> str | None:
        """The motivation of the standing override, None when there is none."""
        with self.db.session() as s:
            return standing_overrides(s, dossier_ids=[dossier_id]).get(dossier_id)

    @staticmethod
    def _load(s: Session, dossier_id: int) -> Dossier:
        d = s.get(Dossier, dossier_id, options=[selectinload(Dossier.lignes)])
        if d is None:
            raise NotFoundError(f"dossier {dossier_id} introuvable")
        return d


def _answers(text: str | None) -> dict[str, bool]:
    if not text:
        return {}
    data = json.loads(text)
    return {str(k): bool(v) for k, v in data.items()} if isinstance(data, dict) else {}
