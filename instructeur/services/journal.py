"""The dossier's Historique in French: statut transitions, field changes, comité decisions.

The audit log keeps column names, codes, cents and JSON; this module turns each line into French
sentences with the labels of `domain.journal_labels`, amounts through `format_amount`, the
questionnaire's answers as « question : oui/non », names instead of ids. No JSON ever reaches the
user: whatever shape a value has, it is written as words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.domain.dates import format_date
from instructeur.domain.decision import DECISION_LABELS
from instructeur.domain.etats import NOTIFICATION_ETAT_LABELS
from instructeur.domain.journal_labels import (
    AVIS_LABELS,
    PROPOSE_PREFIX,
    action_label,
    field_label,
)
from instructeur.domain.money import format_amount
from instructeur.domain.scoring import CotationSettings
from instructeur.domain.statuts import Statut
from instructeur.domain.text import clean_text
from instructeur.services.grilles import cotation_settings_of
from instructeur.storage.models import AuditLog, ComitePoint, Dossier, Notification, Transition

__all__ = ["JournalRow", "NameLookup", "dossier_journal"]

_LONG_TEXT = 80  # longer texts are summarised in the journal
_LINE_FIELDS = {"demande_cents": "demandé", "propose_cents": "proposé", "vote_cents": "voté"}
_SETS = ("quartiers", "objectifs_secondaires", "axes_transversaux", "classements")
_COTATION_LEVELS = ("cotation_declaree", "cotation_instruite", "cotation_proposee")
_MONEY_KEYS = frozenset({"montant", "montant_cents", "enveloppe"})


@dataclass(frozen=True)
class JournalRow:
    at: datetime
    utilisateur: str
    action: str  # « Création », « Modification », « Statut »…
    text: str  # one French line per change, « \n »-separated


class NameLookup(Protocol):
    """Names of the ids a journal mentions (the fiche service's référentiel cache)."""

    @property
    def quartiers(self) -> Mapping[int, str]: ...

    @property
    def objectifs(self) -> Mapping[int, str]: ...

    @property
    def axes(self) -> Mapping[int, str]: ...

    def porteur(self, pid: int) -> str: ...

    def dossier(self, did: int) -> str: ...


@dataclass
class _Context:
    names: NameLookup
    cotation: CotationSettings


def dossier_journal(s: Session, d: Dossier, names: NameLookup) -> list[JournalRow]:
    """Every event of the dossier, most recent first."""
    ctx = _Context(names, cotation_settings_of(s, d.campagne_id))
    out = [_transition_row(t) for t in s.scalars(select(Transition).where(Transition.dossier_id == d.id))]
    app = AuditLog.action.not_like("sql:%")  # trigger entries: journal_hors_app.py (PostgreSQL)
    for log in s.scalars(
        select(AuditLog).where(AuditLog.entity == "dossier", AuditLog.entity_id == d.id, app)
    ):
        action, lines = describe(log.action, _changes(log), ctx)
        out.append(JournalRow(log.at, log.utilisateur, action, "\n".join(lines)))
    points = list(s.scalars(select(ComitePoint.id).where(ComitePoint.dossier_id == d.id)))
    if points:
        for log in s.scalars(
            select(AuditLog).where(AuditLog.entity == "comite_point", AuditLog.entity_id.in_(points), app)
        ):
            out.append(
                JournalRow(log.at, log.utilisateur, "Décision du comité", _decision(_changes(log), ctx))
            )
    out.extend(_letter_rows(s, d))
    from instructeur.services.journal_hors_app import outside_app_rows  # imports JournalRow from here

    out.extend(outside_app_rows(s, d.id))
    out.sort(key=lambda r: r.at, reverse=True)
    return out


def _letter_rows(s: Session, d: Dossier) -> list[JournalRow]:
    """Steps of the dossier's letters (à signer → à notifier → notifiée, « à refaire »)."""

    letters = dict(
        s.execute(select(Notification.id, Notification.modele).where(Notification.dossier_id == d.id)).all()
    )
    if not letters:
        return []
    rows = []
    for log in s.scalars(
        select(AuditLog)
        .where(AuditLog.entity == "notification", AuditLog.entity_id.in_(list(letters)))
        .where(AuditLog.action.not_like("sql:%"))
    ):
        changes = _changes(log)
        what = _LETTER_WORDS.get(letters[log.entity_id], "Lettre")
        old, new = (changes.get("etat") or [None, None])[:2]
        line = f"{what} : {NOTIFICATION_ETAT_LABELS.get(old or '', old or '—')} → {NOTIFICATION_ETAT_LABELS.get(new or '', new or '—')}"
        if changes.get("date"):
            line += f" le {_date_words(changes['date'])}"
        if changes.get("motif"):
            line += f" ({changes['motif']})"
        rows.append(JournalRow(log.at, log.utilisateur, "Lettre", line))
    return rows


_LETTER_WORDS = {
    "attribution": "Lettre d'attribution",
    "refus": "Lettre de refus",
    "ajournement": "Lettre d'ajournement",
}


def _changes(log: AuditLog) -> dict[str, Any]:
    try:
        changes = json.loads(log.changes or "{}")
    except ValueError:
        return {}
    return changes if isinstance(changes, dict) else {}


def _transition_row(t: Transition) -> JournalRow:
    target = Statut(t.vers_statut)
    if t.de_statut is None:
        text = f"Statut initial : {target.label}"
    else:
        text = f"Statut : {Statut(t.de_statut).label} → {target.label}"
    if t.motivation:
        text += f"\nMotivation : {_text(t.motivation)}"
    return JournalRow(t.at, t.utilisateur, "Statut", text)


def describe(action: str, changes: dict[str, Any], ctx: _Context) -> tuple[str, list[str]]:
    """The action's French name and one line per change."""
    if action == "create":
        ref = changes.get("reference")
        line = f"Dossier créé (référence « {ref} »)" if ref else "Dossier créé"
        if changes.get("import"):
            line += f" par l'import de {_quote(changes['import'])}"
        return "Création", [line]
    if action == "evaluateur":
        who = [f"Confié à l'évaluateur {_quote(v)}" for k, v in changes.items() if k == "confie_a"]
        who += [f"Retiré à l'évaluateur {_quote(v)}" for k, v in changes.items() if k == "retire"]
        return "Évaluateur", who or ["—"]
    lines: list[str] = []
    for key, value in changes.items():
        lines.extend(_change(key, value, ctx, pairs=action == "update"))
    label = action_label(action)
    return label, lines or (["Aucun changement"] if action == "update" else ["—"])


def _change(key: str, value: Any, ctx: _Context, *, pairs: bool) -> list[str]:
    """Lines for one key; `pairs`: the value is [old, new] (« update » lines)."""
    if key == "lignes" and isinstance(value, list):
        return _describe_lines(value)
    if key == "recevabilite" and isinstance(value, list):
        return _describe_checks(value)
    if key == "plan de financement":  # older format: line counts only
        return ["Plan de financement modifié"]
    if key == "cotation_reponses":
        answers = value[1] if isinstance(value, list) and len(value) == 2 else value
        return _describe_answers(answers, ctx)
    label = _capitalised(field_label(key))
    if pairs and isinstance(value, list) and len(value) == 2:
        old, new = value
        if key in _SETS:
            return [_describe_set(label, key, old or [], new or [], ctx)]
        return [f"{label} : {_value(key, old, ctx)} → {_value(key, new, ctx)}"]
    return [f"{label} : {_value(key, value, ctx)}"]


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def _describe_lines(entries: list[Any]) -> list[str]:
    out = []
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 4):
            continue
        label, champ, old, new = entry
        if champ == "ligne":
            if old is None:
                out.append(f"Plan de financement : ligne « {label} » ajoutée (demandé {_money(new)})")
            else:
                out.append(f"Plan de financement : ligne « {label} » supprimée (demandé {_money(old)})")
        elif champ == "ordre":
            out.append("Plan de financement : ordre des lignes modifié")
        else:
            what = _LINE_FIELDS.get(champ, field_label(str(champ)))
            out.append(f"Plan de financement, {label}, {what} : {_money(old)} → {_money(new)}")
    return out


