"""A cadre stratégique (or a classification) as an xlsx workbook another tool or territory can fill:
one row per node with « Code », « Niveau », « Intitulé », « Parent » (the parent's code, empty at
the top level). Written by the editor and `instructeur cadre exporter`, read back by the editor and
`instructeur cadre importer`.

Importing merges by code: a node whose code exists keeps its id (dossiers stay rattachés) and takes
the file's intitulé, parent and order; new codes are added; nodes missing from the file are deleted,
which is refused while dossiers are rattachés to them. Level names are read from the « Niveau »
column when it holds names. All or nothing: one French line per problem (file, row, column, reason).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from instructeur.errors import UserError, ValidationError
from instructeur.exports.xlsx_styles import register_styles, write_text
from instructeur.imports.limits import check_cell, open_workbook
from instructeur.services import audit
from instructeur.services.cadre import (
    CODE_MAX,
    CadreService,
    dossiers_by_node,
    join_niveaux,
    plural,
)
from instructeur.storage.db import Database
from instructeur.storage.models import Classification, Contrat, Objectif
from instructeur.storage.write_lock import decision_session

HEADERS = ("Code", "Niveau", "Intitulé", "Parent")
SHEET = "Cadre"


@dataclass(frozen=True)
class LigneCadre:
    row: int
    code: str
    niveau: str
    titre: str
    parent: str


@dataclass(frozen=True)
class CadreFichier:
    """What a file describes: nodes (parents before children, in file order) and level names."""

    lignes: tuple[LigneCadre, ...]
    niveaux: tuple[str | None, ...]  # a name per depth, None where the file gives none
    profondeur: dict[str, int]


@dataclass(frozen=True)
class ImportCadreResult:
    ajoutes: int
    modifies: int
    supprimes: int
    jeton: str


def export_xlsx(db: Database, contrat_id: int, classification_id: int | None, path: Path) -> int:
    """Writes the tree to `path`; returns the number of nodes."""
    arbre = CadreService(db).arbre(contrat_id, classification_id)
    codes = {n.id: n.code for n in arbre.noeuds}
    wb = Workbook()
    register_styles(wb)
    ws = wb.active
    ws.title = SHEET
    for col, title in enumerate(HEADERS, 1):
        write_text(ws, 1, col, title, "ins_header")
    for row, n in enumerate(arbre.noeuds, 2):
        write_text(ws, row, 1, n.code)
        write_text(ws, row, 2, arbre.niveau_nom(n.niveau))
        write_text(ws, row, 3, n.titre, "ins_wrap")
        write_text(ws, row, 4, codes.get(n.parent_id) if n.parent_id is not None else "")
    for letter, width in zip("ABCD", (12, 24, 90, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    try:
        wb.save(path)
    except OSError as exc:
        raise UserError(f"{path} : écriture impossible ({exc.strerror or exc})") from exc
    return len(arbre.noeuds)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


_KEYS = ("code", "niveau", "titre", "parent")
_NAMES = {
    "code": ("code",),
    "niveau": ("niveau",),
    "titre": ("intitule", "titre", "libelle"),
    "parent": ("parent",),
}


def read_xlsx(path: Path) -> CadreFichier:
    """The file's nodes, checked (codes, parents, cycles, levels); ValidationError lists every problem."""
    wb = open_workbook(path, read_only=True)
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        title = ws.title
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    where = f"{path.name}, feuille « {title} »"
    if not rows:
        raise UserError(f"{where} : feuille vide")
    cols = _columns(rows[0], where)
    lignes = _lignes(path, title, rows, cols, where)
    depth = _depths(lignes, where)
    names = _level_names(lignes, depth, where)
    top = max(depth.values(), default=-1) + 1
    return CadreFichier(tuple(lignes), tuple(names.get(d) for d in range(top)), depth)


def _columns(header_row: tuple[Any, ...], where: str) -> dict[str, int]:
    header = [_fold(_text(v)) for v in header_row]
    cols = {k: header.index(n) for k, names in _NAMES.items() for n in names if n in header}
    missing = [f"« {h} »" for h, k in zip(HEADERS, _KEYS, strict=True) if k not in cols and k != "niveau"]
    if missing:
        raise UserError(
            f"{where}, ligne 1 : {'colonnes' if len(missing) > 1 else 'colonne'} {', '.join(missing)} introuvable"
        )
    return cols


def _lignes(
    path: Path, title: str, rows: list[tuple[Any, ...]], cols: dict[str, int], where: str
) -> list[LigneCadre]:
    problems: list[str] = []
    lignes: list[LigneCadre] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows[1:], 2):
        values = {k: raw[i] if i < len(raw) else None for k, i in cols.items()}
        for k, value in values.items():
            check_cell(path, title, n, HEADERS[_KEYS.index(k)], value)
        cells = {k: _text(v) for k, v in values.items()}
        if not any(cells.values()):
            continue
        code = cells["code"]
        at = f"{where}, ligne {n}"
        if not code:
            problems.append(f"{at}, colonne « Code » : code obligatoire")
            continue
        if len(code) > CODE_MAX:
            problems.append(f"{at}, colonne « Code » : « {code} » trop long ({CODE_MAX} caractères au plus)")
        if code in seen:
            problems.append(f"{at}, colonne « Code » : « {code} » déjà utilisé ligne {seen[code]}")
            continue
        seen[code] = n
        if not cells["titre"]:
            problems.append(f"{at}, colonne « Intitulé » : intitulé de « {code} » obligatoire")
        lignes.append(LigneCadre(n, code, cells.get("niveau", ""), cells["titre"], cells["parent"]))
    by_code = {ligne.code for ligne in lignes}
    problems += [
        f"{where}, ligne {li.row}, colonne « Parent » : « {li.parent} » n'est le code d'aucune ligne"
        for li in lignes
        if li.parent and li.parent not in by_code
    ]
    if problems:
        raise ValidationError(problems)
    if not lignes:
        raise UserError(f"{where} : aucune ligne de cadre sous l'en-tête")
    return lignes


