"""Value mapping: a value of the file that matches nothing (« Chemin Vert Sud ») mapped once, for the
whole file, to a value of the contrat (« Chemin Vert - Beaurepaire et Marlborough »).

A mapping comes from the command line (`--valeur quartier="Chemin Vert Sud=Chemin Vert - …"`), from the
wizard's value step, or from a « Correspondances » sheet (columns Champ, Valeur du fichier, Valeur
retenue) of the imported file or of an import template (`import modele --valeur …` writes one; the
wizard saves its choices there too). `ValueMap` is field → {key(value in the file): value to use}.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from instructeur.errors import UserError
from instructeur.imports.reader import Row
from instructeur.imports.values import key, text_of

__all__ = [
    "FIELDS",
    "SHEET",
    "ValueMap",
    "from_sheet",
    "merge",
    "parse_pairs",
    "rows_of",
    "write_sheet",
]

ValueMap = dict[str, dict[str, str]]
SHEET = "Correspondances"
HEADERS = ("Champ", "Valeur du fichier", "Valeur retenue")
# What the user types (CLI, sheet) → field key; the first name of each field is the one written.
FIELDS = {"quartier": "quartiers", "quartiers": "quartiers", "qpv": "quartiers",
          "objectif": "objectif_id", "objectif_id": "objectif_id", "axe": "objectif_id"}  # fmt: skip
NAMES = {"quartiers": "quartier", "objectif_id": "objectif"}


def _field(name: str, where: str) -> str:
    found = FIELDS.get(key(name).replace(" ", "_"))
    if found is None:
        raise UserError(f"{where} : champ « {name} » non pris en charge (quartier ou objectif)")
    return found


def add(value_map: ValueMap, field: str, source: str, target: str) -> None:
    if key(source) and target.strip():
        value_map.setdefault(field, {})[key(source)] = target.strip()


def parse_pairs(pairs: Iterable[str]) -> ValueMap:
    """`quartier=Chemin Vert Sud=Chemin Vert - Beaurepaire et Marlborough` (CLI `--valeur`)."""
    out: ValueMap = {}
    for pair in pairs:
        name, sep, rest = pair.partition("=")
        source, sep2, target = rest.partition("=")
        if not (sep and sep2 and source.strip() and target.strip()):
            raise UserError(f"--valeur : « {pair} » attendu sous la forme CHAMP=VALEUR DU FICHIER=VALEUR RETENUE")
        add(out, _field(name, "--valeur"), source, target)
    return out


def from_sheet(rows: Sequence[Row], file: str = "") -> ValueMap:
    """The « Correspondances » sheet (its first row holds the headers)."""
    out: ValueMap = {}
    for row in rows[1:]:
        name, source, target = (text_of(row.get(n)) for n in range(3))
        if name and source and target:
            add(out, _field(name, f"{file}, feuille « {SHEET} », ligne {row.number}"), source, target)
    return out


def merge(*maps: Mapping[str, Mapping[str, str]]) -> ValueMap:
    """Later maps win."""
    out: ValueMap = {}
    for m in maps:
        for field, pairs in m.items():
            out.setdefault(field, {}).update(pairs)
    return out


def rows_of(value_map: Mapping[str, Mapping[str, str]], originals: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(Champ, Valeur du fichier, Valeur retenue) rows; `originals` gives a key's text as typed."""
    originals = originals or {}
    return [
        (NAMES.get(field, field), originals.get(source, source), target)
        for field, pairs in sorted(value_map.items())
        for source, target in sorted(pairs.items())
    ]


def write_sheet(workbook: Any, value_map: Mapping[str, Mapping[str, str]], originals: Mapping[str, str] | None = None) -> None:
    """Add (or replace) the « Correspondances » sheet of an openpyxl workbook."""
    from openpyxl.styles import Font

    if SHEET in workbook.sheetnames:
        del workbook[SHEET]
    sheet = workbook.create_sheet(SHEET)
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows_of(value_map, originals):
        sheet.append(row)
    for letter, width in zip("ABC", (14, 40, 50), strict=True):
        sheet.column_dimensions[letter].width = width
