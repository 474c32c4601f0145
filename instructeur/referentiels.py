"""Référentiels: the real contrat de ville frameworks shipped in `resources/referentiels/*.json`.

A référentiel carries a contrat's territory (communes, QPV, quartiers de veille / vécus / fragiles), its
cadre stratégique (a tree of depth 2 to 4 whose level names vary by contrat: axe / pilier / enjeu →
objectif stratégique / sous-section → objectif opérationnel / orientation), its axes transversaux and
its signataires, extracted verbatim from the seed documents. Optional keys: `classifications` (additional,
cross-cutting trees such as Saint-Omer's ambitions › engagements), `liens` (pairs [classification node code,
main-cadre code]) and a signataire given as {"nom", "siret", "type"}. Référentiels imported by the user
(`instructeur referentiels importer`, referentiel_files.py) live in the user data folder and are listed with
the shipped ones. This module only reads and validates; it never writes and never imports Qt.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from instructeur.domain.identifiers import normalize_siret, siret_problem
from instructeur.errors import UserError
from instructeur.paths import data_dir
from instructeur.resources import resource_path

QUARTIER_TYPES: tuple[str, ...] = ("veille", "vecu", "fragile")
"""Allowed values of `QuartierRef.type`: quartier de veille, quartier vécu, quartier fragile."""


class UnknownReferentielError(UserError):
    """No shipped référentiel matches the requested code or nom."""


@dataclass(frozen=True)
class Noeud:
    """One node of a cadre stratégique; `niveau` 0 is the top level (axe, pilier, enjeu…)."""

    code: str
    titre: str
    niveau: int
    enfants: tuple[Noeud, ...]

    def walk(self) -> Iterator[Noeud]:
        """This node, then its descendants, depth-first (parents before children)."""
        yield self
        for enfant in self.enfants:
            yield from enfant.walk()


@dataclass(frozen=True)
class QpvRef:
    """A quartier prioritaire as named by the contrat; `code` (QN…) is unknown in the seeds."""

    nom: str
    code: str | None
    communes: tuple[str, ...]
    population: int | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class QuartierRef:
    """Another territory named by the contrat: `type` is one of QUARTIER_TYPES."""

    nom: str
    type: str
    communes: tuple[str, ...]


@dataclass(frozen=True)
class AmbitionRef:
    """A cross-cutting grouping of objectives (Saint-Omer's 7 « ambitions »).

    `objectifs` are the node codes ticked in the document; `objectifs_deduits` are links rebuilt from
    the narrative where the document's ticks were lost (see the référentiel's notes).
    """

    code: str
    titre: str
    nom_court: str
    objectifs: tuple[str, ...]
    objectifs_deduits: tuple[str, ...]


@dataclass(frozen=True)
class ClassificationRef:
    """An additional tree classifying the same actions (its node codes are unique across the
    référentiel's trees)."""

    code: str
    nom: str
    niveaux: tuple[str, ...]
    noeuds: tuple[Noeud, ...]

    def walk(self) -> Iterator[Noeud]:
        for racine in self.noeuds:
            yield from racine.walk()


@dataclass(frozen=True)
class SignataireRef:
    """A signataire; `siret` and `type` (a financeur type) when the référentiel gives them."""

    nom: str
    siret: str | None = None
    type: str | None = None


FINANCEUR_TYPES_REF = ("etat", "epci", "commune", "departement", "region", "caf", "bailleur", "autre")


@dataclass(frozen=True)
class Referentiel:
    code: str
    nom: str
    contrat_nom: str
    epci_nom: str
    epci_siren: str | None
    periode: tuple[int, int]
    source: str
    niveaux: tuple[str, ...]
    communes: tuple[str, ...]
    qpv: tuple[QpvRef, ...]
    quartiers: tuple[QuartierRef, ...]
    cadre: tuple[Noeud, ...]
    axes_transversaux: tuple[str, ...]
    signataires: tuple[str, ...]
    ambitions: tuple[AmbitionRef, ...] = ()
    notes: str = ""
    classifications: tuple[ClassificationRef, ...] = ()
    liens: tuple[tuple[str, str], ...] = ()
    signataires_ref: tuple[SignataireRef, ...] = ()
    importe: bool = False  # from the user data folder, not shipped

    def signataires_detail(self) -> tuple[SignataireRef, ...]:
        """Each signataire with its SIRET and type when known."""
        return self.signataires_ref or tuple(SignataireRef(nom) for nom in self.signataires)

    def count_by_level(self) -> list[int]:
        """Number of nodes at each depth of the cadre, from the top level down."""
        counts: list[int] = []
        for noeud in self.walk():
            while len(counts) <= noeud.niveau:
                counts.append(0)
            counts[noeud.niveau] += 1
        return counts

    def walk(self) -> Iterator[Noeud]:
        """Every node of the cadre, depth-first, parents before children."""
        for racine in self.cadre:
            yield from racine.walk()

    def find(self, code: str) -> Noeud | None:
        """The node with this code, or None."""
        for noeud in self.walk():
            if noeud.code == code:
                return noeud
        return None

    @property
    def population_qpv(self) -> int:
        """Sum of the known QPV populations (QPV without a population count for 0)."""
        return sum(q.population for q in self.qpv if q.population is not None)


# --------------------------------------------------------------------------- loading


def referentiels_dir() -> Path:
    """The folder holding the shipped `<code>.json` files."""
    return resource_path("referentiels")


def imported_referentiels_dir() -> Path:
    """The user's imported référentiels (`<code>.json`), in the user data folder."""
    return data_dir() / "referentiels"


def _all_files() -> list[tuple[Path, bool]]:
    """Shipped files, then imported ones (flag True) whose code no shipped file takes."""
    shipped = _json_files(referentiels_dir())
    names = {p.stem for p in shipped}
    imported = [p for p in _json_files(imported_referentiels_dir()) if p.stem not in names]
    return [(p, False) for p in shipped] + [(p, True) for p in imported]


def _fold(text: str) -> str:
    """Case-, accent-, apostrophe- and dash-insensitive form used to match a name."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    for quote in ("\u2019", "\u2018", "\u02bc", "`"):
        stripped = stripped.replace(quote, "'")
    for dash in ("\u2014", "\u2013", "\u2011", "\u2010", "\u2212"):
        stripped = stripped.replace(dash, "-")
    return " ".join(stripped.casefold().split())


def _sort_key(text: str) -> tuple[str, str]:
    return (_fold(text), text)


def _json_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if p.is_file())


def list_referentiels() -> list[Referentiel]:
    """Every shipped or imported référentiel, sorted by nom (accent- and case-insensitive)."""
    referentiels = [_load_file(path, imported) for path, imported in _all_files()]
    return sorted(referentiels, key=lambda r: _sort_key(r.nom))


def most_recent(referentiels: list[Referentiel]) -> Referentiel | None:
    """The référentiel whose period ends last (then starts last): the one a new contrat most likely uses."""
    return max(referentiels, key=lambda r: (r.periode[1], r.periode[0]), default=None)


def load_referentiel(name: str) -> Referentiel:
    """The référentiel whose code, or nom (case- and accent-insensitive), is `name`."""
    folder = referentiels_dir()
    files = _all_files()
    wanted = _fold(name)
    for path, imported in files:  # fast path: the code is the file name, no need to parse the others
        if _fold(path.stem) == wanted:
            return _load_file(path, imported)
    for path, imported in files:
        referentiel = _load_file(path, imported)
        if wanted in (_fold(referentiel.code), _fold(referentiel.nom)):
            return referentiel
    if files:
        disponibles = ", ".join(sorted(p.stem for p, _ in files))
        raise UnknownReferentielError(
            f"Référentiel inconnu : « {name} ». Référentiels disponibles : {disponibles}."
        )
    raise UnknownReferentielError(
        f"Référentiel inconnu : « {name} ». Aucun référentiel disponible dans {folder}."
    )


# --------------------------------------------------------------------------- parsing


class _Malformed(Exception):
    """A problem inside one file; turned into a UserError naming the file."""


def _load_file(path: Path, imported: bool = False) -> Referentiel:
    referentiel = read_referentiel_file(path)
    if imported:
        referentiel = replace(referentiel, importe=True)
    if referentiel.code != path.stem:
        raise UserError(
            f"Référentiel invalide : {path} : le code « {referentiel.code} » ne correspond pas au nom du fichier."
        )
    return referentiel


def read_referentiel_file(path: Path) -> Referentiel:
    """A référentiel file read and validated; a UserError names the file, the key and the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"Référentiel illisible : {path} n'est pas en UTF-8 ({exc.reason}).") from exc
    except OSError as exc:
        raise UserError(f"Référentiel illisible : {path} ({exc.strerror or exc}).") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"Référentiel invalide : {path}, ligne {exc.lineno}, colonne {exc.colno} : JSON mal formé ({exc.msg})."
        ) from exc
    try:
        return _parse(data)
    except _Malformed as exc:
        raise UserError(f"Référentiel invalide : {path} : {exc}.") from exc


