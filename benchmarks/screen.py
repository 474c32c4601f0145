"""The screen the GUI benchmarks run on: Qt's offscreen platform with a 1366×768 laptop screen.

Without a configuration, the offscreen platform has an 800×600 screen, where the windows that
fit a laptop must scroll (ui/screen_fit.py wraps their content in a scroll area, 50 ms for a
fiche): a cost no user of the 1366×768 laptops DESIGN.md targets pays.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAPTOP = {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96,
          "dpr": 1}  # fmt: skip


def laptop_platform() -> str:
    """The QT_QPA_PLATFORM value: « offscreen:configfile=… » (the file written under var/bench/)."""
    path = ROOT / "var" / "bench" / "screen-1366x768.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"screens": [LAPTOP]}), encoding="utf-8")
    return f"offscreen:configfile={path}"
