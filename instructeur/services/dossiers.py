"""Dossier use cases: read, create, update (with optimistic locking), statut changes.

Every method is one transaction and returns frozen dataclasses (no live ORM objects leave the
service), so the Qt models, the CLI and the exports never trigger lazy loads. The list's rows live
in `dossier_rows` and the statut moves in `dossier_statut`; their public names are importable
from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from instructeur.domain.decision import vote_change_problems
from instructeur.domain.money import format_amount
from instructeur.domain.statuts import Statut, allowed_targets
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.services import audit
from instructeur.services.dossier_rows import DossierFilter, DossierListing, DossierRow, ListScore
from instructeur.services.dossier_statut import (
    BatchResult,
    change_statut_many,
    move_statut,
    recevabilite_missing,
)
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AxeTransversal,
    Campagne,
    Dossier,
    Financeur,
    LigneFinancement,
    Objectif,
    Porteur,
    Quartier,
    Transition,
)

__all__ = [
    "BatchResult",
    "DossierData",
    "DossierDetail",
    "DossierFilter",
    "DossierRow",
    "DossierService",
    "Ligne",
    "ListScore",
    "TransitionRow",
    "insert_dossier",
    "set_amount_per_financeur",
    "instruction_missing",
    "move_statut",
    "plan_warnings",
    "recevabilite_missing",
    "validate",
]

COTATION_LEVELS = (0, 1, 2)


# --- DTOs ------------------------------------------------------------------------------------


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
    # Nodes of the contrat's additional classifications (Saint-Omer's ambitions), one per
    # classification at most; None = leave them as they are (a caller that does not show them).
    classements: tuple[int, ...] | None = ()
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


class DossierService(DossierListing):
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # Reading

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
                if data.classements is None:
                    data = replace(data, classements=before.classements)
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
        return change_statut_many(self.db, self.user, dossier_ids, target, motivation, expected_versions)

    def recevabilite_missing(self, dossier_id: int) -> list[str]:
        """The mandatory recevabilité points not ticked (what « recevable » still needs)."""
        with self.db.session() as s:
            return recevabilite_missing(s, dossier_id)

    # Internals

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
                selectinload(Dossier.classements),
                selectinload(Dossier.porteur),
            ],
        )
        if d is None:
            raise NotFoundError(f"dossier {dossier_id} introuvable")
        return d


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
        classements=tuple(sorted(o.id for o in d.classements)),
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


def set_amount_per_financeur(
    d: Dossier, column: str, amounts: dict[int, int], names: dict[int, str] | None = None
) -> None:
    """A comité's votes or a scénario's proposals on the plan de financement: the first line of each
    financeur gets its amount, its other lines 0; a financeur without a line gets one (demandé 0)."""
    seen: set[int] = set()
    for ligne in d.lignes:
        if ligne.financeur_id is None:
            continue
        first = ligne.financeur_id not in seen
        seen.add(ligne.financeur_id)
        setattr(ligne, column, amounts.get(ligne.financeur_id, 0) if first else 0)
    for fid, cents in amounts.items():
        if fid not in seen and cents:
            ligne = LigneFinancement(
                financeur_id=fid, libelle=(names or {}).get(fid, ""), demande_cents=0, position=len(d.lignes)
            )
            setattr(ligne, column, cents)
            d.lignes.append(ligne)


def _refuse_vote_changes(s: Session, stored: Sequence[Ligne], sent: Sequence[Ligne]) -> None:
    """Voted amounts are written by a comité decision only (the séance or « Modifier la
    décision… »): every save of a dossier's lines (fiche, update, creation) goes through here."""
    votes_before = [(lg.financeur_id, lg.vote_cents) for lg in stored]
    votes_after = [(lg.financeur_id, lg.vote_cents) for lg in sent]
    if vote_change_problems(votes_before, votes_after):
        names = {fid: nom for fid, nom in s.execute(select(Financeur.id, Financeur.nom))}
        raise ValidationError(vote_change_problems(votes_before, votes_after, names))


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
    if data.classements is not None:
        _apply_classements(s, d, data.classements)
    current = [
        Ligne(ligne.financeur_id, ligne.libelle, ligne.demande_cents, ligne.propose_cents, ligne.vote_cents)
        for ligne in d.lignes
    ]
    _refuse_vote_changes(s, current, data.lignes)
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


def _apply_classements(s: Session, d: Dossier, ids: Sequence[int]) -> None:
    """The dossier's nodes in the additional classifications: nodes of a classification of the
    dossier's own contrat, at most one per classification."""
    nodes = list(s.scalars(select(Objectif).where(Objectif.id.in_(ids)))) if ids else []
    contrat_id = s.scalar(select(Campagne.contrat_id).where(Campagne.id == d.campagne_id))
    problems = [f"classement : nœud {i} introuvable" for i in sorted(set(ids) - {o.id for o in nodes})]
    seen: dict[int, Objectif] = {}
    for o in nodes:
        if o.classification_id is None or o.contrat_id != contrat_id:
            problems.append(f"classement : « {o.code} » n'est pas un nœud d'une classification de ce contrat")
        elif o.classification_id in seen:
            problems.append(
                f"classement : « {seen[o.classification_id].code} » et « {o.code} » sont dans la même "
                "classification (un seul nœud par classification)"
            )
        else:
            seen[o.classification_id] = o
    if problems:
        raise ValidationError(problems)
    if sorted(o.id for o in d.classements) != sorted(o.id for o in nodes):
        d.classements = nodes
