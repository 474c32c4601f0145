"""After the comité (DESIGN.md §3, §4, §7 screen 3): what the fiche shows of the decision and of the
notification letters, and the suivi of a retained action — compte rendu financier (CERFA 15059)
received on, réalisé (oui / partiel / non), bénéficiaires réels (F/H), indicateurs.

Choices:

* The suivi is its own row (`Suivi`, with its own version): saving it never moves the dossier's
  version, so the rest of the fiche keeps working on the version it holds. Version 0 means « no
  row yet »; saving with 0 when someone created the row meanwhile is a concurrent edit.
* Only actions that were retenues (decision retenu, or a transition to « retenu » in their
  history) have a suivi: « le suivi concerne les actions retenues ».
* The CRF is due on 30 June of the year after the exercice; the exercice is the campagne's year,
  or the year the action ends if later (`echeance_crf`, the same rule as the letters' field
  `{echeance_crf}`, see `services.notifications`). Late: today is past the due date and no CRF.
* Each save is written in the audit log under the dossier (action « suivi »), so the fiche's
  « Historique » tab lists it.
* The decision shown comes from the dossier's last decided comité point (its votes, conditions,
  motivation, séance date), else from the dossier itself: its decision, voted amounts of the plan's
  lines and the last transition to that decision (campagnes imported or decided without comité).
* Statut rules that use the suivi (`crf_recu`, `mark_non_realise`) are called by
  `services.dossiers` (« soldé » needs a CRF date; « non réalisé » records réalisé = non).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.dates import echeance_crf, format_date
from instructeur.domain.etats import NOTIFICATION_ETAT_LABELS
from instructeur.domain.statuts import DECISIONS, Statut
from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.services.comites import COMITE_TYPE_LABELS
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Comite,
    ComitePoint,
    Dossier,
    Financeur,
    Notification,
    Suivi,
    Transition,
)

__all__ = [
    "MODELE_LABELS",
    "NOT_RETENU",
    "REALISE_LABELS",
    "SOLDE_SANS_CRF",
    "DecisionDto",
    "NotificationDto",
    "SuiviData",
    "SuiviDto",
    "SuiviService",
    "VoteDto",
    "crf_recu",
    "echeance_crf",
    "mark_non_realise",
]

REALISE_LABELS: dict[str, str] = {"oui": "Oui", "partiel": "Partiellement", "non": "Non"}
MODELE_LABELS: dict[str, str] = {
    "attribution": "Lettre d'attribution",
    "refus": "Lettre de refus",
    "ajournement": "Lettre d'ajournement",
}
NOT_RETENU = "le suivi concerne les actions retenues"
SOLDE_SANS_CRF = "soldé : renseignez d'abord la date de réception du compte rendu financier"
_FIELD_LABELS = {
    "crf_recu_le": "CRF reçu le",
    "realise": "Réalisé",
    "beneficiaires_femmes": "Bénéficiaires réels femmes",
    "beneficiaires_hommes": "Bénéficiaires réels hommes",
    "indicateurs": "Indicateurs",
}


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuiviData:
    """The editable fields of the suivi."""

    crf_recu_le: date | None = None
    realise: str | None = None  # oui, partiel, non; None: not said
    beneficiaires_femmes: int | None = None
    beneficiaires_hommes: int | None = None
    indicateurs: str | None = None


@dataclass(frozen=True)
class VoteDto:
    financeur_id: int
    financeur: str
    montant_cents: int


@dataclass(frozen=True)
class DecisionDto:
    decision: Statut  # retenu, ajourné, refusé
    date_comite: date | None
    comite: str | None  # « Comité des financeurs du 12/03/2025 »; None: no comité recorded
    votes: tuple[VoteDto, ...]
    conditions: str | None
    motivation: str | None

    @property
    def label(self) -> str:
        return self.decision.label

    @property
    def total_vote_cents(self) -> int:
        return sum(v.montant_cents for v in self.votes)


@dataclass(frozen=True)
class NotificationDto:
    id: int
    modele: str
    financeur: str
    etat: str
    date_generation: date | None
    date_signature: date | None
    date_notification: date | None

    @property
    def etat_label(self) -> str:
        return NOTIFICATION_ETAT_LABELS.get(self.etat, self.etat)

    @property
    def modele_label(self) -> str:
        return MODELE_LABELS.get(self.modele, self.modele)


@dataclass(frozen=True)
class SuiviDto:
    dossier_id: int
    reference: str
    statut: Statut
    retenu: bool  # the action was retenue at some point: the suivi can be recorded
    crf_recu_le: date | None
    realise: str | None
    beneficiaires_femmes: int | None
    beneficiaires_hommes: int | None
    indicateurs: str | None
    version: int  # 0: no suivi recorded yet
    updated_by: str | None
    updated_at: datetime | None
    decision: DecisionDto | None
    notifications: tuple[NotificationDto, ...]
    echeance_crf: date
    crf_en_retard: bool
    public_prevu: int | None = None
    public_femmes: int | None = None
    public_hommes: int | None = None

    @property
    def data(self) -> SuiviData:
        return SuiviData(
            self.crf_recu_le,
            self.realise,
            self.beneficiaires_femmes,
            self.beneficiaires_hommes,
            self.indicateurs,
        )


# --- Rules used by the statut changes --------------------------------------------------------


def crf_recu(s: Session, dossier_id: int) -> bool:
    """A compte rendu financier reception date is recorded for the dossier."""
    return bool(
        s.scalar(select(exists().where(Suivi.dossier_id == dossier_id, Suivi.crf_recu_le.is_not(None))))
    )


def mark_non_realise(s: Session, dossier_id: int, user: str) -> None:
    """Moving to « non réalisé »: réalisé = non, unless a suivi already says something."""
    row = s.scalar(select(Suivi).where(Suivi.dossier_id == dossier_id))
    if row is None:
        s.add(Suivi(dossier_id=dossier_id, realise="non", updated_by=user))
    elif row.realise is None:
        row.realise = "non"
        row.updated_by = user


def _was_retenu(s: Session, d: Dossier) -> bool:
    if d.decision == Statut.RETENU.value or d.statut == Statut.RETENU.value:
        return True
    return bool(
        s.scalar(
            select(
                exists().where(Transition.dossier_id == d.id, Transition.vers_statut == Statut.RETENU.value)
            )
        )
    )


def validate(data: SuiviData, today: date) -> list[str]:
    problems: list[str] = []
    if data.crf_recu_le is not None and data.crf_recu_le > today:
        problems.append(
            f"CRF reçu le : la date ne peut pas être dans le futur ({format_date(data.crf_recu_le)})"
        )
    if data.realise is not None and data.realise not in REALISE_LABELS:
        problems.append(f"réalisé : « {data.realise} » inconnu (oui, partiel ou non)")
    for label, value in (
        ("bénéficiaires réels femmes", data.beneficiaires_femmes),
        ("bénéficiaires réels hommes", data.beneficiaires_hommes),
    ):
        if value is not None and value < 0:
            problems.append(f"{label} : nombre négatif")
    return problems


def _clean(data: SuiviData) -> SuiviData:
    text = (data.indicateurs or "").strip()
    return SuiviData(
        data.crf_recu_le,
        data.realise or None,
        data.beneficiaires_femmes,
        data.beneficiaires_hommes,
        text or None,
    )


def _shown(name: str, value: object) -> str:
    if value is None or value == "":
        return "(vide)"
    if isinstance(value, date):
        return format_date(value)
    if name == "realise":
        return REALISE_LABELS.get(str(value), str(value))
    return str(value)


# --- Service ---------------------------------------------------------------------------------


class SuiviService:
    def __init__(
        self, db: Database, user: str | None = None, *, today: Callable[[], date] = date.today
    ) -> None:
        self.db = db
        self.user = user or audit.current_user()
        self._today = today

    def get(self, dossier_id: int) -> SuiviDto:
        with self.db.session() as s:
            d = s.get(Dossier, dossier_id, options=[selectinload(Dossier.lignes)])
            if d is None:
                raise NotFoundError(f"dossier {dossier_id} introuvable")
            annee = s.scalar(select(Campagne.annee).where(Campagne.id == d.campagne_id))
            assert annee is not None
            row = s.scalar(select(Suivi).where(Suivi.dossier_id == dossier_id))
            echeance = echeance_crf(annee, d.date_fin)
            crf = row.crf_recu_le if row else None
            retenu = _was_retenu(s, d)
            return SuiviDto(
                dossier_id=d.id,
                reference=d.reference,
                statut=Statut(d.statut),
                retenu=retenu,
                crf_recu_le=crf,
                realise=row.realise if row else None,
                beneficiaires_femmes=row.beneficiaires_femmes if row else None,
                beneficiaires_hommes=row.beneficiaires_hommes if row else None,
                indicateurs=row.indicateurs if row else None,
                version=row.version if row else 0,
                updated_by=row.updated_by if row else None,
                updated_at=row.updated_at if row else None,
                decision=self._decision(s, d),
                notifications=self._notifications(s, d.id),
                echeance_crf=echeance,
                crf_en_retard=retenu
                and crf is None
                and d.statut != Statut.NON_REALISE.value
                and self._today() > echeance,
                public_prevu=d.public_prevu,
                public_femmes=d.public_femmes,
                public_hommes=d.public_hommes,
            )

    def save(self, dossier_id: int, expected_version: int, data: SuiviData) -> int:
        """Record the suivi; returns its new version. Refused (French message) for a dossier never
        retenu, invalid values, or when someone saved the suivi since `expected_version` was read
        (0: no suivi was recorded then)."""
        data = _clean(data)
        problems = validate(data, self._today())
        if problems:
            raise ValidationError(problems)
        try:
            with self.db.session() as s:
                d = s.get(Dossier, dossier_id)
                if d is None:
                    raise NotFoundError(f"dossier {dossier_id} introuvable")
                if not _was_retenu(s, d):
                    raise ValidationError([f"dossier {d.reference} : {NOT_RETENU}"])
                row = s.scalar(select(Suivi).where(Suivi.dossier_id == dossier_id))
                current = row.version if row else 0
                if current != expected_version:
                    raise audit.concurrent_edit(
                        f"Le suivi du dossier {d.reference}",
                        row.updated_by if row else None,
                        row.updated_at if row else None,
                    )
                before = SuiviData() if row is None else _data_of(row)
                values = {f.name: getattr(data, f.name) for f in fields(SuiviData)}
                changes = {
                    _FIELD_LABELS[name]: f"{_shown(name, getattr(before, name))} → {_shown(name, value)}"
                    for name, value in values.items()
                    if getattr(before, name) != value
                }
                if not changes:
                    return current
                if row is None:
                    row = Suivi(dossier_id=dossier_id)
                    s.add(row)
                for name, value in values.items():
                    setattr(row, name, value)
                row.updated_by = self.user
                audit.record(s, self.user, "dossier", dossier_id, "suivi", changes)
                s.flush()
                return row.version
        except (StaleDataError, IntegrityError):
            # Another session wrote the suivi between our read and our write (shared database).
            info = self.get(dossier_id)
            raise audit.concurrent_edit(
                f"Le suivi du dossier {info.reference}", info.updated_by, info.updated_at
            ) from None

    # Internals

    @staticmethod
    def _decision(s: Session, d: Dossier) -> DecisionDto | None:
        names = {
            fid: nom
            for fid, nom in s.execute(
                select(Financeur.id, Financeur.nom)
                .join(Campagne, Campagne.contrat_id == Financeur.contrat_id)
                .where(Campagne.id == d.campagne_id)
                .order_by(Financeur.position, Financeur.id)
            )
        }
        order = {fid: n for n, fid in enumerate(names)}
        rows = s.execute(
            select(ComitePoint, Comite.date_seance, Comite.type)
            .join(Comite, Comite.id == ComitePoint.comite_id)
            .where(ComitePoint.dossier_id == d.id, ComitePoint.decision.is_not(None))
            .options(selectinload(ComitePoint.votes))
        ).all()
        if rows:
            # The last decided point, as the letters choose it (séance date, decision time, id).
            point, seance, kind = max(
                rows, key=lambda r: (r[1] or date.min, r[0].decided_at or datetime.min, r[0].id)
            )
            when = seance or (point.decided_at.date() if point.decided_at else None)
            label = COMITE_TYPE_LABELS.get(kind, "Comité")
            point_votes = sorted(
                (
                    VoteDto(
                        v.financeur_id,
                        names.get(v.financeur_id, f"financeur {v.financeur_id}"),
                        v.montant_cents,
                    )
                    for v in point.votes
                    if v.montant_cents
                ),
                key=lambda v: order.get(v.financeur_id, len(order)),
            )
            return DecisionDto(
                decision=Statut(str(point.decision)),
                date_comite=when,
                comite=f"{label} du {format_date(when)}" if when else label,
                votes=tuple(point_votes),
                conditions=(point.conditions or "").strip() or None,
                motivation=(point.motivation or "").strip() or None,
            )
        decision = Statut(d.decision) if d.decision else None
        if decision is None and Statut(d.statut) in DECISIONS:
            decision = Statut(d.statut)
        if decision is None:
            return None
        transition = s.scalar(
            select(Transition)
            .where(Transition.dossier_id == d.id, Transition.vers_statut == decision.value)
            .order_by(Transition.at.desc(), Transition.id.desc())
            .limit(1)
        )
        votes = tuple(
            VoteDto(
                lg.financeur_id, names.get(lg.financeur_id, f"financeur {lg.financeur_id}"), lg.vote_cents
            )
            for lg in sorted(d.lignes, key=lambda lg: order.get(lg.financeur_id or 0, len(order)))
            if lg.financeur_id is not None and lg.vote_cents
        )
        when = transition.at.date() if transition is not None else None
        return DecisionDto(
            decision=decision,
            date_comite=when,
            comite=None,
            votes=votes,
            conditions=None,
            motivation=((transition.motivation if transition else None) or "").strip() or None,
        )

    @staticmethod
    def _notifications(s: Session, dossier_id: int) -> tuple[NotificationDto, ...]:
        rows = s.execute(
            select(Notification, Financeur.nom)
            .outerjoin(Financeur, Financeur.id == Notification.financeur_id)
            .where(Notification.dossier_id == dossier_id)
            .order_by(Notification.id)
        ).all()
        return tuple(
            NotificationDto(
                id=n.id,
                modele=n.modele,
                financeur=nom or "",
                etat=n.etat,
                date_generation=n.date_generation,
                date_signature=n.date_signature,
                date_notification=n.date_notification,
            )
            for n, nom in rows
        )


def _data_of(row: Suivi) -> SuiviData:
    return SuiviData(
        row.crf_recu_le,
        row.realise,
        row.beneficiaires_femmes,
        row.beneficiaires_hommes,
        row.indicateurs,
    )