def _describe_checks(entries: list[Any]) -> list[str]:
    out = []
    for entry in entries:
        if not (isinstance(entry, list) and len(entry) == 5):
            continue
        libelle, old_ok, new_ok, old_comment, new_comment = entry
        line = f"Recevabilité, « {libelle} »"
        if old_ok != new_ok:
            line += f" : {_yes_no(old_ok)} → {_yes_no(new_ok)}"
        if old_comment != new_comment:
            line += f" ; commentaire : {_quote(old_comment)} → {_quote(new_comment)}"
        out.append(line)
    return out


def _describe_answers(answers: Any, ctx: _Context) -> list[str]:
    """« Questionnaire égalité F/H, « Le diagnostic … ? » : oui » — one line per question."""
    if not isinstance(answers, dict):
        return [f"Réponses au questionnaire égalité F/H : {_value('', answers, ctx)}"]
    questions = dict(ctx.cotation.questions)
    order = [code for code, _ in ctx.cotation.questions if code in answers]
    order += [code for code in answers if code not in questions]
    return [
        f"Questionnaire égalité F/H, « {questions.get(code, code)} » : {_yes_no(answers[code])}"
        for code in order
    ]


def _describe_set(label: str, key: str, old: list[Any], new: list[Any], ctx: _Context) -> str:
    lookup = {
        "quartiers": ctx.names.quartiers,
        "objectifs_secondaires": ctx.names.objectifs,
        "classements": ctx.names.objectifs,  # nodes of the additional classifications (issue 13)
    }.get(
        key, ctx.names.axes
    )
    added = [lookup.get(i, f"n° {i}") for i in new if i not in old]
    removed = [lookup.get(i, f"n° {i}") for i in old if i not in new]
    parts = []
    if added:
        parts.append("ajout de " + ", ".join(f"« {n} »" for n in added))
    if removed:
        parts.append("retrait de " + ", ".join(f"« {n} »" for n in removed))
    return f"{label} : " + ("; ".join(parts) or "inchangés")


