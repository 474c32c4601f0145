"""Console entry point `instructeur` (pyproject `[project.scripts]`).

The command line lives in `instructeur.cli` (no Qt there); it calls back `_gui` when no
sub-command is given, so Qt is only imported when a window is really wanted.
"""

from __future__ import annotations

from pathlib import Path


def _gui(db_target: str | Path, demo: bool) -> int:
    from ui.app import run_gui

    return run_gui(db_target, demo=demo)


def main(argv: list[str] | None = None) -> int:
    from instructeur.cli.main import main as cli_main

    return cli_main(argv, gui=_gui)


if __name__ == "__main__":
    raise SystemExit(main())
