"""Platform exports recognised as they come: démarches-simplifiées and Dauphin.

`prepare` looks at the sheets and headers of the file read by `reader.read_table`. When it
recognises a platform's export, it returns one flat table the rest of the import reads like any
other: the platform's columns, plus computed columns appended at the right (« … (plateforme) »)
and a mapping that points the fields at them, so that no `--mapping` is needed:

* démarches-simplifiées (see docs/IMPORT.md, columns from the platform's export service): « ID »
  → référence; the « Etablissements » row of the dossier (« Dossier ID », « Champ » = « Dossier »)
  → SIRET, address, forme juridique, RNA, and « Association titre » when « Entreprise raison
  sociale » is empty; « État du dossier », « Traité le » and « Motivation de la décision » → the
  history of the new dossier (never its statut); the démarche's own fields that match no field and
  the annotations privées → observations (« libellé : valeur », one per line).
* Dauphin (ANCT): headers assumed from the saisie guides (no public specification of the export):
  « … du tiers » columns for the porteur, « Statut du dossier » → history.

Otherwise the table is returned as read, with the mapping `propose_mapping` guesses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from instructeur.imports.headers import Mapping, find_header_row, normalize_header, propose_mapping
from instructeur.imports.reader import Cell, Row, Table
from instructeur.imports.values import text_of
from instructeur.services.contrats import FinanceurRow

__all__ = ["DAUPHIN", "DEMARCHES_SIMPLIFIEES", "HISTORIQUE", "Prepared", "prepare"]

HISTORIQUE = "historique"  # field key: what the platform says of the dossier, for its history
DEMARCHES_SIMPLIFIEES = "démarches-simplifiées"
DAUPHIN = "Dauphin"
SUFFIX = " (plateforme)"  # computed columns: « SIRET (plateforme) »…

# « Dossiers » sheet: the platform's fixed columns (read by the preset, never as démarche fields).
DS_FIXED = (
    "ID", "Email", "Civilité", "Nom", "Prénom", "Date de naissance", "Entreprise raison sociale", "Archivé",
    "État du dossier", "Dernière mise à jour le", "Dernière mise à jour du dossier le", "Déposé le",
    "Passé en instruction le", "Traité le", "Motivation de la décision", "Instructeurs", "Groupe instructeur",
)  # fmt: skip
DS_ETABLISSEMENTS = "Etablissements"

# Dauphin: headers assumed (docs/IMPORT.md) → field; tried after the generic recognition.
DAUPHIN_HEADERS: dict[str, tuple[str, ...]] = {
    "reference": ("N° dossier Dauphin", "Numéro de dossier Dauphin", "Code dossier", "N° du dossier"),
    "raison_sociale": ("Raison sociale du tiers", "Nom du tiers", "Tiers", "Organisme porteur"),
    "siret": ("SIRET du tiers", "N° SIRET du tiers"),
    "rna": ("RNA du tiers", "N° RNA du tiers"),
    "adresse": ("Adresse du tiers",),
    "code_postal": ("Code postal du tiers",),
    "ville": ("Commune du tiers", "Ville du tiers"),
    "intitule": ("Intitulé du dossier", "Intitulé du projet", "Libellé du dossier"),
    "cout_total_cents": ("Coût total du projet", "Budget total du projet", "Montant total du projet"),
    "date_depot": ("Date de dépôt du dossier", "Date de transmission", "Date de création du dossier"),
    "quartiers": ("Quartiers prioritaires", "QPV concernés", "Quartier(s) prioritaire(s)"),
}
DAUPHIN_STATE = ("Statut du dossier", "État du dossier", "Etat du dossier", "Statut")
DAUPHIN_MOTIVE = ("Motivation", "Motif", "Commentaire de l'instructeur", "Avis du service instructeur")
_DAUPHIN_MARKS = ("dauphin", "tiers")  # words of its headers that no other source uses


@dataclass(frozen=True)
class Prepared:
    """The table the import reads, the mapping proposed for it, and the platform recognised."""

    table: Table
    mapping: Mapping
    preset: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def announcement(self) -> str | None:
        """« export démarches-simplifiées reconnu », said before anything else."""
        return f"export {self.preset} reconnu" if self.preset else None


def prepare(table: Table, financeurs: Sequence[FinanceurRow]) -> Prepared:
    for detect, build in _PRESETS:
        if detect(table):
            return build(table, financeurs)
    return Prepared(table, propose_mapping(table, financeurs))


# --- helpers --------------------------------------------------------------------------------------


def _texts(row: Row) -> tuple[str, ...]:
    return tuple("" if c is None else str(c).strip() for c in row.cells)


def _index(headers: Sequence[str]) -> dict[str, int]:
    """Normalised header → first column holding it."""
    out: dict[str, int] = {}
    for n, text in enumerate(headers):
        if text:
            out.setdefault(normalize_header(text), n)
    return out


def _find(index: dict[str, int], *names: str) -> int | None:
    return next((index[k] for k in map(normalize_header, names) if k in index), None)


def _join(*parts: str | None, sep: str = " ") -> str | None:
    text = sep.join(p for p in parts if p)
    return text or None


def _flatten(
    table: Table,
    header: Row,
    mapping: Mapping,
    computed: list[tuple[str, str, Callable[[Row], Cell]]],
) -> tuple[Table, Mapping]:
    """The table with the computed columns (field, header, value of a row) appended, and the mapping
    pointing each field at its computed column."""
    width = len(mapping.headers)
    columns = dict(mapping.columns)
    present = {text: n for n, text in enumerate(mapping.headers) if text}
    for key, title, _f in computed:  # a rejects file read back already has them: keep its values
        if title in present:
            columns[key] = present[title]
    computed = [c for c in computed if c[1] not in present]
    headers = (*mapping.headers, *(title for _key, title, _f in computed))
    for n, (key, _title, _f) in enumerate(computed):
        columns[key] = width + n
    rows: list[Row] = []
    for row in table.rows:
        if row.number <= header.number:
            rows.append(Row(row.number, headers) if row is header else row)
            continue
        padded = row.cells + (None,) * (width - len(row.cells)) if len(row.cells) < width else row.cells[:width]
        rows.append(Row(row.number, (*padded, *(f(row) for _k, _t, f in computed))))
    used = set(columns.values())
    unrecognised = tuple(c for c in mapping.unrecognised if c not in used)
    flat = replace(mapping, headers=headers, columns=columns, unrecognised=unrecognised)
    return replace(table, rows=tuple(rows)), flat


# --- démarches-simplifiées ------------------------------------------------------------------------


def _is_ds(table: Table) -> bool:
    if not table.rows:
        return False
    keys = set(_index(_texts(table.rows[0])))
    fixed = {normalize_header(h) for h in ("ID", "État du dossier", "Déposé le", "Motivation de la décision")}
    return "id" in keys and len(keys & fixed) >= 3


def _etablissements(table: Table) -> dict[str, dict[str, str]]:
    """Dossier ID → the demandeur's establishment (« Champ » = « Dossier », else the first row)."""
    rows = table.extra.get(DS_ETABLISSEMENTS, ())
    if not rows:
        return {}
    headers = [normalize_header(t) for t in _texts(rows[0])]
    index = _index(_texts(rows[0]))
    id_col, champ_col = _find(index, "Dossier ID"), _find(index, "Champ")
    if id_col is None:
        return {}
    out: dict[str, dict[str, str]] = {}
    for row in rows[1:]:
        dossier = text_of(row.get(id_col))
        if not dossier:
            continue
        own = champ_col is None or normalize_header(text_of(row.get(champ_col))) == "dossier"
        if dossier in out and not own:
            continue
        values = {h: text_of(row.get(n)) for n, h in enumerate(headers) if h and row.get(n) is not None}
        if own or dossier not in out:
            out[dossier] = values
    return out


