"""A whole référentiel as a file another territory can load: written in the shipped JSON format
(resources/referentiels/*.json, read by referentiels.py) and imported into the user data folder,
where the new-contrat wizard and `instructeur referentiels liste` find it. Qt-free, database-free
(services/referentiel_export.py turns a contrat of the database into the same format)."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

from instructeur.errors import UserError
from instructeur.paths import private_dir
from instructeur.referentiels import (
    Noeud,
    Referentiel,
    imported_referentiels_dir,
    read_referentiel_file,
    referentiels_dir,
)

MAX_FILE_BYTES = 20 * 1024 * 1024  # a référentiel is a few hundred kB; refuse anything absurd


def slug(text: str) -> str:
    """A file-name-safe code: « Contrat de ville d'Arras 2024 » → « contrat-de-ville-d-arras-2024 »."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-") or "referentiel"


def noeud_dict(noeud: Noeud) -> dict[str, Any]:
    return {"code": noeud.code, "titre": noeud.titre, "enfants": [noeud_dict(e) for e in noeud.enfants]}


def to_dict(ref: Referentiel) -> dict[str, Any]:
    """The référentiel in the shipped format (keys in the shipped files' order)."""
    data: dict[str, Any] = {
        "code": ref.code,
        "nom": ref.nom,
        "contrat_nom": ref.contrat_nom,
        "epci": {"nom": ref.epci_nom, "siren": ref.epci_siren},
        "periode": list(ref.periode),
        "source": ref.source,
        "niveaux": list(ref.niveaux),
        "communes": list(ref.communes),
        "qpv": [
            {"nom": q.nom, "code": q.code, "communes": list(q.communes), "population": q.population, "aliases": list(q.aliases)}
            for q in ref.qpv
        ],
        "quartiers": [{"nom": q.nom, "type": q.type, "communes": list(q.communes)} for q in ref.quartiers],
        "cadre": [noeud_dict(n) for n in ref.cadre],
    }
    if ref.ambitions:
        data["ambitions"] = [
            {
                "code": a.code,
                "titre": a.titre,
                "nom_court": a.nom_court,
                "objectifs": list(a.objectifs),
                "objectifs_deduits": list(a.objectifs_deduits),
            }
            for a in ref.ambitions
        ]
    if ref.classifications:
        data["classifications"] = [
            {"code": k.code, "nom": k.nom, "niveaux": list(k.niveaux), "noeuds": [noeud_dict(n) for n in k.noeuds]}
            for k in ref.classifications
        ]
    if ref.liens:
        data["liens"] = [list(pair) for pair in ref.liens]
    data["axes_transversaux"] = list(ref.axes_transversaux)
    data["signataires"] = [
        sg.nom if sg.siret is None and sg.type is None else {"nom": sg.nom, "siret": sg.siret, "type": sg.type}
        for sg in ref.signataires_detail()
    ]
    data["notes"] = ref.notes
    return data


def write_json(data: dict[str, Any], path: Path) -> None:
    """Writes the référentiel (UTF-8, indented like the shipped files), replacing `path` only once complete."""
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"{path} : écriture impossible ({exc.strerror or exc})") from exc


def import_file(path: Path, *, remplacer: bool = False) -> Referentiel:
    """Validates `path` and copies it into the user's référentiels, where the new-contrat wizard finds it.

    Refused: a file that is not a valid référentiel (the reason names the key and where), a code a
    shipped référentiel already has, a code already imported (unless `remplacer`)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"{path} : lecture impossible ({exc.strerror or exc})") from exc
    if size > MAX_FILE_BYTES:
        raise UserError(f"{path} : fichier trop gros pour un référentiel ({size // (1024 * 1024)} Mo)")
    ref = read_referentiel_file(path)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", ref.code):
        raise UserError(
            f"Référentiel invalide : {path} : « code » : « {ref.code} » doit être fait de minuscules, chiffres et "
            f"tirets (par exemple « {slug(ref.code)} »)"
        )
    if (referentiels_dir() / f"{ref.code}.json").exists():
        raise UserError(
            f"{path} : le code « {ref.code} » est celui d'un référentiel livré avec l'application : "
            "changez la clé « code » du fichier"
        )
    target = private_dir(imported_referentiels_dir()) / f"{ref.code}.json"
    if target.exists() and not remplacer:
        raise UserError(
            f"{path} : un référentiel « {ref.code} » a déjà été importé : ajoutez --remplacer pour le remplacer"
        )
    write_json(to_dict(ref), target)
    return replace(read_referentiel_file(target), importe=True)
