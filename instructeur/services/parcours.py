"""The campagne's path (issue 11): its steps in order, each with a state and what remains to do.

paramètres et lettres → dossiers reçus → recevabilité → évaluateurs et notation → instruction →
comité → lettres → programmation → suivi des CRF. One function, `parcours(db, campagne_id)`,
reads counts with a few grouped SQL queries and returns frozen DTOs; the tableau de bord shows
them and links each step to the window or the list filter that does the work.

The campagne statut is the chef de projet's declaration (« ouverte aux dépôts » is a public fact),
so it is not moved behind their back: `Parcours.statut_propose` names the next statut once the
step that leads to it is done, and the dashboard offers « Passer la campagne en … ».
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut
from instructeur.errors import NotFoundError
from instructeur.services.notification_settings import read_settings
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Comite,
    Dossier,
    Enveloppe,
    Evaluation,
    LigneFinancement,
    Note,
    Notification,
    RecevabiliteItem,
    Suivi,
)

A_FAIRE, EN_COURS, FAIT = "a_faire", "en_cours", "fait"
ETAT_LABELS = {A_FAIRE: "À faire", EN_COURS: "En cours", FAIT: "Fait"}

# Step keys, in order; the UI maps each to the window or list filter that does its work.
STEPS = (
    ("parametres", "Paramètres et lettres"),
    ("dossiers", "Dossiers reçus"),
    ("recevabilite", "Recevabilité"),
    ("notation", "Évaluateurs et notation"),
    ("instruction", "Instruction"),
    ("comite", "Comité"),
    ("lettres", "Lettres"),
    ("programmation", "Programmation"),
    ("suivi", "Suivi des CRF"),
)

# Campagne statut → (the step whose completion proposes the next statut, that statut).
NEXT_STATUT = {
    "preparation": ("parametres", "ouverte"),
    "ouverte": ("dossiers", "instruction"),
    "instruction": ("instruction", "comite"),
    "comite": ("lettres", "cloturee"),
}

_BEFORE_DECISION = {Statut.RECEVABLE, Statut.EN_INSTRUCTION, Statut.INSTRUIT, Statut.EN_COMITE}
_DECIDED = {Statut.RETENU, Statut.AJOURNE, Statut.REFUSE}


@dataclass(frozen=True)
class Etape:
    """One step: its state and the sentences that say what is done and what remains."""

    key: str
    titre: str
    etat: str  # A_FAIRE, EN_COURS, FAIT
    phrases: tuple[str, ...]
    statuts: tuple[str, ...] = ()  # the dossiers this step works on (the list's filter), if any

    @property
    def etat_label(self) -> str:
        return ETAT_LABELS[self.etat]


@dataclass(frozen=True)
class Parcours:
    campagne_id: int
    statut: str
    etapes: tuple[Etape, ...]
    statut_propose: str | None  # the next campagne statut, once its step is done

    def etape(self, key: str) -> Etape:
        return next(e for e in self.etapes if e.key == key)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 dossier », « 12 dossiers » (U+00A0 between thousands)."""
    word = singular if n <= 1 else (plural_form or _pluralize(singular))
    return f"{n:,}".replace(",", "\u00a0") + f" {word}"


def _pluralize(text: str) -> str:
    """Each word of « dossier sans évaluateur » before « sans/à/en… » takes its s."""
    words = text.split(" ")
    out = []
    stop = False
    for w in words:
        if w in {"sans", "à", "en", "de", "du", "des", "pour", "par"}:
            stop = True
        out.append(w if stop or w.endswith(("s", "x")) else w + "s")
    return " ".join(out)


@dataclass(frozen=True)
class _Counts:
    statuts: dict[str, int]
    enveloppes: int
    recevabilite_items: int
    signataire: bool
    sans_evaluateur: int
    evaluations: int
    evaluations_sans_note: int
    comites: int
    comites_clos: int
    lettres_a_faire: int
    decides_sans_lettre: int
    crf_attendus: int
    retenus: int
    vote_cents: int

    def n(self, *statuts: Statut) -> int:
        return sum(self.statuts.get(s.value, 0) for s in statuts)


