"""A cadre as an xlsx file (services/cadre_fichier.py) on both engines: export, import into another
contrat (same tree and level names), merge by code keeping the rattachements, refusals naming the
file, row, column and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from instructeur.errors import ConcurrentEditError, ValidationError
from instructeur.services.cadre import Arbre, CadreService
from instructeur.services.cadre_fichier import export_xlsx, import_xlsx
from instructeur.services.contrats import ContratService
from instructeur.storage.db import Database
from tests.factories import build_world, create_dossier


def _tree(arbre: Arbre) -> list[tuple[str, int, str, str | None]]:
    codes = {n.id: n.code for n in arbre.noeuds}
    return [(n.code, n.niveau, n.titre, codes.get(n.parent_id or 0)) for n in arbre.noeuds]


def _write(path: Path, rows: list[tuple[object, ...]]) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_a_cadre_exported_then_imported_elsewhere_is_the_same_tree(db: Database, tmp_path: Path) -> None:
    world = build_world(db)
    source = CadreService(db).arbre(world.contrat_id)
    path = tmp_path / "cadre.xlsx"
    assert export_xlsx(db, world.contrat_id, None, path) == len(source.noeuds)
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == ["Code", "Niveau", "Intitulé", "Parent"]
    first_child = source.noeuds[1]
    assert [c.value for c in ws[3]] == [first_child.code, source.niveaux[1], first_child.titre, source.noeuds[0].code]

    target = ContratService(db, user="test").create_empty("Autre territoire")
    result = import_xlsx(db, target, None, path, user="test")
    copy = CadreService(db).arbre(target)
    assert result.ajoutes == len(source.noeuds) and result.supprimes == 0 and result.jeton == copy.jeton
    assert _tree(copy) == _tree(source)
    assert copy.niveaux == source.niveaux


def test_importing_merges_by_code_and_keeps_rattachements(db: Database, tmp_path: Path) -> None:
    world = build_world(db)
    cid = world.contrat_id
    leaf = CadreService(db).arbre(cid).noeuds[1]
    create_dossier(db, world, "26-1", objectif_id=leaf.id)
    path = _write(
        tmp_path / "nouveau.xlsx",
        [
            ("Code", "Niveau", "Intitulé", "Parent"),
            ("A", "Pilier", "Cohésion sociale", None),
            (leaf.code, "Objectif", "Titre revu", "A"),
            ("A.2", 2, "Nouvel objectif", "A"),
        ],
    )
    result = import_xlsx(db, cid, None, path, user="test")
    after = CadreService(db).arbre(cid)
    assert (result.ajoutes, result.modifies) == (2, 1) and result.supprimes > 0
    assert _tree(after) == [
        ("A", 0, "Cohésion sociale", None),
        (leaf.code, 1, "Titre revu", "A"),
        ("A.2", 1, "Nouvel objectif", "A"),
    ]
    assert after.niveaux[:2] == ("Pilier", "Objectif")
    kept = next(n for n in after.noeuds if n.code == leaf.code)
    assert (kept.id, kept.dossiers) == (leaf.id, 1)  # same node: the dossier stays rattaché

    without = _write(tmp_path / "sans.xlsx", [("Code", "Intitulé", "Parent"), ("A", "Cohésion sociale", "")])
    with pytest.raises(ValidationError) as exc:
        import_xlsx(db, cid, None, without, jeton=after.jeton, user="test")
    assert exc.value.problems == [
        f"sans.xlsx : « {leaf.code} » absent du fichier ne peut pas être supprimé : 1 dossier y est rattaché"
    ]
    assert CadreService(db).arbre(cid).jeton == after.jeton
    with pytest.raises(ConcurrentEditError):
        import_xlsx(db, cid, None, path, jeton="périmé", user="test")


def test_a_bad_file_is_refused_with_row_column_and_reason(db: Database, tmp_path: Path) -> None:
    cid = ContratService(db, user="test").create_empty("CV")
    path = _write(
        tmp_path / "faux.xlsx",
        [
            ("code", "niveau", "intitule", "parent"),
            ("1", "Axe", "Cohésion", ""),
            ("1", "Axe", "Doublon", ""),
            ("1.1", "Objectif", "", "1"),
            ("1.2", "Objectif", "Santé", "9"),
            ("1.3", 3, "Mauvais niveau", "1"),
        ],
    )
    with pytest.raises(ValidationError) as exc:
        import_xlsx(db, cid, None, path, user="test")
    assert exc.value.problems == [
        "faux.xlsx, feuille « Sheet », ligne 3, colonne « Code » : « 1 » déjà utilisé ligne 2",
        "faux.xlsx, feuille « Sheet », ligne 4, colonne « Intitulé » : intitulé de « 1.1 » obligatoire",
        "faux.xlsx, feuille « Sheet », ligne 5, colonne « Parent » : « 9 » n'est le code d'aucune ligne",
    ]
    loop = _write(tmp_path / "boucle.xlsx", [("Code", "Intitulé", "Parent"), ("1", "A", "2"), ("2", "B", "1")])
    with pytest.raises(ValidationError, match="propre ancêtre"):
        import_xlsx(db, cid, None, loop, user="test")
    level = _write(tmp_path / "niveau.xlsx", [("Code", "Niveau", "Intitulé", "Parent"), ("1", "Axe", "A", ""), ("1.1", 3, "B", "1")])
    with pytest.raises(ValidationError, match="ligne 3, colonne « Niveau » : 3 ne correspond pas"):
        import_xlsx(db, cid, None, level, user="test")
    assert CadreService(db).arbre(cid).noeuds == ()
