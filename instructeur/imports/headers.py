"""Which column holds what: the recognised headers (SYNONYMS), header-row and totals-row detection.

Headers are compared once normalised (`normalize_header`): accents, case, punctuation and extra
spaces do not matter, and « n° », « no », « num », « numéro » all read « n ». A header is matched
against the synonyms exactly first, then with the « contains » rules (`CONTAINS_RULES`), then as a
financeur's demanded amount (« Montant demandé État », « Demandé Agglo », « Subvention sollicitée
CAF »…, see `financeur_for_header`). The list is documented for users in docs/IMPORT.md and in the
« Aide » sheet of the import template.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from instructeur.domain.text import fold
from instructeur.imports.reader import Row, Table, column_letter
from instructeur.services.contrats import FinanceurRow

__all__ = [
    "DEMANDE_PREFIX",
    "FIELDS",
    "SYNONYMS",
    "FieldSpec",
    "Mapping",
    "field_label",
    "financeur_for_header",
    "find_header_row",
    "is_totals_row",
    "normalize_header",
    "propose_mapping",
]

DEMANDE_PREFIX = "demande:"  # field key of a financeur's demanded amount: « demande:ETAT »
_HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str  # the template's column header
    required: bool
    formats: str
    synonyms: tuple[str, ...]  # other headers recognised as this field (the label is one too)


_TEXT = "texte libre"
_AMOUNT = "montant : 12 500,00 € · 12500 · 1 234,5 · nombre Excel ; jamais négatif"
_DATE = "date : 15/03/2025 · 15/03/25 · 2025-03-15 · date ou numéro de série Excel"
_INT = "nombre entier"

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("reference", "N° dossier", True, "texte ; sert à retrouver le dossier lors d'un nouvel import",
              ("Numéro de dossier", "N° Dauphin", "Référence", "Réf.", "Code dossier", "Référence du dossier",
               "N° de dossier", "Numéro Dauphin", "Dossier")),
    FieldSpec("raison_sociale", "Raison sociale", True, _TEXT + " (obligatoire pour un nouveau dossier)",
              ("Structure", "Porteur", "Nom de la structure", "Organisme", "Bénéficiaire", "Porteur de projet",
               "Nom du porteur", "Association", "Structure porteuse", "Nom de l'organisme")),
    FieldSpec("siret", "SIRET", False, "14 chiffres (espaces admis), clé de contrôle vérifiée",
              ("N° SIRET", "Siret de la structure", "Numéro SIRET", "SIRET de l'organisme")),
    FieldSpec("rna", "N° RNA", False, "W suivi de 9 chiffres (W623001234)",
              ("RNA", "N° W", "Numéro RNA", "N° d'association", "Numéro W")),
    FieldSpec("sigle", "Sigle", False, _TEXT, ("Acronyme",)),
    FieldSpec("forme_juridique", "Forme juridique", False, _TEXT,
              ("Statut juridique", "Statut de la structure", "Nature juridique")),
    FieldSpec("adresse", "Adresse", False, _TEXT, ("Adresse du siège", "Adresse de la structure", "Adresse postale")),
    FieldSpec("code_postal", "Code postal", False, "5 chiffres", ("CP",)),
    FieldSpec("ville", "Ville", False, _TEXT, ("Commune du siège", "Localité", "Ville du siège")),
    FieldSpec("representant_nom", "Nom du représentant légal", False, _TEXT,
              ("Représentant légal", "Nom du représentant", "Président", "Nom du président")),
    FieldSpec("representant_prenom", "Prénom du représentant légal", False, _TEXT,
              ("Prénom du représentant", "Prénom du président")),
    FieldSpec("representant_fonction", "Fonction du représentant légal", False, _TEXT,
              ("Qualité du représentant légal", "Fonction du représentant", "Qualité du représentant")),
    FieldSpec("contact_email", "Courriel", False, _TEXT,
              ("Email", "E-mail", "Mail", "Adresse électronique", "Courriel du contact", "Adresse mail")),
    FieldSpec("contact_telephone", "Téléphone", False, _TEXT, ("Tél.", "Tel", "Téléphone du contact", "Portable")),
    FieldSpec("intitule", "Intitulé de l'action", True, _TEXT + " (obligatoire pour un nouveau dossier)",
              ("Intitulé", "Nom de l'action", "Action", "Titre du projet", "Titre de l'action", "Projet",
               "Libellé de l'action", "Intitulé du projet", "Nom du projet")),
    FieldSpec("description", "Description", False, _TEXT,
              ("Description de l'action", "Descriptif", "Résumé", "Résumé de l'action", "Contenu de l'action")),
    FieldSpec("objectifs_action", "Objectifs de l'action", False, _TEXT,
              ("Objectifs", "Objectifs du projet", "Objectifs poursuivis")),
    FieldSpec("cout_total_cents", "Coût total", False, _AMOUNT + " ; absent : somme des ressources",
              ("Budget total", "Coût total de l'action", "Montant total", "Budget de l'action", "Coût de l'action",
               "Budget prévisionnel", "Coût total du projet", "Budget global")),
    FieldSpec("fonds_propres", "Fonds propres", False, _AMOUNT,
              ("Autofinancement", "Apport du porteur", "Ressources propres")),
    FieldSpec("autres_financements", "Autres financements", False, _AMOUNT,
              ("Autres ressources", "Autres financeurs", "Autres subventions", "Autres cofinancements")),
    FieldSpec("quartiers", "Quartier(s)", False,
              "nom, alias ou code officiel (QN06201M) ; plusieurs séparés par , ; / ou retour à la ligne",
              ("QPV", "Quartier prioritaire", "Territoire", "Quartiers", "Quartiers prioritaires",
               "Quartiers concernés", "QPV concernés", "Quartier concerné", "Territoire d'intervention")),
    FieldSpec("objectif_id", "Objectif", False,
              "code du cadre stratégique (1.1.2) ou intitulé (début d'intitulé admis s'il est unique)",
              ("Axe", "Objectif opérationnel", "Orientation", "Objectif stratégique", "Rattachement", "Pilier",
               "Axe du contrat de ville", "Objectif du contrat de ville")),
    FieldSpec("public_prevu", "Public prévu", False, _INT,
              ("Nombre de bénéficiaires", "Public", "Nombre de participants", "Bénéficiaires prévus",
               "Nombre de personnes", "Public visé")),
    FieldSpec("public_femmes", "Dont femmes", False, _INT, ("Femmes", "Nombre de femmes", "Public femmes")),
    FieldSpec("public_hommes", "Dont hommes", False, _INT, ("Hommes", "Nombre d'hommes", "Public hommes")),
    FieldSpec("part_qpv_pct", "Part du public QPV (%)", False, "pourcentage entier de 0 à 100 (45, 45 %, 0,45)",
              ("Part QPV", "% QPV", "Part du public QPV", "Part des habitants QPV", "Public QPV (%)",
               "Pourcentage QPV", "Public QPV")),
    FieldSpec("date_debut", "Date de début", False, _DATE, ("Début", "Date début", "Début de l'action")),
    FieldSpec("date_fin", "Date de fin", False, _DATE, ("Fin", "Date fin", "Fin de l'action")),
    FieldSpec("date_depot", "Date de dépôt", False, _DATE,
              ("Déposé le", "Date dépôt", "Date de réception", "Reçu le", "Date de la demande")),
    FieldSpec("reconduite", "Nouvelle / reconduite", False,
              "N, Nouvelle, R, Reconduite, Renouvellement ; oui/non selon l'intitulé de la colonne",
              ("Reconduction", "Renouvellement", "Reconduite", "Action reconduite", "Nouvelle ou reconduite",
               "Type d'action")),
    FieldSpec("nouvelle", "Nouvelle action", False, "oui / non (oui = action nouvelle) ou N / R",
              ("Action nouvelle", "Nouvelle")),
    FieldSpec("cotation_declaree", "Cotation F/H déclarée", False, "0, 1 ou 2 (G0, G1, G2 admis)",
              ("Cotation F/H", "Cotation égalité F/H", "Cotation égalité femmes-hommes", "Cotation",
               "Marqueur égalité", "Cotation égalité")),
    FieldSpec("observations", "Observations", False, _TEXT, ("Commentaire", "Commentaires", "Remarques", "Remarque")),
)  # fmt: skip

SYNONYMS: dict[str, tuple[str, ...]] = {spec.key: (spec.label, *spec.synonyms) for spec in FIELDS}
"""Field key → every header text recognised for it (the template's label first)."""

_LABELS = {spec.key: spec.label for spec in FIELDS} | {"historique": "Historique du dossier"}  # presets.HISTORIQUE

# « Contains » rules, tried in order when no synonym matches exactly: (field, needles); a needle
# matches whole words of the normalised header.
CONTAINS_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("siret", ("siret",)),
    ("rna", ("rna",)),
    ("reference", ("n dossier", "n de dossier", "reference", "n dauphin", "code dossier")),
    ("raison_sociale", ("raison sociale", "nom de la structure", "structure porteuse", "organisme")),
    ("cotation_declaree", ("cotation", "marqueur egalite")),
    (
        "part_qpv_pct",
        ("part qpv", "part du public", "part des habitants", "pourcentage qpv", "pct qpv", "qpv pct"),
    ),
    (
        "cout_total_cents",
        ("cout total", "budget total", "montant total", "budget global", "cout de l action"),
    ),
    ("fonds_propres", ("fonds propres", "autofinancement")),
    ("autres_financements", ("autres financements", "autres ressources", "autres subventions")),
    ("quartiers", ("quartier", "quartiers", "qpv", "territoire")),
    ("intitule", ("intitule", "titre du projet", "nom de l action", "titre de l action")),
    ("objectifs_action", ("objectifs de l action", "objectifs du projet")),
    ("objectif_id", ("objectif", "axe", "orientation", "pilier")),
    ("description", ("description", "descriptif")),
    ("public_femmes", ("femmes",)),
    ("public_hommes", ("hommes",)),
    ("public_prevu", ("public", "beneficiaires prevus", "nombre de beneficiaires", "participants")),
    ("date_debut", ("debut",)),
    ("date_fin", ("fin",)),
    ("date_depot", ("depot", "reception")),
    ("nouvelle", ("nouvelle action", "action nouvelle")),
    ("reconduite", ("reconduction", "reconduite", "renouvellement")),
    ("contact_email", ("courriel", "mail", "email")),
    ("contact_telephone", ("telephone", "tel")),
    ("representant_prenom", ("prenom",)),
    ("representant_fonction", ("fonction", "qualite")),
    ("representant_nom", ("representant", "president")),
    ("code_postal", ("code postal",)),
    ("adresse", ("adresse",)),
    ("observations", ("observation", "observations", "commentaire", "remarque")),
)