def _depths(lignes: list[LigneCadre], where: str) -> dict[str, int]:
    by_code = {li.code: li for li in lignes}
    depth: dict[str, int] = {}
    for ligne in lignes:
        chain: list[str] = []
        current = ligne
        while current.code not in depth and current.parent:
            if current.code in chain:
                raise ValidationError(
                    [
                        f"{where}, ligne {ligne.row}, colonne « Parent » : « {ligne.code} » est son propre ancêtre (boucle)"
                    ]
                )
            chain.append(current.code)
            current = by_code[current.parent]
        base = depth.setdefault(current.code, 0)
        for k, code in enumerate(reversed(chain), 1):
            depth[code] = base + k
    return depth


def _level_names(lignes: list[LigneCadre], depth: dict[str, int], where: str) -> dict[int, str]:
    problems: list[str] = []
    names: dict[int, str] = {}
    for li in lignes:
        d, level = depth[li.code], li.niveau
        at = f"{where}, ligne {li.row}, colonne « Niveau »"
        if not level:
            continue
        if level.isdigit():
            if int(level) != d + 1:
                problems.append(
                    f"{at} : {level} ne correspond pas à la place de « {li.code} » (niveau {d + 1} d'après son parent)"
                )
        elif names.setdefault(d, level) != level:
            problems.append(
                f"{at} : « {level} » alors que le niveau {d + 1} s'appelle « {names[d]} » plus haut"
            )
    if problems:
        raise ValidationError(problems)
    return names


def import_xlsx(
    db: Database,
    contrat_id: int,
    classification_id: int | None,
    path: Path,
    *,
    jeton: str | None = None,
    user: str | None = None,
) -> ImportCadreResult:
    """Replaces the tree by the file's (merge by code, see the module's doc). `jeton`: the tree as the
    editor read it (None from the command line: no check)."""
    fichier = read_xlsx(path)
    user = user or audit.current_user()
    service = CadreService(db, user)
    with decision_session(db) as s:
        current = service.arbre_in(s, contrat_id, classification_id)
        if jeton is not None and jeton != current.jeton:
            service.locked(s, contrat_id, classification_id, jeton)  # raises the usual message
        service.locked(s, contrat_id, classification_id, current.jeton)
        nodes = {o.code: o for o in s.query(Objectif).filter(Objectif.id.in_([n.id for n in current.noeuds]))}
        wanted = {ligne.code for ligne in fichier.lignes}
        removed = [o for code, o in nodes.items() if code not in wanted]
        used = dossiers_by_node(s, [o.id for o in removed])
        refused = [
            f"« {o.code} » absent du fichier ne peut pas être supprimé : {plural(len(used[o.id]), 'dossier y est rattaché', 'dossiers y sont rattachés')}"
            for o in removed
            if o.id in used
        ]
        others = {
            code
            for (code,) in s.query(Objectif.code).filter(
                Objectif.contrat_id == contrat_id, Objectif.id.notin_([n.id for n in current.noeuds])
            )
        }
        refused += [
            f"ligne {ligne.row} : code « {ligne.code} » déjà utilisé dans un autre arbre du contrat"
            for ligne in fichier.lignes
            if ligne.code in others
        ]
        if refused:
            raise ValidationError([f"{path.name} : {r}" for r in refused])
        before = {code: (o.titre, o.parent_id, o.niveau) for code, o in nodes.items()}
        for code, o in nodes.items():  # detached first: deleting a parent cascades to its children
            if code in wanted:
                o.parent_id = None
        s.flush()
        for o in sorted(removed, key=lambda o: -o.niveau):
            s.delete(o)
            s.flush()
        positions: dict[str, int] = {}
        added = changed = 0
        for ligne in sorted(fichier.lignes, key=lambda li: (fichier.profondeur[li.code], li.row)):
            parent_id = nodes[ligne.parent].id if ligne.parent else None
            position = positions[ligne.parent] = positions.get(ligne.parent, -1) + 1
            niveau = fichier.profondeur[ligne.code]
            found = nodes.get(ligne.code)
            if found is None:
                o = Objectif(contrat_id=contrat_id, classification_id=classification_id, code=ligne.code)
                s.add(o)
                nodes[ligne.code] = o
                added += 1
            else:
                o = found
                changed += before[ligne.code] != (ligne.titre, parent_id, niveau)
            o.titre, o.parent_id, o.niveau, o.position = ligne.titre, parent_id, niveau, position
            s.flush()
        holder = (
            s.get(Contrat, contrat_id)
            if classification_id is None
            else s.get(Classification, classification_id)
        )
        assert holder is not None
        old = [n.strip() for n in holder.niveaux.split("|")]
        names = [
            fichier.niveaux[d] or (old[d] if d < len(old) and old[d] else f"Niveau {d + 1}")
            for d in range(len(fichier.niveaux))
        ]
        names += old[len(names) :]
        holder.niveaux = join_niveaux(names)
        s.flush()
        entity = "contrat" if classification_id is None else "classification"
        audit.record(
            s, user, entity, holder.id, "import_cadre",
            {"fichier": path.name, "ajoutes": added, "modifies": changed, "supprimes": [o.code for o in removed]},
        )  # fmt: skip
        jeton_after = service.arbre_in(s, contrat_id, classification_id).jeton
        return ImportCadreResult(added, changed, len(removed), jeton_after)