def parcours(db: Database, campagne_id: int) -> Parcours:
    """The campagne's path, read in one session."""
    with db.session() as s:
        campagne = s.get(Campagne, campagne_id)
        if campagne is None:
            raise NotFoundError(f"campagne {campagne_id} introuvable")
        counts = _read_counts(s, campagne_id)
        statut = campagne.statut
    etapes = tuple(_steps(counts))
    return Parcours(campagne_id, statut, etapes, proposed_statut(statut, etapes))


def proposed_statut(statut: str, etapes: Sequence[Etape]) -> str | None:
    """The statut after `statut` when the step that leads to it is done (pure)."""
    rule = NEXT_STATUT.get(statut)
    if rule is None:
        return None
    step, nxt = rule
    done = next((e.etat == FAIT for e in etapes if e.key == step), False)
    return nxt if done else None


def _read_counts(s: Session, campagne_id: int) -> _Counts:
    in_campagne = Dossier.campagne_id == campagne_id
    statuts = {
        st: int(n)
        for st, n in s.execute(
            select(Dossier.statut, func.count()).where(in_campagne).group_by(Dossier.statut)
        )
    }
    enveloppes = s.scalar(
        select(func.count()).where(Enveloppe.campagne_id == campagne_id, Enveloppe.montant_cents > 0)
    )
    items = s.scalar(select(func.count()).where(RecevabiliteItem.campagne_id == campagne_id))
    signataire = read_settings(s).signataire.strip()
    evaluated = select(Evaluation.dossier_id)
    to_score = [st.value for st in (Statut.RECEVABLE, Statut.EN_INSTRUCTION)]
    sans_evaluateur = s.scalar(
        select(func.count()).where(in_campagne, Dossier.statut.in_(to_score), Dossier.id.not_in(evaluated))
    )
    ev_of_campagne = (
        select(Evaluation.id).join(Dossier, Dossier.id == Evaluation.dossier_id).where(in_campagne)
    )
    evaluations = s.scalar(select(func.count()).select_from(ev_of_campagne.subquery()))
    sans_note = s.scalar(
        select(func.count()).select_from(
            ev_of_campagne.where(
                Evaluation.conflit.is_(False),
                Dossier.statut.in_(to_score),
                Evaluation.id.not_in(select(Note.evaluation_id).distinct()),
            ).subquery()
        )
    )
    comites = s.scalar(select(func.count()).where(Comite.campagne_id == campagne_id))
    clos = s.scalar(select(func.count()).where(Comite.campagne_id == campagne_id, Comite.statut == "clos"))
    of_campagne = select(Dossier.id).where(in_campagne)
    lettres = s.scalar(
        select(func.count()).where(Notification.dossier_id.in_(of_campagne), Notification.etat != "notifie")
    )
    decided = [st.value for st in _DECIDED]
    sans_lettre = s.scalar(
        select(func.count()).where(
            in_campagne,
            Dossier.statut.in_(decided),
            Dossier.id.not_in(select(Notification.dossier_id)),
        )
    )
    crf = s.scalar(
        select(func.count()).where(
            in_campagne,
            Dossier.statut == Statut.NOTIFIE.value,
            Dossier.decision == Statut.RETENU.value,
            Dossier.id.not_in(select(Suivi.dossier_id).where(Suivi.crf_recu_le.is_not(None))),
        )
    )
    retenus = s.scalar(select(func.count()).where(in_campagne, Dossier.decision == Statut.RETENU.value))
    vote = s.scalar(
        select(func.coalesce(func.sum(LigneFinancement.vote_cents), 0)).where(
            LigneFinancement.dossier_id.in_(of_campagne)
        )
    )
    return _Counts(
        statuts,
        int(enveloppes or 0),
        int(items or 0),
        bool(signataire),
        int(sans_evaluateur or 0),
        int(evaluations or 0),
        int(sans_note or 0),
        int(comites or 0),
        int(clos or 0),
        int(lettres or 0),
        int(sans_lettre or 0),
        int(crf or 0),
        int(retenus or 0),
        int(vote or 0),
    )