def _ds(table: Table, financeurs: Sequence[FinanceurRow]) -> Prepared:
    header = table.rows[0]
    texts = _texts(header)
    index = _index(texts)
    guessed = propose_mapping(replace(table, rows=(header,)), financeurs)
    fixed = {normalize_header(h) for h in DS_FIXED}
    fixed_cols = {n for n, t in enumerate(texts) if normalize_header(t) in fixed}
    columns = {k: c for k, c in guessed.columns.items() if c not in fixed_cols}
    for key, name in (("reference", "ID"), ("contact_email", "Email"), ("date_depot", "Déposé le")):
        column = _find(index, name)
        if column is not None:
            columns[key] = column
    # The démarche's fields that match no field, and the annotations privées, go to observations.
    kept = sorted(c for c in guessed.unrecognised if c not in fixed_cols)
    observations = columns.pop("observations", None)
    mapping = replace(
        guessed, header_row=header.number, headers=texts, columns=columns, unrecognised=(), unknown_amounts=()
    )
    etab = _etablissements(table)
    col = {name: _find(index, name) for name in DS_FIXED}

    def cell(row: Row, name: str) -> str | None:
        n = col.get(name)
        return (text_of(row.get(n)) or None) if n is not None else None

    def e(row: Row, name: str) -> str | None:
        return etab.get(cell(row, "ID") or "", {}).get(normalize_header(name)) or None

    def raison_sociale(row: Row) -> Cell:
        return (
            cell(row, "Entreprise raison sociale")
            or e(row, "Entreprise raison sociale")
            or e(row, "Association titre")
            or _join(cell(row, "Nom"), cell(row, "Prénom"))
        )

    def adresse(row: Row) -> Cell:
        street = _join(e(row, "Établissement numero voie"), e(row, "Établissement type voie"),
                       e(row, "Établissement nom voie"))  # fmt: skip
        if street:
            return _join(street, e(row, "Établissement complément adresse"), sep=", ")
        return e(row, "Établissement Adresse")

    def historique(row: Row) -> Cell:
        etat = cell(row, "État du dossier")
        if not etat:
            return None
        text = f"{DEMARCHES_SIMPLIFIEES} : dossier « {etat} »"
        if traite := cell(row, "Traité le"):
            text += f" le {traite}"
        if motif := cell(row, "Motivation de la décision"):
            text += f" ; motivation : {motif}"
        return text

    def notes(row: Row) -> Cell:
        lines = [text_of(row.get(observations))] if observations is not None and row.get(observations) else []
        lines += [f"{texts[c]} : {text_of(row.get(c))}" for c in kept if row.get(c) is not None]
        return "\n".join(lines) or None

    computed: list[tuple[str, str, Callable[[Row], Cell]]] = [
        ("raison_sociale", "Raison sociale" + SUFFIX, raison_sociale),
        ("siret", "SIRET" + SUFFIX, lambda r: e(r, "Établissement SIRET")),
        ("adresse", "Adresse" + SUFFIX, adresse),
        ("code_postal", "Code postal" + SUFFIX, lambda r: e(r, "Établissement code postal")),
        ("ville", "Ville" + SUFFIX, lambda r: e(r, "Établissement localité")),
        ("forme_juridique", "Forme juridique" + SUFFIX, lambda r: e(r, "Entreprise forme juridique")),
        ("rna", "N° RNA" + SUFFIX, lambda r: e(r, "Association RNA")),
        (HISTORIQUE, "Historique" + SUFFIX, historique),
        ("observations", "Observations" + SUFFIX, notes),
    ]
    flat_table, flat = _flatten(table, header, mapping, computed)
    said = [f"feuille « {DS_ETABLISSEMENTS} » : {len(etab)} établissement(s) rattaché(s) par « Dossier ID »"]
    if DS_ETABLISSEMENTS not in table.extra:
        said = [f"pas de feuille « {DS_ETABLISSEMENTS} » : SIRET et adresse non repris"]
    if kept:
        said.append("vers les observations : " + ", ".join(f"« {texts[c]} »" for c in kept))
    return Prepared(flat_table, flat, DEMARCHES_SIMPLIFIEES, tuple(said))


