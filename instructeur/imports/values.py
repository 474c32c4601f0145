"""Reading the cells of one import row into typed values, each problem naming its column.

Amounts go through `parse_amount` (never negative), dates through `parse_date` (Excel dates and
serial numbers included), SIRET/RNA through the identifier checks, quartiers and objectifs through
the contrat's référentiel (`QuartierIndex`, `ObjectifIndex`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from instructeur.domain.dates import format_date, parse_date
from instructeur.domain.identifiers import (
    normalize_rna,
    normalize_siret,
    rna_problem,
    siret_problem,
)
from instructeur.domain.money import AMOUNT_CEILING_DEFAULT_CENTS, ceiling_problem, parse_amount
from instructeur.domain.text import fold
from instructeur.errors import UserError
from instructeur.imports.headers import DEMANDE_PREFIX, Mapping
from instructeur.imports.reader import Cell, Row
from instructeur.services.contrats import FinanceurRow
from instructeur.services.porteurs import PorteurData
from instructeur.storage.models import Objectif, Quartier

__all__ = ["ObjectifIndex", "Parsed", "QuartierIndex", "RowProblem", "RowValues", "key", "text_of"]

_SEPARATORS = re.compile(r"[,;/\n\r]+")
# Longest text each column accepts (PostgreSQL refuses longer strings).
MAX_LENGTHS = {
    "reference": 40, "intitule": 500, "raison_sociale": 300, "sigle": 60, "forme_juridique": 120,
    "adresse": 300, "code_postal": 5, "ville": 120, "representant_nom": 120, "representant_prenom": 120,
    "representant_fonction": 120, "contact_email": 200, "contact_telephone": 30,
}  # fmt: skip
TEXT_KEYS = ("intitule", "description", "objectifs_action", "observations")
INT_KEYS = ("public_prevu", "public_femmes", "public_hommes")
DATE_KEYS = ("date_depot", "date_debut", "date_fin")
PORTEUR_TEXT_KEYS = (
    "raison_sociale", "sigle", "forme_juridique", "adresse", "code_postal", "ville", "representant_nom",
    "representant_prenom", "representant_fonction", "contact_email", "contact_telephone",
)  # fmt: skip
_RECONDUITE = {"r", "reconduite", "reconduit", "reconduction", "renouvellement", "renouvelee", "renouvele"}
_NOUVELLE = {"n", "nouvelle", "nouveau", "creation", "nouvelle action"}
_YES = {"oui", "o", "x", "1", "vrai", "yes", "y"}
_NO = {"non", "0", "faux", "no"}


@dataclass(frozen=True)
class RowProblem:
    """A rejected cell or row: `FICHIER, ligne 14, colonne « SIRET » : raison`."""

    file: str
    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.row}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.reason}"


def key(text: str) -> str:
    """Comparison form of a name: folded, punctuation as spaces (« Chemin-Vert » = « chemin vert »)."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def text_of(cell: Cell) -> str:
    """A cell as text: Excel's 2026001.0 reads « 2026001 », a date « 15/03/2025 »."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return format_date(cell)
    return str(cell).strip()


class QuartierIndex:
    """The contrat's quartiers by folded name, alias and official code."""

    def __init__(self, quartiers: Sequence[Quartier]) -> None:
        self.quartiers = list(quartiers)
        self._by_key: dict[str, Quartier] = {}
        for q in self.quartiers:  # names win over aliases, aliases over codes
            self._by_key.setdefault(key(q.nom), q)
        for q in self.quartiers:
            for alias in q.aliases:
                self._by_key.setdefault(key(alias.alias), q)
        for q in self.quartiers:
            if q.code:
                self._by_key.setdefault(key(q.code), q)

    def find(self, text: str) -> Quartier | None:
        return self._by_key.get(key(text))

    def names(self) -> str:
        return ", ".join(q.nom for q in self.quartiers) or "aucun"


class ObjectifIndex:
    """The cadre stratégique by code and title (a title prefix is accepted when unambiguous)."""

    def __init__(self, objectifs: Sequence[Objectif]) -> None:
        self.by_code = {o.code.strip().rstrip(".").casefold(): o for o in objectifs}
        self.by_title = [(key(o.titre), o) for o in objectifs]
        self._codes = {o.id: o.code for o in objectifs}

    def code_of(self, objectif_id: object) -> str:
        return self._codes.get(objectif_id, str(objectif_id)) if isinstance(objectif_id, int) else "(vide)"

    def find(self, text: str) -> Objectif | str:
        """The objectif, or a French reason."""
        wanted = text.strip()
        first = wanted.split()[0].strip(".-:–").casefold() if wanted.split() else ""
        for candidate in (wanted.rstrip(".").casefold(), first):
            if candidate in self.by_code:
                return self.by_code[candidate]
        k = key(wanted)
        exact = [o for t, o in self.by_title if t == k]
        if len(exact) == 1:
            return exact[0]
        starting = [o for t, o in self.by_title if k and t.startswith(k)]
        if len(starting) == 1:
            return starting[0]
        if len(starting) > 1 or len(exact) > 1:
            codes = ", ".join(sorted(o.code for o in (exact or starting)))
            return f"objectif ambigu : « {wanted} » correspond à {codes}"
        return f"objectif inconnu : « {wanted} » (code ou intitulé du cadre stratégique attendu)"


