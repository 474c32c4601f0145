"""The tableau de programmation's « Synthèse par ambition » sheet (one per additional classification)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from instructeur.exports.programmation import export_programmation
from instructeur.storage.db import Database
from instructeur.storage.models import Objectif
from tests.exports import _set, _votes
from tests.factories import build_world, create_dossier
from tests.services.conftest import db  # noqa: F401 - the two-engine fixture


def test_synthese_par_ambition_sheet(db: Database, tmp_path: Path) -> None:  # noqa: F811
    world = build_world(db, "saint-omer-2024")
    with db.session() as s:
        c = dict(s.execute(select(Objectif.code, Objectif.id)).all())
    f = world.financeurs
    d1 = create_dossier(db, world, "26-000001", objectif_id=c["3.2"], classements=(c["A2.4"],))
    d2 = create_dossier(db, world, "26-000002", objectif_id=c["4.1"], classements=(c["A7.2"],))
    d3 = create_dossier(db, world, "26-000003", objectif_id=c["1.2"])
    for did in (d1, d2, d3):
        _set(db, did, statut="retenu", decision="retenu")
    _votes(db, d1, {f["ETAT"]: 4_000_00, f["EPCI"]: 1_000_00})
    _votes(db, d2, {f["ETAT"]: 2_500_50})
    _votes(db, d3, {f["EPCI"]: 300_00})

    wb = load_workbook(export_programmation(db, world.campagne_id, tmp_path / "prog.xlsx"))
    assert wb.sheetnames.index("Synthèse par ambition") == wb.sheetnames.index("Synthèse axes") + 1
    ws = wb["Synthèse par ambition"]
    assert ws.cell(5, 1).value == "Ambition"
    assert any("voté par ambition et financeur" in str(ws.cell(r, 1).value) for r in range(1, 5))
    rows = {str(ws.cell(r, 1).value): r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value}
    labels = [str(ws.cell(r, 1).value) for r in range(6, 6 + 9)]
    assert labels[0] == "A1. Mieux repérer pour mieux orienter"
    assert labels[7:] == ["Non classé", "Total"]
    a2 = rows[next(k for k in rows if k.startswith("A2."))]
    a7 = rows[next(k for k in rows if k.startswith("A7."))]
    assert [ws.cell(a2, col).value for col in (2, 3)] == [1, 1]
    assert Decimal(str(ws.cell(a2, 4).value)) == Decimal("4000")  # ETAT voté
    assert Decimal(str(ws.cell(a7, 4).value)) == Decimal("2500.5")
    assert Decimal(str(ws.cell(rows["Non classé"], 5).value)) == Decimal("300")  # EPCI voté
    total = rows["Total"]
    assert ws.cell(total, 7).value == f"=SUM(G6:G{total - 1})"
    assert any("Ambitions de la feuille de route" in str(ws.cell(r, 1).value) for r in range(total + 1, ws.max_row + 1))


def test_no_classification_no_sheet(db: Database, tmp_path: Path) -> None:  # noqa: F811
    world = build_world(db)
    create_dossier(db, world)
    wb = load_workbook(export_programmation(db, world.campagne_id, tmp_path / "prog.xlsx"))
    assert not [n for n in wb.sheetnames if n.startswith("Synthèse par")]