# Words that designate each type of financeur in a header (normalised).
FINANCEUR_WORDS: dict[str, tuple[str, ...]] = {
    "etat": ("etat", "prefecture", "anct", "bop 147", "politique de la ville etat"),
    "epci": ("epci", "agglo", "agglomeration", "ca", "cab", "communaute", "communaute d agglomeration",
             "intercommunalite", "interco", "cc", "cu"),
    "commune": ("commune", "communes", "ville", "mairie"),
    "departement": ("departement", "cd", "cd62", "conseil departemental"),
    "region": ("region", "conseil regional", "hauts de france"),
    "caf": ("caf",),
    "bailleur": ("bailleur", "bailleurs", "bailleur social", "bailleurs sociaux"),
}  # fmt: skip

_DEMAND_WORDS = ("montant demande", "montant sollicite", "subvention demandee", "subvention sollicitee",
                 "demande", "sollicite", "demandee", "sollicitee", "aide demandee", "financement demande")  # fmt: skip
_BARE_WORDS = {"etat": "etat", "epci": "epci", "agglo": "epci", "caf": "caf", "region": "region",
               "departement": "departement", "bailleur": "bailleur", "bailleurs": "bailleur"}  # fmt: skip
_FILLER = {
    "montant",
    "de",
    "d",
    "du",
    "la",
    "le",
    "l",
    "des",
    "a",
    "au",
    "aux",
    "par",
    "en",
    "eur",
    "euros",
    "e",
}


