"""The shipped référentiels: structure, counts, name lookup, and verbatim titles against the seeds."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from instructeur import referentiels as ref_module
from instructeur import resources
from instructeur.errors import UserError
from instructeur.referentiels import (
    QUARTIER_TYPES,
    Referentiel,
    UnknownReferentielError,
    list_referentiels,
    load_referentiel,
    referentiels_dir,
)

CODES = ("boulonnais-2024", "calaisis-2015", "henin-carvin-2015", "saint-omer-2024")

# The seed documents live beside the clone: <parent of the repo>/shared/seeds (same layout on CI).
SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Titles and names whose seed text is broken by OCR or by the table layout. Each entry maps the text
# shipped in the référentiel to the seed fragments (after normalisation) that it was rebuilt from;
# every fragment must occur in the seed. Sources: the research notes in ../shared/research/.
FIXES: dict[tuple[str, str], tuple[str, ...]] = {
    # Boulonnais: hyphenation inside the table cell (004:L425).
    ("boulonnais-2024", "Chemin Vert - Beaurepaire et Marlborough"): (
        "Chemin Vert - Beaure- paire et Marlborough",
    ),
    # Calaisis: OCR « a » for « à », « I' » for « l' », lost « L » (000:L1436-L1458); signature block (L5964-L6007).
    ("calaisis-2015", "Soutien à la parentalité"): ("b) Soutien a la parentalité",),
    ("calaisis-2015", "Priorité 1 : les jeunes exposés à la délinquance"): (
        "Priorité 1 : les jeunes exposés a la délinquance",
    ),
    (
        "calaisis-2015",
        "Priorité 2 : améliorer la prévention des violences faites aux femmes, des violences intrafamiliales, "
        "et l'aide aux victimes",
    ): (
        "Priorité 2 : améliorer la prévention des violences faites aux femmes, des violences intrafamiliales, "
        "et I'aide aux victimes",
    ),
    ("calaisis-2015", "FAVORISER L'EMERGENCE DE L'ECONOMIE SOCIALE ET SOLIDAIRE"): (
        "FAVORISER 'EMERGENCE DE I'ECONOMIE SOCIALE ET SOLIDAIRE",
    ),
    ("calaisis-2015", "Office Public de l'Habitat"): ("ice-Public de 'Habitat",),
    ("calaisis-2015", "Pôle emploi Agence Calais Nation"): ("Pdle emploi Agence Calais Nation",),
    ("calaisis-2015", "Caisse des dépôts et Consignation"): ("Caisse des dépdts et Consignation",),
    ("calaisis-2015", "Chambre des métiers et de l'Artisanat"): ("Chambre des métiers et de I'Artisanat",),
    # Hénin-Carvin: cells split over several table rows (003), Cyrillic « У » (L81), « bien- être » (L41).
    (
        "henin-carvin-2015",
        "Développer les parcours d'insertion des demandeurs d'emploi (en particulier les demandeurs d'emplois de "
        "longue durée) des quartiers via notamment les ateliers chantier d'insertion",
    ): (
        "Développer les parcours d'insertion des demandeurs d'emploi (en particulier les demandeurs d'emplois de "
        "longue durée) des quartiers via notamment les ateliers chantier Actions de droit commun",
        "d'insertion Actions spécifiques - Mise en œuvre de chantiers écoles",
    ),
    (
        "henin-carvin-2015",
        "Promouvoir les notions de « bien-être », de « convivialité » et « d'estime de soi » dans les actions de "
        "promotion de santé de proximité",
    ): (
        "Promouvoir les notions de « bien- être », de « convivialité » et « d'estime de soi » dans les actions de "
        "promotion de santé de proximité",
    ),
    (
        "henin-carvin-2015",
        "Réhabilitations de mise aux normes d'habitabilité et énergétiques des logements sociaux.",
    ): (
        "Réhabilitations de mise aux normes d'habitabilité et énergétiques des logements Actions de droit commun",
        "sociaux. réhabilitation thermique",
    ),
    (
        "henin-carvin-2015",
        "Démolition-reconstruction des îlots d'habitat indigne dans les secteurs de forte présomption d'indécence "
        "du parc privé dégradé",
    ): (
        "Démolition-reconstruction des îlots d'habitat indigne dans les - Poursuite",
        "secteurs de forte présomption d'indécence du parc privé - Définition",
        "dégradé Actions spécifiques : - Valorisation d'un dispositif d'OPAH-RU",
    ),
    (
        "henin-carvin-2015",
        "Interventions lourdes ou légères sur les espaces publics, les dotant d'une vocation précise, favorisant le "
        "partage entre usagers, l'accessibilité universelle, la sécurité, favorisant le bon accès aux équipements "
        "publics y compris culturels et sportifs",
    ): (
        "Interventions lourdes ou légères sur les espaces publics, les dotant d'une vocation précise, favorisant le "
        "partage entre usagers, l'accessibilité universelle, la sécurité, favorisant le bon accès aux équipements "
        "Actions de droit commun",
        "publics \u0423 compris culturels et sportifs",
    ),
    (
        "henin-carvin-2015",
        "Création d'équipements de proximité complétant l'offre de services, en cohérence avec le projet de "
        "développement social du quartier.",
    ): (
        "Création d'équipements de proximité complétant l'offre de services, en Actions de droit commun",
        "cohérence avec le projet de développement social du - Création d'équipements en ANRU.",
        "quartier. Actions de droit commun",
    ),
    (
        "henin-carvin-2015",
        "Positionnement, valorisation et préservation du personnel de proximité comme relais privilégiés pour les "
        "habitants.",
    ): (
        "Positionnement, valorisation et préservation du personnel de proximité comme relais privilégiés "
        "Actions de droit commun",
        "Développer la gestion urbaine de proximité pour les habitants.",
    ),
    (
        "henin-carvin-2015",
        "Optimisation du futur dispositif de GUP par la création de liens avec les instances en charge de "
        "problématiques non prises en charge par le dispositif GUP.",
    ): (
        "Optimisation du futur dispositif de GUP par la création de liens avec les Actions de droit commun",
        "instances en charge de problématiques non prises en charge par le dispositif GUP. Actions spécifiques",
    ),
    (
        "henin-carvin-2015",
        "Favoriser l'implication des habitants dans la vie et la gestion des quartiers en soutenant les initiatives, "
        "en formant les habitants et en organisant une concertation suivie.",
    ): (
        "Favoriser l'implication des habitants dans la vie et la gestion des quartiers en soutenant les initiatives, "
        "en formant les habitants et en organisant une concertation Actions spécifiques",
        "suivie. des Cités",
    ),
    (
        "henin-carvin-2015",
        "Actions de soutien ou de création d'activités économiques dans les quartiers ou par leurs habitants.",
    ): (
        "Actions de soutien ou de création d'activités économiques dans les - Appui",
        "quartiers ou par leurs Actions spécifiques",
        "habitants. - Repérage",
    ),
    ("henin-carvin-2015", "Renforcement du réseau d'écoute d'appui d'accompagnement parents (REAAP)"): (
        "Renforcement du ré éseau",
        "d'écoute d'appui d'accompagnement parents (REAAP) et des",
    ),
    ("henin-carvin-2015", "Développer la scolarité précoce"): (
        "Développer la Action de droit commun scolarité précoce",
    ),
}

# Names printed only in capitals in the seed (headings): compared without case.
CASE_INSENSITIVE: set[tuple[str, str]] = {
    ("calaisis-2015", "Centre Ville Saint Pierre"),
}


# --------------------------------------------------------------------------- helpers


def _all_texts(referentiel: Referentiel) -> list[tuple[str, str]]:
    """(what, text) for every text of the référentiel that must come from its seed."""
    texts: list[tuple[str, str]] = [("nœud " + n.code, n.titre) for n in referentiel.walk()]
    for qpv in referentiel.qpv:
        texts.append(("QPV", qpv.nom))
        texts.extend(("alias de QPV", alias) for alias in qpv.aliases)
        texts.extend(("commune de QPV", commune) for commune in qpv.communes)
    for quartier in referentiel.quartiers:
        texts.append(("quartier", quartier.nom))
        texts.extend(("commune de quartier", commune) for commune in quartier.communes)
    texts.extend(("commune", commune) for commune in referentiel.communes)
    texts.extend(("signataire", s) for s in referentiel.signataires)
    texts.extend(("axe transversal", a) for a in referentiel.axes_transversaux)
    for ambition in referentiel.ambitions:
        texts.append(("ambition", ambition.titre))
        texts.append(("nom court d'ambition", ambition.nom_court))
    for classification in referentiel.classifications:
        texts.extend((f"{classification.code} " + n.code, n.titre) for n in classification.walk())
    return texts


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)  # <i>, <u>, <sup> … of the PDF conversions
    text = text.replace("**", "")
    for quote in ("\u2019", "\u2018", "\u02bc"):
        text = text.replace(quote, "'")
    return " ".join(text.split())


@cache
def _seed_variants(source: str) -> tuple[str, ...]:
    raw = (SEEDS_DIR / source).read_text(encoding="utf-8")
    kept = re.sub(r"-[ \t]*\n\s*", "-", raw)  # « Hauts-de-\nFrance »: the hyphen belongs to the word
    joined = re.sub(r"(?<=\w)-[ \t]*\n\s*(?=\w)", "", raw)  # « Boulogne-\nsur » … or a word split by OCR
    return tuple(_normalise(v) for v in (raw, kept, joined))


def _occurs(fragment: str, source: str, *, ignore_case: bool = False) -> bool:
    wanted = _normalise(fragment)
    for variant in _seed_variants(source):
        if ignore_case:
            if wanted.casefold() in variant.casefold():
                return True
        elif wanted in variant:
            return True
    return False


@pytest.fixture
def seeds() -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.skip(
            f"../shared/seeds absent: {SEEDS_DIR} not found (the seed documents sit beside the clone)"
        )
    return SEEDS_DIR


# --------------------------------------------------------------------------- loading and counts


def test_all_four_load_sorted_by_nom() -> None:
    referentiels = list_referentiels()
    assert sorted(r.code for r in referentiels) == list(CODES)
    noms = [r.nom for r in referentiels]
    assert noms == sorted(noms, key=lambda n: n.casefold())
    for referentiel in referentiels:
        assert referentiel.code == load_referentiel(referentiel.code).code
        assert referentiel.source.endswith(".txt")
        assert referentiel.epci_siren is None
        assert all(q.code is None for q in referentiel.qpv)
        assert all(q.type in QUARTIER_TYPES for q in referentiel.quartiers)
        assert 2 <= len(referentiel.count_by_level()) <= len(referentiel.niveaux) <= 4


def test_henin_carvin_counts() -> None:
    hc = load_referentiel("henin-carvin-2015")
    assert hc.count_by_level() == [4, 16, 63]
    assert hc.niveaux == ("Pilier", "Objectif stratégique", "Objectif opérationnel")
    assert [len(p.enfants) for p in hc.cadre] == [3, 4, 4, 5]
    assert [sum(len(os.enfants) for os in p.enfants) for p in hc.cadre] == [11, 14, 26, 12]
    assert hc.periode == (2015, 2020)


def test_boulonnais_qpv_and_cadre() -> None:
    cab = load_referentiel("boulonnais-2024")
    assert len(cab.qpv) == 4
    assert cab.population_qpv == 18_379
    assert {q.nom: q.population for q in cab.qpv} == {
        "Damrémont": 1737,
        "Centre Ville": 2776,
        "Chemin Vert - Beaurepaire et Marlborough": 7543,
        "Résidences Sud du Boulonnais": 6323,
    }
    assert cab.count_by_level() == [4, 13, 40]
    assert [n.titre for n in cab.cadre] == [
        "Quartiers de plein emploi",
        "Quartiers d'adaptation aux transitions",
        "Quartiers de l'émancipation",
        "Quartiers plus sûrs et plus ouverts",
    ]
    assert len(cab.axes_transversaux) == 3
    assert cab.periode == (2024, 2030)
    assert "Boulogne-sur-Mer" in cab.communes and len(cab.communes) == 4


def test_saint_omer_axes_ambitions_objectifs() -> None:
    so = load_referentiel("saint-omer-2024")
    assert so.count_by_level() == [4, 36]
    assert [len(a.enfants) for a in so.cadre] == [12, 7, 9, 8]
    assert len(so.ambitions) == 7
    assert len(so.qpv) == 3
    assert [q.type for q in so.quartiers] == ["fragile"] * 3
    assert so.population_qpv == 7500
    assert len(so.axes_transversaux) == 5  # valeurs socles
    linked = {c for a in so.ambitions for c in a.objectifs + a.objectifs_deduits}
    assert linked == {n.code for n in so.walk() if n.niveau == 1}, "every objective belongs to an ambition"


def test_calaisis_territory_and_cadre() -> None:
    cal = load_referentiel("calaisis-2015")
    assert [q.nom for q in cal.qpv] == ["Beau Marais", "Fort Nieulay/Cailloux/St Pierre"]
    assert cal.population_qpv == 7937 + 5515
    assert [n.code for n in cal.cadre] == ["A", "B"]
    assert sum(q.type == "veille" for q in cal.quartiers) == 4
    assert len(cal.axes_transversaux) == 3
    assert cal.count_by_level() == [2, 8, 10, 7]


def test_walk_is_depth_first_and_codes_unique() -> None:
    for referentiel in list_referentiels():
        nodes = list(referentiel.walk())
        codes = [n.code for n in nodes]
        assert len(codes) == len(set(codes))
        position = {n.code: i for i, n in enumerate(nodes)}
        for n in nodes:
            for child in n.enfants:
                assert child.niveau == n.niveau + 1
                assert position[child.code] > position[n.code]
        assert sum(referentiel.count_by_level()) == len(nodes)
        assert referentiel.find(codes[-1]) is nodes[-1]
        assert referentiel.find("inexistant") is None


# --------------------------------------------------------------------------- name lookup and errors


@pytest.mark.parametrize(
    "name",
    [
        "henin-carvin-2015",
        "HENIN-CARVIN-2015",
        "CA d'Hénin-Carvin — Contrat de ville 2015-2020",
        "ca d’henin-carvin - contrat de ville 2015-2020",
        "  CA D'HÉNIN-CARVIN — CONTRAT DE VILLE 2015-2020 ",
    ],
)
def test_load_by_code_or_nom_is_case_and_accent_insensitive(name: str) -> None:
    assert load_referentiel(name).code == "henin-carvin-2015"


def test_unknown_name_raises_french_error() -> None:
    with pytest.raises(UnknownReferentielError) as info:
        load_referentiel("xyz")
    assert isinstance(info.value, UserError)
    assert str(info.value) == (
        "Référentiel inconnu : « xyz ». Référentiels disponibles : "
        "boulonnais-2024, calaisis-2015, henin-carvin-2015, saint-omer-2024."
    )
    assert "\n" not in str(info.value)


def test_malformed_json_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "casse.json").write_text('{"code": "casse", ', encoding="utf-8")
    monkeypatch.setattr(ref_module, "referentiels_dir", lambda: tmp_path)
    with pytest.raises(UserError) as info:
        load_referentiel("casse")
    assert "casse.json" in str(info.value) and "JSON mal formé" in str(info.value)


def test_invalid_content_names_the_file_and_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads((referentiels_dir() / "calaisis-2015.json").read_text(encoding="utf-8"))
    data["code"] = "mauvais"
    data["quartiers"][0]["type"] = "perdu"
    (tmp_path / "mauvais.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(ref_module, "referentiels_dir", lambda: tmp_path)
    with pytest.raises(UserError) as info:
        list_referentiels()
    message = str(info.value)
    assert "mauvais.json" in message and "« type »" in message and "perdu" in message


def test_duplicate_codes_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads((referentiels_dir() / "saint-omer-2024.json").read_text(encoding="utf-8"))
    data["cadre"][1]["code"] = data["cadre"][0]["code"]
    (tmp_path / "saint-omer-2024.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(ref_module, "referentiels_dir", lambda: tmp_path)
    with pytest.raises(UserError, match="en double"):
        load_referentiel("saint-omer-2024")


def test_json_files_are_utf8_and_human_readable() -> None:
    for code in CODES:
        text = (referentiels_dir() / f"{code}.json").read_text(encoding="utf-8")
        assert "\\u00" not in text, "ensure_ascii=False: accents are written as such"
        assert json.loads(text)["code"] == code


# --------------------------------------------------------------------------- verbatim against the seeds


@pytest.mark.seeds
@pytest.mark.parametrize("code", CODES)
def test_texts_occur_verbatim_in_seed(code: str, seeds: Path) -> None:
    referentiel = load_referentiel(code)
    assert (seeds / referentiel.source).is_file()
    missing = []
    for what, text in _all_texts(referentiel):
        fragments = FIXES.get((code, text))
        if fragments is not None:
            absent = [f for f in fragments if not _occurs(f, referentiel.source)]
            if absent:
                missing.append(f"{what} « {text} » (fragments absents : {absent})")
        elif not _occurs(text, referentiel.source, ignore_case=(code, text) in CASE_INSENSITIVE):
            missing.append(f"{what} « {text} »")
    assert not missing, f"{referentiel.source} : textes introuvables :\n" + "\n".join(missing)


@pytest.mark.seeds
def test_fixes_are_used_and_needed(seeds: Path) -> None:
    used = {(r.code, text) for r in list_referentiels() for _, text in _all_texts(r)}
    stale = [key for key in FIXES if key not in used]
    assert not stale, f"FIXES entries that match no text: {stale}"
    sources = {r.code: r.source for r in list_referentiels()}
    unneeded = [key for key in FIXES if _occurs(key[1], sources[key[0]])]
    assert not unneeded, f"FIXES entries whose text is already verbatim in the seed: {unneeded}"


@pytest.mark.seeds
def test_boulonnais_total_printed_in_seed(seeds: Path) -> None:
    assert _occurs(
        "4 quartiers prioritaires 4 communes priori- taires 18 379 habitants", "004_3056efa1d5187e45.txt"
    )


# --------------------------------------------------------------------------- resource_path


def test_resource_path_source_checkout() -> None:
    repo_root = Path(__file__).resolve().parents[2]
    assert referentiels_dir() == repo_root / "resources" / "referentiels"
    assert resources.resource_path("nexiste", "pas.txt") == repo_root / "resources" / "nexiste" / "pas.txt"


def test_resource_path_prefers_pyinstaller_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "resources" / "referentiels").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert resources.resource_path("referentiels") == tmp_path / "resources" / "referentiels"
    monkeypatch.setattr(sys, "frozen", False)
    assert resources.resource_path("referentiels") != tmp_path / "resources" / "referentiels"
