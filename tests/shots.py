"""Where tests save the screenshots a developer looks at: $INSTRUCTEUR_TEST_SHOTS, else one folder
per user in the temp directory (created on demand, so no test depends on another having run)."""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

__all__ = ["shot"]


def shot(name: str) -> str:
    """The path to save the screenshot `name` to."""
    default = Path(tempfile.gettempdir()) / f"instructeur-shots-{getpass.getuser()}"
    folder = Path(os.environ.get("INSTRUCTEUR_TEST_SHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / name)