def normalize_header(text: str) -> str:
    """« N° SIRET » → « n siret », « Coût total (€) » → « cout total », « Numéro de dossier » → « n de dossier »."""
    folded = fold(text).replace("°", " ° ").replace("€", " ").replace("%", " pct ")
    words = re.sub(r"[^0-9a-z°]+", " ", folded).split()
    out: list[str] = []
    for n, word in enumerate(words):
        if word in ("numero", "num", "no", "nº") or (
            word == "n" and n + 1 < len(words) and words[n + 1] == "°"
        ):
            out.append("n")
        elif word == "°":
            continue
        else:
            out.append(word)
    return " ".join(out)


_EXACT: dict[str, str] = {}
for _key, _texts in SYNONYMS.items():
    for _text in _texts:
        _EXACT.setdefault(normalize_header(_text), _key)


def field_label(key: str, financeurs: Sequence[FinanceurRow] = ()) -> str:
    """The French name of a field, for messages (« montant demandé État »)."""
    if key.startswith(DEMANDE_PREFIX):
        code = key[len(DEMANDE_PREFIX) :]
        names = {f.code: f.nom for f in financeurs}
        return f"montant demandé {names.get(code, code)}"
    return _LABELS.get(key, key)


def _contains(header: str, needle: str) -> bool:
    return f" {needle} " in f" {header} "


