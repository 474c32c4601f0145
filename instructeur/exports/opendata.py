"""Open data: the retained subsidies of a campagne in the national SCDL « subventions » format.

Format: « Subventions » of the Socle Commun des Données Locales (OpenDataFrance), version 2.1.1,
https://schema.data.gouv.fr/scdl/subventions/2.1.1/documentation.html (checked against the
stored copy of that page and of the 1.1 README of `scdl/subventions`, which gives the field rules
quoted below); legal basis: décret 2017-779 and arrêté du 17 novembre 2017. CSV, UTF-8 (no BOM),
comma separator, fields quoted when needed (RFC 4180), decimal point.

Columns, in the schema's order (2.1.1 adds `rnaBeneficiaire` and `dispositifAide` to the 2017
format): nomAttribuant, idAttribuant, dateConvention, referenceDecision, nomBeneficiaire,
idBeneficiaire, rnaBeneficiaire, objet, montant, nature, conditionsVersement,
datesPeriodeVersement, idRAE, notificationUE, pourcentageSubvention, dispositifAide.

One row per retained dossier × financeur that voted an amount (> 0): each financeur is the
attribuant of its own subsidy. Rows are the dossiers whose decision is « retenu » and whose statut
is retenu, notifié, soldé or non réalisé. Mapping:

* nomAttribuant: the financeur's name; idAttribuant: its SIRET (Financeur.siret, entered in
  Paramètres › Financeurs or the new-contrat wizard);
* dateConvention: the date of the decision (comité point decided, else the comité's date, else
  the day the dossier became « retenu »), `AAAA-MM-JJ`;
* referenceDecision: the dossier's référence;
* nomBeneficiaire / idBeneficiaire / rnaBeneficiaire: the porteur's raison sociale, SIRET, RNA
  (the RNA only in the schema's form « W » + 9 digits; an older alphanumeric one is left out);
* objet: the action's intitulé (at most 255 characters, as the schema requires);
* montant: the voted amount in euros with a decimal point (« 12500.00 ») — the schema's
  « montant total de la subvention avant répartition entre les bénéficiaires »;
* nature « aide en numéraire »; conditionsVersement « unique »; datesPeriodeVersement: the
  exercice (`AAAA-01-01/AAAA-12-31`), the period form the schema prescribes when the precise
  payment date is unknown; idRAE empty; notificationUE « non »;
* pourcentageSubvention: 1 — per the schema, the share (0–1) of the subsidy's total amount that
  goes to this beneficiary (the example splits one subsidy 0.8 / 0.2 between two companies); a
  politique de la ville subsidy has one beneficiary. It is NOT the share of the action's cost;
* dispositifAide « Politique de la ville — contrat de ville ».

User text is written as is: this file is data for machines (formula guards would corrupt it).

A field the schema requires that the data cannot fill (a financeur without SIRET, a dossier without
decision date, a porteur without name, an action without intitulé) refuses the export with the list
of what is missing (ValidationError, one line each; the CLI exits 2) and writes nothing.
tests/fixtures/scdl_subventions_schema.json holds the schema the tests validate the file against.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from instructeur.errors import UserError, ValidationError
from instructeur.exports.xlsx_styles import os_reason
from instructeur.services.synthese import SyntheseService, is_retenu
from instructeur.storage.db import Database
from instructeur.storage.models import (
    Campagne,
    Comite,
    ComitePoint,
    Dossier,
    Financeur,
    Porteur,
    Transition,
)

__all__ = ["SCDL_COLUMNS", "export_scdl", "montant_scdl", "scdl_lines"]

SCDL_COLUMNS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)
DISPOSITIF = "Politique de la ville — contrat de ville"
OBJET_MAX = 255
_SIRET = re.compile(r"\d{14}")
_RNA = re.compile(r"W\d{9}")  # the schema's pattern (an older « W62A… » RNA does not match)


def montant_scdl(cents: int) -> str:
    """12 500,50 € → « 12500.50 » (decimal point, no grouping)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros}.{rest:02d}"


