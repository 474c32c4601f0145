"""Campagnes (appels à projets): creation with enveloppes and recevabilité list, listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instructeur.errors import NotFoundError, ValidationError
from instructeur.services import audit
from instructeur.services.dossier_list import CampagneRow, campagne_rows
from instructeur.services.dossier_rows import session_execute
from instructeur.storage.db import Database
from instructeur.storage.models import (
    CAMPAGNE_STATUTS,
    Campagne,
    Contrat,
    Enveloppe,
    Financeur,
    RecevabiliteCheck,
    RecevabiliteItem,
    Setting,
)

DEFAULT_RECEVABILITE = (
    "Dossier complet (formulaire CERFA 12156 et budget de l'action)",
    "Contrat d'engagement républicain signé",
    "Compte rendu financier N-1 reçu (CERFA 15059), pour une action reconduite",
    "Public majoritairement issu des quartiers prioritaires",
    "Relevé d'identité bancaire et statuts à jour",
)


@dataclass(frozen=True)
class EnveloppeRow:
    financeur_id: int
    financeur_code: str
    financeur_nom: str
    montant_cents: int


@dataclass(frozen=True)
class CampagneDetail:
    id: int
    contrat_id: int
    annee: int
    libelle: str
    statut: str
    date_ouverture: date | None
    date_cloture: date | None
    version: int


@dataclass(frozen=True)
class EnveloppeSuivi:
    """A financeur of the contrat with its enveloppe in the campagne and what comités voted so far
    (same perimeter as the tableau de bord: dossiers retenus)."""

    financeur_id: int
    code: str
    nom: str
    has_enveloppe: bool
    enveloppe_cents: int
    vote_cents: int

    @property
    def reste_cents(self) -> int:
        return self.enveloppe_cents - self.vote_cents


@dataclass(frozen=True)
class RecevabiliteItemEdit:
    """A line of the recevabilité list as edited: `id` None for a new item."""

    id: int | None
    libelle: str
    obligatoire: bool = True


@dataclass(frozen=True)
class RecevabiliteItemRow:
    id: int
    libelle: str
    obligatoire: bool
    n_checks: int  # dossiers where this item was ticked or commented


class CampagneService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def create(
        self,
        contrat_id: int,
        annee: int,
        *,
        libelle: str = "Appel à projets",
        statut: str = "preparation",
        date_ouverture: date | None = None,
        date_cloture: date | None = None,
        enveloppes: dict[int, int] | None = None,
        recevabilite: tuple[str, ...] = DEFAULT_RECEVABILITE,
    ) -> int:
        problems = []
        if statut not in CAMPAGNE_STATUTS:
            problems.append(f"statut de campagne inconnu : « {statut} »")
        if date_ouverture and date_cloture and date_cloture < date_ouverture:
            problems.append("dates : la clôture précède l'ouverture")
        for fid, cents in (enveloppes or {}).items():
            if cents < 0:
                problems.append(f"enveloppe du financeur {fid} : montant négatif")
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            if s.get(Contrat, contrat_id) is None:
                raise NotFoundError(f"contrat {contrat_id} introuvable")
            c = Campagne(
                contrat_id=contrat_id,
                annee=annee,
                libelle=libelle,
                statut=statut,
                date_ouverture=date_ouverture,
                date_cloture=date_cloture,
                updated_by=self.user,
            )
            c.enveloppes = [
                Enveloppe(financeur_id=fid, montant_cents=cents) for fid, cents in (enveloppes or {}).items()
            ]
            c.recevabilite_items = [
                RecevabiliteItem(libelle=t, position=n) for n, t in enumerate(recevabilite)
            ]
            s.add(c)
            s.flush()
            audit.record(s, self.user, "campagne", c.id, "create", {"annee": annee})
            return c.id

    def all(self) -> list[CampagneRow]:
        """Every campagne, by contrat, latest first (the SQL the main window's first paint runs)."""
        with self.db.session() as s:
            return campagne_rows(session_execute(s))

    def get(self, campagne_id: int) -> CampagneRow:
        for row in self.all():
            if row.id == campagne_id:
                return row
        raise NotFoundError(f"campagne {campagne_id} introuvable")

    def enveloppes(self, campagne_id: int) -> list[EnveloppeRow]:
        from instructeur.storage.models import Financeur

        with self.db.session() as s:
            return [
                EnveloppeRow(f.id, f.code, f.nom, e.montant_cents)
                for e, f in s.execute(
                    select(Enveloppe, Financeur)
                    .join(Financeur, Financeur.id == Enveloppe.financeur_id)
                    .where(Enveloppe.campagne_id == campagne_id)
                    .order_by(Financeur.position, Financeur.id)
                )
            ]

    # --- Paramètres: editing a campagne ------------------------------------------------------

    def detail(self, campagne_id: int) -> CampagneDetail:
        with self.db.session() as s:
            c = _campagne(s, campagne_id)
            return CampagneDetail(
                c.id, c.contrat_id, c.annee, c.libelle, c.statut, c.date_ouverture, c.date_cloture, c.version
            )

    def update(
        self,
        campagne_id: int,
        expected_version: int,
        libelle: str,
        statut: str,
        date_ouverture: date | None,
        date_cloture: date | None,
        *,
        annee: int | None = None,
    ) -> int:
        """Libellé, statut, dates (and année); returns the new version. Refused when someone else
        saved the campagne since `expected_version` was read."""
        problems = []
        if not libelle.strip():
            problems.append("libellé de la campagne : obligatoire")
        if statut not in CAMPAGNE_STATUTS:
            problems.append(f"statut de campagne inconnu : « {statut} »")
        if date_ouverture and date_cloture and date_cloture < date_ouverture:
            problems.append("dates : la clôture précède l'ouverture")
        if annee is not None and not 1990 <= annee <= 2100:
            problems.append(f"année invalide : {annee}")
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            c = _campagne(s, campagne_id)
            if c.version != expected_version:
                raise audit.concurrent_edit(
                    f"La campagne « {c.libelle} {c.annee} »", c.updated_by, c.updated_at
                )
            new: dict[str, object] = {
                "libelle": libelle.strip(),
                "statut": statut,
                "date_ouverture": date_ouverture,
                "date_cloture": date_cloture,
                "annee": c.annee if annee is None else annee,
            }
            changes = {k: [getattr(c, k), v] for k, v in new.items() if getattr(c, k) != v}
            if not changes:
                return c.version
            _check_unique(s, c.contrat_id, c.annee if annee is None else annee, libelle.strip(), c.id)
            for k, v in new.items():
                setattr(c, k, v)
            c.updated_by = self.user
            s.flush()
            audit.record(s, self.user, "campagne", c.id, "update", changes)
            return c.version

    def set_statut(self, campagne_id: int, statut: str, expected_version: int) -> int:
        """Only the statut (« Passer la campagne en … » of the tableau de bord); same checks,
        journal line and concurrency refusal as `update`."""
        d = self.detail(campagne_id)
        if d.version != expected_version:
            with self.db.session() as s:
                c = _campagne(s, campagne_id)
                raise audit.concurrent_edit(
                    f"La campagne « {c.libelle} {c.annee} »", c.updated_by, c.updated_at
                )
        return self.update(campagne_id, expected_version, d.libelle, statut, d.date_ouverture, d.date_cloture)

    def enveloppes_suivi(self, campagne_id: int) -> list[EnveloppeSuivi]:
        """Every financeur of the contrat (in order) with its enveloppe and the voté so far."""
        from instructeur.services.synthese import live_figures, load_live

        with self.db.session() as s:
            figures = live_figures(load_live(s, campagne_id))
        return [
            EnveloppeSuivi(e.financeur_id, e.code, e.nom, e.has_enveloppe, e.enveloppe_cents, e.vote_cents)
            for e in figures.enveloppes
        ]

    def save_enveloppes(self, campagne_id: int, montants: dict[int, int]) -> None:
        """The enveloppe of each financeur given, in cents (0 is an enveloppe of zero; financeurs
        not given keep theirs)."""
        with self.db.session() as s:
            c = _campagne(s, campagne_id)
            financeurs = {
                f.id: f for f in s.scalars(select(Financeur).where(Financeur.contrat_id == c.contrat_id))
            }
            problems = []
            for fid, cents in montants.items():
                f = financeurs.get(fid)
                if f is None:
                    problems.append(
                        f"enveloppe : le financeur {fid} n'appartient pas au contrat de la campagne"
                    )
                elif cents < 0:
                    problems.append(f"enveloppe {f.code} : le montant ne peut pas être négatif")
            if problems:
                raise ValidationError(problems)
            existing = {e.financeur_id: e for e in c.enveloppes}
            changes: dict[str, object] = {}
            for fid, cents in montants.items():
                e = existing.get(fid)
                if e is None:
                    c.enveloppes.append(
                        Enveloppe(financeur_id=fid, montant_cents=cents, updated_by=self.user)
                    )
                    changes[financeurs[fid].code] = [None, cents]
                elif e.montant_cents != cents:
                    changes[financeurs[fid].code] = [e.montant_cents, cents]
                    e.montant_cents = cents
                    e.updated_by = self.user
            if changes:
                s.flush()
                audit.record(s, self.user, "campagne", c.id, "enveloppes", changes)

    def recevabilite_items(self, campagne_id: int) -> list[RecevabiliteItemRow]:
        with self.db.session() as s:
            c = _campagne(s, campagne_id)
            counts = _check_counts(s, [i.id for i in c.recevabilite_items])
            return [
                RecevabiliteItemRow(i.id, i.libelle, i.obligatoire, counts.get(i.id, 0))
                for i in c.recevabilite_items
            ]

    def save_recevabilite_items(self, campagne_id: int, items: list[RecevabiliteItemEdit]) -> list[int]:
        """The campagne's recevabilité list becomes `items`, in this order.

        An item already ticked or commented on dossiers cannot be removed: the save is refused
        with a message naming it (rewording it is allowed and keeps the dossiers' checks), so that
        no dossier silently loses a check it passed.
        """
        problems = [
            f"recevabilité ligne {n} : libellé obligatoire"
            for n, i in enumerate(items, 1)
            if not i.libelle.strip()
        ]
        problems += [
            f"recevabilité ligne {n} : libellé trop long (300 caractères au plus)"
            for n, i in enumerate(items, 1)
            if len(i.libelle.strip()) > 300
        ]
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            c = _campagne(s, campagne_id)
            existing = {i.id: i for i in c.recevabilite_items}
            unknown = [i.id for i in items if i.id is not None and i.id not in existing]
            if unknown:
                raise NotFoundError(f"critère de recevabilité {unknown[0]} introuvable dans cette campagne")
            kept = {i.id for i in items if i.id is not None}
            removed = [i for iid, i in existing.items() if iid not in kept]
            counts = _check_counts(s, [i.id for i in removed])
            refused = [
                f"recevabilité « {i.libelle} » : suppression impossible, {counts[i.id]} dossier"
                f"{'s' if counts[i.id] > 1 else ''} l'{'ont' if counts[i.id] > 1 else 'a'} déjà vérifié "
                "(vous pouvez le renommer ou le rendre facultatif)"
                for i in removed
                if counts.get(i.id)
            ]
            if refused:
                raise ValidationError(refused)
            before = [(i.libelle, i.obligatoire) for i in c.recevabilite_items]
            for i in removed:
                c.recevabilite_items.remove(i)
            ids: list[int] = []
            ordered: list[RecevabiliteItem] = []
            for n, item in enumerate(items):
                row = existing[item.id] if item.id is not None else RecevabiliteItem(campagne_id=c.id)
                row.libelle, row.obligatoire, row.position = item.libelle.strip(), item.obligatoire, n
                ordered.append(row)
            c.recevabilite_items = ordered
            s.flush()
            ids = [r.id for r in ordered]
            after = [(i.libelle.strip(), i.obligatoire) for i in items]
            if before != after:
                audit.record(
                    s, self.user, "campagne", c.id, "recevabilite", {"avant": before, "apres": after}
                )
            return ids

    def create_checked(
        self,
        contrat_id: int,
        annee: int,
        *,
        libelle: str = "Appel à projets",
        enveloppes: dict[int, int] | None = None,
    ) -> int:
        """`create` with a French refusal (instead of a constraint error) when the contrat already
        has a campagne of this libellé this year."""
        if not libelle.strip():
            raise ValidationError(["libellé de la campagne : obligatoire"])
        if not 1990 <= annee <= 2100:
            raise ValidationError([f"année invalide : {annee}"])
        with self.db.session() as s:
            _check_unique(s, contrat_id, annee, libelle.strip(), None)
        return self.create(contrat_id, annee, libelle=libelle.strip(), enveloppes=enveloppes)

    def copy_from(self, source_campagne_id: int, annee: int, *, libelle: str | None = None) -> int:
        """A new campagne of the same contrat for `annee`, starting from the source's enveloppes,
        recevabilité list, grille d'analyse (latest version) and cotation F/H settings; statut
        « en préparation », no dates, no dossiers."""
        from instructeur.services.grilles import GrilleService, cotation_key, latest_grille_id

        with self.db.session() as s:
            src = _campagne(s, source_campagne_id)
            if libelle is None:
                libelle = src.libelle.replace(str(src.annee), str(annee))
            has_grille = latest_grille_id(s, src.id) is not None
            contrat_id = src.contrat_id
            enveloppes = {e.financeur_id: e.montant_cents for e in src.enveloppes}
            items = [(i.libelle, i.obligatoire) for i in src.recevabilite_items]
            cotation = s.get(Setting, cotation_key(src.id))
            cotation_json = cotation.value if cotation is not None else None
            _check_unique(s, contrat_id, annee, libelle.strip(), None)
        new_id = self.create(
            contrat_id, annee, libelle=libelle.strip(), enveloppes=enveloppes, recevabilite=()
        )
        with self.db.session() as s:
            c = _campagne(s, new_id)
            c.recevabilite_items = [
                RecevabiliteItem(libelle=t, obligatoire=o, position=n) for n, (t, o) in enumerate(items)
            ]
            if cotation_json is not None:
                s.add(Setting(key=cotation_key(new_id), value=cotation_json))
            audit.record(s, self.user, "campagne", new_id, "copie", {"source": source_campagne_id})
        if has_grille:
            GrilleService(self.db, self.user).copy_from(new_id, source_campagne_id)
        return new_id


def _campagne(s: Session, campagne_id: int) -> Campagne:
    c = s.get(Campagne, campagne_id)
    if c is None:
        raise NotFoundError(f"campagne {campagne_id} introuvable")
    return c


def _check_unique(s: Session, contrat_id: int, annee: int, libelle: str, campagne_id: int | None) -> None:
    other = s.scalar(
        select(Campagne.id).where(
            Campagne.contrat_id == contrat_id,
            Campagne.annee == annee,
            Campagne.libelle == libelle,
            Campagne.id != (campagne_id or 0),
        )
    )
    if other is not None:
        raise ValidationError([f"campagne : « {libelle} » existe déjà en {annee} pour ce contrat"])


def _check_counts(s: Session, item_ids: list[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    rows = s.execute(
        select(RecevabiliteCheck.item_id, func.count())
        .where(
            RecevabiliteCheck.item_id.in_(item_ids),
            (RecevabiliteCheck.ok.is_(True)) | (RecevabiliteCheck.commentaire.is_not(None)),
        )
        .group_by(RecevabiliteCheck.item_id)
    )
    return {int(i): int(n) for i, n in rows}
