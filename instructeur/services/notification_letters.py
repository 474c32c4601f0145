"""The data of each notification letter, resolved from the database (DESIGN.md §8).

See `instructeur.services.notifications` for the choices (pilot financeur, convention threshold,
comité facts). Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from instructeur.domain.dates import echeance_crf, format_date_long
from instructeur.domain.money import amount_in_words, format_amount
from instructeur.domain.statuts import Statut
from instructeur.domain.text import fold
from instructeur.errors import NotFoundError, UserError
from instructeur.exports.letters import (
    LetterData,
)
from instructeur.services.notification_settings import NotificationSettings, read_settings, read_templates
from instructeur.storage.models import (
    Campagne,
    Comite,
    ComitePoint,
    Contrat,
    Dossier,
    Financeur,
    Notification,
    Porteur,
    Transition,
)

__all__ = ["CONVENTION_THRESHOLD_CENTS", "DECIDED", "PENDING", "build_letters", "salutation"]

CONVENTION_THRESHOLD_CENTS = 23_000_00
_MODELE_OF = {
    Statut.RETENU.value: "attribution",
    Statut.REFUSE.value: "refus",
    Statut.AJOURNE.value: "ajournement",
}
PENDING = (Statut.RETENU.value, Statut.REFUSE.value, Statut.AJOURNE.value)
DECIDED = (*PENDING, Statut.NOTIFIE.value, Statut.SOLDE.value, Statut.NON_REALISE.value)


def salutation(civilite: str | None, fonction: str | None) -> str:
    """« Madame la Présidente », « Monsieur le Directeur », « Madame », « Madame, Monsieur »."""
    key = fold(civilite or "").rstrip(".")
    title = "Madame" if key in {"mme", "madame", "mlle", "mademoiselle"} else None
    title = "Monsieur" if key in {"m", "monsieur", "mr"} else title
    if title is None:
        return "Madame, Monsieur"
    role = (fonction or "").strip()
    if not role:
        return title
    role = role[0].upper() + role[1:]
    if fold(role[0]) in "aeiouyh":
        return f"{title} l'{role}"
    return f"{title} {'la' if title == 'Madame' else 'le'} {role}"


def _person(p: Porteur) -> str:
    civ = (p.representant_civilite or "").strip()
    if civ and fold(civ).rstrip(".") in {"m", "monsieur", "mr"}:
        civ = "M."
    elif civ and fold(civ).rstrip(".") in {"mme", "madame"}:
        civ = "Mme"
    return " ".join(
        x for x in (civ, (p.representant_prenom or "").strip(), (p.representant_nom or "").strip()) if x
    )


def _lower_first(nom: str) -> str:
    """« Contrat de ville « … » » reads « du contrat de ville « … » » inside a sentence."""
    return nom[0].lower() + nom[1:] if nom.startswith(("Contrat ", "Contrats ")) else nom


def _is_association(p: Porteur) -> bool:
    forme = fold(p.forme_juridique or "")
    return bool(p.rna) or "association" in forme or "fondation" in forme


@dataclass(frozen=True)
class _Context:
    """What every letter of one generation shares."""

    campagne: Campagne
    contrat: Contrat
    cfg: NotificationSettings
    templates: dict[str, str]
    financeurs: dict[int, Financeur]
    pilot: Financeur | None
    expediteur: tuple[str, ...]
    lieu_date: str
    contact: str
    today: date


def build_letters(
    s: Session, campagne_id: int, dossier_ids: Sequence[int] | None, today: date
) -> list[LetterData]:
    campagne = s.get(Campagne, campagne_id)
    if campagne is None:
        raise NotFoundError(f"campagne {campagne_id} introuvable")
    contrat = s.get(Contrat, campagne.contrat_id, options=[selectinload(Contrat.financeurs)])
    assert contrat is not None
    cfg = read_settings(s)
    contact = cfg.contact.strip()
    if contact and not fold(contact).startswith("affaire"):
        contact = f"Affaire suivie par : {contact}"
    ctx = _Context(
        campagne=campagne,
        contrat=contrat,
        cfg=cfg,
        templates=read_templates(s),
        financeurs={f.id: f for f in contrat.financeurs},
        pilot=pilot_financeur(contrat.financeurs, cfg.financeur_signataire),
        expediteur=tuple(line.strip() for line in cfg.expediteur.splitlines() if line.strip())
        or tuple(x for x in (contrat.epci_nom or contrat.nom, f"Service {cfg.service}".strip()) if x),
        lieu_date=(f"{cfg.ville}, le " if cfg.ville else "Le ") + format_date_long(today),
        contact=contact,
        today=today,
    )
    dossiers = _dossiers(s, campagne_id, dossier_ids)
    ids = [d.id for d in dossiers]
    points = last_points(s, ids)
    transitions = last_transitions(s, ids)
    return [_letter(ctx, d, points.get(d.id), transitions.get(d.id)) for d in dossiers]


def _dossiers(s: Session, campagne_id: int, dossier_ids: Sequence[int] | None) -> list[Dossier]:
    query = (
        select(Dossier)
        .where(Dossier.campagne_id == campagne_id)
        .options(selectinload(Dossier.lignes), selectinload(Dossier.porteur))
        .order_by(Dossier.reference)
    )
    if dossier_ids is None:  # awaiting notification, or a letter to redo after a revision
        redo = select(Notification.dossier_id).where(Notification.etat == "a_refaire")
        return list(s.scalars(query.where(Dossier.statut.in_(PENDING) | Dossier.id.in_(redo))))
    dossiers = list(s.scalars(query.where(Dossier.id.in_(list(dossier_ids)))))
    found = {d.id for d in dossiers}
    missing = [str(i) for i in dossier_ids if i not in found]
    if missing:
        raise NotFoundError(f"dossiers introuvables dans cette campagne : {', '.join(missing)}")
    undecided = [d.reference for d in dossiers if d.statut not in DECIDED or not d.decision]
    if undecided:
        raise UserError("aucune décision de comité pour : " + ", ".join(undecided))
    return dossiers


def _letter_financeur(ctx: _Context, d: Dossier, modele: str) -> tuple[Financeur | None, dict[int, int]]:
    """The letter's financeur (the pilot, else the largest vote of a retained action) and the votes."""
    by_financeur: dict[int, int] = {}
    for lg in d.lignes:
        if lg.financeur_id is not None and lg.financeur_id in ctx.financeurs:
            by_financeur[lg.financeur_id] = by_financeur.get(lg.financeur_id, 0) + (lg.vote_cents or 0)
    pilot = ctx.pilot
    if modele == "attribution" and (pilot is None or by_financeur.get(pilot.id, 0) == 0):
        best = max(
            (fid for fid, c in by_financeur.items() if c > 0),
            key=lambda fid: (by_financeur[fid], -ctx.financeurs[fid].position),
            default=None,
        )
        if best is not None:
            return ctx.financeurs[best], by_financeur
    return pilot, by_financeur