def is_demand_header(header: str) -> bool:
    return any(_contains(header, word) for word in _DEMAND_WORDS)


def financeur_for_header(
    header: str, financeurs: Sequence[FinanceurRow], *, bare: bool = False
) -> FinanceurRow | None:
    """The financeur whose demanded amount a normalised header designates.

    « montant demande etat », « demande agglo », « subvention sollicitee caf »: the words left after
    « demandé / sollicité / subvention / montant » are compared with each financeur's code, name and
    type words (FINANCEUR_WORDS). A plain « montant demandé » or « subvention demandée » goes to the
    first financeur of type État. With `bare`, the header itself may be the financeur (« CAF »).
    """
    if not bare and not is_demand_header(header):
        return None
    words = [w for w in header.split() if w not in _FILLER]
    rest = " ".join(w for w in words if w not in {"demande", "demandee", "sollicite", "sollicitee", "subvention",
                                                  "aide", "financement"})  # fmt: skip
    if not rest:
        return None if bare else next((f for f in financeurs if f.type == "etat"), None)
    for f in financeurs:
        if rest in (normalize_header(f.code), normalize_header(f.nom)):
            return f
    if bare:  # a header that is only a word: unambiguous words only (« Ville » is an address)
        return next((f for f in financeurs if rest in _BARE_WORDS and f.type == _BARE_WORDS[rest]), None)
    for f in financeurs:
        if rest in FINANCEUR_WORDS.get(f.type, ()):
            return f
    for f in financeurs:  # « CAF du Pas-de-Calais », « Agglo du Boulonnais »
        if any(_contains(rest, w) for w in (*FINANCEUR_WORDS.get(f.type, ()), normalize_header(f.code))):
            return f
    return None