def export_scdl(db: Database, campagne_id: int, path: str | Path) -> Path:
    """Write the SCDL CSV of the campagne's retained subsidies; returns the path written.

    Raises ValidationError listing every required field that is missing, before writing anything."""
    target = Path(path)
    if target.is_dir():
        raise UserError(f"{target} : c'est un dossier, donnez un nom de fichier .csv")
    lines = scdl_lines(db, campagne_id)
    try:
        with target.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL)
            writer.writerow(SCDL_COLUMNS)
            writer.writerows(lines)
    except OSError as exc:
        raise UserError(f"{target} : écriture impossible ({os_reason(exc)})") from exc
    return target


def scdl_lines(db: Database, campagne_id: int) -> list[list[str]]:
    """The SCDL rows of the campagne, in SCDL_COLUMNS order; ValidationError if a required field
    cannot be filled (« financeur CD62 : SIRET manquant (idAttribuant) »…)."""
    service = SyntheseService(db)
    rows = [r for r in service.programmation_rows(campagne_id) if is_retenu(r.statut, r.decision)]
    financeurs = {f.code: f for f in service.financeurs(campagne_id)}

    with db.session() as s:
        campagne = s.get(Campagne, campagne_id)
        assert campagne is not None  # programmation_rows raised otherwise
        annee = campagne.annee
        sirets = {
            code: (siret or "").strip()
            for code, siret in s.execute(
                select(Financeur.code, Financeur.siret).where(Financeur.contrat_id == campagne.contrat_id)
            )
        }
        ids = [r.dossier_id for r in rows]
        rna = dict(
            s.execute(
                select(Dossier.id, Porteur.rna)
                .join(Porteur, Porteur.id == Dossier.porteur_id)
                .where(Dossier.id.in_(ids))
            ).all()
        )
        dates = _decision_dates(s, ids)

    problems: dict[str, None] = {}  # ordered set: one line per missing thing
    lines: list[list[str]] = []
    for r in rows:
        decided = dates.get(r.dossier_id)
        for code, voted in r.vote.items():
            if not voted or voted <= 0:
                continue
            siret = sirets.get(code, "")
            if not _SIRET.fullmatch(siret):
                problems[f"financeur {code} : SIRET manquant (idAttribuant) — Paramètres › Financeurs"] = None
            if decided is None:
                problems[f"dossier {r.reference} : date de décision manquante (dateConvention)"] = None
            if not r.porteur.strip():
                problems[f"dossier {r.reference} : nom du porteur manquant (nomBeneficiaire)"] = None
            if not r.intitule.strip():
                problems[f"dossier {r.reference} : intitulé de l'action manquant (objet)"] = None
            lines.append(
                [
                    financeurs[code].nom,
                    siret,
                    decided.isoformat() if decided else "",
                    r.reference,
                    r.porteur,
                    r.siret or "",
                    _rna(rna.get(r.dossier_id)),
                    r.intitule[:OBJET_MAX],
                    montant_scdl(voted),
                    "aide en numéraire",
                    "unique",
                    f"{annee}-01-01/{annee}-12-31",
                    "",
                    "non",
                    "1",
                    DISPOSITIF,
                ]
            )
    if problems:
        raise ValidationError(list(problems))
    return lines


def _rna(value: str | None) -> str:
    text = (value or "").strip()
    return text if _RNA.fullmatch(text) else ""


def _decision_dates(s: Session, ids: list[int]) -> dict[int, date]:
    """Date of the « retenu » decision per dossier: the comité point's decision time, else the
    comité's date, else the last transition to « retenu »."""
    out: dict[int, date] = {}
    if not ids:
        return out
    for dossier_id, at in s.execute(
        select(Transition.dossier_id, Transition.at)
        .where(Transition.dossier_id.in_(ids))
        .where(Transition.vers_statut == "retenu")
        .order_by(Transition.at, Transition.id)
    ):
        if at is not None:
            out[dossier_id] = at.date()
    for dossier_id, decided_at, seance in s.execute(
        select(ComitePoint.dossier_id, ComitePoint.decided_at, Comite.date_seance)
        .join(Comite, Comite.id == ComitePoint.comite_id)
        .where(ComitePoint.dossier_id.in_(ids))
        .where(ComitePoint.decision == "retenu")
        .order_by(ComitePoint.decided_at)
    ):
        when = decided_at.date() if decided_at is not None else seance
        if when is not None:
            out[dossier_id] = when
    return out
