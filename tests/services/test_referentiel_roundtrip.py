"""A whole référentiel as a file (referentiel_io.py, services/referentiel_export.py) on both engines:
a contrat with an edited cadre, a classification and its links is exported, imported into the user's
référentiels, and a new contrat built from it has the identical trees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from instructeur.errors import UserError
from instructeur.referentiel_io import import_file, to_dict, write_json
from instructeur.referentiels import list_referentiels, load_referentiel
from instructeur.services.cadre import CadreService
from instructeur.services.classifications import ClassificationService
from instructeur.services.contrats import ContratService
from instructeur.services.financeurs import FinanceurEdit
from instructeur.services.referentiel_export import contrat_to_dict
from instructeur.storage.db import Database
from tests.factories import build_world


@pytest.fixture(autouse=True)
def _own_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Imported référentiels go to the user data folder: one per test."""
    monkeypatch.setenv("INSTRUCTEUR_DATA_DIR", str(tmp_path / "donnees"))


def _trees(db: Database, contrat_id: int) -> dict[str, object]:
    cadre = CadreService(db)
    classes = ClassificationService(db)

    def tree(classification_id: int | None) -> list[tuple[str, str, int, str | None]]:
        arbre = cadre.arbre(contrat_id, classification_id)
        codes = {n.id: n.code for n in arbre.noeuds}
        return [(n.code, n.titre, n.niveau, codes.get(n.parent_id or 0)) for n in arbre.noeuds]

    return {
        "niveaux": cadre.arbre(contrat_id).niveaux,
        "cadre": tree(None),
        "classifications": [(k.code, k.nom, k.niveaux, tree(k.id)) for k in classes.classifications(contrat_id)],
        "liens": classes.liens(contrat_id),
        "axes": [a.titre for a in cadre.axes(contrat_id)],
    }


def test_export_import_as_a_new_contrat_gives_the_identical_tree(db: Database, tmp_path: Path) -> None:
    world = build_world(db, "saint-omer-2024")
    cid = world.contrat_id
    cadre, classes = CadreService(db, user="test"), ClassificationService(db, user="test")
    arbre = cadre.arbre(cid)
    _, j = cadre.ajouter(cid, None, arbre.jeton, arbre.noeuds[1].id, "1.1.a", "Un troisième niveau ajouté")
    cadre.renommer_niveaux(cid, None, j, ["Axe", "Objectif", "Action"])
    k = classes.creer(cid, "AMB2", "Ambitions (essai)", ["Ambition", "Engagement"])
    a1, kj = cadre.ajouter(cid, k, cadre.arbre(cid, k).jeton, None, "X1", "Mieux repérer")
    cadre.ajouter(cid, k, kj, a1, "X1.1", "Aller vers")
    with db.session() as s:
        from instructeur.storage.models import ObjectifLien

        s.add(ObjectifLien(objectif_id=a1, lie_a_id=arbre.noeuds[1].id))
    etat = next(f for f in ContratService(db).financeurs(cid) if f.code == "ETAT")
    signataire = ContratService(db).detail(cid).signataires[0]
    ContratService(db, user="test").save_financeurs(
        cid, [FinanceurEdit(etat.id, "ETAT", signataire, "etat", siret="13000548100010")]
        + [FinanceurEdit(f.id, f.code, f.nom, f.type) for f in ContratService(db).financeurs(cid) if f.code != "ETAT"],
    )

    path = tmp_path / "saint-omer-export.json"
    write_json(contrat_to_dict(db, cid, "saint-omer-copie"), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["signataires"][0] == {"nom": signataire, "siret": "13000548100010", "type": "etat"}
    ref = import_file(path)
    assert ref.importe and ref.code == "saint-omer-copie"
    assert "saint-omer-copie" in [r.code for r in list_referentiels()]
    copy = ContratService(db, user="test").create_from_referentiel(load_referentiel("saint-omer-copie"), nom="Copie")
    assert _trees(db, copy) == _trees(db, cid)
    assert load_referentiel("saint-omer-copie").signataires_detail()[0].siret == "13000548100010"
    with pytest.raises(UserError, match="déjà été importé"):
        import_file(path)
    assert import_file(path, remplacer=True).code == "saint-omer-copie"


def test_a_shipped_referentiel_written_out_reads_back_identical(tmp_path: Path) -> None:
    for ref in list_referentiels():
        if ref.importe:
            continue
        path = tmp_path / f"{ref.code}.json"
        write_json(to_dict(ref), path)
        from instructeur.referentiels import read_referentiel_file

        assert read_referentiel_file(path) == ref


def test_an_invalid_referentiel_is_refused_naming_the_key(tmp_path: Path) -> None:
    data = to_dict(load_referentiel("boulonnais-2024"))
    data["code"] = "mon-territoire"
    cases = {
        "niveaux": ("niveaux", [], "« niveaux » ne doit pas être vide"),
        "liens": ("liens", [["ZZ", "1"]], "« ZZ » n'est pas un nœud d'une classification (liens n° 1)"),
        "signataires": (
            "signataires",
            [{"nom": "Préfecture", "siret": "123"}],
            "« siret » : SIRET invalide : « 123 » doit comporter 14 chiffres (signataires n° 1, « Préfecture »)",
        ),
    }
    for key, value, message in cases.values():
        broken = dict(data, **{key: value})
        path = tmp_path / f"{key}.json"
        path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(UserError) as exc:
            import_file(path)
        assert message in str(exc.value) and str(path) in str(exc.value)
    shipped = tmp_path / "livre.json"
    write_json(to_dict(load_referentiel("boulonnais-2024")), shipped)
    with pytest.raises(UserError, match="référentiel livré"):
        import_file(shipped)
