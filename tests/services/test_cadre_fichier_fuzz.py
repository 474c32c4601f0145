"""Any cadre file (codes, levels, titles and parents as a partner may type them): the import either
gives a tree (every node's parent in it, no cycle, each node one level below its parent) or
refuses in French and leaves the cadre as it was (Hypothesis, on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from instructeur.errors import UserError
from instructeur.services.cadre import CadreService
from instructeur.services.cadre_fichier import import_xlsx
from instructeur.services.contrats import ContratService
from instructeur.storage.db import Database, open_database
from tests.services.test_cadre_fichier import _tree, _write

_code = st.sampled_from(["1", "1.1", "1.2", "2", "2.1", "A", " 1 ", "", None, 1, 1.1])
_niveau = st.sampled_from(["Axe", "Objectif", "Action", "", None, 1, 2, 3, 0, -1, "axe"])
_titre = st.none() | st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=12)
_NIVEAUX = ("Axe", "Objectif", "Action")


@st.composite
def _cadre(draw: st.DrawFn) -> list[tuple[object, ...]]:
    """A tree as the export writes it (each node after its parent, levels by depth), then a few
    cells typed over with anything."""
    rows: list[tuple[object, ...]] = []
    depths: list[int] = []
    for n in range(draw(st.integers(0, 8))):
        parent = draw(st.none() | st.integers(0, n - 1)) if n else None
        if parent is not None and depths[parent] == len(_NIVEAUX) - 1:
            parent = None
        depth = 0 if parent is None else depths[parent] + 1
        depths.append(depth)
        code = f"{rows[parent][0]}.{n}" if parent is not None else str(n + 1)
        rows.append(
            (
                code,
                _NIVEAUX[depth],
                draw(_titre) or f"Nœud {n}",
                rows[parent][0] if parent is not None else "",
            )
        )
    for _ in range(draw(st.integers(0, 2))) if rows else ():
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, 3))
        value = draw((_code, _niveau, _titre, _code)[c])
        rows[r] = rows[r][:c] + (value,) + rows[r][c + 1 :]
    return rows


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, int]]:
    folder = tmp_path_factory.mktemp("fuzz")
    db = open_database(folder / "base.sqlite", backup_dir=folder)
    yield db, ContratService(db, user="test").create_empty("Contrat de ville")
    db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_cadre(), header=st.booleans())
def test_any_cadre_file_is_a_tree_or_refused_in_french(
    base: tuple[Database, int],
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[object, ...]],
    header: bool,
) -> None:
    db, contrat_id = base
    cadre = CadreService(db)
    before = _tree(cadre.arbre(contrat_id))
    lines: list[tuple[object, ...]] = [("Code", "Niveau", "Intitulé", "Parent")] if header else []
    path = _write(tmp_path_factory.mktemp("cadre") / "cadre.xlsx", lines + rows)
    try:
        import_xlsx(db, contrat_id, None, path, user="test")
    except UserError as exc:
        event("refusé")
        assert exc.message.strip()
        assert _tree(cadre.arbre(contrat_id)) == before  # nothing written
        return
    arbre = cadre.arbre(contrat_id)
    event(f"importé, {min(len(arbre.noeuds), 3)}+ nœuds")
    by_id = {n.id: n for n in arbre.noeuds}
    for node in arbre.noeuds:
        seen = {node.id}
        parent = by_id.get(node.parent_id) if node.parent_id is not None else None
        if node.parent_id is not None:
            assert parent is not None and parent.niveau == node.niveau - 1
        while parent is not None:
            assert parent.id not in seen
            seen.add(parent.id)
            parent = by_id.get(parent.parent_id) if parent.parent_id is not None else None
