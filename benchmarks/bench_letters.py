"""Time 500 notification letters (DESIGN.md §12: ≤ 15 s; issue 12: ≤ 5 s), median of 3 runs,
against LibreOffice converting the same number of letters (`bare_letters`, one run: it is slow).

    python -m benchmarks.bench_letters DB      # DB: a demo base (instructeur demo create DB)

Letters are built from the base's decided dossiers (repeated if fewer than 500), rendered one PDF
each into a temp folder and merged, without touching the base's notification states.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from benchmarks.bare_letters import soffice_seconds
from instructeur.exports.letter_batch import render_letters, worker_count
from instructeur.services.notifications import NotificationService
from instructeur.storage.db import open_database
from instructeur.storage.models import Dossier

N_LETTERS = 500


def bench_letters(
    db_path: str | Path, n: int = N_LETTERS, runs: int = 3, baseline: bool = True
) -> dict[str, float]:
    db = open_database(db_path)
    try:
        service = NotificationService(db, user="bench")
        with db.session() as s:
            rows = s.execute(
                select(Dossier.campagne_id, Dossier.id)
                .where(Dossier.decision.is_not(None))
                .order_by(Dossier.id)
            ).all()
        by_campagne: dict[int, list[int]] = {}
        for campagne_id, dossier_id in rows:
            by_campagne.setdefault(campagne_id, []).append(dossier_id)
        t0 = time.perf_counter()
        letters = []
        for campagne_id, ids in by_campagne.items():
            letters += service.letters(campagne_id, ids)
        build_s = time.perf_counter() - t0
        if not letters:
            raise SystemExit("aucun dossier décidé dans cette base")
        letters = (letters * (n // len(letters) + 1))[:n]
        timings: list[float] = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                jobs = [(letter, folder / f"{i:04d}.pdf") for i, letter in enumerate(letters)]
                start = time.perf_counter()
                render_letters(jobs, folder / "merged.pdf")
                timings.append(time.perf_counter() - start)
        result = {
            "letters": float(n),
            "workers": float(worker_count(n)),
            "data_s": build_s,
            "median_s": statistics.median(timings),
            "min_s": min(timings),
            "max_s": max(timings),
        }
        office = soffice_seconds(letters) if baseline else None
        if office is not None:
            result["soffice_s"] = office
            result["soffice_ratio"] = office / result["median_s"]
        return result
    finally:
        db.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage : python -m benchmarks.bench_letters BASE.sqlite", file=sys.stderr)
        return 2
    result = bench_letters(argv[0])
    print(
        f"{int(result['letters'])} lettres + PDF fusionné : médiane {result['median_s']:.2f} s "
        f"(min {result['min_s']:.2f}, max {result['max_s']:.2f}) ; données {result['data_s']:.2f} s"
    )
    if "soffice_s" in result:
        print(
            f"LibreOffice, mêmes lettres : {result['soffice_s']:.2f} s ({result['soffice_ratio']:.1f}× plus lent)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
