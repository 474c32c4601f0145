"""Console entry point `instructeur` (pyproject `[project.scripts]`).

The command line lives in `instructeur.cli` (no Qt there); it calls back `_gui` when no
sub-command is given, so Qt is only imported when a window is really wanted. A plain launch
(`instructeur`, `--db X`, `--demo`) skips building the whole command line (every sub-command
module), which only the sub-commands need.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def _gui(db_target: str | Path, demo: bool) -> int:
    from ui.app import run_gui

    return run_gui(db_target, demo=demo)


def _plain_launch(argv: Sequence[str]) -> tuple[str | None, bool] | None:
    """(--db value, --demo) when the arguments only open the window; None for anything else."""
    db: str | None = None
    demo = False
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--demo" and not demo:
            demo = True
        elif arg == "--db" and db is None and rest and not rest[0].startswith("-"):
            db = rest.pop(0)
        elif arg.startswith("--db=") and db is None and len(arg) > len("--db="):
            db = arg[len("--db=") :]
        else:
            return None
    return db, demo


def main(argv: list[str] | None = None) -> int:
    if getattr(sys, "frozen", False):  # the bundle's letter workers re-enter here (spawn)
        import multiprocessing

        multiprocessing.freeze_support()
    args = sys.argv[1:] if argv is None else argv
    plain = _plain_launch(args)
    if plain is not None:
        from instructeur.errors import UserError
        from instructeur.storage.targets import database_from_env

        try:
            return _gui(database_from_env(plain[0]), plain[1])
        except UserError as exc:
            print(f"instructeur : {exc.message}", file=sys.stderr)
            return 2

    from instructeur.cli.main import main as cli_main

    return cli_main(args, gui=_gui)


if __name__ == "__main__":
    raise SystemExit(main())