@dataclass(frozen=True)
class Mapping:
    """Where each field is: `columns` maps a field key to a 0-based column index.

    `headers` holds the header row's texts by column; `unrecognised` the columns left aside;
    `unknown_amounts` the columns that look like a demanded amount for a financeur the contrat
    does not have (a value there rejects the row rather than losing money silently).
    """

    header_row: int
    headers: tuple[str, ...]
    columns: dict[str, int] = field(default_factory=dict)
    unrecognised: tuple[int, ...] = ()
    unknown_amounts: tuple[int, ...] = ()

    def header(self, column: int) -> str:
        text = self.headers[column] if column < len(self.headers) else ""
        return text or f"colonne {column_letter(column)}"

    def header_of(self, key: str) -> str | None:
        column = self.columns.get(key)
        return None if column is None else self.header(column)


def match_header(header_text: str, financeurs: Sequence[FinanceurRow]) -> str | None:
    """The field key a header designates, or None."""
    header = normalize_header(header_text)
    if not header:
        return None
    if header in _EXACT:
        return _EXACT[header]
    financeur = financeur_for_header(header, financeurs)
    if financeur is not None:
        return DEMANDE_PREFIX + financeur.code
    for key, needles in CONTAINS_RULES:
        if any(_contains(header, needle) for needle in needles):
            return key
    financeur = financeur_for_header(header, financeurs, bare=True)
    if financeur is not None:
        return DEMANDE_PREFIX + financeur.code
    return None


def _header_texts(row: Row) -> tuple[str, ...]:
    return tuple("" if c is None else str(c).strip() for c in row.cells)


def find_header_row(table: Table, financeurs: Sequence[FinanceurRow]) -> Row | None:
    """The row, among the first ones, whose cells name the most distinct fields (at least 2)."""
    best: Row | None = None
    best_score = 1
    for row in table.rows[:_HEADER_SCAN_ROWS]:
        keys = {match_header(t, financeurs) for t in _header_texts(row) if t}
        score = len(keys - {None})
        if score > best_score:
            best, best_score = row, score
    return best


def propose_mapping(table: Table, financeurs: Sequence[FinanceurRow]) -> Mapping:
    """Guess the header row and the field of each column. No header row → header_row 0, no column."""
    row = find_header_row(table, financeurs)
    if row is None:
        return Mapping(header_row=0, headers=())
    headers = _header_texts(row)
    columns: dict[str, int] = {}
    unrecognised: list[int] = []
    unknown_amounts: list[int] = []
    for column, text in enumerate(headers):
        if not text:
            continue
        key = match_header(text, financeurs)
        if key is None or key in columns:
            if key is None and is_demand_header(normalize_header(text)):
                unknown_amounts.append(column)
            else:
                unrecognised.append(column)
            continue
        columns[key] = column
    return Mapping(row.number, headers, columns, tuple(unrecognised), tuple(unknown_amounts))


_TOTAL_WORDS = ("total", "totaux", "sous total", "total general", "montant total", "totaux generaux")
IDENTIFYING_FIELDS = ("reference", "raison_sociale", "siret", "rna", "intitule")
AMOUNT_FIELDS = ("cout_total_cents", "fonds_propres", "autres_financements")


def is_totals_row(row: Row, mapping: Mapping) -> bool:
    """A « TOTAL » line: its first text cell says so, or it has amounts but nothing identifying."""
    first_text = next((c for c in row.cells if isinstance(c, str)), None)
    if first_text is not None:
        words = normalize_header(first_text)
        if words in _TOTAL_WORDS or any(words.startswith(w + " ") for w in ("total", "totaux", "sous total")):
            return True
    identifying = [mapping.columns[k] for k in IDENTIFYING_FIELDS if k in mapping.columns]
    amounts = [c for k, c in mapping.columns.items() if k in AMOUNT_FIELDS or k.startswith(DEMANDE_PREFIX)]
    if identifying and all(row.get(c) is None for c in identifying):
        return any(row.get(c) is not None for c in amounts)
    return False
