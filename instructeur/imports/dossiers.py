"""Import of dossiers from a spreadsheet: `preview` says what would happen, `apply` does it.

All or nothing: `apply` re-runs the preview inside its single transaction and writes nothing if any
row is rejected (`ImportRejected`). A dossier is recognised by its référence in the campagne: a
second import updates it (field-by-field diff) instead of duplicating it; porteurs are reused by
SIRET, then RNA, then exact raison sociale (when the row has no SIRET). Empty cells never erase
a stored value. Dossiers already decided (past « en comité ») are never modified.

Here: the context loaded once per import, the preview and the entry points; what each row will
do is planned in `dossiers_plan.py`, and written by `dossiers_write.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from instructeur.domain.text import fold
from instructeur.errors import NotFoundError, UserError
from instructeur.imports import presets, values
from instructeur.imports import value_map as value_maps
from instructeur.imports.dossiers_plan import ImportOptions, _Context, _Plan, _plan, _PorteurRef
from instructeur.imports.dossiers_write import OverlappedWriter, write_plan
from instructeur.imports.headers import (
    DEMANDE_PREFIX,
    Mapping,
    field_label,
    normalize_header,
    propose_mapping,
)
from instructeur.imports.reader import read_table
from instructeur.imports.results import (
    FieldChange,
    ImportPreview,
    ImportRejected,
    ImportResult,
    MappedColumn,
    PlannedDossier,
    Unmatched,
)
from instructeur.imports.values import RowProblem
from instructeur.services import audit
from instructeur.services.contrats import FinanceurRow
from instructeur.storage.db import Database
from instructeur.storage.guards import amount_ceiling
from instructeur.storage.models import Campagne, Dossier, Financeur, Objectif, Porteur, Quartier

__all__ = [
    "FieldChange",
    "ImportOptions",
    "ImportPreview",
    "ImportRejected",
    "ImportResult",
    "MappedColumn",
    "PlannedDossier",
    "RowProblem",
    "analyse",
    "apply",
    "value_choices",
    "campagne_financeurs",
    "preview",
    "propose_mapping",
    "read_table",
    "with_overrides",
]

def _load(s: Session, campagne_id: int, file: str) -> _Context:
    campagne = s.get(Campagne, campagne_id)
    if campagne is None:
        raise NotFoundError(f"campagne {campagne_id} introuvable")
    contrat_id = campagne.contrat_id
    financeurs = [
        FinanceurRow(f.id, f.code, f.nom, f.type)
        for f in s.scalars(
            select(Financeur)
            .where(Financeur.contrat_id == contrat_id)
            .order_by(Financeur.position, Financeur.id)
        )
    ]
    quartiers = list(
        s.scalars(
            select(Quartier)
            .where(Quartier.contrat_id == contrat_id)
            .options(selectinload(Quartier.aliases))
            .order_by(Quartier.nom)
        )
    )
    # the main cadre only: an ambition of an additional classification is no objectif principal
    objectifs = list(
        s.scalars(
            select(Objectif).where(Objectif.contrat_id == contrat_id, Objectif.classification_id.is_(None))
        )
    )
    dossiers = {
        d.reference: d
        for d in s.scalars(
            select(Dossier)
            .where(Dossier.campagne_id == campagne_id)
            .options(selectinload(Dossier.lignes), selectinload(Dossier.quartiers))
        )
    }
    by_siret: dict[str, _PorteurRef] = {}
    by_rna: dict[str, _PorteurRef] = {}
    by_name: dict[str, _PorteurRef] = {}
    names: dict[int, str] = {}
    for pid, nom, siret, rna in s.execute(
        select(Porteur.id, Porteur.raison_sociale, Porteur.siret, Porteur.rna)
    ):
        ref = _PorteurRef(nom, id=pid)
        names[pid] = nom
        if siret:
            by_siret[siret] = ref
        if rna:
            by_rna[rna] = ref
        by_name.setdefault(fold(nom), ref)
    return _Context(
        file=file,
        campagne=campagne,
        financeurs=financeurs,
        quartiers=values.QuartierIndex(quartiers),
        objectifs=values.ObjectifIndex(objectifs),
        dossiers=dossiers,
        by_siret=by_siret,
        by_rna=by_rna,
        by_name=by_name,
        names=names,
        ceiling_cents=amount_ceiling(s),
    )


def campagne_financeurs(db: Database, campagne_id: int) -> list[FinanceurRow]:
    """The financeurs of the campagne's contrat (to call `propose_mapping`)."""
    with db.sessions() as s:
        return _load(s, campagne_id, "").financeurs


