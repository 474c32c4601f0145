"""Planning an import of dossiers (imports/dossiers.py): what each row of the file will do.

Pure Python over the context loaded once per import (`_Context`: the campagne's financeurs,
quartiers, objectifs, dossiers by référence, porteurs by SIRET, RNA and name): a row becomes a
creation, an update (field-by-field diff), « unchanged », or problems with their Excel position;
warnings (unbalanced plan, SIRET known under another name) never block. Nothing here touches the
session, which is why the writer may use it from its own thread meanwhile (dossiers_write.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from instructeur.domain.dates import format_date
from instructeur.domain.money import AMOUNT_CEILING_DEFAULT_CENTS, format_amount
from instructeur.domain.statuts import Statut
from instructeur.domain.text import fold
from instructeur.imports import value_map as value_maps
from instructeur.imports import values
from instructeur.imports.dossiers_write import CHUNK_ROWS, SCALAR_KEYS
from instructeur.imports.headers import DEMANDE_PREFIX, Mapping, field_label, is_totals_row
from instructeur.imports.reader import Row, Table
from instructeur.imports.results import FieldChange, PlannedDossier, SiretConflict
from instructeur.imports.values import RowProblem
from instructeur.services.contrats import FinanceurRow
from instructeur.services.dossiers import DossierData, Ligne, plan_warnings, validate
from instructeur.services.porteurs import PorteurData, normalized
from instructeur.services.porteurs import validate as validate_porteur
from instructeur.storage.models import Campagne, Dossier, Porteur, Quartier

# Past « en comité »: an import never touches these.
DECIDED = frozenset(
    {Statut.RETENU, Statut.AJOURNE, Statut.REFUSE, Statut.NOTIFIE, Statut.SOLDE, Statut.NON_REALISE}
)
# Instruit or on an agenda: the comité will decide on what was instructed, so a file cannot
# change it behind the instructeur's back (the fiche can, after reopening the instruction).
INSTRUCTION_CLOSED = frozenset({Statut.INSTRUIT, Statut.EN_COMITE})
OTHER_RESOURCES = {"fonds_propres": "Fonds propres", "autres_financements": "Autres financements"}


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose beyond the column mapping (CLI flags, wizard steps)."""

    values: value_maps.ValueMap = field(default_factory=dict)  # value mapping (imports/value_map.py)
    lignes_valides: bool = False  # import the valid rows, write the rejected ones to `rejects_path`
    rejects_path: Path | None = None  # default: « FICHIER-rejets.xlsx » next to the file
    nouveaux_porteurs: frozenset[str] = frozenset()  # SIRETs known under another name: new porteur


# --- Context loaded once per import ----------------------------------------------------------


@dataclass
class _PorteurRef:
    """An existing porteur (`id`) or one to create (`data`, shared by all rows that name it)."""

    name: str
    id: int | None = None
    data: PorteurData | None = None
    orm: Porteur | None = None

    def porteur_id(self) -> int:
        if self.id is not None:
            return self.id
        assert self.orm is not None
        return self.orm.id


@dataclass
class _Context:
    file: str
    campagne: Campagne
    financeurs: list[FinanceurRow]
    quartiers: values.QuartierIndex
    objectifs: values.ObjectifIndex
    dossiers: dict[str, Dossier]
    by_siret: dict[str, _PorteurRef]
    by_rna: dict[str, _PorteurRef]
    by_name: dict[str, _PorteurRef]
    names: dict[int, str]  # porteur id → raison sociale
    ceiling_cents: int = AMOUNT_CEILING_DEFAULT_CENTS  # plausibility ceiling of amounts
    options: ImportOptions = field(default_factory=ImportOptions)
    value_map: value_maps.ValueMap = field(default_factory=dict)


# --- Planning --------------------------------------------------------------------------------


@dataclass
class _Create:
    row: int
    data: DossierData
    porteur: _PorteurRef
    quartiers: list[Quartier]
    historique: str | None = None  # what the platform said of the dossier (presets.HISTORIQUE)


