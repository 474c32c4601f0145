"""Offline co-instruction: the scoring file (.xlsx) of one évaluateur, and its import back.

**The file.** `export_scoring_file` writes a workbook an évaluateur fills in Excel or LibreOffice:

* « Notation »: a title block (contrat, campagne, évaluateur, grille and its version, instructions
  in French), one row per dossier confié (référence, porteur, intitulé, quartiers, coût total,
  demandé: read-only, grey), one column per criterion (header « 1. libellé », the scale « 0–3 » on
  the row below) with a data validation (whole number in the scale, French message), the total
  /20 as a formula (for the évaluateur's convenience only: it is never read back), « Conflit
  d'intérêts (oui/non) » (list validation), « Motif du conflit », « Commentaire ». The sheet is
  protected **without password** so that only the input cells take a typing: a convenience
  against slips, not security (Révision ▸ Ôter la protection).
* « Aide »: each criterion's section, libellé, aide, scale with its level labels, poids.
* « _instructeur » (very hidden): format version, campagne, contrat, évaluateur, grille id +
  version + a **fingerprint** (sha256 of the criteria ids, scales and weights, in order), the
  criteria and their columns, and per dossier the évaluation id, its **base version** and a hash
  of its **base values** (notes, conflit, motif, commentaire at export time).

**The import.** `read_scoring_file` parses and validates (French problems naming the sheet, the
row and the column; never a traceback). `plan_import` refuses a file of another campagne or of an
évaluateur unknown here, and a **tampered grille** (fingerprint or headers ≠ the grille of those
évaluations), then classifies each row by comparing three states — base (at export), fichier,
base de données (now):

===================  =================================  ==========================================
kind                 when                               import does
===================  =================================  ==========================================
``inchangee``        fichier = base, base de données =   nothing
                     base
``base_seule``       fichier = base, base de données     nothing (the database's change is kept)
                     changed
``a_mettre_a_jour``  fichier ≠ base, base de données =   writes the file's values
                     base
``identique``        fichier ≠ base, fichier = base de   nothing (both made the same change)
                     données
``conflit``          fichier ≠ base, base de données     the user chooses: « fichier » or « base »
                     ≠ base, fichier ≠ base de données
===================  =================================  ==========================================

« Changed » compares **values** (the hash), not only the version: a change undone in the database
is no conflict. `apply_import` refuses while a conflict has no resolution and writes everything in
one transaction (same rules as `NotationService.save_matrix`: version check, notes within the
scale, audit log), all or nothing.

Values are compared in canonical form: a row in conflict of interest carries no notes (the notes
stored before a conflict stay in the database but leave the aggregate, as with
`NotationService.declare_conflict`), a row without conflict carries no motif.

The code lives in `scoring_format` (layout, values), `scoring_export`, `scoring_read` and
`scoring_plan`; this module is the public entry point.
"""

from __future__ import annotations

from instructeur.coinstruction.scoring_export import export_scoring_file
from instructeur.coinstruction.scoring_format import (
    FORMAT,
    KIND_LABELS,
    NOT_A_SCORING_FILE,
    FileCritere,
    FileRow,
    RowValues,
    ScoringFile,
    fingerprint,
)
from instructeur.coinstruction.scoring_plan import (
    ImportOutcome,
    ImportPlan,
    PlanRow,
    apply_import,
    plan_import,
    unresolved,
)
from instructeur.coinstruction.scoring_read import read_scoring_file

__all__ = [
    "FORMAT",
    "KIND_LABELS",
    "NOT_A_SCORING_FILE",
    "FileCritere",
    "FileRow",
    "ImportOutcome",
    "ImportPlan",
    "PlanRow",
    "RowValues",
    "ScoringFile",
    "apply_import",
    "export_scoring_file",
    "fingerprint",
    "plan_import",
    "read_scoring_file",
    "unresolved",
]