# --- Dauphin --------------------------------------------------------------------------------------


def _header_row(table: Table) -> Row | None:
    return find_header_row(table, ())


def _is_dauphin(table: Table) -> bool:
    row = _header_row(table)
    if row is None:
        return False
    words = [set(normalize_header(t).split()) for t in _texts(row) if t]
    return any("dauphin" in w for w in words) or sum("tiers" in w for w in words) >= 2


def _dauphin(table: Table, financeurs: Sequence[FinanceurRow]) -> Prepared:
    guessed = propose_mapping(table, financeurs)
    header = next(r for r in table.rows if r.number == guessed.header_row)
    texts = guessed.headers
    index = _index(texts)
    columns = dict(guessed.columns)
    for key, names in DAUPHIN_HEADERS.items():
        column = _find(index, *names)
        if column is not None:
            columns[key] = column
    state, motive = _find(index, *DAUPHIN_STATE), _find(index, *DAUPHIN_MOTIVE)
    for column in (state, motive):  # read for the history only, never as a field
        columns = {k: c for k, c in columns.items() if c != column}
    used = set(columns.values())
    mapping = replace(
        guessed, columns=columns, unrecognised=tuple(c for c in guessed.unrecognised if c not in used | {state, motive})
    )

    def historique(row: Row) -> Cell:
        etat = text_of(row.get(state)) if state is not None else ""
        if not etat:
            return None
        text = f"{DAUPHIN} : dossier « {etat} »"
        if motive is not None and (motif := text_of(row.get(motive))):
            text += f" ; motivation : {motif}"
        return text

    flat_table, flat = _flatten(table, header, mapping, [(HISTORIQUE, "Historique" + SUFFIX, historique)])
    return Prepared(flat_table, flat, DAUPHIN, ("colonnes Dauphin supposées (voir docs/IMPORT.md)",))


_PRESETS: tuple[tuple[Callable[[Table], bool], Callable[[Table, Sequence[FinanceurRow]], Prepared]], ...] = (
    (_is_ds, _ds),
    (_is_dauphin, _dauphin),
)