@dataclass
class _Update:
    row: int
    dossier: Dossier
    scalars: dict[str, object]
    quartiers: list[Quartier] | None
    lines: dict[int | str, int]  # financeur id or other-resource libellé → demanded cents
    cout_total: int | None
    porteur: _PorteurRef | None
    changes: list[FieldChange]


@dataclass
class _Plan:
    mapping: Mapping
    problems: list[RowProblem] = field(default_factory=list)
    creates: list[_Create] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    unchanged: list[PlannedDossier] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    new_porteurs: list[_PorteurRef] = field(default_factory=list)
    reused_porteurs: dict[int, str] = field(default_factory=dict)
    warnings: list[RowProblem] = field(default_factory=list)
    unmatched: dict[tuple[str, str], tuple[str, list[int]]] = field(
        default_factory=dict
    )  # (field, key) → value, rows
    conflicts: dict[str, SiretConflict] = field(default_factory=dict)  # by SIRET


def _plan(
    ctx: _Context, table: Table, mapping: Mapping, on_rows: Callable[[_Plan], None] | None = None
) -> _Plan:
    """What each row of `table` will do; `on_rows(plan)` every CHUNK_ROWS rows and at the end."""
    plan = _Plan(mapping)
    if mapping.header_row == 0:
        plan.problems.append(
            RowProblem(
                ctx.file,
                1,
                None,
                "ligne d'en-têtes introuvable : aucune colonne reconnue (voir docs/IMPORT.md)",
            )
        )
        return plan
    if "reference" not in mapping.columns:
        plan.problems.append(
            RowProblem(ctx.file, mapping.header_row, None, "colonne « N° dossier » (référence) introuvable")
        )
        return plan
    seen: dict[str, int] = {}
    for n, row in enumerate(table.rows):
        if on_rows is not None and n % CHUNK_ROWS == CHUNK_ROWS - 1:
            on_rows(plan)
        if row.number <= mapping.header_row:
            continue
        if is_totals_row(row, mapping):
            plan.totals.append(row.number)
            continue
        _plan_row(ctx, plan, row, seen)
    if on_rows is not None:
        on_rows(plan)
    return plan


def _plan_row(ctx: _Context, plan: _Plan, row: Row, seen: dict[str, int]) -> None:
    mapping = plan.mapping
    cells = values.RowValues(ctx.file, row, mapping, ctx.financeurs, ctx.quartiers, ctx.objectifs)
    cells.ceiling_cents = ctx.ceiling_cents  # plausibility ceiling in force (storage/guards.py)
    cells.value_map = ctx.value_map
    reference = cells.reference()
    if reference is not None:
        if reference in seen:
            cells.problem("reference", f"référence en double dans le fichier (déjà ligne {seen[reference]})")
            plan.problems.extend(cells.problems)
            return
        seen[reference] = row.number
    parsed = cells.parse()
    for field_key, value in cells.unmatched:  # « Chemin Vert Sud » and « chemin vert sud »: one value
        plan.unmatched.setdefault((field_key, values.key(value)), (value, []))[1].append(row.number)
    if cells.problems or reference is None:
        if parsed.porteur is not None and parsed.porteur.siret in ctx.by_siret:  # said now, with the values
            data = normalized(parsed.porteur)
            _conflict(ctx, plan, cells, data, ctx.by_siret[data.siret or ""])
        if reference is None and not any(p.column == mapping.header_of("reference") for p in cells.problems):
            cells.problem("reference", "référence obligatoire")
        plan.problems.extend(cells.problems)
        return
    existing = ctx.dossiers.get(reference)
    porteur = _resolve_porteur(ctx, plan, cells, parsed.porteur, creating=existing is None)
    if cells.problems:
        plan.problems.extend(cells.problems)
        return
    if existing is None:
        assert porteur is not None
        _plan_create(ctx, plan, cells, reference, parsed, porteur)
    else:
        _plan_update(ctx, plan, cells, existing, parsed, porteur)
    plan.problems.extend(cells.problems)


