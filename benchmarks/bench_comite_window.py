"""Opening « Comités et ordre du jour » (issue 11): time until the window is shown (comités read,
the ordre du jour loading off the GUI thread) and until the ordre du jour is filled.

    python -m benchmarks.bench_comite_window var/bench/demo_20k.sqlite
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path


def bench_comite_window(db_path: str | Path, runs: int = 3) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench", "-platform", "offscreen"])
    from instructeur.services.campagnes import CampagneService
    from instructeur.storage.db import open_database
    from ui.comite.preparation import PreparationWindow

    shown, filled = [], []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "comite.sqlite"
        shutil.copyfile(db_path, copy)
        db = open_database(copy)
        try:
            campagne = max(CampagneService(db).all(), key=lambda c: c.nb_dossiers)
            for _ in range(runs):
                start = time.perf_counter()
                win = PreparationWindow(db, campagne)
                win.show()
                app.processEvents()
                shown.append((time.perf_counter() - start) * 1000)
                while win.agenda_model.rowCount() == 0:
                    app.processEvents()
                    time.sleep(0.005)
                filled.append((time.perf_counter() - start) * 1000)
                win.close()
                win.deleteLater()
                app.processEvents()
        finally:
            db.close()
    return {"shown_ms": statistics.median(shown), "agenda_ms": statistics.median(filled)}


if __name__ == "__main__":
    for key, value in bench_comite_window(sys.argv[1]).items():
        print(f"{key:>12} {value:10.1f}")
