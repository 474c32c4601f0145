"""Contrats: built from a référentiel, with their quartiers, cadre stratégique and financeurs.

The cadre's trees live in services/cadre.py, the financeurs' rules in services/financeurs.py (their
names are re-exported here for the modules that import them from this one)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from instructeur.domain.identifiers import (
    normalize_qpv_code,
    normalize_siren,
    qpv_code_problem,
    siren_problem,
)
from instructeur.errors import NotFoundError, UserError, ValidationError
from instructeur.referentiels import Referentiel
from instructeur.services import audit
from instructeur.services.cadre import CadreService, add_links, add_tree
from instructeur.services.cadre import ObjectifRow as ObjectifRow
from instructeur.services.financeurs import FINANCEUR_TYPE_LABELS as FINANCEUR_TYPE_LABELS
from instructeur.services.financeurs import FinanceurData as FinanceurData
from instructeur.services.financeurs import FinanceurEdit as FinanceurEdit
from instructeur.services.financeurs import FinanceurRow as FinanceurRow
from instructeur.services.financeurs import FinanceurUsage as FinanceurUsage
from instructeur.services.financeurs import (
    clean_siret,
    counts,
    financeur_problems,
    financeur_usage,
    save_financeurs,
)
from instructeur.services.financeurs import default_financeurs as default_financeurs
from instructeur.storage.db import Database
from instructeur.storage.models import (
    AxeTransversal,
    Classification,
    Commune,
    Contrat,
    Financeur,
    Quartier,
    QuartierAlias,
    Signataire,
    dossier_quartier,
)

QUARTIER_KIND_LABELS = {
    "qpv": "QPV",
    "veille": "Quartier de veille",
    "vecu": "Quartier vécu",
    "fragile": "Quartier fragile",
}


@dataclass(frozen=True)
class QuartierEdit:
    """A quartier as edited in the Paramètres: `id` None for a new one."""

    id: int | None
    type: str
    nom: str
    code: str | None = None
    population: int | None = None
    communes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    version: int | None = None


@dataclass(frozen=True)
class ContratDetail:
    id: int
    nom: str
    epci_nom: str
    epci_siren: str | None
    periode: tuple[int, int]
    niveaux: tuple[str, ...]
    referentiel_code: str | None
    signataires: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class QuartierRow:
    id: int
    type: str
    code: str | None
    nom: str
    population: int | None
    communes: tuple[str, ...]
    aliases: tuple[str, ...]
    version: int = 1
    dossiers: int = 0


@dataclass(frozen=True)
class ContratRow:
    id: int
    nom: str
    epci_nom: str
    periode: tuple[int, int]
    niveaux: tuple[str, ...]


class ContratService:
    def __init__(self, db: Database, user: str | None = None) -> None:
        self.db = db
        self.user = user or audit.current_user()

    def create_from_referentiel(
        self, ref: Referentiel, financeurs: list[FinanceurData] | None = None, nom: str | None = None
    ) -> int:
        """A new contrat carrying the référentiel verbatim: communes, QPV and other quartiers,
        cadre stratégique, axes transversaux, signataires."""
        with self.db.session() as s:
            contrat = Contrat(
                nom=nom or ref.contrat_nom,
                epci_nom=ref.epci_nom,
                epci_siren=ref.epci_siren,
                periode_debut=ref.periode[0],
                periode_fin=ref.periode[1],
                referentiel_code=ref.code,
                niveaux=" | ".join(ref.niveaux),
                updated_by=self.user,
            )
            s.add(contrat)
            communes: dict[str, Commune] = {}

            def commune(name: str) -> Commune:
                if name not in communes:
                    communes[name] = Commune(nom=name)
                    contrat.communes.append(communes[name])
                return communes[name]

            for name in ref.communes:
                commune(name)
            for q in ref.qpv:
                contrat.quartiers.append(
                    Quartier(
                        type="qpv",
                        code=q.code,
                        nom=q.nom,
                        population=q.population,
                        communes=[commune(c) for c in q.communes],
                        aliases=[QuartierAlias(alias=a) for a in q.aliases],
                    )
                )
            for o in ref.quartiers:
                contrat.quartiers.append(
                    Quartier(type=o.type, nom=o.nom, communes=[commune(c) for c in o.communes])
                )
            s.flush()
            self._add_cadre(s, contrat.id, ref)
            for n, titre in enumerate(ref.axes_transversaux):
                contrat.axes_transversaux.append(AxeTransversal(titre=titre, position=n))
            for n, nom_signataire in enumerate(ref.signataires):
                contrat.signataires.append(Signataire(nom=nom_signataire, position=n))
            for n, f in enumerate(financeurs or []):
                contrat.financeurs.append(
                    Financeur(
                        code=f.code, nom=f.nom, type=f.type, siret=clean_siret(f.siret), position=n, updated_by=self.user
                    )
                )
            s.flush()
            audit.record(s, self.user, "contrat", contrat.id, "create", {"referentiel": ref.code})
            return contrat.id

    @staticmethod
    def _add_cadre(s: Session, contrat_id: int, ref: Referentiel) -> None:
        """The référentiel's main cadre, its classifications and the links between them."""
        ids = add_tree(s, contrat_id, ref.cadre)
        for n, k in enumerate(ref.classifications):
            classification = Classification(
                contrat_id=contrat_id, code=k.code, nom=k.nom, niveaux=" | ".join(k.niveaux), position=n
            )
            s.add(classification)
            s.flush()
            ids.update(add_tree(s, contrat_id, k.noeuds, classification.id))
        add_links(s, ref.liens, ids)

    def all(self) -> list[ContratRow]:
        with self.db.session() as s:
            return [_contrat_row(c) for c in s.scalars(select(Contrat).order_by(Contrat.nom))]

    def get(self, contrat_id: int) -> ContratRow:
        with self.db.session() as s:
            c = s.get(Contrat, contrat_id)
            if c is None:
                raise NotFoundError(f"contrat {contrat_id} introuvable")
            return _contrat_row(c)

    def financeurs(self, contrat_id: int) -> list[FinanceurRow]:
        with self.db.session() as s:
            return [
                FinanceurRow(f.id, f.code, f.nom, f.type, f.siret)
                for f in s.scalars(
                    select(Financeur)
                    .where(Financeur.contrat_id == contrat_id)
                    .order_by(Financeur.position, Financeur.id)
                )
            ]

    def quartiers(self, contrat_id: int) -> list[QuartierRow]:
        from sqlalchemy.orm import selectinload

        with self.db.session() as s:
            counts: dict[int, int] = {
                int(qid): int(n)
                for qid, n in s.execute(
                    select(dossier_quartier.c.quartier_id, func.count())
                    .join(Quartier, Quartier.id == dossier_quartier.c.quartier_id)
                    .where(Quartier.contrat_id == contrat_id)
                    .group_by(dossier_quartier.c.quartier_id)
                )
            }
            rows = s.scalars(
                select(Quartier)
                .where(Quartier.contrat_id == contrat_id)
                .options(selectinload(Quartier.communes), selectinload(Quartier.aliases))
                .order_by(Quartier.type != "qpv", Quartier.nom)
            )
            return [
                QuartierRow(
                    q.id,
                    q.type,
                    q.code,
                    q.nom,
                    q.population,
                    tuple(c.nom for c in q.communes),
                    tuple(a.alias for a in q.aliases),
                    q.version,
                    counts.get(q.id, 0),
                )
                for q in rows
            ]

    def objectifs(self, contrat_id: int) -> list[ObjectifRow]:
        """The main cadre stratégique, depth-first (services/cadre.py has the whole API)."""
        return CadreService(self.db, self.user).objectifs(contrat_id)

    def count_objectifs(self, contrat_id: int) -> int:
        return CadreService(self.db, self.user).count_objectifs(contrat_id)

    # --- Paramètres: editing a contrat -------------------------------------------------------

    def detail(self, contrat_id: int) -> ContratDetail:
        with self.db.session() as s:
            c = _contrat(s, contrat_id)
            return ContratDetail(
                c.id,
                c.nom,
                c.epci_nom,
                c.epci_siren,
                (c.periode_debut, c.periode_fin),
                _contrat_row(c).niveaux,
                c.referentiel_code,
                tuple(sg.nom for sg in c.signataires),
                c.version,
            )

    def create_empty(
        self,
        nom: str,
        *,
        epci_nom: str = "",
        epci_siren: str | None = None,
        periode: tuple[int, int] = (2024, 2030),
        financeurs: list[FinanceurData] | None = None,
    ) -> int:
        """A contrat without référentiel: quartiers and cadre to be entered or imported later."""
        problems = _contrat_problems(nom, epci_siren, periode)
        problems += financeur_problems(
            [FinanceurEdit(None, f.code, f.nom, f.type, siret=f.siret) for f in financeurs or []]
        )
        if problems:
            raise ValidationError(problems)
        with self.db.session() as s:
            contrat = Contrat(
                nom=nom.strip(),
                epci_nom=epci_nom.strip(),
                epci_siren=normalize_siren(epci_siren) if epci_siren and epci_siren.strip() else None,
                periode_debut=periode[0],
                periode_fin=periode[1],
                niveaux="Axe | Objectif stratégique | Objectif opérationnel",
                updated_by=self.user,
            )
            for n, f in enumerate(financeurs or []):
                contrat.financeurs.append(
                    Financeur(
                        code=f.code.strip().upper(),
                        nom=f.nom.strip(),
                        type=f.type,
                        siret=clean_siret(f.siret),
                        position=n,
                        updated_by=self.user,
                    )
                )
            s.add(contrat)
            s.flush()
            audit.record(
                s, self.user, "contrat", contrat.id, "create", {"referentiel": None, "nom": contrat.nom}
            )
            return contrat.id

    def update_contrat(
        self,
        contrat_id: int,
        expected_version: int,
        nom: str,
        epci_nom: str,
        epci_siren: str | None,
        periode: tuple[int, int],
    ) -> int:
        """Identification of the contrat; returns the new version. Refused (nothing written) when
        someone else saved it since `expected_version` was read."""
        problems = _contrat_problems(nom, epci_siren, periode)
        if problems:
            raise ValidationError(problems)
        siren = normalize_siren(epci_siren) if epci_siren and epci_siren.strip() else None
        with self.db.session() as s:
            c = _contrat(s, contrat_id)
            if c.version != expected_version:
                raise audit.concurrent_edit(f"Le contrat « {c.nom} »", c.updated_by, c.updated_at)
            new = {
                "nom": nom.strip(),
                "epci_nom": epci_nom.strip(),
                "epci_siren": siren,
                "periode_debut": periode[0],
                "periode_fin": periode[1],
            }
            changes = {k: [getattr(c, k), v] for k, v in new.items() if getattr(c, k) != v}
            if not changes:
                return c.version
            for k, v in new.items():
                setattr(c, k, v)
            c.updated_by = self.user
            s.flush()
            audit.record(s, self.user, "contrat", c.id, "update", changes)
            return c.version

    def save_signataires(self, contrat_id: int, names: list[str]) -> None:
        """The signataires of the contrat, in this order (empty lines ignored)."""
        cleaned = [n.strip() for n in names if n.strip()]
        with self.db.session() as s:
            c = _contrat(s, contrat_id)
            old = [sg.nom for sg in c.signataires]
            if old == cleaned:
                return
            c.signataires.clear()
            s.flush()
            for n, nom in enumerate(cleaned):
                c.signataires.append(Signataire(nom=nom, position=n))
            audit.record(s, self.user, "contrat", c.id, "signataires", {"avant": old, "apres": cleaned})

    # --- financeurs --------------------------------------------------------------------------

    def financeur_usage(self, contrat_id: int) -> dict[int, FinanceurUsage]:
        with self.db.session() as s:
            return financeur_usage(s, contrat_id)

    def financeur_versions(self, contrat_id: int) -> dict[int, int]:
        with self.db.session() as s:
            return counts(
                s.execute(select(Financeur.id, Financeur.version).where(Financeur.contrat_id == contrat_id))
            )

    def save_financeurs(self, contrat_id: int, rows: list[FinanceurEdit]) -> list[int]:
        """The contrat's financeurs become `rows` (services/financeurs.py: save_financeurs)."""
        with self.db.session() as s:
            return save_financeurs(s, self.user, _contrat(s, contrat_id), rows)

    # --- quartiers ---------------------------------------------------------------------------

    def save_quartier(self, contrat_id: int, data: QuartierEdit) -> int:
        """Creates (`data.id` None) or updates a QPV / quartier de veille, vécu, fragile."""
        problems = _quartier_problems(data)
        if problems:
            raise ValidationError(problems)
        code = (
            normalize_qpv_code(data.code) if data.type == "qpv" and data.code and data.code.strip() else None
        )
        nom = data.nom.strip()
        with self.db.session() as s:
            c = _contrat(s, contrat_id)
            same_name = s.scalar(
                select(Quartier.id).where(
                    Quartier.contrat_id == contrat_id,
                    Quartier.type == data.type,
                    Quartier.nom == nom,
                    Quartier.id != (data.id or 0),
                )
            )
            if same_name is not None:
                raise ValidationError([f"quartier « {nom} » : ce nom existe déjà pour ce type de quartier"])
            if code:
                same_code = s.scalar(
                    select(Quartier.nom).where(
                        Quartier.contrat_id == contrat_id,
                        Quartier.code == code,
                        Quartier.id != (data.id or 0),
                    )
                )
                if same_code is not None:
                    raise ValidationError([f"code QPV {code} : déjà attribué à « {same_code} »"])
            if data.id is None:
                q = Quartier(contrat_id=contrat_id, type=data.type, nom=nom, updated_by=self.user)
                s.add(q)
                action = "create"
            else:
                found = s.get(Quartier, data.id)
                if found is None or found.contrat_id != contrat_id:
                    raise NotFoundError(f"quartier {data.id} introuvable")
                q = found
                if data.version is not None and q.version != data.version:
                    raise audit.concurrent_edit(f"Le quartier « {q.nom} »", q.updated_by, q.updated_at)
                action = "update"
            communes = {cm.nom: cm for cm in c.communes}
            wanted: list[Commune] = []
            for name in dict.fromkeys(n.strip() for n in data.communes if n.strip()):
                if name not in communes:
                    communes[name] = Commune(nom=name)
                    c.communes.append(communes[name])
                wanted.append(communes[name])
            aliases = list(dict.fromkeys(a.strip() for a in data.aliases if a.strip()))
            before = {} if action == "create" else _quartier_state(q)
            q.type, q.nom, q.code, q.population = data.type, nom, code, data.population
            q.communes = wanted
            old_aliases = {a.alias: a for a in q.aliases}
            q.aliases = [old_aliases.get(a) or QuartierAlias(alias=a) for a in aliases]
            q.updated_by = self.user
            s.flush()
            after = _quartier_state(q)
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            if changes:
                audit.record(s, self.user, "quartier", q.id, action, changes)
            return q.id

    def delete_quartier(self, quartier_id: int) -> None:
        """Refused while dossiers target the quartier (their history would lose it)."""
        with self.db.session() as s:
            q = s.get(Quartier, quartier_id)
            if q is None:
                raise NotFoundError(f"quartier {quartier_id} introuvable")
            n = (
                s.scalar(
                    select(func.count())
                    .select_from(dossier_quartier)
                    .where(dossier_quartier.c.quartier_id == q.id)
                )
                or 0
            )
            if n:
                raise UserError(
                    f"Le quartier « {q.nom} » ne peut pas être supprimé : {n} dossier{'s' if n > 1 else ''} "
                    f"le cible{'nt' if n > 1 else ''}. Retirez-le d'abord de ces dossiers, ou ajoutez son "
                    "nouveau nom en alias."
                )
            state = _quartier_state(q)
            s.delete(q)
            audit.record(s, self.user, "quartier", quartier_id, "delete", state)


