"""Deleting what was created by mistake: a dossier, a comité, a campagne, while nothing depends on it.

* a dossier: no comité decision, not on an agenda, no letter (notification), no évaluation notes,
  no suivi — its plan, checklist, history of statuts, assignments without notes, simulations and
  labels go with it;
* a comité: still « en préparation » and no point decided — its undecided dossiers go back to
  « instruit », its members, conflicts and simulations go with it;
* a campagne: no dossier and no comité — its enveloppes, recevabilité list, grilles and cotation
  settings go with it.

Otherwise the refusal says why, with counts (« la campagne 2026 ne peut pas être supprimée :
120 dossiers, 1 comité »). Every deletion writes a journal line (action « delete », what was
deleted). `preview_*` tells the GUI and the CLI what a confirmation should say; `delete_*` checks
again inside its own transaction, so a decision recorded meanwhile still blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from instructeur.domain.dates import format_date
from instructeur.domain.statuts import Statut
from instructeur.errors import NotFoundError, UserError
from instructeur.services import audit
from instructeur.services.dossiers import move_statut
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Comite,
    ComiteConflit,
    ComiteMembre,
    ComitePoint,
    ComiteVote,
    Critere,
    Dossier,
    Enveloppe,
    Evaluation,
    Grille,
    LigneFinancement,
    Note,
    Notification,
    RecevabiliteCheck,
    RecevabiliteItem,
    Scenario,
    ScenarioLigne,
    ScenarioMontant,
    Setting,
    Suivi,
    Transition,
    dossier_axe_transversal,
    dossier_label,
    dossier_objectif_secondaire,
    dossier_quartier,
)

__all__ = ["DeletionPreview", "DeletionService"]

_COMITE_WORDS = {
    "technique": "comité technique",
    "financeurs": "comité des financeurs",
    "pilotage": "comité de pilotage",
}


@dataclass(frozen=True)
class DeletionPreview:
    """What a confirmation shows: the object's name, what goes with it, or why it cannot go."""

    name: str  # « le dossier 26-000001 « Atelier » »
    removes: tuple[str, ...]  # « 3 lignes du plan de financement »…
    refusal: str | None  # the full French line when the deletion is refused

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def question(self) -> str:
        """The confirmation question (one paragraph)."""
        extra = f" Seront aussi supprimés : {', '.join(self.removes)}." if self.removes else ""
        return f"Supprimer définitivement {self.name} ?{extra} Cette suppression est inscrite au journal."


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _count(s: Session, *where: object, table: type) -> int:
    return int(s.scalar(select(func.count()).select_from(table).where(*where)) or 0)  # type: ignore[arg-type]


def _refusal(name: str, reasons: list[str]) -> str | None:
    return (
        f"{name} ne peut pas être supprimé{'e' if name.startswith('la ') else ''} : {', '.join(reasons)}"
        if reasons
        else None
    )


# --- Dossier ---------------------------------------------------------------------------------


def _dossier(s: Session, dossier_id: int) -> Dossier:
    d = s.get(Dossier, dossier_id)
    if d is None:
        raise NotFoundError(f"dossier {dossier_id} introuvable")
    return d


def _dossier_preview(s: Session, d: Dossier) -> DeletionPreview:
    name = f"le dossier {d.reference} « {d.intitule} »"
    decided = _count(s, ComitePoint.dossier_id == d.id, ComitePoint.decision.is_not(None), table=ComitePoint)
    on_agenda = _count(s, ComitePoint.dossier_id == d.id, ComitePoint.decision.is_(None), table=ComitePoint)
    letters = _count(s, Notification.dossier_id == d.id, table=Notification)
    notes = int(
        s.scalar(select(func.count()).select_from(Note).join(Evaluation).where(Evaluation.dossier_id == d.id))
        or 0
    )
    reasons = []
    if decided or d.decision:
        reasons.append("une décision du comité est enregistrée")
    if on_agenda:
        reasons.append("il est inscrit à l'ordre du jour d'un comité (retirez-le d'abord)")
    if letters:
        reasons.append(_plural(letters, "lettre de notification", "lettres de notification"))
    if notes:
        reasons.append(_plural(notes, "note d'évaluation", "notes d'évaluation"))
    if _count(s, Suivi.dossier_id == d.id, table=Suivi):
        reasons.append("un suivi est enregistré")
    lines = _count(s, LigneFinancement.dossier_id == d.id, table=LigneFinancement)
    evaluations = _count(s, Evaluation.dossier_id == d.id, table=Evaluation)
    removes = []
    if lines:
        removes.append(_plural(lines, "ligne du plan de financement", "lignes du plan de financement"))
    if evaluations:
        removes.append(_plural(evaluations, "attribution à un évaluateur", "attributions à des évaluateurs"))
    removes.append("l'historique de ses statuts")
    return DeletionPreview(name, tuple(removes), _refusal(name, reasons))


