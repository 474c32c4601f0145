"""The tableau de programmation and the additional classifications (Saint-Omer's ambitions, issue 13): one
« Synthèse par ambition » sheet each, and one column each in the « Programmation » sheet."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from instructeur.exports.print_layout import BODY_FONT_PT, effective_scale
from instructeur.exports.programmation import export_programmation
from instructeur.services.classifications import ClassificationService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Objectif
from tests.exports import _set, _votes, recalculate, soffice
from tests.factories import World, build_world, create_dossier
from tests.services.conftest import db  # noqa: F401 - the two-engine fixture


def _saint_omer(db: Database) -> tuple[World, dict[str, int]]:  # noqa: F811
    """Three retained actions: 26-000001 in engagement A2.4, 26-000002 in A7.2, 26-000003 in none."""
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
    return world, c


def _titre(db: Database, code: str) -> str:  # noqa: F811
    with db.session() as s:
        return str(s.scalar(select(Objectif.titre).where(Objectif.code == code)))


def _headers(ws: Worksheet) -> list[str]:
    return [str(c.value) for c in ws[5] if c.value is not None]


def _rows(ws: Worksheet) -> dict[str, int]:
    return {str(ws.cell(r, 1).value): r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value}


def test_synthese_par_ambition_sheet(db: Database, tmp_path: Path) -> None:  # noqa: F811
    world, _ = _saint_omer(db)
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
    assert any(
        "Ambitions de la feuille de route" in str(ws.cell(r, 1).value)
        for r in range(total + 1, ws.max_row + 1)
    )


def test_programmation_sheet_has_a_column_per_classification(db: Database, tmp_path: Path) -> None:  # noqa: F811
    world, _ = _saint_omer(db)
    wb = load_workbook(export_programmation(db, world.campagne_id, tmp_path / "prog.xlsx"))
    ws = wb["Programmation"]
    headers = _headers(ws)
    assert headers[3:7] == ["Axe", "Objectif", "Ambition / engagement", "Quartiers"]
    col = {h: n for n, h in enumerate(headers, start=1)}
    amb = col["Ambition / engagement"]
    rows = _rows(ws)
    assert ws.cell(rows["26-000001"], amb).value == f"A2.4. {_titre(db, 'A2.4')}"  # the engagement itself
    assert ws.cell(rows["26-000002"], amb).value == f"A7.2. {_titre(db, 'A7.2')}"
    assert ws.cell(rows["26-000003"], amb).value in (None, "")  # not classé
    assert ws.cell(rows["26-000001"], amb).alignment.wrap_text
    letter = ws.cell(5, amb).column_letter
    assert ws.column_dimensions[letter].width == ws.column_dimensions["E"].width == 30  # as « Objectif »

    # Every column after it moved one letter right: the formulas follow (no fixed letters).
    total = rows["Total (3 actions)"]
    first, last = min(rows[r] for r in rows if r.startswith("26-")), total - 1
    assert (first, last) == (6, 8)
    for h in ("Coût total", "ETAT demandé", "ETAT voté", "EPCI voté", "Total voté"):
        x = ws.cell(5, col[h]).column_letter
        assert ws.cell(total, col[h]).value == f"=SUBTOTAL(109,{x}6:{x}8)", h
    assert ws.cell(5, col["Coût total"]).column_letter == "I"
    voted = ws.cell(5, col["Total voté"]).column_letter
    assert ws.cell(total, col["Taux (voté / coût)"]).value == (
        f'=IF(SUBTOTAL(109,I6:I8)=0,"",SUBTOTAL(109,{voted}6:{voted}8)/SUBTOTAL(109,I6:I8))'
    )
    assert ws.cell(total, amb).value is None  # text: no total
    assert ws.tables["Programmation"].ref == f"A5:{ws.cell(5, len(headers)).column_letter}8"
    assert ws.freeze_panes == "B6"
    assert ws.print_title_rows == "$1:$5" and ws.print_title_cols == "$A:$B"
    assert BODY_FONT_PT * effective_scale(ws) >= 8
    assert "Ambition / engagement" not in _headers(wb["Impression"])  # the essential columns only

    etat = load_workbook(
        export_programmation(db, world.campagne_id, tmp_path / "etat.xlsx", financeur_code="ETAT")
    )["Programmation"]
    assert _headers(etat)[5] == "Ambition / engagement"
    by_ref = _rows(etat)
    assert etat.cell(by_ref["26-000001"], 6).value == f"A2.4. {_titre(db, 'A2.4')}"
    assert etat.cell(by_ref["26-000002"], 6).value == f"A7.2. {_titre(db, 'A7.2')}"


def test_two_classifications_with_the_same_levels(db: Database, tmp_path: Path) -> None:  # noqa: F811
    world, _ = _saint_omer(db)
    ClassificationService(db, user="test").creer(
        world.contrat_id, "BIS", "Autre feuille", ["Ambition", "Engagement"]
    )
    ClassificationService(db, user="test").creer(world.contrat_id, "QPV", "Priorités", ["QPV"])
    ws = load_workbook(export_programmation(db, world.campagne_id, tmp_path / "prog.xlsx"))["Programmation"]
    assert _headers(ws)[4:9] == [
        "Objectif",
        "Ambition / engagement",
        "Ambition / engagement (BIS)",
        "QPV",
        "Quartiers",
    ]  # fmt: skip - an Excel table wants unique column names
    assert ws.cell(6, 7).value in (None, "")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) absent: cannot recalculate the formulas")
def test_libreoffice_totals_with_the_classification_column(tmp_path: Path) -> None:
    base = open_database(tmp_path / "base.sqlite", backup_dir=tmp_path)
    try:
        world, _ = _saint_omer(base)
        path = export_programmation(base, world.campagne_id, tmp_path / "prog.xlsx")
    finally:
        base.close()
    prog = recalculate(path, tmp_path / "lo")["Programmation"]
    headers, total = prog[4], prog[8]
    value = {h: total[n] for n, h in enumerate(headers) if h}
    assert total[0] == "Total (3 actions)"
    assert Decimal(value["ETAT voté"]) == Decimal("6500.5")
    assert Decimal(value["EPCI voté"]) == Decimal("1300")
    assert Decimal(value["Total voté"]) == Decimal("7800.5")
    assert value["Ambition / engagement"] == ""


def test_no_classification_no_sheet(db: Database, tmp_path: Path) -> None:  # noqa: F811
    world = build_world(db)
    create_dossier(db, world)
    wb = load_workbook(export_programmation(db, world.campagne_id, tmp_path / "prog.xlsx"))
    assert not [n for n in wb.sheetnames if n.startswith("Synthèse par")]
    assert _headers(wb["Programmation"])[3:6] == ["Axe", "Objectif", "Quartiers"]  # no new column