def _resolve_porteur(
    ctx: _Context, plan: _Plan, cells: values.RowValues, data: PorteurData | None, *, creating: bool
) -> _PorteurRef | None:
    if data is None:
        if creating:
            cells.problem("raison_sociale", "raison sociale du porteur obligatoire pour un nouveau dossier")
        return None
    data = normalized(data)
    found = (
        (ctx.by_siret.get(data.siret) if data.siret else None)
        or (ctx.by_rna.get(data.rna) if data.rna else None)
        or (ctx.by_name.get(fold(data.raison_sociale)) if not data.siret and data.raison_sociale else None)
    )
    if found is not None and _conflict(ctx, plan, cells, data, found):
        data = replace(data, siret=None)  # the user chose a new porteur: the SIRET stays with the known one
        found = None
    if found is not None:
        if found.id is not None:
            plan.reused_porteurs[found.id] = found.name
        return found
    for problem in validate_porteur(data):
        key = "raison_sociale" if problem.startswith("raison") else None
        cells.problem(key, problem + " (nouveau porteur)" if key else problem)
    if cells.problems:
        return None
    ref = _PorteurRef(data.raison_sociale, data=data)
    plan.new_porteurs.append(ref)
    if data.siret:
        ctx.by_siret[data.siret] = ref
    if data.rna:
        ctx.by_rna[data.rna] = ref
    ctx.by_name.setdefault(fold(data.raison_sociale), ref)
    return ref


def _conflict(
    ctx: _Context, plan: _Plan, cells: values.RowValues, data: PorteurData, found: _PorteurRef
) -> bool:
    """A SIRET known under another name: a warning; True when the user asked for a new porteur."""
    if not data.siret or not data.raison_sociale or fold(found.name) == fold(data.raison_sociale):
        return False
    if ctx.by_siret.get(data.siret) is not found:
        return False
    new = data.siret in ctx.options.nouveaux_porteurs
    previous = plan.conflicts.get(data.siret)
    rows = (*(previous.rows if previous else ()), cells.row.number)
    plan.conflicts[data.siret] = SiretConflict(data.siret, found.name, data.raison_sociale, rows)
    choice = "nouveau porteur créé sans ce SIRET" if new else "rattaché à ce porteur"
    plan.warnings.append(
        RowProblem(
            ctx.file, cells.row.number, cells.mapping.header_of("siret"),
            f"SIRET connu sous le nom « {found.name} » (fichier : « {data.raison_sociale} ») : {choice}",
        )
    )  # fmt: skip
    return new


def _plan_warnings(ctx: _Context, plan: _Plan, cells: values.RowValues, data: DossierData) -> None:
    """Non-blocking: an unbalanced plan, a demandé above the coût total (listed, never refused)."""
    for text in plan_warnings(data):
        plan.warnings.append(
            RowProblem(ctx.file, cells.row.number, None, f"plan de financement déséquilibré : {text}")
        )
    names = {f.id: f.nom for f in ctx.financeurs}
    for ligne in data.lignes:
        if ligne.financeur_id is not None and ligne.demande_cents > data.cout_total_cents:
            key = DEMANDE_PREFIX + next(f.code for f in ctx.financeurs if f.id == ligne.financeur_id)
            plan.warnings.append(
                RowProblem(
                    ctx.file, cells.row.number, cells.mapping.header_of(key),
                    f"montant demandé {names[ligne.financeur_id]} ({format_amount(ligne.demande_cents)}) "
                    f"supérieur au coût total ({format_amount(data.cout_total_cents)})",
                )
            )  # fmt: skip


