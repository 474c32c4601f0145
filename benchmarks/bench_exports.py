"""Benchmark of the exports: `bench_programmation(db_path)` times the tableau de programmation of
the biggest campagne of a demo database (median of 5 runs, after one warm-up run), against a bare
openpyxl write of the same values (issue 12: ≤ 1.5×), run in turn with them: the whole export
(reading the campagne, then the workbook) and the workbook alone (the same cells, styled, with
the table, widths, heights and print setup).

    python -m benchmarks.bench_exports /tmp/demo.sqlite

(make one with `instructeur demo create /tmp/demo.sqlite --dossiers 5000`: its biggest campagne
has about 2 000 dossiers; the quality bar is ≤ 3 s for a 2 000-dossier campagne).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from instructeur.exports.programmation import build_workbook, export_programmation, used_financeurs
from instructeur.services.synthese import SyntheseService
from instructeur.storage.db import open_database
from instructeur.storage.models import Dossier

RUNS = 5


def _median(fn: Any, runs: int = RUNS) -> float:
    fn()  # warm-up (imports, SQLite page cache)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _sheet_values(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every sheet's cell values (formulas as written) of the exported workbook."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [
        (sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)]) for sheet in book.worksheets
    ]


def _bare_write(values: list[tuple[str, list[tuple[Any, ...]]]], target: Path) -> None:
    """The baseline: openpyxl writing the same values, no styles, widths, tables or print setup."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, rows in values:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(target)


def _interleaved(fns: dict[str, Any], runs: int = RUNS) -> dict[str, float]:
    """Median seconds of each function, run in turn (one warm-up each): on a noisy machine the
    ratios of measures taken side by side are steadier than of measures taken one after another."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {key: [] for key in fns}
    for _ in range(runs):
        for key, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - start)
    return {key: statistics.median(t) for key, t in times.items()}


def bench_programmation(db_path: str | Path) -> dict[str, Any]:
    """Median seconds of the programmation export (full table, every recevable dossier) and of
    the synthesis alone, on the campagne with the most dossiers."""
    db = open_database(db_path)
    try:
        with db.session() as s:
            campagne_id, count = s.execute(
                select(Dossier.campagne_id, func.count())
                .group_by(Dossier.campagne_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
        service = SyntheseService(db)
        rows = len(service.programmation_rows(campagne_id, include_all=True))
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "programmation.xlsx"
            export_programmation(db, campagne_id, target, include_all=True)
            size = target.stat().st_size
            values = _sheet_values(target)
            data = service.programmation(campagne_id, include_all=True)
            financeurs = used_financeurs(data.financeurs, data.synthese, data.rows)
            medians = _interleaved(
                {
                    "export": lambda: export_programmation(db, campagne_id, target, include_all=True),
                    "write": lambda: build_workbook(
                        data.synthese,
                        data.rows,
                        financeurs,
                        etat="provisoire",
                        edition=date.today(),
                        classements=data.classements,
                    ).save(Path(tmp) / "write.xlsx"),
                    "bare": lambda: _bare_write(values, Path(tmp) / "bare.xlsx"),
                }
            )
        synthese_s = _median(lambda: service.campagne(campagne_id))
        rows_s = _median(lambda: service.programmation_rows(campagne_id, include_all=True))
    finally:
        db.close()
    return {
        "campagne_id": int(campagne_id),
        "dossiers": int(count),
        "rows_exported": rows,
        "export_programmation_s": round(medians["export"], 3),
        "write_s": round(medians["write"], 3),
        "synthese_s": round(synthese_s, 3),
        "programmation_rows_s": round(rows_s, 3),
        "xlsx_bytes": size,
        "bare_openpyxl_s": round(medians["bare"], 3),
        "programmation_ratio": round(medians["export"] / medians["bare"], 2),
        "write_ratio": round(medians["write"] / medians["bare"], 2),
        "runs": RUNS,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage : python -m benchmarks.bench_exports BASE.sqlite", file=sys.stderr)
        return 2
    for key, value in bench_programmation(argv[0]).items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
