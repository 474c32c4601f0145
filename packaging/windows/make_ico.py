"""Windows icon: build/instructeur.ico (16…256 px) from resources/icons/instructeur.png, with Pillow.

`python packaging/windows/make_ico.py` from the repository root (Pillow ships with the app's
dependencies through reportlab).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def main() -> Path:
    out = ROOT / "build" / "instructeur.ico"
    out.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(ROOT / "resources" / "icons" / "instructeur.png") as png:
        png.save(out, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    return out


if __name__ == "__main__":
    print(main())