def _decision(changes: dict[str, Any], ctx: _Context) -> str:
    """A séance decision (comite_point line): decision, amounts voted, motivation, dérogation."""
    lines = []
    old, new = (changes.get("decision") or [None, None])[:2]
    old_votes, new_votes = (changes.get("votes") or [[], []])[:2]
    now = f"{DECISION_LABELS.get(new or '', 'sans décision')}{_votes(new_votes)}"
    if old:
        lines.append(f"Décision révisée : {DECISION_LABELS.get(old, old)}{_votes(old_votes)} → {now}")
    else:
        lines.append(f"Décision : {now}")
    for key in ("conditions", "motivation"):
        value = changes.get(key)
        text = value[1] if isinstance(value, list) and len(value) == 2 else value
        if text:
            lines.append(f"{_capitalised(field_label(key))} : {_quote(text)}")
    if changes.get("derogation"):
        over = changes.get("depassements") or {}
        amounts = ", ".join(f"{code} {_money(cents)}" for code, cents in dict(over).items())
        lines.append(f"Dérogation à l'enveloppe ({amounts}) : {_quote(changes['derogation'])}")
    return "\n".join(lines)


def _votes(votes: Any) -> str:
    if not isinstance(votes, list) or not votes:
        return ""
    parts = [f"{v[0]} {_money(v[1])}" for v in votes if isinstance(v, list) and len(v) == 2]
    return f" ({', '.join(parts)})" if parts else ""


def _value(key: str, value: Any, ctx: _Context) -> str:
    """A value as French words (never JSON)."""
    if value is None or value == "" or value == [] or value == {}:
        return "(vide)"
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, list):
        return ", ".join(_value(key, v, ctx) for v in value)
    if isinstance(value, dict):
        return " ; ".join(
            f"{_capitalised(field_label(str(k)))} : {_value(str(k), v, ctx)}" for k, v in value.items()
        )
    if (key.endswith("_cents") or key.startswith(PROPOSE_PREFIX) or key in _MONEY_KEYS) and _is_int(value):
        return format_amount(int(value))
    if key.startswith("date") and isinstance(value, str):
        return _date_words(value)
    return _named(key, value, ctx)


def _named(key: str, value: Any, ctx: _Context) -> str:
    if key == "part_qpv_pct":
        return f"{value} %"
    if key in _COTATION_LEVELS and _is_int(value):
        wording = ctx.cotation.label(int(value))
        return f"{value} ({wording})" if wording else str(value)
    if key == "avis":
        return AVIS_LABELS.get(str(value), str(value))
    if key == "statut" and isinstance(value, str) and value in Statut._value2member_map_:
        return Statut(value).label
    if key == "porteur_id" and _is_int(value):
        return f"« {ctx.names.porteur(int(value))} »"
    if key == "objectif_id" and _is_int(value):
        return f"« {ctx.names.objectifs.get(int(value), f'n° {value}')} »"
    if key == "reconduction_de_id" and _is_int(value):
        return ctx.names.dossier(int(value))
    if isinstance(value, int | float):
        return str(value)
    return _quote(value)


def _date_words(value: Any) -> str:
    try:
        return format_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return _quote(value)


def _is_int(value: Any) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, str) and value.isdigit())
    )


def _yes_no(value: Any) -> str:
    return "oui" if value else "non"


def _text(value: Any) -> str:
    return clean_text(str(value), multiline=False)  # lines written before the guard existed


def _quote(value: Any) -> str:
    if value is None or value == "":
        return "(vide)"
    text = _text(value)
    if len(text) > _LONG_TEXT:
        text = text[: _LONG_TEXT - 1].rstrip() + "…"
    return f"« {text} »"


def _money(value: Any) -> str:
    return "(vide)" if value is None or not _is_int(value) else format_amount(int(value))