def _plan_create(
    ctx: _Context,
    plan: _Plan,
    cells: values.RowValues,
    reference: str,
    parsed: values.Parsed,
    porteur: _PorteurRef,
) -> None:
    lignes: list[Ligne] = []
    for f in ctx.financeurs:
        cents = parsed.lines.get(f.id)
        if cents:
            lignes.append(Ligne(f.id, "", cents))
    for libelle in OTHER_RESOURCES.values():
        cents = parsed.lines.get(libelle)
        if cents:
            lignes.append(Ligne(None, libelle, cents))
    cout = (
        parsed.cout_total if parsed.cout_total is not None else sum(ligne.demande_cents for ligne in lignes)
    )
    scalars = dict(parsed.scalars)
    data = DossierData(
        reference=reference,
        porteur_id=porteur.id or 0,
        intitule=str(scalars.pop("intitule", "")),
        quartiers=tuple(q.id for q in parsed.quartiers or []),
        cout_total_cents=cout,
        lignes=tuple(lignes),
        **scalars,  # type: ignore[arg-type]
    )
    for problem in validate(data):
        cells.problem(_key_of_problem(problem), problem)
    if cells.problems:
        return
    _plan_warnings(ctx, plan, cells, data)
    plan.creates.append(
        _Create(cells.row.number, data, porteur, list(parsed.quartiers or []), parsed.historique)
    )


def _key_of_problem(problem: str) -> str | None:
    head = fold(problem.split(":", 1)[0])
    for prefix, key in (
        ("intitule", "intitule"),
        ("reference", "reference"),
        ("cout total", "cout_total_cents"),
        ("public prevu", "public_prevu"),
        ("dont femmes", "public_femmes"),
        ("dont hommes", "public_hommes"),
        ("part du public", "part_qpv_pct"),
        ("dates", "date_fin"),
        ("cotation", "cotation_declaree"),
    ):
        if head.startswith(prefix):
            return key
    return None


def _show(key: str, value: object, ctx: _Context) -> str:
    if value is None or value == "":
        return "(vide)"
    if key.endswith("_cents") or key.startswith(DEMANDE_PREFIX) or key in OTHER_RESOURCES:
        assert isinstance(value, int)
        return format_amount(value)
    if isinstance(value, date | datetime):
        return format_date(value)
    if key == "reconduite":
        return "reconduite" if value else "nouvelle"
    if key == "objectif_id":
        return ctx.objectifs.code_of(value)
    if key == "part_qpv_pct":
        return f"{value} %"
    return f"« {value} »" if isinstance(value, str) else str(value)


def _plan_update(
    ctx: _Context,
    plan: _Plan,
    cells: values.RowValues,
    d: Dossier,
    parsed: values.Parsed,
    porteur: _PorteurRef | None,
) -> None:
    mapping = plan.mapping
    changes: list[FieldChange] = []

    def label(key: str, fallback: str) -> str:
        return mapping.header_of(key) or fallback

    scalars: dict[str, object] = {}
    for key, new in parsed.scalars.items():
        old = getattr(d, key)
        if old != new:
            scalars[key] = new
            changes.append(
                FieldChange(label(key, field_label(key)), _show(key, old, ctx), _show(key, new, ctx))
            )
    new_porteur = None
    if porteur is not None and (porteur.id is None or porteur.id != d.porteur_id):
        new_porteur = porteur
        changes.append(
            FieldChange("porteur", f"« {ctx.names.get(d.porteur_id, '?')} »", f"« {porteur.name} »")
        )
    quartiers = None
    if parsed.quartiers is not None and {q.id for q in parsed.quartiers} != {q.id for q in d.quartiers}:
        quartiers = parsed.quartiers
        changes.append(
            FieldChange(
                label("quartiers", "quartiers"),
                ", ".join(q.nom for q in d.quartiers) or "(aucun)",
                ", ".join(q.nom for q in quartiers) or "(aucun)",
            )
        )
    lines, cout_total = _money_changes(ctx, d, parsed, label, changes)
    planned = PlannedDossier(
        cells.row.number,
        d.reference,
        str(scalars.get("intitule", d.intitule)),
        porteur.name if porteur else ctx.names.get(d.porteur_id, ""),
        tuple(changes),
    )
    if not changes:
        plan.unchanged.append(planned)
        return
    if Statut(d.statut) in DECIDED:
        cells.problem(None, f"dossier déjà décidé ({Statut(d.statut).label.lower()}), non modifié")
        return
    if Statut(d.statut) in INSTRUCTION_CLOSED:
        cells.problem(
            None,
            f"dossier {Statut(d.statut).label.lower()} : son instruction est close, non modifié "
            "(rouvrez l'instruction dans la fiche pour le mettre à jour)",
        )
        return
    after_data = _data_after(d, scalars, quartiers, lines, cout_total, ctx)
    for problem in validate(after_data):
        cells.problem(_key_of_problem(problem), problem)
    if cells.problems:
        return
    if lines or cout_total is not None:
        _plan_warnings(ctx, plan, cells, after_data)
    plan.updates.append(
        _Update(cells.row.number, d, scalars, quartiers, lines, cout_total, new_porteur, changes)
    )