def _comite_date(point: tuple[ComitePoint, date | None] | None, transition: Transition | None) -> date | None:
    if point is not None and point[1] is not None:
        return point[1]
    if point is not None and point[0].decided_at is not None:
        return point[0].decided_at.date()
    return transition.at.date() if transition is not None else None


def _letter(
    ctx: _Context,
    d: Dossier,
    point: tuple[ComitePoint, date | None] | None,
    transition: Transition | None,
) -> LetterData:
    decision = d.decision if d.decision in _MODELE_OF else d.statut
    modele = _MODELE_OF.get(decision or "", "refus")
    letter_fin, by_financeur = _letter_financeur(ctx, d, modele)
    montant = by_financeur.get(letter_fin.id, 0) if letter_fin is not None else 0
    total = sum(by_financeur.values())
    others = [
        (ctx.financeurs[fid], c)
        for fid, c in sorted(by_financeur.items(), key=lambda item: ctx.financeurs[item[0]].position)
        if c > 0 and (letter_fin is None or fid != letter_fin.id)
    ]
    comite_date = _comite_date(point, transition)
    motivation = (point[0].motivation if point else None) or (transition.motivation if transition else None)
    cfg, campagne, p = ctx.cfg, ctx.campagne, d.porteur
    values = {
        "porteur": p.raison_sociale,
        "representant": salutation(p.representant_civilite, p.representant_fonction),
        "representant_nom": _person(p),
        "reference": d.reference,
        "intitule": d.intitule,
        "annee": str(campagne.annee),
        "montant": format_amount(montant),
        "montant_lettres": amount_in_words(montant),
        "montant_total": format_amount(total),
        "montant_total_lettres": amount_in_words(total),
        "financeur": letter_fin.nom if letter_fin is not None else "",
        "autres_financeurs": ", ".join(f"{f.nom} ({format_amount(c)})" for f, c in others),
        "autres_financeurs_liste": "\n".join(f"{f.nom} : {format_amount(c)}" for f, c in others),
        "conditions": ((point[0].conditions if point else None) or "").strip(),
        "motivation": (motivation or "").strip(),
        "date_comite": format_date_long(comite_date) if comite_date else "",
        "contrat": _lower_first(ctx.contrat.nom),
        "epci": ctx.contrat.epci_nom,
        "signataire": cfg.signataire,
        "fonction_signataire": cfg.fonction_signataire,
        "date": format_date_long(ctx.today),
        "ville": cfg.ville,
        "service": cfg.service,
        "contact": ctx.contact,
        "echeance_crf": format_date_long(echeance_crf(campagne.annee, d.date_fin)),
        "montant_superieur_23000": "oui" if montant > CONVENTION_THRESHOLD_CENTS else "",
        "association": "oui" if _is_association(p) else "",
    }
    return LetterData(
        dossier_id=d.id,
        modele=modele,
        reference=d.reference,
        porteur=p.raison_sociale,
        template=ctx.templates[modele],
        fields=values,
        expediteur=ctx.expediteur,
        destinataire=_destinataire(p),
        lieu_date=ctx.lieu_date,
        signataire=cfg.signataire,
        fonction_signataire=cfg.fonction_signataire,
        affaire_suivie=ctx.contact,
        logo=Path(cfg.logo) if cfg.logo else None,
        signature=Path(cfg.signature) if cfg.signature else None,
        financeur_id=letter_fin.id if letter_fin is not None else None,
    )