def _remove_dossier(s: Session, d: Dossier) -> None:
    """Every row that points at the dossier, children first (no orphan on either engine)."""
    evaluations = select(Evaluation.id).where(Evaluation.dossier_id == d.id).scalar_subquery()
    s.execute(delete(Note).where(Note.evaluation_id.in_(evaluations)))
    s.execute(delete(Evaluation).where(Evaluation.dossier_id == d.id))
    s.execute(delete(ComiteConflit).where(ComiteConflit.dossier_id == d.id))
    s.execute(delete(ScenarioMontant).where(ScenarioMontant.dossier_id == d.id))
    s.execute(delete(ScenarioLigne).where(ScenarioLigne.dossier_id == d.id))
    s.execute(delete(Transition).where(Transition.dossier_id == d.id))
    s.execute(delete(RecevabiliteCheck).where(RecevabiliteCheck.dossier_id == d.id))
    s.execute(delete(LigneFinancement).where(LigneFinancement.dossier_id == d.id))
    for table in (dossier_quartier, dossier_objectif_secondaire, dossier_axe_transversal, dossier_label):
        s.execute(delete(table).where(table.c.dossier_id == d.id))
    s.execute(
        update(Dossier).where(Dossier.reconduction_de_id == d.id).values(reconduction_de_id=None),
        execution_options={"synchronize_session": False},
    )
    s.expunge(d)
    s.execute(delete(Dossier).where(Dossier.id == d.id))


# --- Comité ----------------------------------------------------------------------------------


def _comite(s: Session, comite_id: int) -> Comite:
    c = s.get(Comite, comite_id)
    if c is None:
        raise NotFoundError(f"comité {comite_id} introuvable")
    return c


def _comite_name(c: Comite) -> str:
    when = f" du {format_date(c.date_seance)}" if c.date_seance else ""
    return f"le {_COMITE_WORDS.get(c.type, 'comité')}{when}"


def _comite_preview(s: Session, c: Comite) -> DeletionPreview:
    name = _comite_name(c)
    decided = _count(s, ComitePoint.comite_id == c.id, ComitePoint.decision.is_not(None), table=ComitePoint)
    points = _count(s, ComitePoint.comite_id == c.id, table=ComitePoint)
    reasons = []
    if decided:
        reasons.append(_plural(decided, "décision enregistrée", "décisions enregistrées"))
    elif c.statut != "preparation":
        reasons.append("la séance est ouverte" if c.statut == "en_seance" else "la séance est close")
    removes = []
    if points:
        removes.append(
            _plural(points, "dossier retiré de l'ordre du jour", "dossiers retirés de l'ordre du jour")
            + " (ils redeviennent « instruits »)"
        )
    scenarios = _count(s, Scenario.comite_id == c.id, table=Scenario)
    if scenarios:
        removes.append(_plural(scenarios, "simulation"))
    return DeletionPreview(name, tuple(removes), _refusal(name, reasons))


def _remove_comite(s: Session, c: Comite, user: str) -> list[str]:
    name = _comite_name(c)
    references = []
    for point in list(c.points):
        d = point.dossier
        references.append(d.reference)
        if d.statut == Statut.EN_COMITE.value:
            move_statut(s, d, Statut.INSTRUIT, user, f"Retiré de l'ordre du jour : {name[3:]} supprimé")
    s.flush()
    points = select(ComitePoint.id).where(ComitePoint.comite_id == c.id).scalar_subquery()
    membres = select(ComiteMembre.id).where(ComiteMembre.comite_id == c.id).scalar_subquery()
    scenarios = select(Scenario.id).where(Scenario.comite_id == c.id).scalar_subquery()
    s.execute(delete(ComiteVote).where(ComiteVote.point_id.in_(points)))
    s.execute(delete(ComiteConflit).where(ComiteConflit.membre_id.in_(membres)))
    s.execute(delete(ScenarioMontant).where(ScenarioMontant.scenario_id.in_(scenarios)))
    s.execute(delete(ScenarioLigne).where(ScenarioLigne.scenario_id.in_(scenarios)))
    s.execute(delete(Scenario).where(Scenario.comite_id == c.id))
    s.execute(delete(ComitePoint).where(ComitePoint.comite_id == c.id))
    s.execute(delete(ComiteMembre).where(ComiteMembre.comite_id == c.id))
    s.expunge(c)
    s.execute(delete(Comite).where(Comite.id == c.id))
    return references


