"""The tableau de programmation, re-opened with openpyxl and recalculated by LibreOffice."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from instructeur.errors import UserError
from instructeur.exports.programmation import export_programmation, export_programmation_par_financeur
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Dossier, Financeur, LigneFinancement
from tests.exports import HYPERLINK, Scenario, build_scenario, recalculate, soffice

EDITION = date(2026, 11, 22)


@pytest.fixture
def base(tmp_path: Path) -> tuple[Database, Scenario]:
    db = open_database(tmp_path / "base.sqlite", backup_dir=tmp_path)
    scenario = build_scenario(db)
    yield db, scenario  # type: ignore[misc]
    db.close()


def _export(base: tuple[Database, Scenario], path: Path, **kwargs: object) -> Path:
    db, sc = base
    return export_programmation(db, sc.world.campagne_id, path, edition=EDITION, **kwargs)  # type: ignore[arg-type]


def _headers(ws: object, row: int = 5) -> list[str]:
    return [c.value for c in ws[row] if c.value is not None]  # type: ignore[index]


def test_programmation_sheet_structure(base: tuple[Database, Scenario], tmp_path: Path) -> None:
    path = _export(base, tmp_path / "prog.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Programmation", "Impression", "Synthèse axes", "Synthèse QPV", "Cotation F-H", "Enveloppes",
    ]  # fmt: skip
    ws = wb["Programmation"]

    # Title block
    assert ws["A1"].value.startswith("Contrat de ville")
    assert ws["A2"].value == "Programmation 2026 — état provisoire"
    assert ws["A3"].value == "Appel à projets"
    assert ws["A4"].value == "Édité le 22/11/2026"

    headers = _headers(ws)
    assert headers[:8] == [
        "Référence", "Porteur", "Intitulé de l'action", "Axe", "Objectif", "Quartiers",
        "Nouvelle / reconduite", "Coût total",
    ]  # fmt: skip
    assert headers[8:14] == [
        "ETAT demandé",
        "ETAT voté",
        "EPCI demandé",
        "EPCI voté",
        "CAF demandé",
        "CAF voté",
    ]
    assert headers[14:] == [
        "Total demandé", "Total voté", "Taux (voté / coût)", "Cotation F/H", "Score /20", "Décision",
        "Observations",
    ]  # fmt: skip
    col = {h: n + 1 for n, h in enumerate(headers)}

    # Data rows 6–8: D1, D2, D3 (went to a comité)
    assert [ws.cell(r, 1).value for r in (6, 7, 8)] == ["26-000001", "26-000002", "26-000003"]
    assert ws.cell(9, 1).value == "Total (3 actions)"
    porteur = ws.cell(6, col["Porteur"])
    assert porteur.value == HYPERLINK and porteur.data_type == "s"  # text, not a formula
    intitule = ws.cell(6, col["Intitulé de l'action"])
    assert intitule.value == "-Atelier" and intitule.data_type == "s"
    assert intitule.alignment.wrap_text
    assert ws.cell(6, col["Observations"]).value == "+ à suivre"
    assert ws.cell(6, col["Quartiers"]).value == "Centre Ville, Damrémont"
    assert ws.cell(6, col["Axe"]).value.startswith("1. ")

    cost = ws.cell(6, col["Coût total"])
    assert cost.value == 12500 and "€" in cost.number_format and "#,##0.00" in cost.number_format
    etat_vote = ws.cell(6, col["ETAT voté"])
    assert Decimal(str(etat_vote.value)) == Decimal("3000.01")
    assert etat_vote.number_format == '#,##0.00\\ "€"'
    assert ws.cell(6, col["CAF demandé"]).value is None  # not asked: blank, not 0
    # no cell is written for a blank: its column carries the format of what a partner types there
    caf = ws.cell(5, col["CAF demandé"]).column_letter
    assert ws.column_dimensions[caf].number_format == '#,##0.00\\ "€"'
    assert ws.column_dimensions["C"].alignment.wrap_text
    assert ws.cell(8, col["ETAT voté"]).value == 0  # refused: voted 0
    taux = ws.cell(6, col["Taux (voté / coût)"])
    assert Decimal(str(taux.value)) == Decimal("0.56") and "%" in taux.number_format
    assert Decimal(str(ws.cell(6, col["Score /20"]).value)) == Decimal("14.44")
    assert ws.cell(6, col["Cotation F/H"]).value == 1
    assert ws.cell(6, col["Décision"]).value == "Retenu"
    assert ws.cell(7, col["Nouvelle / reconduite"]).value == "Reconduite"

    # Totals: SUBTOTAL(109) over the data rows of every amount column
    for header in ("Coût total", "ETAT demandé", "ETAT voté", "CAF voté", "Total voté"):
        letter = ws.cell(9, col[header]).column_letter
        assert ws.cell(9, col[header]).value == f"=SUBTOTAL(109,{letter}6:{letter}8)"
        assert "€" in ws.cell(9, col[header]).number_format
    assert ws.cell(9, col["Taux (voté / coût)"]).value.startswith("=IF(SUBTOTAL(109,H6:H8)=0")

    # Table over header + data only, not the totals row
    table = ws.tables["Programmation"]
    last = ws.cell(5, len(headers)).column_letter
    assert table.ref == f"A5:{last}8"
    assert [c.name for c in table.tableColumns] == headers
    assert ws.auto_filter.ref is None  # the table carries its own filter

    # View and print
    assert ws.freeze_panes == "B6"
    # 21 columns do not fit one readable page: A3 at 75 % over several pages, ids repeated
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 8  # A3
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale == 75
    assert ws.print_title_rows == "$1:$5" and ws.print_title_cols == "$A:$B"
    assert ws.column_dimensions["C"].width >= 30
    assert ws.row_dimensions[5].height >= 30
    assert wb.calculation.fullCalcOnLoad


def test_formula_guard_in_the_xml(base: tuple[Database, Scenario], tmp_path: Path) -> None:
    path = _export(base, tmp_path / "prog.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>HYPERLINK" not in xml
    assert 't="inlineStr"><is><t>=HYPERLINK("x")</t>' in xml.replace("&quot;", '"')
    assert "<f>SUBTOTAL(109,H6:H8)</f>" in xml


def test_synthesis_sheets(base: tuple[Database, Scenario], tmp_path: Path) -> None:
    wb = load_workbook(_export(base, tmp_path / "prog.xlsx", etat="definitif"))
    assert wb["Programmation"]["A2"].value == "Programmation 2026 — état définitif"

    axes = wb["Synthèse axes"]
    assert _headers(axes) == ["Axe", "Actions", "Retenues", "ETAT voté", "EPCI voté", "CAF voté", "Total voté",
                              "Total demandé"]  # fmt: skip
    by_axe = {axes.cell(r, 1).value: r for r in range(6, axes.max_row + 1)}
    r1 = by_axe[f"1. {base[1].axe1[1]}"]
    assert Decimal(str(axes.cell(r1, 4).value)) == Decimal("3000.01")
    assert Decimal(str(axes.cell(r1, 7).value)) == Decimal("7000.01")
    total_row = by_axe["Total"]
    assert axes.cell(total_row, 7).value == f"=SUM(G6:G{total_row - 1})"

    qpv = wb["Synthèse QPV"]
    by_q = {qpv.cell(r, 1).value: r for r in range(6, qpv.max_row + 1)}
    assert Decimal(str(qpv.cell(by_q["Centre Ville"], 7).value)) == Decimal("106500.01")
    assert Decimal(str(qpv.cell(by_q["Damrémont"], 7).value)) == Decimal("3500")
    assert any("parts égales" in str(qpv.cell(r, 1).value) for r in range(6, qpv.max_row + 1))

    cot = wb["Cotation F-H"]
    assert _headers(cot)[:3] == ["Niveau de cotation", "Actions à l'entrée", "Demandé à l'entrée"]
    levels = {cot.cell(r, 1).value: r for r in range(6, 10)}
    assert Decimal(str(cot.cell(levels["2 — objectif principal"], 3).value)) == Decimal("9000.01")
    assert Decimal(str(cot.cell(levels["1 — objectif significatif"], 6).value)) == Decimal("7000.01")
    assert cot.cell(6, 4).value.startswith("=IF(") and "%" in cot.cell(6, 4).number_format

    env = wb["Enveloppes"]
    rows = {env.cell(r, 1).value: r for r in range(6, 10)}
    reste = env.cell(rows["ETAT"], 7)
    assert Decimal(str(reste.value)) == Decimal("-1000.01")
    assert "[Red]" in reste.number_format
    assert Decimal(str(env.cell(rows["ETAT"], 8).value)) == Decimal("1.01")  # taux 101,00 %


def test_one_financeur_workbook(base: tuple[Database, Scenario], tmp_path: Path) -> None:
    wb = load_workbook(_export(base, tmp_path / "caf.xlsx", financeur_code="CAF"))
    ws = wb["Programmation"]
    assert "CAF du Pas-de-Calais" in ws["A2"].value
    headers = _headers(ws)
    assert [h for h in headers if h.endswith(("demandé", "voté"))] == ["CAF demandé", "CAF voté"]
    assert ws.cell(6, 1).value == "26-000002" and ws.cell(7, 1).value == "Total (1 actions)"
    col = {h: n + 1 for n, h in enumerate(headers)}
    assert Decimal(str(ws.cell(6, col["Taux (voté / coût)"]).value)) == Decimal("0.025")  # 5 000 / 200 000
    env = wb["Enveloppes"]
    assert env.cell(6, 1).value == "CAF" and env.cell(7, 1).value == "Total"


def test_one_file_per_financeur(base: tuple[Database, Scenario], tmp_path: Path) -> None:
    db, sc = base
    paths = export_programmation_par_financeur(
        db, sc.world.campagne_id, tmp_path / "par financeur", edition=EDITION
    )
    assert [p.name for p in paths] == [
        "Programmation_2026_ETAT.xlsx", "Programmation_2026_EPCI.xlsx", "Programmation_2026_CAF.xlsx",
    ]  # fmt: skip
    assert all(p.exists() for p in paths)


def test_provisional_table_lists_every_recevable_dossier(
    base: tuple[Database, Scenario], tmp_path: Path
) -> None:
    ws = load_workbook(_export(base, tmp_path / "all.xlsx", include_all=True))["Programmation"]
    assert [ws.cell(r, 1).value for r in range(6, 10)] == ["26-000001", "26-000004", "26-000002", "26-000003"]


def test_empty_campagne_and_bad_paths(tmp_path: Path) -> None:
    from tests.factories import build_world

    db = open_database(tmp_path / "empty.sqlite", backup_dir=tmp_path)
    try:
        world = build_world(db)
        ws = load_workbook(export_programmation(db, world.campagne_id, tmp_path / "e.xlsx"))["Programmation"]
        assert ws.cell(6, 1).value == "Aucune action" and not ws.tables
        with pytest.raises(UserError, match="dossier introuvable"):
            export_programmation(db, world.campagne_id, tmp_path / "nowhere" / "x.xlsx")
        with pytest.raises(UserError, match="c'est un dossier"):
            export_programmation(db, world.campagne_id, tmp_path)
        with pytest.raises(UserError, match="campagne 42 introuvable"):
            export_programmation(db, 42, tmp_path / "x.xlsx")
        with pytest.raises(UserError, match="état de la programmation inconnu"):
            export_programmation(db, world.campagne_id, tmp_path / "x.xlsx", etat="brouillon")
    finally:
        db.close()


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) absent: cannot recalculate the formulas")
def test_libreoffice_recalculates_totals_equal_to_the_database(
    base: tuple[Database, Scenario], tmp_path: Path
) -> None:
    db, sc = base
    path = _export(base, tmp_path / "prog.xlsx")
    sheets = recalculate(path, tmp_path / "lo")
    prog = sheets["Programmation"]
    headers = prog[4]
    total = prog[8]
    assert total[0] == "Total (3 actions)"
    value = {h: total[n] for n, h in enumerate(headers) if h}

    # Database sums over the same dossiers (the three that went to the comité), to the cent.
    ids = [sc.d["D1"], sc.d["D2"], sc.d["D3"]]
    with db.session() as s:
        cost = int(s.scalar(select(func.sum(Dossier.cout_total_cents)).where(Dossier.id.in_(ids))) or 0)
        sums = {
            code: (int(dem or 0), int(vot or 0))
            for code, dem, vot in s.execute(
                select(
                    Financeur.code,
                    func.sum(LigneFinancement.demande_cents),
                    func.sum(LigneFinancement.vote_cents),
                )
                .join(Financeur, Financeur.id == LigneFinancement.financeur_id)
                .where(LigneFinancement.dossier_id.in_(ids))
                .group_by(Financeur.code)
            )
        }

    def cents(text: str) -> int:
        return int((Decimal(text) * 100).to_integral_value())

    assert cents(value["Coût total"]) == cost == 225_000_00
    for code, (dem, vot) in sums.items():
        assert cents(value[f"{code} demandé"]) == dem
        assert cents(value[f"{code} voté"]) == vot
    assert cents(value["Total voté"]) == sum(v for _, v in sums.values()) == 110_000_01
    assert Decimal(value["Taux (voté / coût)"].rstrip("%")).quantize(Decimal("0.01")) == Decimal("48.89")
    # The guarded texts are shown as typed.
    assert prog[5][1] == HYPERLINK and prog[5][2] == "-Atelier"

    env = {row[0]: row for row in sheets["Enveloppes"] if row}
    assert Decimal(env["ETAT"][6]) == Decimal("-1000.01")
    assert Decimal(env["Total"][5]) == Decimal("110000.01")
    axes = {row[0]: row for row in sheets["Synthèse axes"] if row}
    assert Decimal(axes["Total"][6]) == Decimal("110000.01")
    qpv = {row[0]: row for row in sheets["Synthèse QPV"] if row}
    assert Decimal(qpv["Total"][6]) == Decimal("110000.01") and Decimal(qpv["Total"][5]) == Decimal(
        "128500.01"
    )
    cot = {row[0]: row for row in sheets["Cotation F-H"] if row}
    assert Decimal(cot["Total"][2]) == Decimal("128500.01") and Decimal(cot["Total"][5]) == Decimal(
        "110000.01"
    )
