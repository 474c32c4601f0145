"""The printed tableau de programmation stays readable (issue 11 §8): ≥ 8 pt on paper."""

from __future__ import annotations

import subprocess
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from instructeur.exports.print_layout import BODY_FONT_PT, effective_scale
from instructeur.exports.programmation import export_programmation
from instructeur.exports.programmation_cells import wrapped_lines
from instructeur.storage.db import open_database
from tests.exports import build_scenario, soffice


def test_every_sheet_prints_at_least_8_pt(tmp_path: Path) -> None:
    db = open_database(tmp_path / "base.sqlite", backup_dir=tmp_path)
    try:
        sc = build_scenario(db)
        path = export_programmation(
            db, sc.world.campagne_id, tmp_path / "prog.xlsx", edition=date(2026, 11, 22)
        )
        one = export_programmation(
            db, sc.world.campagne_id, tmp_path / "caf.xlsx", financeur_code="CAF", edition=date(2026, 11, 22)
        )
    finally:
        db.close()
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert BODY_FONT_PT * effective_scale(ws) >= 8, ws.title

    imp = wb["Impression"]
    headers = [c.value for c in imp[5] if c.value is not None]
    assert headers == [
        "Référence", "Porteur", "Intitulé de l'action", "Axe", "Quartiers", "Coût total",
        "Total demandé", "Total voté", "Taux (voté / coût)", "Décision",
    ]  # fmt: skip
    assert int(imp.page_setup.paperSize) == 9 and imp.page_setup.orientation == "landscape"  # A4
    assert imp.sheet_properties.pageSetUpPr.fitToPage and imp.page_setup.fitToWidth == 1
    assert 0.8 <= effective_scale(imp) <= 1  # one page wide, 8.8 pt or more
    assert [imp.cell(r, 1).value for r in range(6, 9)] == [
        wb["Programmation"].cell(r, 1).value for r in range(6, 9)
    ]
    assert imp.cell(9, 6).value == "=SUBTOTAL(109,F6:F8)"

    # The full table was 4 pt on one A3 width; now 75 % (8.25 pt) over several A3 pages.
    assert BODY_FONT_PT * effective_scale(wb["Programmation"]) == pytest.approx(8.25)

    caf = load_workbook(one)["Impression"]
    assert [c.value for c in caf[5] if c.value and "CAF" in c.value] == ["CAF demandé", "CAF voté"]
    assert BODY_FONT_PT * effective_scale(caf) >= 8


@pytest.mark.skipif(soffice() is None, reason="LibreOffice absent")
def test_libreoffice_prints_the_impression_sheet_on_one_page_width(tmp_path: Path) -> None:
    db = open_database(tmp_path / "base.sqlite", backup_dir=tmp_path)
    try:
        sc = build_scenario(db)
        path = export_programmation(
            db, sc.world.campagne_id, tmp_path / "prog.xlsx", edition=date(2026, 11, 22)
        )
    finally:
        db.close()
    binary = soffice()
    assert binary is not None
    profile = (tmp_path / "lo-profile").resolve().as_uri()
    subprocess.run(
        [binary, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(path)],
        check=True, capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    reader = PdfReader(tmp_path / "prog.pdf")
    texts = [page.extract_text() for page in reader.pages]
    impression = [n for n, t in enumerate(texts) if "Impression" in t]  # the footer names the sheet
    assert len(impression) == 1  # three actions: one page, every column on it
    page = texts[impression[0]]
    assert "Total voté" in page and "Décision" in page and "26-000001" in page
    box = reader.pages[impression[0]].mediabox
    assert float(box.width) > float(box.height)  # landscape


@given(
    text=st.text(alphabet=st.sampled_from(list("ab cdé-\t\u00a0")), max_size=60),
    width=st.integers(min_value=1, max_value=20),
)
def test_wrapped_lines_counts_what_textwrap_would(text: str, width: int) -> None:
    # the row heights of the tableau count lines without building them (programmation_cells)
    assert wrapped_lines(text, width) == (len(textwrap.wrap(text, width, break_on_hyphens=False)) or 1)
