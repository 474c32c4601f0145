"""Launch time of the GUI on a database: process start → main window painted with its list.

Each run is a fresh process (`instructeur --db DB` with INSTRUCTEUR_EXIT_WHEN_READY=1), timed from
outside, so interpreter start, imports, opening the database and loading the list all count.
The peak memory (max RSS) of those processes is reported too.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.screen import laptop_platform


def _command() -> list[str]:
    exe = shutil.which("instructeur", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "ui.launcher"]


def _median_launch(db_path: Path, ready: str, runs: int) -> float:
    return _median_process([*_command(), "--db", str(db_path)], ready, runs)


def _median_bare(db_path: Path, runs: int) -> float:
    """The bare baseline (benchmarks/bare_launch.py): PySide6 + sqlite3 + QAbstractTableModel."""
    return _median_process([sys.executable, "-m", "benchmarks.bare_launch", str(db_path)], "list", runs)


def _median_process(command: list[str], ready: str, runs: int) -> float:
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, INSTRUCTEUR_EXIT_WHEN_READY=ready)
    env.setdefault("QT_QPA_PLATFORM", laptop_platform())
    # Bytecode as an installed app has it (a wheel or the bundle ship .pyc): where
    # PYTHONDONTWRITEBYTECODE is set, every launch would recompile ~120 modules (≈ 0.4 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "var" / "bench" / "pycache")
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120, cwd=root)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True, timeout=120, cwd=root)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_launch(db_path: Path, runs: int = 7) -> dict[str, float]:
    """`launch_s`: until the list is painted (the window is usable: search, filters, fiches);
    `launch_scores_s`: until the grille scores, filled right after, are shown too;
    `bare_launch_s`: the bare PySide6 + sqlite3 window on the same rows, in the same run, and
    `launch_ratio`: launch_s / bare_launch_s (issue 12 target ≤ 4)."""
    launch = _median_launch(db_path, "list", runs)
    scores = _median_launch(db_path, "1", runs)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux, ours only
    bare = _median_bare(db_path, runs)
    result = {
        "launch_s": launch,
        "launch_scores_s": scores,
        "bare_launch_s": bare,
        "launch_ratio": launch / bare,
    }
    return {**result, "peak_rss_mb": peak_kib / 1024}


if __name__ == "__main__":
    for key, value in bench_launch(Path(sys.argv[1])).items():
        print(f"{key:>16} {value:10.3f}")
