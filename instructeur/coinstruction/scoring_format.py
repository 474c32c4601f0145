"""The scoring file's layout and values: sheet names, rows, columns, canonical row values and the
grille fingerprint (the module doc of `scoring_file` explains the format)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

FORMAT = "instructeur-notation/1"
SHEET = "Notation"
HELP_SHEET = "Aide"
META_SHEET = "_instructeur"
SCORING_FILE_MAX_UNCOMPRESSED = 20 * 1024 * 1024  # a campagne's scoring file is well under 1 Mo
NOT_A_SCORING_FILE = "ce fichier n'est pas un fichier de notation Instructeur"
GRILLE_MISMATCH = "la grille du fichier ne correspond pas à celle de la campagne"
PROTECTION_NOTE = "feuille protégée sans mot de passe (Révision ▸ Ôter la protection)"

HEADER_ROW = 7
SCALE_ROW = 8
FIRST_ROW = 9
IDENTITY = (
    ("Référence", 13),
    ("Porteur", 26),
    ("Intitulé", 38),
    ("Quartiers", 22),
    ("Coût total", 13),
    ("Demandé", 13),
)
FIRST_CRITERE_COLUMN = len(IDENTITY) + 1
TOTAL_HEADER = "Total /20"
CONFLIT_HEADER = "Conflit d'intérêts (oui/non)"
MOTIF_HEADER = "Motif du conflit"
COMMENT_HEADER = "Commentaire"

Kind = Literal["inchangee", "base_seule", "a_mettre_a_jour", "identique", "conflit"]
KIND_LABELS: dict[str, str] = {
    "inchangee": "inchangée",
    "base_seule": "modifiée dans la base seulement (gardée)",
    "a_mettre_a_jour": "à mettre à jour",
    "identique": "déjà identique",
    "conflit": "conflit",
}
Resolution = Literal["fichier", "base"]


# --- Values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowValues:
    """What an évaluateur decides on one dossier, in canonical form (module doc)."""

    notes: tuple[tuple[int, int], ...] = ()  # (critère id, note), sorted by critère id
    conflit: bool = False
    motif: str = ""
    commentaire: str = ""

    @classmethod
    def of(
        cls, notes: Mapping[int, int], conflit: bool, motif: str | None, commentaire: str | None
    ) -> RowValues:
        return cls(
            notes=() if conflit else tuple(sorted((int(k), int(v)) for k, v in notes.items())),
            conflit=bool(conflit),
            motif=(motif or "").strip() if conflit else "",
            commentaire=(commentaire or "").strip(),
        )

    @property
    def notes_dict(self) -> dict[int, int]:
        return dict(self.notes)

    def to_json(self) -> str:
        return json.dumps(
            {
                "notes": [[k, v] for k, v in self.notes],
                "conflit": self.conflit,
                "motif": self.motif,
                "commentaire": self.commentaire,
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> RowValues:
        data = json.loads(text)
        return cls(
            notes=tuple(sorted((int(k), int(v)) for k, v in data.get("notes", []))),
            conflit=bool(data.get("conflit")),
            motif=str(data.get("motif") or ""),
            commentaire=str(data.get("commentaire") or ""),
        )

    def digest(self) -> str:
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    def describe(self, criteria: Sequence[FileCritere]) -> str:
        """« 1. Public : 2 · 2. Cohérence : — … » or « conflit d'intérêts (motif) », then the comment."""
        if self.conflit:
            text = f"conflit d'intérêts ({self.motif})" if self.motif else "conflit d'intérêts"
        else:
            notes = self.notes_dict
            text = " · ".join(f"{c.number}. {c.short} : {notes.get(c.id, '—')}" for c in criteria)
        if self.commentaire:
            text += f" ; commentaire : « {self.commentaire} »"
        return text


def fingerprint(criteria: Iterable[tuple[int, int, int, int]]) -> str:
    """sha256 of the criteria (id, min, max, poids), in the grille's order."""
    payload = json.dumps([list(c) for c in criteria], separators=(",", ":"))
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class FileCritere:
    id: int
    number: int  # 1-based position in the grille
    libelle: str
    header: str  # the header cell's text
    echelle_min: int
    echelle_max: int
    poids: int
    column: int  # 1-based column of « Notation »

    @property
    def short(self) -> str:
        return shorten(self.libelle, 40)

    @property
    def scale_text(self) -> str:
        return f"{self.echelle_min}–{self.echelle_max}"

    def key(self) -> tuple[int, int, int, int]:
        return (self.id, self.echelle_min, self.echelle_max, self.poids)


@dataclass(frozen=True)
class FileRow:
    excel_row: int
    reference: str
    evaluation_id: int
    base_version: int
    base_hash: str
    base_values: RowValues | None
    values: RowValues


@dataclass(frozen=True)
class ScoringFile:
    path: Path
    campagne_id: int
    campagne_label: str  # « 2026 — Appel à projets »
    contrat: str
    evaluateur_id: int
    evaluateur_nom: str
    grille_id: int
    grille_version: int
    fingerprint: str
    criteria: tuple[FileCritere, ...]
    rows: tuple[FileRow, ...]
    exported_at: str = ""


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