def _state(done: bool, started: bool) -> str:
    return FAIT if done else EN_COURS if started else A_FAIRE


def _steps(c: _Counts) -> list[Etape]:
    steps = (_parametres, _dossiers, _recevabilite, _notation, _instruction, _comite, _lettres)
    return [step(c) for step in (*steps, _programmation, _suivi)]


def _etape(key: str, etat: str, phrases: Sequence[str], statuts: Sequence[Statut] = ()) -> Etape:
    """A step with its non-empty phrases and the statuts its « voir » button filters on."""
    title = dict(STEPS)[key]
    return Etape(key, title, etat, tuple(p for p in phrases if p), tuple(s.value for s in statuts))


def _if(n: int, singular: str, plural_form: str | None = None) -> str:
    """« 3 dossiers déposés à examiner » when there are some, else nothing."""
    return plural(n, singular, plural_form) if n else ""


# Counts several steps read: the dossiers not yet instruits, those waiting for the comité.
def _to_score(c: _Counts) -> int:
    return c.n(Statut.RECEVABLE, Statut.EN_INSTRUCTION)


def _pending(c: _Counts) -> int:
    return c.n(Statut.INSTRUIT, Statut.EN_COMITE)


def _parametres(c: _Counts) -> Etape:
    """Paramètres et lettres: enveloppes, recevabilité list, a signataire for the letters."""
    have = [
        _if(c.enveloppes, "enveloppe saisie", "enveloppes saisies"),
        _if(c.recevabilite_items, "point de recevabilité", "points de recevabilité"),
    ]
    missing = [
        "aucune enveloppe saisie" if not c.enveloppes else "",
        "aucun point de recevabilité" if not c.recevabilite_items else "",
        "signataire des lettres à indiquer" if not c.signataire else "",
    ]
    done = bool(c.enveloppes and c.recevabilite_items)
    return _etape("parametres", _state(done, any(have)), [*have, *missing])


def _dossiers(c: _Counts) -> Etape:
    total = sum(c.statuts.values())
    text = plural(total, "dossier reçu") if total else "aucun dossier : saisissez-les ou importez-les"
    return _etape("dossiers", _state(total > 0, False), [text])


def _recevabilite(c: _Counts) -> Etape:
    total = sum(c.statuts.values())
    waiting, incomplets = c.n(Statut.DEPOSE), c.n(Statut.INCOMPLET)
    examined = total - waiting - incomplets
    phrases = [
        _if(waiting, "dossier déposé à examiner", "dossiers déposés à examiner"),
        _if(incomplets, "dossier incomplet en attente de pièces", "dossiers incomplets en attente de pièces"),
        _if(c.n(Statut.IRRECEVABLE), "dossier irrecevable", "dossiers irrecevables"),
        "" if total else "en attente des dossiers",
    ]
    etat = _state(total > 0 and waiting + incomplets == 0, examined > 0)
    return _etape("recevabilite", etat, phrases, (Statut.DEPOSE, Statut.INCOMPLET))


def _notation(c: _Counts) -> Etape:
    phrases = [
        _if(c.sans_evaluateur, "dossier sans évaluateur"),
        _if(c.evaluations_sans_note, "évaluation sans note", "évaluations sans note"),
        _if(c.evaluations, "évaluation confiée", "évaluations confiées"),
        "" if _to_score(c) or c.evaluations else "aucun dossier recevable à noter",
    ]
    done = c.evaluations > 0 and c.sans_evaluateur == 0 and c.evaluations_sans_note == 0
    return _etape(
        "notation", _state(done, c.evaluations > 0), phrases, (Statut.RECEVABLE, Statut.EN_INSTRUCTION)
    )