def _contrat(s: Session, contrat_id: int) -> Contrat:
    c = s.get(Contrat, contrat_id)
    if c is None:
        raise NotFoundError(f"contrat {contrat_id} introuvable")
    return c


def _contrat_problems(nom: str, epci_siren: str | None, periode: tuple[int, int]) -> list[str]:
    problems = []
    if not nom.strip():
        problems.append("nom du contrat : obligatoire")
    if epci_siren and epci_siren.strip():
        problem = siren_problem(epci_siren)
        if problem:
            problems.append(f"EPCI : {problem}")
    debut, fin = periode
    if not (1990 <= debut <= 2100 and 1990 <= fin <= 2100):
        problems.append(f"période : années invalides ({debut}–{fin})")
    elif debut > fin:
        problems.append(f"période : l'année de début ({debut}) suit l'année de fin ({fin})")
    return problems


def _quartier_problems(data: QuartierEdit) -> list[str]:
    problems = []
    label = data.nom.strip() or "sans nom"
    if data.type not in QUARTIER_KIND_LABELS:
        problems.append(f"quartier « {label} » : type « {data.type} » inconnu")
    if not data.nom.strip():
        problems.append("quartier : nom obligatoire")
    if data.code and data.code.strip():
        if data.type != "qpv":
            problems.append(f"quartier « {label} » : seul un QPV a un code officiel")
        else:
            problem = qpv_code_problem(data.code)
            if problem:
                problems.append(f"quartier « {label} » : {problem}")
    if data.population is not None and data.population < 0:
        problems.append(f"quartier « {label} » : la population ne peut pas être négative")
    return problems


def _quartier_state(q: Quartier) -> dict[str, object]:
    return {
        "type": q.type,
        "nom": q.nom,
        "code": q.code,
        "population": q.population,
        "communes": [c.nom for c in q.communes],
        "aliases": [a.alias for a in q.aliases],
    }


def _contrat_row(c: Contrat) -> ContratRow:
    return ContratRow(
        c.id,
        c.nom,
        c.epci_nom,
        (c.periode_debut, c.periode_fin),
        tuple(n.strip() for n in c.niveaux.split("|") if n.strip()),
    )