def with_overrides(
    mapping: Mapping, overrides: dict[str, str], financeurs: Sequence[FinanceurRow]
) -> Mapping:
    """Apply « CHAMP=COLONNE » choices: COLONNE is a header text, a letter (« C ») or a number
    (« 3 »); an empty COLONNE removes the field. CHAMP is a field key (« siret », « demande:CAF »)
    or a recognised header (« N° SIRET »)."""
    from instructeur.imports.headers import SYNONYMS, match_header

    columns = dict(mapping.columns)
    for champ, colonne in overrides.items():
        key = champ.strip()
        if key not in SYNONYMS and not key.startswith(DEMANDE_PREFIX):
            found = match_header(key, financeurs)
            if found is None:
                raise UserError(f"--mapping : champ inconnu « {champ} » (voir docs/IMPORT.md)")
            key = found
        if key.startswith(DEMANDE_PREFIX) and key[len(DEMANDE_PREFIX) :] not in {f.code for f in financeurs}:
            raise UserError(
                f"--mapping : financeur inconnu « {key[len(DEMANDE_PREFIX) :]} » "
                f"(financeurs : {', '.join(f.code for f in financeurs)})"
            )
        columns.pop(key, None)
        if colonne.strip():
            columns[key] = _column_index(mapping, colonne.strip())
    used = set(columns.values())
    unrecognised = tuple(c for c, t in enumerate(mapping.headers) if t and c not in used)
    unknown = tuple(c for c in mapping.unknown_amounts if c not in used)
    return replace(mapping, columns=columns, unrecognised=unrecognised, unknown_amounts=unknown)


def _column_index(mapping: Mapping, colonne: str) -> int:
    wanted = normalize_header(colonne)
    for n, text in enumerate(mapping.headers):
        if text and normalize_header(text) == wanted:
            return n
    if colonne.isdigit() and int(colonne) >= 1:
        return int(colonne) - 1
    if colonne.isalpha() and len(colonne) <= 3:
        index = 0
        for char in colonne.upper():
            index = index * 26 + ord(char) - ord("A") + 1
        return index - 1
    raise UserError(f"--mapping : colonne « {colonne} » introuvable dans la ligne d'en-têtes")


# --- Public API ------------------------------------------------------------------------------


def _preview_of(ctx: _Context, plan: _Plan, prepared: presets.Prepared) -> ImportPreview:
    mapping = plan.mapping
    names = {ref.name for ref in plan.new_porteurs}
    return ImportPreview(
        file=ctx.file,
        header_row=mapping.header_row,
        columns=tuple(
            sorted(
                (
                    MappedColumn(key, field_label(key, ctx.financeurs), column, mapping.header(column))
                    for key, column in mapping.columns.items()
                ),
                key=lambda m: m.column,
            )
        ),
        unrecognised=tuple(mapping.header(c) for c in (*mapping.unrecognised, *mapping.unknown_amounts)),
        to_create=tuple(
            PlannedDossier(c.row, c.data.reference, c.data.intitule, c.porteur.name) for c in plan.creates
        ),
        to_update=tuple(
            PlannedDossier(
                u.row,
                u.dossier.reference,
                str(u.scalars.get("intitule", u.dossier.intitule)),
                u.porteur.name if u.porteur else ctx.names.get(u.dossier.porteur_id, ""),
                tuple(u.changes),
            )
            for u in plan.updates
        ),
        unchanged=tuple(plan.unchanged),
        rejected=tuple(sorted(plan.problems, key=lambda p: (p.row, _position(mapping, p.column)))),
        totals_rows=tuple(plan.totals),
        porteurs_to_create=tuple(sorted(names)),
        porteurs_reused=tuple(sorted(set(plan.reused_porteurs.values()))),
        mapping=mapping,
        preset=prepared.preset,
        notes=prepared.notes,
        warnings=tuple(plan.warnings),
        unmatched=tuple(
            Unmatched(f, v, tuple(rows), tuple(_suggest(ctx, f, v)))
            for (f, _k), (v, rows) in plan.unmatched.items()
        ),
        siret_conflicts=tuple(plan.conflicts.values()),
    )


def _suggest(ctx: _Context, field_key: str, value: str) -> list[str]:
    return ctx.quartiers.suggest(value) if field_key == "quartiers" else ctx.objectifs.suggest(value)


def _position(mapping: Mapping, column: str | None) -> int:
    """Problems of a row in the order of the columns (row-level problems last)."""
    if column is None:
        return 10_000
    for n in range(len(mapping.headers)):
        if mapping.header(n) == column:
            return n
    return 9_999


def analyse(
    db: Database, campagne_id: int, path: str | Path, max_rows: int | None = None
) -> presets.Prepared:
    """The file as the import reads it (a platform's export flattened) and the proposed mapping;
    `max_rows`: only the top of the file (what the wizard's first pages show)."""
    table = read_table(path, max_rows)
    return presets.prepare(table, campagne_financeurs(db, campagne_id))


