"""Opening a fiche dossier: `MainWindow.open_fiche` → window shown and painted with its data.

The first open of a campagne also loads its reference data (financeurs, cadre, quartiers), cached
afterwards; it is reported apart from the median of the following opens.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from benchmarks.screen import laptop_platform


def bench_fiche(db_path: str | Path, opens: int = 15) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", laptop_platform())
    from ui.app import make_application

    app = make_application([])
    from instructeur.storage.db import open_database
    from ui.main_window import MainWindow

    db = open_database(db_path)
    window = MainWindow(db)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    rows = window.model.rows
    step = max(1, len(rows) // (opens + 1))
    ids = [row.id for row in rows[::step]][: opens + 1]
    times = []
    for dossier_id in ids:
        start = time.perf_counter()
        fiche = window.open_fiche(dossier_id)
        app.processEvents()
        fiche.grab()  # a full paint, as the user sees it
        times.append(time.perf_counter() - start)
        fiche.close()
        app.processEvents()
    window.close()
    db.close()
    return {"first_open_ms": times[0] * 1000, "open_ms": statistics.median(times[1:]) * 1000}


if __name__ == "__main__":
    for key, value in bench_fiche(sys.argv[1]).items():
        print(f"{key:>16} {value:10.1f}")
