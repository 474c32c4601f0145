"""Launch time of the GUI on a database: process start → main window painted with its list.

Each run is a fresh process (`instructeur --db DB` with INSTRUCTEUR_EXIT_WHEN_READY), so interpreter
start, imports, opening the database and loading the list all count. The process prints the
instant its list is painted on the system-wide monotonic clock (`ui.app.print_ready_stamp`): the
launch is timed up to that instant, not up to the end of the process, whose interpreter exit
(≈ 0,3 s of freeing objects) a user never waits for. The whole process is reported too.

Our launches and the bare baseline's alternate, run after run: the machine's minute-to-minute
swings then weigh on both sides of the ratio alike. The peak memory (max RSS) is reported too.
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

ROOT = Path(__file__).resolve().parent.parent
READY = "instructeur : prêt "


def _command() -> list[str]:
    exe = shutil.which("instructeur", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "ui.launcher"]


def _env(ready: str) -> dict[str, str]:
    env = dict(os.environ, INSTRUCTEUR_EXIT_WHEN_READY=ready)
    env.setdefault("QT_QPA_PLATFORM", laptop_platform())
    # Bytecode as an installed app has it (a wheel or the bundle ship .pyc): where
    # PYTHONDONTWRITEBYTECODE is set, every launch would recompile ~120 modules (≈ 0.4 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(ROOT / "var" / "bench" / "pycache")
    return env


def _timed_run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds until the ready stamp, seconds until the process ended)."""
    start = time.monotonic()
    done = subprocess.run(command, env=env, check=True, capture_output=True, timeout=120, cwd=ROOT, text=True)
    end = time.monotonic()
    stamps = [line for line in done.stderr.splitlines() if line.startswith(READY)]
    ready = float(stamps[-1][len(READY) :]) if stamps else end
    return ready - start, end - start


def _median_runs(commands: dict[str, list[str]], ready: str, runs: int) -> dict[str, tuple[float, float]]:
    """Median (ready, whole) per command, the commands alternating run after run."""
    env = _env(ready)
    for command in commands.values():  # warm-up: bytecode, disk cache
        _timed_run(command, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(_timed_run(command, env))
    return {
        name: (statistics.median(t[0] for t in runs_), statistics.median(t[1] for t in runs_))
        for name, runs_ in times.items()
    }


def _bare_command(db_path: Path) -> list[str]:
    """The bare baseline (benchmarks/bare_launch.py): PySide6 + sqlite3 + QAbstractTableModel."""
    return [sys.executable, "-m", "benchmarks.bare_launch", str(db_path)]


def bench_launch(db_path: Path, runs: int = 9) -> dict[str, float]:
    """`launch_s`: until the list is painted (the window is usable: search, filters, fiches);
    `launch_process_s`: the same launch until its process ended;
    `launch_scores_s`: until the grille scores, filled right after, are shown too (process end);
    `bare_launch_s`: the bare PySide6 + sqlite3 window on the same rows, alternating with ours;
    `launch_ratio`: launch_s / bare_launch_s (issue 12 target ≤ 4), and the same ratio for whole
    processes."""
    medians = _median_runs(
        {"ours": [*_command(), "--db", str(db_path)], "bare": _bare_command(db_path)}, "list", runs
    )
    scores = _median_runs({"ours": [*_command(), "--db", str(db_path)]}, "1", runs)["ours"][1]
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux; ours, the largest child
    (launch, launch_process), (bare, bare_process) = medians["ours"], medians["bare"]
    return {
        "launch_s": launch,
        "launch_process_s": launch_process,
        "launch_scores_s": scores,
        "bare_launch_s": bare,
        "bare_process_s": bare_process,
        "launch_ratio": launch / bare,
        "process_ratio": launch_process / bare_process,
        "peak_rss_mb": peak_kib / 1024,
    }


if __name__ == "__main__":
    for key, value in bench_launch(Path(sys.argv[1])).items():
        print(f"{key:>16} {value:10.3f}")
