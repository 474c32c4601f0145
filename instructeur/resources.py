"""Locate the files shipped in `resources/` (référentiels, templates, fonts, icons).

Three layouts are supported, tried in this order:

1. a PyInstaller bundle: `sys._MEIPASS/resources/...` (only when `sys.frozen` is set);
2. an installed wheel: `<instructeur package dir>/resources/...` (the wheel force-includes the
   repository's `resources/` folder there, see `pyproject.toml`);
3. a source checkout: `<repo root>/resources/...`, the repo root being the parent of the package dir.

Pure stdlib: no Qt, no `importlib.resources` (the bundled folder is not a package).
"""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _candidates(parts: tuple[str, ...]) -> list[Path]:
    candidates: list[Path] = []
    meipass = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and isinstance(meipass, str) and meipass:
        candidates.append(Path(meipass, "resources", *parts))
    candidates.append(Path(_PACKAGE_DIR, "resources", *parts))
    candidates.append(Path(_PACKAGE_DIR.parent, "resources", *parts))
    return candidates


def resource_path(*parts: str) -> Path:
    """Return the first existing location of `resources/<parts...>`.

    When none exists, return the source-checkout location (`<repo root>/resources/...`) so that the
    caller's error message names a sensible place.
    """
    candidates = _candidates(parts)
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[-1]