@dataclass
class Parsed:
    porteur: PorteurData | None
    scalars: dict[str, object]
    quartiers: list[Quartier] | None
    lines: dict[int | str, int]  # financeur id or other-resource libellé → demanded cents
    cout_total: int | None


class RowValues:
    """The cells of one row, read field by field; problems accumulate in `problems`."""

    ceiling_cents: int = AMOUNT_CEILING_DEFAULT_CENTS  # plausibility ceiling of amounts

    def __init__(
        self,
        file: str,
        row: Row,
        mapping: Mapping,
        financeurs: Sequence[FinanceurRow],
        quartiers: QuartierIndex,
        objectifs: ObjectifIndex,
    ) -> None:
        self.file = file
        self.row = row
        self.mapping = mapping
        self.financeurs = financeurs
        self.quartiers = quartiers
        self.objectifs = objectifs
        self.problems: list[RowProblem] = []

    def problem(self, field_key: str | None, reason: str) -> None:
        column = self.mapping.header_of(field_key) if field_key else None
        self.problems.append(RowProblem(self.file, self.row.number, column, reason))

    def cell(self, field_key: str) -> Cell:
        column = self.mapping.columns.get(field_key)
        return None if column is None else self.row.get(column)

    def text(self, field_key: str) -> str | None:
        value = text_of(self.cell(field_key)) or None
        limit = MAX_LENGTHS.get(field_key)
        if value is not None and limit is not None and len(value) > limit:
            self.problem(field_key, f"texte trop long ({len(value)} caractères, {limit} au plus)")
            return None
        return value

    def reference(self) -> str | None:
        return self.text("reference")

    # Typed readers: None for an empty cell or a problem (recorded).

    def amount(self, field_key: str, cell: Cell | None = None) -> int | None:
        value = self.cell(field_key) if cell is None else cell
        if value is None:
            return None
        try:
            cents = parse_amount(value if isinstance(value, str | int | float | Decimal) else text_of(value))
        except UserError as exc:
            self.problem(field_key, exc.message)
            return None
        if cents < 0:
            self.problem(field_key, f"montant négatif : « {text_of(value)} »")
            return None
        # --- plausibility ceiling (domain/money.py; the import may set the contrat's) ---
        too_high = ceiling_problem(cents, self.ceiling_cents)
        if too_high is not None:
            self.problem(field_key, too_high)
            return None
        # --- end ceiling ---
        return cents

    def date(self, field_key: str) -> date | None:
        value = self.cell(field_key)
        if value is None:
            return None
        if isinstance(value, str) and value.isdigit() and len(value) == 5:
            value = int(value)  # an Excel serial number exported as text
        if isinstance(value, Decimal):
            value = float(value)
        try:
            return parse_date(value)
        except UserError as exc:
            self.problem(field_key, exc.message)
            return None

    def integer(self, field_key: str) -> int | None:
        value = self.cell(field_key)
        if value is None:
            return None
        text = re.sub(r"[\s\u00a0\u202f]", "", text_of(value))
        if not re.fullmatch(r"-?\d+", text):
            self.problem(field_key, f"nombre entier attendu : « {text_of(value)} »")
            return None
        if int(text) < 0:
            self.problem(field_key, f"nombre négatif : « {text_of(value)} »")
            return None
        return int(text)

    def percent(self, field_key: str) -> int | None:
        value = self.cell(field_key)
        if value is None:
            return None
        text = text_of(value).replace("\u00a0", " ").strip()
        has_sign = text.endswith("%")
        try:
            number = Decimal(text.rstrip("%").strip().replace(",", "."))
        except InvalidOperation:
            self.problem(field_key, f"pourcentage illisible : « {text} »")
            return None
        if not has_sign and 0 < number < 1:  # a cell formatted as a percentage holds 0.45
            number *= 100
        pct = int(number.quantize(Decimal(1)))
        if not 0 <= pct <= 100:
            self.problem(field_key, f"pourcentage entre 0 et 100 attendu : « {text} »")
            return None
        return pct

    def reconduite(self) -> bool | None:
        result = None
        for field_key, yes_means in (("reconduite", True), ("nouvelle", False)):
            value = self.cell(field_key)
            if value is None:
                continue
            word = key(text_of(value))
            if word in _RECONDUITE:
                result = True
            elif word in _NOUVELLE:
                result = False
            elif word in _YES:
                result = yes_means
            elif word in _NO:
                result = not yes_means
            else:
                self.problem(
                    field_key,
                    f"valeur non reconnue : « {text_of(value)} » (N/nouvelle, R/reconduite, oui/non)",
                )
        return result

    def cotation(self) -> int | None:
        value = self.cell("cotation_declaree")
        if value is None:
            return None
        match = re.fullmatch(r"g?\s*([0-9]+)", key(text_of(value)))
        if match is None or int(match[1]) not in (0, 1, 2):
            self.problem("cotation_declaree", f"cotation 0, 1 ou 2 attendue : « {text_of(value)} »")
            return None
        return int(match[1])

    def quartier_list(self) -> list[Quartier] | None:
        value = self.cell("quartiers")
        if value is None:
            return None
        text = text_of(value)
        whole = self.quartiers.find(text)
        if whole is not None:
            return [whole]
        found: list[Quartier] = []
        for part in (p.strip() for p in _SEPARATORS.split(text)):
            if not part:
                continue
            q = self.quartiers.find(part)
            if q is None:
                self.problem(
                    "quartiers",
                    f"quartier inconnu : « {part} » (quartiers du contrat : {self.quartiers.names()})",
                )
            elif q not in found:
                found.append(q)
        return found

    def objectif(self) -> int | None:
        value = self.cell("objectif_id")
        if value is None:
            return None
        found = self.objectifs.find(text_of(value))
        if isinstance(found, str):
            self.problem("objectif_id", found)
            return None
        return found.id

    def identifiers(self) -> tuple[str | None, str | None]:
        siret = rna = None
        value = self.cell("siret")
        if value is not None:
            text = text_of(value)
            if isinstance(value, int | float) and len(text) < 14:
                text = text.zfill(14)  # a SIRET typed as a number loses its leading zeros
            reason = siret_problem(text)
            if reason:
                self.problem("siret", reason)
            else:
                siret = normalize_siret(text)
        value = self.cell("rna")
        if value is not None:
            reason = rna_problem(text_of(value))
            if reason:
                self.problem("rna", reason)
            else:
                rna = normalize_rna(text_of(value))
        return siret, rna

    # The whole row

    def parse(self) -> Parsed:
        siret, rna = self.identifiers()
        porteur_texts = {k: self.text(k) for k in PORTEUR_TEXT_KEYS}
        if isinstance(self.cell("code_postal"), int):
            porteur_texts["code_postal"] = text_of(self.cell("code_postal")).zfill(5)
        porteur = None
        if siret or rna or any(porteur_texts.values()):
            values = {k: v for k, v in porteur_texts.items() if k != "raison_sociale"}
            porteur = PorteurData(
                raison_sociale=porteur_texts["raison_sociale"] or "", siret=siret, rna=rna, **values
            )
        scalars: dict[str, object] = {}
        for k in TEXT_KEYS:
            if (text := self.text(k)) is not None:
                scalars[k] = text
        readers = {
            **{k: self.integer for k in INT_KEYS},
            **{k: self.date for k in DATE_KEYS},
            "part_qpv_pct": self.percent,
        }
        for k, reader in readers.items():
            if (read := reader(k)) is not None:
                scalars[k] = read
        for k, read_value in (
            ("objectif_id", self.objectif()),
            ("reconduite", self.reconduite()),
            ("cotation_declaree", self.cotation()),
        ):
            if read_value is not None:
                scalars[k] = read_value
        lines: dict[int | str, int] = {}
        for f in self.financeurs:
            cents = self.amount(DEMANDE_PREFIX + f.code)
            if cents is not None:
                lines[f.id] = cents
        for k, libelle in (
            ("fonds_propres", "Fonds propres"),
            ("autres_financements", "Autres financements"),
        ):
            cents = self.amount(k)
            if cents is not None:
                lines[libelle] = cents
        for column in self.mapping.unknown_amounts:
            value = self.row.get(column)
            if value is not None and self.amount("", value):
                self.problems.append(
                    RowProblem(
                        self.file,
                        self.row.number,
                        self.mapping.header(column),
                        "aucun financeur du contrat ne correspond à cette colonne (financeurs : "
                        + ", ".join(f.code for f in self.financeurs)
                        + ") ; précisez-le avec --mapping demande:CODE=COLONNE",
                    )
                )
        return Parsed(porteur, scalars, self.quartier_list(), lines, self.amount("cout_total_cents"))
