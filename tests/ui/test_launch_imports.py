"""Launch speed (issue 12): opening the main window on a current base imports neither Alembic (no
migration due) nor the export libraries (ReportLab, openpyxl), which load when first used.

Checked in a fresh interpreter: pytest and other tests have long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from instructeur.demo import create_demo

HEAVY = ("alembic", "reportlab", "openpyxl", "pypdf", "psycopg")
# Windows other than the main one: imported when first opened (ui/actions/).
WINDOWS = (
    "ui.import_wizard",
    "ui.matrix",
    "ui.matrix_model",
    "ui.comite.seance",
    "ui.comite.preparation",
    "ui.parametres.window",
    "ui.dashboard",
    "ui.coinstruction",
    "ui.fiche.window",
    "ui.notifications",
    "ui.exports_dialog",
    # and the comité services they use (the cadre service needs only storage/write_lock.py)
    "instructeur.services.comite_decisions",
)

_SCRIPT = """
import json, sys
from PySide6.QtWidgets import QTableView
from ui.launcher import _gui  # noqa: F401 - the console entry point's module
from ui.app import make_application, open_main_window
from instructeur.storage.db import open_database
app = make_application(["instructeur"])
db = open_database(sys.argv[1], create_schema=False)
window = open_main_window(db)
window.show()
window.repaint()
app.processEvents()
rows = window.findChild(QTableView).model().rowCount()
heavy = sys.argv[2].split(",")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
windows = sorted(m for m in sys.argv[3].split(",") if m in sys.modules)
window.reporting.show_dashboard()  # the counterpart: opening a tab imports its module
app.processEvents()
print(json.dumps({"rows": rows, "loaded": loaded, "windows": windows, "after": "ui.dashboard" in sys.modules}))
db.close()
"""


def test_main_window_on_current_base_skips_alembic_exports_and_other_windows(tmp_path: Path) -> None:
    base = tmp_path / "demo.sqlite"
    create_demo(base, dossiers=40, seed=7)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(base), ",".join(HEAVY), ",".join(WINDOWS)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] > 0  # the window really loaded its list
    assert result["loaded"] == []
    assert result["windows"] == []  # no other window's module before it is opened
    assert result["after"] is True


_LAUNCHER = """
import json, os, sys
from ui.launcher import main
code = main(["--db", sys.argv[1]])
heavy = sys.argv[2].split(",")
print(json.dumps({"code": code, "loaded": sorted({m.split(".")[0] for m in sys.modules} & set(heavy))}))
"""


def _launch(base: Path, ready: str, heavy: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(base), ",".join(heavy)],
        cwd=Path(__file__).resolve().parents[2],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", INSTRUCTEUR_EXIT_WHEN_READY=ready),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_real_launch_path_paints_the_list_before_importing_sqlalchemy(tmp_path: Path) -> None:
    """The console entry point's own path: on a current SQLite base, the list is painted from the
    first-paint reading (services/first_paint.py); the base is opened right after."""
    base = tmp_path / "demo.sqlite"
    create_demo(base, dossiers=20, seed=3)
    done = _launch(base, "list", (*HEAVY, "sqlalchemy"))  # returns once the list is painted
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": []}
    # The instant the list was painted, which the launch benchmark reads (benchmarks/bench_launch.py).
    stamps = [line for line in done.stderr.splitlines() if line.startswith("instructeur : prêt ")]
    assert len(stamps) == 1 and float(stamps[0].split()[-1]) > 0


def test_the_real_launch_path_then_opens_the_base_without_the_export_libraries(tmp_path: Path) -> None:
    base = tmp_path / "demo.sqlite"
    create_demo(base, dossiers=20, seed=3)
    done = _launch(base, "1", (*HEAVY, "sqlalchemy"))  # returns once the base is open, list complete
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": ["sqlalchemy"]}


def test_a_due_migration_still_imports_alembic_and_migrates(tmp_path: Path) -> None:
    # The counterpart: an empty file gets its schema through Alembic.
    code = (
        "import sys\n"
        "from instructeur.storage.db import open_database\n"
        "db = open_database(sys.argv[1])\n"
        "from instructeur.storage import migrate\n"
        "assert migrate.current_revision(db) == migrate.head_revision()\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "new.sqlite")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