def value_choices(db: Database, campagne_id: int) -> dict[str, list[str]]:
    """What a value may be mapped to: the contrat's quartiers, its objectifs (« code - intitulé »)."""
    with db.sessions() as s:
        campagne = s.get(Campagne, campagne_id)
        if campagne is None:
            raise NotFoundError(f"campagne {campagne_id} introuvable")
        quartiers = s.scalars(
            select(Quartier.nom).where(Quartier.contrat_id == campagne.contrat_id).order_by(Quartier.nom)
        )
        objectifs = s.execute(
            select(Objectif.code, Objectif.titre)
            .where(Objectif.contrat_id == campagne.contrat_id, Objectif.classification_id.is_(None))
            .order_by(Objectif.code)
        )
        return {
            "quartiers": list(quartiers),
            "objectif_id": [f"{code} - {titre}" for code, titre in objectifs],
        }


def _prepare(
    s: Session, campagne_id: int, path: str | Path, options: ImportOptions
) -> tuple[_Context, presets.Prepared]:
    table = read_table(path)
    ctx = _load(s, campagne_id, table.name)
    ctx.options = options
    prepared = presets.prepare(table, ctx.financeurs)
    sheet = prepared.table.extra.get(value_maps.SHEET)
    saved = value_maps.from_sheet(sheet, ctx.file) if sheet else {}
    ctx.value_map = value_maps.merge(saved, options.values)
    return ctx, prepared


def preview(
    db: Database,
    campagne_id: int,
    path: str | Path,
    mapping: Mapping | None = None,
    options: ImportOptions | None = None,
) -> ImportPreview:
    """What an import of `path` would do; reads only."""
    with db.sessions() as s:  # never committed
        ctx, prepared = _prepare(s, campagne_id, path, options or ImportOptions())
        plan = _plan(ctx, prepared.table, mapping or prepared.mapping)
        return _preview_of(ctx, plan, prepared)


def rejects_path_for(path: str | Path) -> Path:
    """« dossiers.xlsx » → « dossiers-rejets.xlsx » next to it."""
    path = Path(path)
    return path.with_name(f"{path.stem}-rejets.xlsx")


def apply(
    db: Database,
    campagne_id: int,
    path: str | Path,
    mapping: Mapping | None = None,
    user: str | None = None,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import `path` in one transaction. All or nothing: raises ImportRejected (nothing written) if a
    row is rejected — unless `options.lignes_valides`, which imports the valid rows and writes the
    rejected ones, with their « motif », to an .xlsx the user can correct and import again."""
    from instructeur.imports.rejects import write_rejects

    user = user or audit.current_user()
    options = options or ImportOptions()
    with db.session() as s:
        ctx, prepared = _prepare(s, campagne_id, path, options)
        if _overlap(s, ctx, options):
            return _apply_overlapped(s, ctx, prepared, mapping or prepared.mapping, user)
        plan = _plan(ctx, prepared.table, mapping or prepared.mapping)
        result_preview = _preview_of(ctx, plan, prepared)
        rejects = None
        if plan.problems:
            if (
                not options.lignes_valides
                or plan.mapping.header_row == 0
                or "reference" not in plan.mapping.columns
            ):
                raise ImportRejected(result_preview.rejected, result_preview)
            rejects = write_rejects(
                options.rejects_path or rejects_path_for(path),
                prepared.table,
                plan.mapping,
                result_preview.rejected,
            )
            used = {id(c.porteur) for c in plan.creates} | {id(u.porteur) for u in plan.updates if u.porteur}
            plan.new_porteurs = [ref for ref in plan.new_porteurs if id(ref) in used]
        created, updated = write_plan(s, ctx, plan, user)
        s.flush()
        return ImportResult(result_preview, created, updated, len(plan.new_porteurs), rejects)


def _overlap(s: Session, ctx: _Context, options: ImportOptions) -> bool:
    """Write while planning (dossiers_write.OverlappedWriter): on PostgreSQL, all or nothing, into
    a campagne without dossiers (creations only)."""
    return s.get_bind().dialect.name == "postgresql" and not options.lignes_valides and not ctx.dossiers


def _apply_overlapped(
    s: Session, ctx: _Context, prepared: presets.Prepared, mapping: Mapping, user: str
) -> ImportResult:
    writer = OverlappedWriter(s, ctx, user)
    try:
        plan = _plan(ctx, prepared.table, mapping, on_rows=writer.offer)
    finally:
        writer.stop()
    result_preview = _preview_of(ctx, plan, prepared)
    if plan.problems:
        raise ImportRejected(result_preview.rejected, result_preview)  # rolls back what was written
    created = writer.created()
    s.flush()
    return ImportResult(result_preview, created, (), len(plan.new_porteurs), None)