# --- Campagne --------------------------------------------------------------------------------


def _campagne(s: Session, campagne_id: int) -> Campagne:
    c = s.get(Campagne, campagne_id)
    if c is None:
        raise NotFoundError(f"campagne {campagne_id} introuvable")
    return c


def _campagne_preview(s: Session, c: Campagne) -> DeletionPreview:
    name = f"la campagne {c.annee} « {c.libelle} »"
    dossiers = _count(s, Dossier.campagne_id == c.id, table=Dossier)
    comites = _count(s, Comite.campagne_id == c.id, table=Comite)
    reasons = []
    if dossiers:
        reasons.append(_plural(dossiers, "dossier"))
    if comites:
        reasons.append(_plural(comites, "comité"))
    removes = []
    enveloppes = _count(s, Enveloppe.campagne_id == c.id, table=Enveloppe)
    if enveloppes:
        removes.append(_plural(enveloppes, "enveloppe"))
    items = _count(s, RecevabiliteItem.campagne_id == c.id, table=RecevabiliteItem)
    if items:
        removes.append(_plural(items, "point de recevabilité", "points de recevabilité"))
    grilles = _count(s, Grille.campagne_id == c.id, table=Grille)
    if grilles:
        removes.append(_plural(grilles, "grille d'analyse", "grilles d'analyse"))
    return DeletionPreview(name, tuple(removes), _refusal(name, reasons))


def _remove_campagne(s: Session, c: Campagne) -> None:
    from instructeur.services.grilles import cotation_key

    grilles = select(Grille.id).where(Grille.campagne_id == c.id).scalar_subquery()
    s.execute(delete(Critere).where(Critere.grille_id.in_(grilles)))
    s.execute(delete(Grille).where(Grille.campagne_id == c.id))
    s.execute(delete(Enveloppe).where(Enveloppe.campagne_id == c.id))
    s.execute(delete(RecevabiliteItem).where(RecevabiliteItem.campagne_id == c.id))
    s.execute(delete(Setting).where(Setting.key == cotation_key(c.id)))
    s.expunge(c)
    s.execute(delete(Campagne).where(Campagne.id == c.id))


# --- Service ---------------------------------------------------------------------------------


class DeletionService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def preview_dossier(self, dossier_id: int) -> DeletionPreview:
        with self.db.session() as s:
            return _dossier_preview(s, _dossier(s, dossier_id))

    def preview_comite(self, comite_id: int) -> DeletionPreview:
        with self.db.session() as s:
            return _comite_preview(s, _comite(s, comite_id))

    def preview_campagne(self, campagne_id: int) -> DeletionPreview:
        with self.db.session() as s:
            return _campagne_preview(s, _campagne(s, campagne_id))

    def delete_dossier(self, dossier_id: int) -> str:
        """Delete the dossier, or refuse (UserError) saying why. Returns what was deleted."""
        with self.db.session() as s:
            d = _dossier(s, dossier_id)
            preview = _refuse_unless_allowed(_dossier_preview(s, d))
            entry = {
                "reference": d.reference,
                "intitule": d.intitule,
                "campagne": d.campagne_id,
                "porteur": d.porteur_id,
            }
            _remove_dossier(s, d)
            audit.record(s, self.user, "dossier", dossier_id, "delete", entry)
            return preview.name

    def delete_comite(self, comite_id: int) -> str:
        with self.db.session() as s:
            c = _comite(s, comite_id)
            preview = _refuse_unless_allowed(_comite_preview(s, c))
            entry: dict[str, object] = {
                "type": c.type,
                "date_seance": c.date_seance,
                "campagne": c.campagne_id,
            }
            entry["dossiers"] = _remove_comite(s, c, self.user)
            audit.record(s, self.user, "comite", comite_id, "delete", entry)
            return preview.name

    def delete_campagne(self, campagne_id: int) -> str:
        with self.db.session() as s:
            c = _campagne(s, campagne_id)
            preview = _refuse_unless_allowed(_campagne_preview(s, c))
            entry = {"annee": c.annee, "libelle": c.libelle, "contrat": c.contrat_id}
            _remove_campagne(s, c)
            audit.record(s, self.user, "campagne", campagne_id, "delete", entry)
            return preview.name


def _refuse_unless_allowed(preview: DeletionPreview) -> DeletionPreview:
    if preview.refusal is not None:
        raise UserError(preview.refusal)
    return preview
