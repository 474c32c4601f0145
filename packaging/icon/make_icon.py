"""Draw the application icon (256×256 PNG) with Qt: `python packaging/icon/make_icon.py OUT.png`.

Kept as a script so the icon can be redrawn; the PNG is committed in resources/icons/.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPen


def draw(path: str, size: int = 256) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    # a blue folder-like card (a dossier) with three lines and a green tick (instruit)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f4e8c"))
    p.drawRoundedRect(QRectF(16 * s, 16 * s, 224 * s, 224 * s), 36 * s, 36 * s)
    p.setBrush(QColor("#ffffff"))
    p.drawRoundedRect(QRectF(56 * s, 44 * s, 144 * s, 172 * s), 12 * s, 12 * s)
    p.setBrush(QColor("#9fb3cc"))
    for i in range(3):
        p.drawRoundedRect(QRectF(76 * s, (72 + 28 * i) * s, 104 * s, 12 * s), 6 * s, 6 * s)
    pen = QPen(QColor("#2e9b4f"), 18 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPolyline([QRectF(92 * s, 168 * s, 0, 0).topLeft(), QRectF(116 * s, 190 * s, 0, 0).topLeft(),
                    QRectF(164 * s, 144 * s, 0, 0).topLeft()])
    p.end()
    if not image.save(path):
        raise SystemExit(f"cannot write {path}")


if __name__ == "__main__":
    app = QGuiApplication(sys.argv[:1])
    draw(sys.argv[1] if len(sys.argv) > 1 else "instructeur.png")
