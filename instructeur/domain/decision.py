"""Rules of a comité decision (DESIGN.md §3, §4), pure: the séance (`ComiteService.decide`) and the
revision outside the séance (`ComiteService.revise_decision`) both call `check_decision`, and the
fiche's save calls `vote_change_problems` (a voted amount exists only through a comité decision).

Money is integer cents. Messages are French, one line per problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from instructeur.domain.money import format_amount
from instructeur.domain.text import optional_text

__all__ = [
    "DECISIONS",
    "DECISION_LABELS",
    "DecisionCheck",
    "EnveloppeLoad",
    "Exceeded",
    "check_decision",
    "decision_basics",
    "votes_by_financeur",
    "vote_change_problems",
]

DECISIONS = ("retenu", "ajourne", "refuse")
DECISION_LABELS = {"retenu": "Retenu", "ajourne": "Ajourné", "refuse": "Refusé"}


@dataclass(frozen=True)
class EnveloppeLoad:
    """One financeur's enveloppe as the decision finds it (read under the decision's lock)."""

    financeur_id: int
    code: str
    enveloppe_cents: int
    others_cents: int  # voted for the other retenu dossiers of the campagne
    previous_cents: int  # this dossier's vote before the decision (0: none)


@dataclass(frozen=True)
class Exceeded:
    code: str
    enveloppe_cents: int
    over_cents: int  # amount beyond the enveloppe


@dataclass(frozen=True)
class DecisionCheck:
    problems: tuple[str, ...]  # blocking, one French line each
    exceeded: tuple[Exceeded, ...]  # enveloppes this decision takes beyond their amount

    @property
    def ok(self) -> bool:
        return not self.problems


def decision_basics(decision: str, votes: Mapping[int, int], motivation: str | None) -> list[str]:
    """What can be said before reading the database: a known decision, amounts only for
    « Retenu », no negative amount, a motivation for ajourné and refusé."""
    if decision not in DECISIONS:
        return [f"décision inconnue : « {decision} » (retenu, ajourne ou refuse)"]
    problems: list[str] = []
    label = DECISION_LABELS[decision]
    if decision != "retenu":
        if any(votes.values()):
            problems.append(f"décision « {label} » : aucun montant ne peut être voté")
        if optional_text(motivation) is None:
            problems.append(f"une motivation est obligatoire pour la décision « {label} »")
    problems.extend(
        f"montant voté négatif ({format_amount(v)}) : saisissez un montant positif ou nul"
        for v in votes.values()
        if v < 0
    )
    return problems


def exceeded_enveloppes(votes: Mapping[int, int], enveloppes: Iterable[EnveloppeLoad]) -> list[Exceeded]:
    """Each enveloppe that this vote takes beyond its amount. A financeur whose vote does not rise
    on this dossier is not checked again (its earlier vote was accepted, with or without a
    dérogation)."""
    out = []
    for env in enveloppes:
        new = votes.get(env.financeur_id, 0)
        if new <= env.previous_cents:
            continue
        total = env.others_cents + new
        if total > env.enveloppe_cents:
            out.append(Exceeded(env.code, env.enveloppe_cents, total - env.enveloppe_cents))
    return out


def check_decision(
    decision: str,
    votes: Mapping[int, int],
    cout_total_cents: int,
    motivation: str | None,
    override_motivation: str | None,
    enveloppes: Sequence[EnveloppeLoad],
    reference: str = "",
) -> DecisionCheck:
    """Every rule of a decision on one dossier: the basics, total voté ≤ coût total, and each
    enveloppe (with its total of the other dossiers) not exceeded unless a dérogation is motivated.
    Returns the problems (empty: the decision may be recorded) and the exceeded enveloppes (to be
    recorded with the dérogation)."""
    problems = decision_basics(decision, votes, motivation)
    if decision not in DECISIONS:
        return DecisionCheck(tuple(problems), ())
    if decision != "retenu":
        votes = {}
    what = f"dossier {reference} : " if reference else ""
    total = sum(votes.values())
    if total > cout_total_cents:
        problems.append(
            f"{what}le total voté ({format_amount(total)}) dépasse le coût total de l'action "
            f"({format_amount(cout_total_cents)})"
        )
    exceeded = exceeded_enveloppes(votes, enveloppes)
    if exceeded and optional_text(override_motivation) is None:
        problems.append(
            "; ".join(
                f"enveloppe {e.code} dépassée de {format_amount(e.over_cents)} "
                f"(enveloppe {format_amount(e.enveloppe_cents)})"
                for e in exceeded
            )
            + " : une motivation de dérogation est obligatoire"
        )
    return DecisionCheck(tuple(problems), tuple(exceeded))


def votes_by_financeur(lines: Iterable[tuple[int | None, int | None]]) -> dict[int | None, int]:
    """Voted cents per financeur (None: other resources) from (financeur_id, vote_cents) lines;
    lines without a vote do not count."""
    out: dict[int | None, int] = {}
    for fid, vote in lines:
        if vote is not None:
            out[fid] = out.get(fid, 0) + int(vote)
    return out


def vote_change_problems(
    stored: Iterable[tuple[int | None, int | None]],
    sent: Iterable[tuple[int | None, int | None]],
    names: Mapping[int, str] | None = None,
) -> list[str]:
    """A fiche save may not change a voted amount: only a comité decision (the séance or
    « Modifier la décision… ») writes it. Compares per financeur; one French line per change."""
    before, after = votes_by_financeur(stored), votes_by_financeur(sent)
    problems = []
    for fid in sorted({*before, *after}, key=lambda f: (f is None, f or 0)):
        old, new = before.get(fid), after.get(fid)
        if (old or 0) == (new or 0):
            continue
        who = "autre ressource" if fid is None else (names or {}).get(fid, f"financeur {fid}")
        shown_old = format_amount(old) if old is not None else "aucun"
        shown_new = format_amount(new) if new is not None else "aucun"
        problems.append(
            f"plan de financement, {who} : le montant voté ({shown_old} → {shown_new}) ne se modifie "
            "que par une décision du comité (« Modifier la décision… » dans l'onglet « Comité et suivi »)"
        )
    return problems