def _instruction(c: _Counts) -> Etape:
    beyond = c.n(
        Statut.INSTRUIT, Statut.EN_COMITE, *_DECIDED, Statut.NOTIFIE, Statut.SOLDE, Statut.NON_REALISE
    )
    phrases = [
        _if(_to_score(c), "dossier à instruire", "dossiers à instruire"),
        _if(c.n(Statut.INSTRUIT), "dossier instruit", "dossiers instruits"),
    ]
    etat = _state(_to_score(c) == 0 and beyond > 0, beyond > 0 or c.n(Statut.EN_INSTRUCTION) > 0)
    return _etape("instruction", etat, phrases, (Statut.RECEVABLE, Statut.EN_INSTRUCTION))


def _comite(c: _Counts) -> Etape:
    decided_or_after = c.n(*_DECIDED, Statut.NOTIFIE, Statut.SOLDE, Statut.NON_REALISE)
    phrases = [
        _if(c.n(Statut.INSTRUIT), "dossier instruit à inscrire", "dossiers instruits à inscrire"),
        _if(c.n(Statut.EN_COMITE), "dossier en comité à décider", "dossiers en comité à décider"),
        plural(c.comites, "comité", "comités") + f" dont {c.comites_clos} clos"
        if c.comites
        else "aucun comité",
    ]
    done = decided_or_after > 0 and _pending(c) == 0 and _to_score(c) == 0
    etat = _state(done, c.comites > 0 or decided_or_after > 0)
    return _etape("comite", etat, phrases, (Statut.INSTRUIT, Statut.EN_COMITE))


def _lettres(c: _Counts) -> Etape:
    decided, notified = c.n(*_DECIDED), c.n(Statut.NOTIFIE, Statut.SOLDE, Statut.NON_REALISE)
    phrases = [
        _if(c.decides_sans_lettre, "dossier décidé sans lettre", "dossiers décidés sans lettre"),
        _if(c.lettres_a_faire, "lettre à générer, signer ou envoyer", "lettres à générer, signer ou envoyer"),
        _if(notified, "dossier notifié", "dossiers notifiés"),
    ]
    done = notified > 0 and decided == 0 and _pending(c) + _to_score(c) == 0
    return _etape("lettres", _state(done, c.lettres_a_faire + notified > 0), phrases, tuple(_DECIDED))


def _programmation(c: _Counts) -> Etape:
    retenus, ready = c.retenus, _pending(c) + _to_score(c) == 0
    phrases = [
        plural(retenus, "dossier retenu", "dossiers retenus") + f", {format_amount(c.vote_cents)} votés"
        if retenus
        else "aucun dossier retenu pour l'instant",
        "tableau de programmation prêt à exporter" if retenus and ready else "",
    ]
    return _etape("programmation", _state(retenus > 0 and ready, retenus > 0), phrases)


def _suivi(c: _Counts) -> Etape:
    soldes = c.n(Statut.SOLDE, Statut.NON_REALISE)
    phrases = [
        _if(c.crf_attendus, "compte rendu financier attendu", "comptes rendus financiers attendus"),
        _if(soldes, "dossier soldé ou non réalisé", "dossiers soldés ou non réalisés"),
    ]
    done = soldes > 0 and c.crf_attendus == 0 and c.n(Statut.NOTIFIE) == 0
    return _etape("suivi", _state(done, soldes + c.crf_attendus > 0), phrases, (Statut.NOTIFIE,))


__all__ = [
    "A_FAIRE",
    "EN_COURS",
    "ETAT_LABELS",
    "FAIT",
    "STEPS",
    "Etape",
    "Parcours",
    "parcours",
    "proposed_statut",
]