def _destinataire(p: Porteur) -> tuple[str, ...]:
    person = _person(p)
    fonction = (p.representant_fonction or "").strip()
    attention = ""
    if person:
        attention = f"À l'attention de {person}" + (f", {fonction}" if fonction else "")
    town = " ".join(x for x in ((p.code_postal or "").strip(), (p.ville or "").strip().upper()) if x)
    return tuple(x for x in (p.raison_sociale, attention, p.adresse or "", town) if x)


def pilot_financeur(financeurs: Sequence[Financeur], code: str) -> Financeur | None:
    if code:
        for f in financeurs:
            if fold(f.code) == fold(code):
                return f
    for kind in ("epci", "etat"):
        for f in financeurs:
            if f.type == kind:
                return f
    return financeurs[0] if financeurs else None


def last_points(s: Session, ids: Sequence[int]) -> dict[int, tuple[ComitePoint, date | None]]:
    if not ids:
        return {}
    rows = s.execute(
        select(ComitePoint, Comite.date_seance)
        .join(Comite, Comite.id == ComitePoint.comite_id)
        .where(ComitePoint.dossier_id.in_(list(ids)), ComitePoint.decision.is_not(None))
    ).all()
    best: dict[int, tuple[ComitePoint, date | None]] = {}

    def key(item: tuple[ComitePoint, date | None]) -> tuple[date, datetime, int]:
        pt, seance = item
        return (seance or date.min, pt.decided_at or datetime.min, pt.id)

    for point, seance in rows:
        current = best.get(point.dossier_id)
        if current is None or key((point, seance)) > key(current):
            best[point.dossier_id] = (point, seance)
    return best


def last_transitions(s: Session, ids: Sequence[int]) -> dict[int, Transition]:
    if not ids:
        return {}
    rows = s.scalars(
        select(Transition)
        .where(Transition.dossier_id.in_(list(ids)), Transition.vers_statut.in_(PENDING))
        .order_by(Transition.at, Transition.id)
    )
    return {t.dossier_id: t for t in rows}