def _field(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise _Malformed(f"champ « {key} » manquant ({where})")
    return obj[key]


def _str(obj: dict[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = _field(obj, key, where)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise _Malformed(f"« {key} » doit être un texte non vide ({where})")
    return value


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _Malformed(f"« {key} » doit être un texte non vide ou null ({where})")
    return value


def _list(obj: dict[str, Any], key: str, where: str, *, default: list[Any] | None = None) -> list[Any]:
    value = obj.get(key, default) if default is not None else _field(obj, key, where)
    if not isinstance(value, list):
        raise _Malformed(f"« {key} » doit être une liste ({where})")
    return value


def _str_tuple(
    obj: dict[str, Any], key: str, where: str, *, default: list[Any] | None = None
) -> tuple[str, ...]:
    values = _list(obj, key, where, default=default)
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise _Malformed(f"« {key} » doit être une liste de textes non vides ({where})")
    return tuple(values)


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Malformed(f"objet attendu ({where})")
    return value


def _parse(raw: Any) -> Referentiel:
    data = _dict(raw, "racine du fichier")
    code = _str(data, "code", "racine")
    epci = _dict(_field(data, "epci", "racine"), "epci")
    periode = _list(data, "periode", "racine")
    if (
        len(periode) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in periode)
        or periode[0] > periode[1]
    ):
        raise _Malformed("« periode » doit être [année de début, année de fin]")
    niveaux = _str_tuple(data, "niveaux", "racine")
    if not niveaux:
        raise _Malformed("« niveaux » ne doit pas être vide")

    seen: set[str] = set()
    cadre = tuple(
        _parse_noeud(item, 0, len(niveaux), seen, "cadre") for item in _list(data, "cadre", "racine")
    )
    if not cadre:
        raise _Malformed("« cadre » ne doit pas être vide")

    classifications = tuple(
        _parse_classification(item, i, seen)
        for i, item in enumerate(_list(data, "classifications", "racine", default=[]), 1)
    )
    main_codes = {n.code for racine in cadre for n in racine.walk()}
    class_codes = {n.code for c in classifications for n in c.walk()}
    liens = tuple(
        _parse_lien(item, i, class_codes, main_codes) for i, item in enumerate(_list(data, "liens", "racine", default=[]), 1)
    )
    signataires = tuple(
        _parse_signataire(item, i) for i, item in enumerate(_list(data, "signataires", "racine"), 1)
    )
    return Referentiel(
        code=code,
        nom=_str(data, "nom", "racine"),
        contrat_nom=_str(data, "contrat_nom", "racine"),
        epci_nom=_str(epci, "nom", "epci"),
        epci_siren=_opt_str(epci, "siren", "epci"),
        periode=(periode[0], periode[1]),
        source=_str(data, "source", "racine"),
        niveaux=niveaux,
        communes=_str_tuple(data, "communes", "racine"),
        qpv=tuple(_parse_qpv(item, i) for i, item in enumerate(_list(data, "qpv", "racine"), 1)),
        quartiers=tuple(
            _parse_quartier(item, i) for i, item in enumerate(_list(data, "quartiers", "racine"), 1)
        ),
        cadre=cadre,
        axes_transversaux=_str_tuple(data, "axes_transversaux", "racine"),
        signataires=tuple(sg.nom for sg in signataires),
        ambitions=tuple(
            _parse_ambition(item, i, seen)
            for i, item in enumerate(_list(data, "ambitions", "racine", default=[]), 1)
        ),
        notes=_str(data, "notes", "racine", allow_empty=True) if "notes" in data else "",
        classifications=classifications,
        liens=liens,
        signataires_ref=signataires,
    )


def _parse_noeud(raw: Any, niveau: int, profondeur_max: int, seen: set[str], where: str) -> Noeud:
    obj = _dict(raw, where)
    code = _str(obj, "code", where)
    here = f"nœud « {code} »"
    if code in seen:
        raise _Malformed(f"code de nœud en double : « {code} »")
    seen.add(code)
    if niveau >= profondeur_max:
        raise _Malformed(
            f"{here} : profondeur {niveau + 1} au-delà des {profondeur_max} « niveaux » déclarés"
        )
    titre = _str(obj, "titre", here)
    enfants = tuple(
        _parse_noeud(item, niveau + 1, profondeur_max, seen, f"enfant de « {code} »")
        for item in _list(obj, "enfants", here, default=[])
    )
    return Noeud(code=code, titre=titre, niveau=niveau, enfants=enfants)


def _parse_qpv(raw: Any, index: int) -> QpvRef:
    where = f"qpv n° {index}"
    obj = _dict(raw, where)
    population = obj.get("population")
    if population is not None and (
        not isinstance(population, int) or isinstance(population, bool) or population < 0
    ):
        raise _Malformed(f"« population » doit être un entier positif ou null ({where})")
    return QpvRef(
        nom=_str(obj, "nom", where),
        code=_opt_str(obj, "code", where),
        communes=_str_tuple(obj, "communes", where),
        population=population,
        aliases=_str_tuple(obj, "aliases", where, default=[]),
    )


def _parse_quartier(raw: Any, index: int) -> QuartierRef:
    where = f"quartier n° {index}"
    obj = _dict(raw, where)
    kind = _str(obj, "type", where)
    if kind not in QUARTIER_TYPES:
        raise _Malformed(f"« type » doit valoir {', '.join(QUARTIER_TYPES)} et non « {kind} » ({where})")
    return QuartierRef(nom=_str(obj, "nom", where), type=kind, communes=_str_tuple(obj, "communes", where))


def _parse_ambition(raw: Any, index: int, codes: set[str]) -> AmbitionRef:
    where = f"ambition n° {index}"
    obj = _dict(raw, where)
    objectifs = _str_tuple(obj, "objectifs", where, default=[])
    deduits = _str_tuple(obj, "objectifs_deduits", where, default=[])
    for code in objectifs + deduits:
        if code not in codes:
            raise _Malformed(f"objectif « {code} » absent du cadre ({where})")
    return AmbitionRef(
        code=_str(obj, "code", where),
        titre=_str(obj, "titre", where),
        nom_court=_str(obj, "nom_court", where),
        objectifs=objectifs,
        objectifs_deduits=deduits,
    )


def _parse_classification(raw: Any, index: int, seen: set[str]) -> ClassificationRef:
    where = f"classifications n° {index}"
    obj = _dict(raw, where)
    code = _str(obj, "code", where)
    where = f"classification « {code} »"
    niveaux = _str_tuple(obj, "niveaux", where)
    if not niveaux:
        raise _Malformed(f"« niveaux » ne doit pas être vide ({where})")
    noeuds = tuple(
        _parse_noeud(item, 0, len(niveaux), seen, f"{where}, noeuds")
        for item in _list(obj, "noeuds", where)
    )
    return ClassificationRef(code=code, nom=_str(obj, "nom", where), niveaux=niveaux, noeuds=noeuds)


def _parse_lien(raw: Any, index: int, class_codes: set[str], main_codes: set[str]) -> tuple[str, str]:
    where = f"liens n° {index}"
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(c, str) for c in raw)):
        raise _Malformed(f"paire [code d'un nœud de classification, code du cadre] attendue ({where})")
    node, objectif = raw
    if node not in class_codes:
        raise _Malformed(f"« {node} » n'est pas un nœud d'une classification ({where})")
    if objectif not in main_codes:
        raise _Malformed(f"« {objectif} » n'est pas un objectif du cadre ({where})")
    return (node, objectif)


def _parse_signataire(raw: Any, index: int) -> SignataireRef:
    where = f"signataires n° {index}"
    if isinstance(raw, str):
        if not raw.strip():
            raise _Malformed(f"texte non vide attendu ({where})")
        return SignataireRef(raw)
    obj = _dict(raw, where)
    nom = _str(obj, "nom", where)
    siret = _opt_str(obj, "siret", where)
    if siret is not None:
        problem = siret_problem(siret)
        if problem:
            raise _Malformed(f"« siret » : {problem} ({where}, « {nom} »)")
        siret = normalize_siret(siret)
    kind = _opt_str(obj, "type", where)
    if kind is not None and kind not in FINANCEUR_TYPES_REF:
        raise _Malformed(
            f"« type » doit valoir {', '.join(FINANCEUR_TYPES_REF)} et non « {kind} » ({where}, « {nom} »)"
        )
    return SignataireRef(nom=nom, siret=siret, type=kind)
