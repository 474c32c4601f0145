"""`demo create` is all or nothing: a failed, interrupted or killed run leaves no target file, and
the next run on the same name works (SQLite files; a server URL is built in place)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from instructeur import demo
from instructeur.demo import create_demo
from instructeur.storage.db import open_database
from instructeur.storage.models import Campagne, Dossier

# A child that stops for good once the contrat, the campagnes and the porteurs are written.
CHILD = """
import sys, time
from instructeur import demo
def hang(self):
    print("ready", flush=True)
    time.sleep(120)
demo._Generator._evaluations = hang
demo.create_demo(sys.argv[1], dossiers=60)
"""


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def counts(path: Path) -> tuple[int, int]:
    db = open_database(path)
    try:
        with db.session() as s:
            return (
                s.scalar(select(func.count()).select_from(Campagne)) or 0,
                s.scalar(select(func.count()).select_from(Dossier)) or 0,
            )
    finally:
        db.close()


def test_failure_mid_way_leaves_nothing_and_next_run_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite"

    def boom(self: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(demo._Generator, "_comite", boom)
        with pytest.raises(KeyboardInterrupt):
            create_demo(path, dossiers=40)
    assert leftovers(tmp_path) == []
    create_demo(path, dossiers=40)
    assert leftovers(tmp_path) == ["demo.sqlite"]
    assert counts(path)[1] == 40


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killed_run_leaves_no_target_and_next_run_works(tmp_path: Path, how: signal.Signals) -> None:
    path = tmp_path / "demo.sqlite"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        # The contrat and its campagnes are already written — in the temporary file only.
        tmp = next(p for p in tmp_path.iterdir() if re.fullmatch(r"\.demo\.sqlite\.tmp-[0-9a-f]{8}", p.name))
        assert not path.exists()
        child.send_signal(how)
        child.wait(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert not path.exists()
    if how == signal.SIGTERM:  # a terminated run cleans up after itself
        assert leftovers(tmp_path) == []
    else:
        assert tmp.name in leftovers(tmp_path)  # SIGKILL cannot be caught: the next run removes it
    create_demo(path, dossiers=30)
    assert leftovers(tmp_path) == ["demo.sqlite"]
    assert counts(path) == (3, 30)
