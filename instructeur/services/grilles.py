"""Grille d'analyse of a campagne (criteria, versions, lock) and the cotation F/H settings.

**Notes are never corrupted by an edit of the grille.** Once an évaluation holds a note on a grille,
`save` accepts only wording changes (section, libellé, aide, level labels, order); a change of scale,
weight or éliminatoire flag, a deleted or an added criterion is refused with « La grille a déjà N
évaluations : créez une nouvelle version ». `new_version` copies the grille as version n + 1: the
évaluations already scored keep pointing to their version (their totals do not move), the
assignments not scored yet move to the new version, and new assignments use the latest version
(`EvaluateurService` picks the highest `numero_version`). A locked grille (`lock`) refuses
structural changes even before the first note.

Cotation F/H settings (levels, questions, rule) live in the `setting` table under
`cotation:<campagne_id>` as JSON; absent → the defaults of DESIGN.md §6.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from instructeur.domain import grille_defaut
from instructeur.domain.scoring import CotationSettings
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import Campagne, Critere, Evaluation, Grille, Note, Setting


@dataclass(frozen=True)
class CritereData:
    """One criterion as edited; `id` None for a new criterion, else the critère being edited."""

    libelle: str
    section: str = ""
    aide: str = ""
    poids: int = 1
    echelle_min: int = 0
    echelle_max: int = 3
    niveaux: tuple[str, ...] = ()  # labels min → max (empty, or one per level)
    eliminatoire: bool = False
    id: int | None = None


@dataclass(frozen=True)
class CritereDto:
    id: int
    position: int
    section: str
    libelle: str
    aide: str
    poids: int
    echelle_min: int
    echelle_max: int
    niveaux: tuple[str, ...]
    eliminatoire: bool

    def data(self) -> CritereData:
        return CritereData(
            self.libelle,
            self.section,
            self.aide,
            self.poids,
            self.echelle_min,
            self.echelle_max,
            self.niveaux,
            self.eliminatoire,
            self.id,
        )

    def level_label(self, value: int) -> str:
        index = value - self.echelle_min
        return self.niveaux[index] if 0 <= index < len(self.niveaux) else str(value)


@dataclass(frozen=True)
class GrilleDto:
    id: int
    campagne_id: int
    nom: str
    numero_version: int
    verrouillee: bool
    version: int  # optimistic locking
    criteres: tuple[CritereDto, ...]
    n_evaluations: int  # évaluations holding at least one note on this version
    versions: tuple[tuple[int, int], ...] = ()  # (grille id, numero_version) of the campagne, oldest first

    @property
    def sections(self) -> tuple[tuple[str, tuple[CritereDto, ...]], ...]:
        """Criteria grouped by section, sections in the order of their first criterion."""
        groups: dict[str, list[CritereDto]] = {}
        for c in self.criteres:
            groups.setdefault(c.section, []).append(c)
        return tuple((name, tuple(items)) for name, items in groups.items())

    @property
    def structure_frozen(self) -> bool:
        """True when only wording edits are allowed (scored or locked)."""
        return self.verrouillee or self.n_evaluations > 0


def critere_dto(c: Critere) -> CritereDto:
    return CritereDto(
        id=c.id,
        position=c.position,
        section=c.section,
        libelle=c.libelle,
        aide=c.aide,
        poids=c.poids,
        echelle_min=c.echelle_min,
        echelle_max=c.echelle_max,
        niveaux=tuple(json.loads(c.niveaux)) if c.niveaux else (),
        eliminatoire=c.eliminatoire,
    )


def validate_criteria(criteria: list[CritereData]) -> list[str]:
    problems: list[str] = []
    if not criteria:
        problems.append("grille : au moins un critère")
    for n, c in enumerate(criteria, start=1):
        name = f"critère {n} « {c.libelle.strip()} »" if c.libelle.strip() else f"critère {n}"
        if not c.libelle.strip():
            problems.append(f"{name} : libellé obligatoire")
        if c.poids < 0:
            problems.append(f"{name} : le poids ne peut pas être négatif")
        if c.echelle_min >= c.echelle_max:
            problems.append(f"{name} : l'échelle doit aller d'un minimum à un maximum plus grand")
        elif c.echelle_min < 0:
            problems.append(f"{name} : l'échelle commence à 0 ou plus")
        elif c.niveaux and len(c.niveaux) != c.echelle_max - c.echelle_min + 1:
            problems.append(
                f"{name} : {len(c.niveaux)} libellés de niveaux pour une échelle de "
                f"{c.echelle_max - c.echelle_min + 1} niveaux"
            )
    if criteria and not any(c.poids > 0 for c in criteria):
        problems.append("grille : au moins un critère doit avoir un poids")
    ids = [c.id for c in criteria if c.id is not None]
    if len(ids) != len(set(ids)):
        problems.append("grille : un critère apparaît deux fois")
    return problems


def default_criteria() -> list[CritereData]:
    """The default grille of DESIGN.md §6 (from `instructeur.domain.grille_defaut`)."""
    return [
        CritereData(
            libelle=c.libelle,
            section=c.section,
            aide=c.aide,
            poids=c.poids,
            echelle_min=c.echelle_min,
            echelle_max=c.echelle_max,
            niveaux=tuple(c.niveaux),
            eliminatoire=c.eliminatoire,
        )
        for c in grille_defaut.CRITERES
    ]


def latest_grille_id(s: Session, campagne_id: int) -> int | None:
    return s.scalar(
        select(Grille.id)
        .where(Grille.campagne_id == campagne_id)
        .order_by(Grille.numero_version.desc(), Grille.id.desc())
        .limit(1)
    )


def scored_count(s: Session, grille_id: int) -> int:
    """Évaluations holding at least one note on this grille."""
    return int(
        s.scalar(
            select(func.count(func.distinct(Note.evaluation_id)))
            .join(Evaluation, Evaluation.id == Note.evaluation_id)
            .where(Evaluation.grille_id == grille_id)
        )
        or 0
    )


def _niveaux_json(niveaux: tuple[str, ...]) -> str | None:
    return json.dumps([n.strip() for n in niveaux], ensure_ascii=False) if niveaux else None


def _new_critere(c: CritereData, position: int) -> Critere:
    return Critere(
        section=c.section.strip(),
        libelle=c.libelle.strip(),
        aide=c.aide.strip(),
        poids=c.poids,
        echelle_min=c.echelle_min,
        echelle_max=c.echelle_max,
        niveaux=_niveaux_json(c.niveaux),
        eliminatoire=c.eliminatoire,
        position=position,
    )


def _structural_changes(old: Critere, new: CritereData) -> list[str]:
    changes = []
    if (old.echelle_min, old.echelle_max) != (new.echelle_min, new.echelle_max):
        changes.append(
            f"« {old.libelle} » : échelle {old.echelle_min}–{old.echelle_max} → {new.echelle_min}–{new.echelle_max}"
        )
    if old.poids != new.poids:
        changes.append(f"« {old.libelle} » : poids {old.poids} → {new.poids}")
    if old.eliminatoire != new.eliminatoire:
        changes.append(f"« {old.libelle} » : caractère éliminatoire")
    return changes


class GrilleService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    # Reading

    def get_for_campagne(self, campagne_id: int) -> GrilleDto | None:
        """The campagne's latest grille version, None when it has none."""
        with self.db.session() as s:
            grille_id = latest_grille_id(s, campagne_id)
            return None if grille_id is None else self._dto(s, grille_id)

    def get(self, grille_id: int) -> GrilleDto:
        with self.db.session() as s:
            return self._dto(s, grille_id)

    # Writing

    def create_default(self, campagne_id: int) -> int:
        """Version 1 of the campagne's grille from the default criteria (refused if one exists)."""
        with self.db.session() as s:
            self._campagne(s, campagne_id)
            if latest_grille_id(s, campagne_id) is not None:
                raise UserError(
                    "cette campagne a déjà une grille d'analyse : modifiez-la ou créez une nouvelle version"
                )
            return self._create(s, campagne_id, grille_defaut.NOM, default_criteria(), {"defaut": True})

    def copy_from(self, campagne_id: int, source_campagne_id: int) -> int:
        """Copies the latest grille of another campagne: version 1 here, or version n + 1 when the
        campagne already has a grille (its scored évaluations keep their version)."""
        with self.db.session() as s:
            self._campagne(s, campagne_id)
            source_id = latest_grille_id(s, source_campagne_id)
            if source_id is None:
                raise NotFoundError(f"la campagne {source_campagne_id} n'a pas de grille d'analyse")
            source = self._load(s, source_id)
            criteria = [critere_dto(c).data() for c in source.criteres]
            criteria = [CritereData(**{**c.__dict__, "id": None}) for c in criteria]
            current = latest_grille_id(s, campagne_id)
            extra = {"copie_de_campagne": source_campagne_id, "grille_source": source_id}
            if current is None:
                return self._create(s, campagne_id, source.nom, criteria, extra)
            return self._copy_as_version(s, self._load(s, current), criteria, source.nom, extra)

    def new_version(self, grille_id: int) -> int:
        """Copies the grille as version n + 1 (n = the campagne's highest version); returns its id."""
        with self.db.session() as s:
            grille = self._load(s, grille_id)
            criteria = [
                CritereData(**{**critere_dto(c).data().__dict__, "id": None}) for c in grille.criteres
            ]
            return self._copy_as_version(
                s, grille, criteria, grille.nom, {"depuis_version": grille.numero_version}
            )

    def save(
        self, grille_id: int, expected_version: int, criteria: list[CritereData], nom: str | None = None
    ) -> int:
        """Replaces the criteria (ids keep existing ones, None adds); returns the grille's new version.

        Structural changes are refused once a note exists or the grille is locked (module doc)."""
        problems = validate_criteria(criteria)
        if nom is not None and not nom.strip():
            problems.append("grille : nom obligatoire")
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            grille = self._load(s, grille_id)
            if grille.version != expected_version:
                raise audit.concurrent_edit("La grille d'analyse", grille.updated_by, grille.updated_at)
            existing = {c.id: c for c in grille.criteres}
            unknown = [c.id for c in criteria if c.id is not None and c.id not in existing]
            if unknown:
                raise ValidationError([f"critère {i} : n'appartient pas à cette grille" for i in unknown])
            kept = {c.id for c in criteria if c.id is not None}
            structural: list[str] = []
            for c in criteria:
                if c.id is None:
                    structural.append(f"nouveau critère « {c.libelle.strip()} »")
                else:
                    structural.extend(_structural_changes(existing[c.id], c))
            structural.extend(f"« {c.libelle} » supprimé" for cid, c in existing.items() if cid not in kept)
            if structural:
                n = scored_count(s, grille_id)
                if n:
                    raise UserError(
                        f"La grille a déjà {n} évaluation{'s' if n > 1 else ''} : créez une nouvelle version "
                        f"(modifications refusées : {', '.join(structural)} ; seuls les libellés et les aides "
                        "restent modifiables)"
                    )
                if grille.verrouillee:
                    raise UserError(
                        "La grille est verrouillée : créez une nouvelle version "
                        f"(modifications refusées : {', '.join(structural)})"
                    )
            with s.no_autoflush:
                new_list: list[Critere] = []
                for position, c in enumerate(criteria):
                    if c.id is None:
                        new_list.append(_new_critere(c, position))
                        continue
                    row = existing[c.id]
                    row.section = c.section.strip()
                    row.libelle = c.libelle.strip()
                    row.aide = c.aide.strip()
                    row.poids = c.poids
                    row.echelle_min = c.echelle_min
                    row.echelle_max = c.echelle_max
                    row.niveaux = _niveaux_json(c.niveaux)
                    row.eliminatoire = c.eliminatoire
                    row.position = position
                    new_list.append(row)
                grille.criteres = new_list
                if nom is not None:
                    grille.nom = nom.strip()
                grille.updated_by = self.user
                grille.updated_at = datetime.now()  # the criteria are other rows: bump the version
            audit.record(
                s,
                self.user,
                "grille",
                grille.id,
                "update",
                {"criteres": [c.libelle.strip() for c in criteria], "structure": structural},
            )
            s.flush()
            return grille.version

    def lock(self, grille_id: int) -> int:
        """Freezes the structure (wording stays editable); returns the new version."""
        return self._set_lock(grille_id, True)

    def unlock(self, grille_id: int) -> int:
        """Lifts the lock; a scored grille still refuses structural changes."""
        return self._set_lock(grille_id, False)

    # Cotation F/H settings

    def cotation_settings(self, campagne_id: int) -> CotationSettings:
        with self.db.session() as s:
            return cotation_settings_of(s, campagne_id)

    def save_cotation_settings(self, campagne_id: int, settings: CotationSettings) -> None:
        problems = settings.problems()
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            self._campagne(s, campagne_id)
            key = cotation_key(campagne_id)
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=settings.to_json()))
            else:
                row.value = settings.to_json()
            audit.record(s, self.user, "campagne", campagne_id, "cotation", json.loads(settings.to_json()))

    # Internals

    def _set_lock(self, grille_id: int, locked: bool) -> int:
        with self.db.session() as s:
            grille = self._load(s, grille_id)
            if grille.verrouillee != locked:
                grille.verrouillee = locked
                grille.updated_by = self.user
                audit.record(s, self.user, "grille", grille.id, "lock" if locked else "unlock", {})
            s.flush()
            return grille.version

    def _create(
        self, s: Session, campagne_id: int, nom: str, criteria: list[CritereData], extra: Mapping[str, object]
    ) -> int:
        grille = Grille(campagne_id=campagne_id, nom=nom, numero_version=1, updated_by=self.user)
        grille.criteres = [_new_critere(c, n) for n, c in enumerate(criteria)]
        s.add(grille)
        s.flush()
        audit.record(s, self.user, "grille", grille.id, "create", {"campagne": campagne_id, **extra})
        return grille.id

    def _copy_as_version(
        self, s: Session, base: Grille, criteria: list[CritereData], nom: str, extra: Mapping[str, object]
    ) -> int:
        highest = s.scalar(
            select(func.max(Grille.numero_version)).where(Grille.campagne_id == base.campagne_id)
        )
        grille = Grille(
            campagne_id=base.campagne_id, nom=nom, numero_version=int(highest or 0) + 1, updated_by=self.user
        )
        grille.criteres = [_new_critere(c, n) for n, c in enumerate(criteria)]
        s.add(grille)
        s.flush()
        # Assignments not scored yet (on any older version of the campagne) follow the new version.
        scored = select(Note.evaluation_id)
        older = select(Grille.id).where(Grille.campagne_id == base.campagne_id, Grille.id != grille.id)
        moved = list(
            s.scalars(
                select(Evaluation.id).where(Evaluation.grille_id.in_(older), Evaluation.id.not_in(scored))
            )
        )
        if moved:
            s.execute(
                update(Evaluation)
                .where(Evaluation.id.in_(moved))
                .values(grille_id=grille.id, version=Evaluation.version + 1, updated_by=self.user)
                .execution_options(synchronize_session=False)
            )
        audit.record(
            s,
            self.user,
            "grille",
            grille.id,
            "create",
            {
                "campagne": base.campagne_id,
                "numero_version": grille.numero_version,
                "reaffectees": len(moved),
                **extra,
            },
        )
        return grille.id

    @staticmethod
    def _campagne(s: Session, campagne_id: int) -> Campagne:
        campagne = s.get(Campagne, campagne_id)
        if campagne is None:
            raise NotFoundError(f"campagne {campagne_id} introuvable")
        return campagne

    @staticmethod
    def _load(s: Session, grille_id: int) -> Grille:
        grille = s.get(Grille, grille_id, options=[selectinload(Grille.criteres)])
        if grille is None:
            raise NotFoundError(f"grille {grille_id} introuvable")
        return grille

    def _dto(self, s: Session, grille_id: int) -> GrilleDto:
        grille = self._load(s, grille_id)
        versions = tuple(
            (gid, int(n))
            for gid, n in s.execute(
                select(Grille.id, Grille.numero_version)
                .where(Grille.campagne_id == grille.campagne_id)
                .order_by(Grille.numero_version, Grille.id)
            )
        )
        return GrilleDto(
            id=grille.id,
            campagne_id=grille.campagne_id,
            nom=grille.nom,
            numero_version=grille.numero_version,
            verrouillee=grille.verrouillee,
            version=grille.version,
            criteres=tuple(critere_dto(c) for c in grille.criteres),
            n_evaluations=scored_count(s, grille.id),
            versions=versions,
        )


def cotation_key(campagne_id: int) -> str:
    return f"cotation:{campagne_id}"


def cotation_settings_of(s: Session, campagne_id: int) -> CotationSettings:
    row = s.get(Setting, cotation_key(campagne_id))
    return CotationSettings() if row is None else CotationSettings.from_json(row.value)
