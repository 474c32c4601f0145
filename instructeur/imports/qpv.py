"""Import of the official QPV list (ANCT file: one row per QPV × commune) into a contrat.

Header `code_qp;lib_qp;insee_reg;lib_reg;insee_dep;lib_dep;insee_com;lib_com;siren_epci;lib_epci`
(« ; » or « , », UTF-8 or Windows-1252, or the same columns in an .xlsx). Only the rows of the
contrat's territory are used (a commune of the contrat, or the contrat's EPCI SIREN). Each official
QPV is matched with a quartier of the contrat by code, name, alias, or a name containing the other;
its code is filled in, its communes linked (missing communes created, INSEE codes filled in). The
official QPV that match nothing are created as new quartiers (type qpv). All or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from instructeur.domain.identifiers import normalize_qpv_code, qpv_code_problem
from instructeur.errors import NotFoundError, UserError
from instructeur.imports.reader import Row, read_table
from instructeur.imports.values import RowProblem, key, text_of
from instructeur.services import audit
from instructeur.storage.db import Database
from instructeur.storage.models import Commune, Contrat, Quartier

__all__ = ["QpvImportRejected", "QpvImportResult", "import_qpv"]

COLUMNS = ("code_qp", "lib_qp", "insee_com", "lib_com", "siren_epci")
REQUIRED = ("code_qp", "lib_qp", "lib_com")


@dataclass(frozen=True)
class QpvImportResult:
    contrat: str
    updated: tuple[str, ...]  # « Damrémont : QN06201M »
    created: tuple[str, ...]
    unchanged: tuple[str, ...]
    ignored: tuple[str, ...]  # with the reason
    communes_created: tuple[str, ...]
    rows_outside: int  # rows of other territories
    dry_run: bool = False

    def summary(self) -> str:
        """« 4 QPV mis à jour (codes renseignés), 1 créé, 0 ignoré »."""
        created = f"{len(self.created)} créé{'s' if len(self.created) > 1 else ''}"
        ignored = f"{len(self.ignored)} ignoré{'s' if len(self.ignored) > 1 else ''}"
        text = f"{len(self.updated)} QPV mis à jour (codes renseignés), {created}, {ignored}"
        if self.unchanged:
            text += f", {len(self.unchanged)} déjà à jour"
        return text


class QpvImportRejected(UserError):
    def __init__(self, problems: Sequence[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problème(s) dans le fichier QPV : rien n'a été importé")
        self.problems = list(problems)


@dataclass
class _Official:
    code: str
    nom: str
    row: int
    communes: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # key → (nom, insee)


def _choose_contrat(s: Session, contrat_id: int | None) -> Contrat:
    if contrat_id is not None:
        contrat = s.get(Contrat, contrat_id)
        if contrat is None:
            raise NotFoundError(f"contrat {contrat_id} introuvable")
        return contrat
    contrats = list(s.scalars(select(Contrat).order_by(Contrat.id)))
    if len(contrats) == 1:
        return contrats[0]
    if not contrats:
        raise UserError("aucun contrat de ville dans cette base")
    choices = ", ".join(f"{c.id} ({c.nom})" for c in contrats)
    raise UserError(f"plusieurs contrats dans cette base : précisez --contrat parmi {choices}")


def _header(rows: Sequence[Row], file: str) -> tuple[int, dict[str, int]]:
    for row in rows[:20]:
        names = {key(text_of(c)).replace(" ", "_"): n for n, c in enumerate(row.cells) if c is not None}
        if "code_qp" in names and "lib_qp" in names:
            missing = [c for c in REQUIRED if c not in names]
            if missing:
                raise QpvImportRejected(
                    [RowProblem(file, row.number, None, f"colonne(s) manquante(s) : {', '.join(missing)}")]
                )
            return row.number, {c: names[c] for c in COLUMNS if c in names}
    raise QpvImportRejected(
        [RowProblem(file, 1, None, "en-têtes code_qp;lib_qp;…;insee_com;lib_com;siren_epci introuvables")]
    )


def _match(official: _Official, quartiers: list[Quartier], taken: set[int]) -> Quartier | None:
    free = [q for q in quartiers if q.id not in taken]
    wanted = key(official.nom)
    for q in free:
        if q.code and normalize_qpv_code(q.code) == official.code:
            return q
    for q in free:
        if q.type == "qpv" and (key(q.nom) == wanted or any(key(a.alias) == wanted for a in q.aliases)):
            return q
    containing = [
        q
        for q in free
        if q.type == "qpv"
        and any(n and (f" {n} " in f" {wanted} " or f" {wanted} " in f" {n} ") for n in _names(q))
    ]
    return containing[0] if len(containing) == 1 else None


def _names(q: Quartier) -> list[str]:
    return [key(q.nom), *(key(a.alias) for a in q.aliases)]


def import_qpv(
    db: Database,
    path: str | Path,
    contrat_id: int | None = None,
    user: str | None = None,
    *,
    dry_run: bool = False,
) -> QpvImportResult:
    user = user or audit.current_user()
    table = read_table(path)
    header_row, columns = _header(table.rows, table.name)
    try:
        return _import(db, table.name, table.rows, header_row, columns, contrat_id, user, dry_run)
    except _DryRun as done:
        return done.result


class _DryRun(Exception):
    def __init__(self, result: QpvImportResult) -> None:
        super().__init__("dry run")
        self.result = result


def _import(
    db: Database,
    file: str,
    rows: Sequence[Row],
    header_row: int,
    columns: dict[str, int],
    contrat_id: int | None,
    user: str,
    dry_run: bool,
) -> QpvImportResult:
    with db.session() as s:
        contrat = _choose_contrat(s, contrat_id)
        communes = {key(c.nom): c for c in contrat.communes}
        officials, outside = _officials(file, rows, header_row, columns, contrat, communes)
        quartiers = list(
            s.scalars(
                select(Quartier)
                .where(Quartier.contrat_id == contrat.id)
                .options(selectinload(Quartier.aliases), selectinload(Quartier.communes))
                .order_by(Quartier.type != "qpv", Quartier.nom)
            )
        )
        applied = _Apply(s, contrat, communes, user, file)
        taken: set[int] = set()
        for official in officials.values():
            applied.official(official, quartiers, taken)
        s.flush()
        result = QpvImportResult(
            contrat.nom,
            tuple(applied.updated),
            tuple(applied.created),
            tuple(applied.unchanged),
            tuple(applied.ignored),
            tuple(applied.communes_created),
            outside,
            dry_run,
        )
        if dry_run:
            raise _DryRun(result)  # leaves the transaction: rolled back
        return result


def _officials(
    file: str,
    rows: Sequence[Row],
    header_row: int,
    columns: dict[str, int],
    contrat: Contrat,
    communes: dict[str, Commune],
) -> tuple[dict[str, _Official], int]:
    """The official QPV of the contrat's territory (by commune or EPCI), and how many rows were
    outside it; a bad code refuses the whole file, each row named."""
    officials: dict[str, _Official] = {}
    problems: list[RowProblem] = []
    outside = 0
    for row in rows:
        if row.number <= header_row:
            continue

        def cell(name: str, row: Row = row) -> str:
            return text_of(row.get(columns[name])) if name in columns else ""

        in_territory = key(cell("lib_com")) in communes or (
            bool(contrat.epci_siren) and cell("siren_epci").replace(" ", "") == contrat.epci_siren
        )
        if not in_territory:
            outside += 1
            continue
        reason = qpv_code_problem(cell("code_qp"))
        if reason:
            problems.append(RowProblem(file, row.number, "code_qp", reason))
            continue
        code = normalize_qpv_code(cell("code_qp"))
        official = officials.setdefault(code, _Official(code, cell("lib_qp"), row.number))
        insee = cell("insee_com").zfill(5) if cell("insee_com") else None
        official.communes[key(cell("lib_com"))] = (cell("lib_com"), insee)
    if problems:
        raise QpvImportRejected(problems)
    return officials, outside


class _Apply:
    """Each official QPV onto the contrat's quartiers: matched, created or left alone, journaled."""

    def __init__(
        self, s: Session, contrat: Contrat, communes: dict[str, Commune], user: str, file: str
    ) -> None:
        self.s, self.contrat, self.communes, self.user, self.file = s, contrat, communes, user, file
        self.updated: list[str] = []
        self.created: list[str] = []
        self.unchanged: list[str] = []
        self.ignored: list[str] = []
        self.communes_created: list[str] = []

    def commune_of(self, name: str, insee: str | None) -> Commune:
        k = key(name)
        if k not in self.communes:
            self.communes[k] = Commune(nom=name, insee=insee)
            self.contrat.communes.append(self.communes[k])
            self.communes_created.append(name)
        commune = self.communes[k]
        if insee and not commune.insee:
            commune.insee = insee
        return commune

    def official(self, official: _Official, quartiers: list[Quartier], taken: set[int]) -> None:
        q = _match(official, quartiers, taken)
        linked = [self.commune_of(nom, insee) for nom, insee in official.communes.values()]
        if q is None:
            self._create(official, linked, quartiers, taken)
            return
        taken.add(q.id)
        if q.code and normalize_qpv_code(q.code) != official.code:
            self.ignored.append(f"{q.nom} : code {q.code} déjà renseigné, {official.code} dans le fichier")
            return
        missing = [c for c in linked if c not in q.communes]
        if q.code == official.code and not missing:
            self.unchanged.append(f"{q.nom} : {q.code}")
            return
        changes: dict[str, object] = {"code": [q.code, official.code], "import": self.file}
        if missing:
            changes["communes"] = [c.nom for c in missing]
        q.code = official.code
        q.communes.extend(missing)
        q.updated_by = self.user
        audit.record(self.s, self.user, "quartier", q.id, "update", changes)
        self.updated.append(f"{q.nom} : {q.code}")

    def _create(
        self, official: _Official, linked: list[Commune], quartiers: list[Quartier], taken: set[int]
    ) -> None:
        if any(key(other.nom) == key(official.nom) for other in quartiers):
            self.ignored.append(f"{official.nom} ({official.code}) : un quartier non QPV porte déjà ce nom")
            return
        q = Quartier(type="qpv", code=official.code, nom=official.nom, communes=linked, updated_by=self.user)
        self.contrat.quartiers.append(q)
        quartiers.append(q)
        self.s.flush()
        taken.add(q.id)
        audit.record(
            self.s, self.user, "quartier", q.id, "create", {"code": q.code, "nom": q.nom, "import": self.file}
        )
        self.created.append(f"{q.nom} : {q.code}")