def _money_changes(
    ctx: _Context,
    d: Dossier,
    parsed: values.Parsed,
    label: Callable[[str, str], str],
    changes: list[FieldChange],
) -> tuple[dict[int | str, int], int | None]:
    """The plan de financement's lines the file changes (financeur id, or the other resource's
    libellé → cents) and the new coût total (None: unchanged); their changes appended."""
    current: dict[int | str, int] = {
        (ligne.financeur_id if ligne.financeur_id is not None else ligne.libelle): ligne.demande_cents
        for ligne in d.lignes
    }
    lines: dict[int | str, int] = {}
    codes = {f.id: f.code for f in ctx.financeurs}
    for line_key, cents in parsed.lines.items():
        if current.get(line_key, 0) != cents:
            lines[line_key] = cents
            if isinstance(line_key, int):
                key = DEMANDE_PREFIX + codes[line_key]
                text = label(key, field_label(key, ctx.financeurs))
            else:
                key = next(k for k, v in OTHER_RESOURCES.items() if v == line_key)
                text = label(key, line_key.lower())
            changes.append(
                FieldChange(text, _show(key, current.get(line_key, 0), ctx), _show(key, cents, ctx))
            )
    cout_total = None
    if parsed.cout_total is not None:
        if parsed.cout_total != d.cout_total_cents:
            cout_total = parsed.cout_total
    elif lines and sum(current.values()) == d.cout_total_cents:
        # No coût total column: a balanced plan stays balanced.
        after = {**current, **lines}
        if sum(after.values()) != d.cout_total_cents:
            cout_total = sum(after.values())
    if cout_total is not None:
        changes.append(
            FieldChange(
                label("cout_total_cents", "coût total"),
                _show("cout_total_cents", d.cout_total_cents, ctx),
                _show("cout_total_cents", cout_total, ctx),
            )
        )
    return lines, cout_total


def _data_after(
    d: Dossier,
    scalars: dict[str, object],
    quartiers: list[Quartier] | None,
    lines: dict[int | str, int],
    cout_total: int | None,
    ctx: _Context,
) -> DossierData:
    """The dossier as the update would leave it, for `validate`."""
    base = {key: getattr(d, key) for key in SCALAR_KEYS}
    base.update(scalars)
    lignes = [
        Ligne(li.financeur_id, li.libelle, lines.get(li.financeur_id if li.financeur_id is not None else li.libelle,
                                                     li.demande_cents), li.propose_cents, li.vote_cents)
        for li in d.lignes
    ]  # fmt: skip
    return DossierData(
        reference=d.reference,
        porteur_id=d.porteur_id,
        quartiers=tuple(q.id for q in (quartiers if quartiers is not None else d.quartiers)),
        cout_total_cents=cout_total if cout_total is not None else d.cout_total_cents,
        lignes=tuple(lignes),
        **base,
    )
