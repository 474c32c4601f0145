"""Reading the cells of one import row into typed values, each problem naming its column.

Amounts go through `parse_amount` (never negative), dates through `parse_date` (Excel dates and
serial numbers included), SIRET/RNA through the identifier checks, quartiers and objectifs through
the contrat's référentiel (`QuartierIndex`, `ObjectifIndex`).
"""

from __future__ import annotations

import difflib
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


_MIN_WORD = 4  # an abbreviation must hold a word this long (« et », « du » alone designate nothing)


def _words_within(part: list[str], whole: list[str]) -> bool:
    """`part` is a run of consecutive words of `whole` (« chemin vert » within « chemin vert beaurepaire … »)."""
    n = len(part)
    return any(whole[i : i + n] == part for i in range(len(whole) - n + 1))


class QuartierIndex:
    """The contrat's quartiers by folded name, alias and official code; a word or a run of words
    of a name (« Beaurepaire », « Chemin Vert ») designates the quartier when only one has it."""

    def __init__(self, quartiers: Sequence[Quartier]) -> None:
        self.quartiers = list(quartiers)
        self._by_key: dict[str, Quartier] = {}
        self._names: list[tuple[list[str], Quartier]] = []
        for q in self.quartiers:  # names win over aliases, aliases over codes
            self._by_key.setdefault(key(q.nom), q)
            self._names.append((key(q.nom).split(), q))
        for q in self.quartiers:
            for alias in q.aliases:
                self._by_key.setdefault(key(alias.alias), q)
                self._names.append((key(alias.alias).split(), q))
        for q in self.quartiers:
            if q.code:
                self._by_key.setdefault(key(q.code), q)
        self._abbreviations: dict[str, Quartier | None] = {}  # memo: None = no single match

    def find(self, text: str) -> Quartier | None:
        k = key(text)
        found = self._by_key.get(k)
        if found is not None or not k:
            return found
        if k not in self._abbreviations:
            self._abbreviations[k] = self._abbreviation(k)
        return self._abbreviations[k]

    def _abbreviation(self, k: str) -> Quartier | None:
        words = k.split()
        if not any(len(w) >= _MIN_WORD for w in words):
            return None
        matches = {q.id: q for names, q in self._names if _words_within(words, names)}
        return next(iter(matches.values())) if len(matches) == 1 else None

    def suggest(self, text: str, count: int = 3) -> list[str]:
        """The names closest to `text` (difflib), best first, for the value-mapping step."""
        by_key = {key(q.nom): q.nom for q in self.quartiers}
        k = key(text)
        containing = [nom for kk, nom in by_key.items() if k and any(w in kk.split() for w in k.split() if len(w) >= 3)]
        close = [by_key[m] for m in difflib.get_close_matches(k, list(by_key), n=count, cutoff=0.4)]
        return list(dict.fromkeys([*close, *containing]))[:count]

    def names(self) -> str:
        return ", ".join(q.nom for q in self.quartiers) or "aucun"


class ObjectifIndex:
    """The cadre stratégique by code and title (a title prefix is accepted when unambiguous)."""

    def __init__(self, objectifs: Sequence[Objectif]) -> None:
        self.by_code = {o.code.strip().rstrip(".").casefold(): o for o in objectifs}
        self.by_title = [(key(o.titre), o) for o in objectifs]
        self._codes = {o.id: o.code for o in objectifs}

    def suggest(self, text: str, count: int = 3) -> list[str]:
        """« code - intitulé » of the objectifs closest to `text` (difflib), best first."""
        labels = {t: o for t, o in self.by_title}
        close = difflib.get_close_matches(key(text), list(labels), n=count, cutoff=0.3)
        return [f"{labels[m].code} - {labels[m].titre}" for m in close]

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
    historique: str | None = None  # what the platform said of the dossier (presets.HISTORIQUE)


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
        self.value_map: dict[str, dict[str, str]] = {}  # field → {key(value in the file): value to use}
        self.unmatched: list[tuple[str, str]] = []  # (field, value) that matched nothing

    def mapped(self, field_key: str, text: str) -> str:
        """The value the user chose for `text` in this field (« --valeur »), else `text`."""
        return self.value_map.get(field_key, {}).get(key(text), text)

    def problem(self, field_key: str | None, reason: str) -> None:
        column = self.mapping.header_of(field_key) if field_key else None
        self.problems.append(RowProblem(self.file, self.row.number, column, reason))

    def cell(self, field_key: str) -> Cell:
        column = self.mapping.columns.get(field_key)
        if column is None:
            return None
        cells = self.row.cells
        return cells[column] if 0 <= column < len(cells) else None

    def text(self, field_key: str) -> str | None:
        cell = self.cell(field_key)
        if cell is None:
            return None
        value = (cell.strip() if isinstance(cell, str) else text_of(cell)) or None
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
        whole = self.quartiers.find(self.mapped("quartiers", text))
        if whole is not None:
            return [whole]
        found: list[Quartier] = []
        for part in (p.strip() for p in _SEPARATORS.split(text)):
            if not part:
                continue
            q = self.quartiers.find(self.mapped("quartiers", part))
            if q is None:
                self.unmatched.append(("quartiers", part))
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
        found = self.objectifs.find(self.mapped("objectif_id", text_of(value)))
        if isinstance(found, str):
            self.unmatched.append(("objectif_id", text_of(value)))
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
        historique = text_of(self.cell("historique")) or None  # presets.HISTORIQUE
        return Parsed(porteur, scalars, self.quartier_list(), lines, self.amount("cout_total_cents"), historique)
