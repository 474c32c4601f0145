"""Dossiers list benchmark (DESIGN.md §12): medians in ms on a big database.

    python -m benchmarks.bench_list DB      # e.g. a demo: instructeur demo create big.sqlite --dossiers 20000

Measures, on the biggest campagne: loading its rows into the model, one search keystroke, one
filter change, one sort by porteur and by montant (after a first sort), and the main window's
construction with data (constructor → first processEvents).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.screen import laptop_platform

RUNS = 20


def _median(fn: Callable[[], object], runs: int = RUNS, setup: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_list(db_path: str | Path, runs: int = RUNS) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", laptop_platform())
    from PySide6.QtCore import QStandardPaths, Qt
    from PySide6.QtWidgets import QApplication

    from instructeur.domain.statuts import Statut
    from instructeur.services.campagnes import CampagneService
    from instructeur.services.dossiers import DossierService
    from instructeur.storage.db import open_database
    from ui.main_window import MainWindow
    from ui.models.dossiers import DossierFilterProxy, DossierFilters, DossierTableModel

    app = QApplication.instance() or QApplication([])
    QStandardPaths.setTestModeEnabled(True)  # no saved views / geometry from the real profile
    db = open_database(db_path)
    try:
        campagne = max(CampagneService(db).all(), key=lambda c: c.nb_dossiers)
        service = DossierService(db)
        model = DossierTableModel()
        proxy = DossierFilterProxy()
        proxy.setSourceModel(model)
        results: dict[str, float] = {"dossiers": float(campagne.nb_dossiers)}
        results["load_rows_ms"] = _median(lambda: model.set_rows(service.list_rows(campagne.id)), runs)

        words = iter(range(10**6))

        def keystroke() -> None:  # « centre » → « centre s » alternately, each a real change
            proxy.set_search("centre" if next(words) % 2 else "centr")
            proxy.rowCount()

        results["search_keystroke_ms"] = _median(keystroke, runs)
        proxy.set_search("")
        flips = iter(range(10**6))

        def filter_change() -> None:
            statuts = {Statut.EN_INSTRUCTION} if next(flips) % 2 else {Statut.EN_INSTRUCTION, Statut.INSTRUIT}
            proxy.set_filters(DossierFilters(statuts=frozenset(statuts)))
            proxy.rowCount()

        results["filter_change_ms"] = _median(filter_change, runs)
        proxy.set_filters(DossierFilters())
        porteur, montant = model.column_index("porteur"), model.column_index("demande")
        proxy.sort(porteur, Qt.SortOrder.AscendingOrder)  # first sort computes the collation keys
        proxy.sort(montant, Qt.SortOrder.AscendingOrder)
        orders = iter(range(10**6))

        def sort(column: int) -> Callable[[], None]:
            def run() -> None:
                order = Qt.SortOrder.DescendingOrder if next(orders) % 2 else Qt.SortOrder.AscendingOrder
                proxy.sort(column, order)

            return run

        results["sort_porteur_ms"] = _median(sort(porteur), runs)
        results["sort_montant_ms"] = _median(sort(montant), runs)

        windows: list[MainWindow] = []

        def window() -> None:
            w = MainWindow(db)
            w.resize(1600, 900)
            w.show()
            app.processEvents()
            windows.append(w)

        def close_previous() -> None:
            while windows:
                w = windows.pop()
                w.close()
                w.deleteLater()
            app.processEvents()

        results["window_ms"] = _median(window, max(3, runs // 4), setup=close_previous)
        close_previous()
        return results
    finally:
        db.close()


TARGETS = {
    "search_keystroke_ms": 50,
    "filter_change_ms": 50,
    "sort_porteur_ms": 100,
    "sort_montant_ms": 100,
    "window_ms": 1500,
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__)
        return 2
    results = bench_list(args[0])
    print(f"{'mesure':<22}{'médiane (ms)':>14}{'cible':>10}")
    for key, value in results.items():
        target = TARGETS.get(key)
        print(f"{key:<22}{value:>14.1f}{'' if target is None else f'≤ {target}':>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
