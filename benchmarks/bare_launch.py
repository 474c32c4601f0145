"""The bare baseline for the launch benchmark: what the machine allows with the same toolkit.

A whole process that starts PySide6, reads the rows the dossiers list shows for the largest
campagne (référence, porteur, intitulé, quartiers, montant demandé, statut) with `sqlite3` in one
query into a QAbstractTableModel, shows them in a QTableView and exits once it has painted them.
`python -m benchmarks.bare_launch DB.sqlite`. No SQLAlchemy, no services, no other window.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

QUERY = """
SELECT d.reference, p.raison_sociale, d.intitule,
       (SELECT group_concat(q.nom, ', ') FROM dossier_quartier dq JOIN quartier q ON q.id = dq.quartier_id
         WHERE dq.dossier_id = d.id),
       (SELECT coalesce(sum(l.demande_cents), 0) FROM ligne_financement l WHERE l.dossier_id = d.id),
       d.statut
FROM dossier d JOIN porteur p ON p.id = d.porteur_id
WHERE d.campagne_id = (SELECT campagne_id FROM dossier GROUP BY campagne_id ORDER BY count(*) DESC LIMIT 1)
ORDER BY d.reference
"""
HEADERS = ("Référence", "Porteur", "Intitulé", "Quartiers", "Montant demandé", "Statut")
Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    def __init__(self, rows: list[tuple[object, ...]]) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        value = self.rows[index.row()][index.column()]
        if index.column() == 4:
            return f"{int(value) / 100:,.2f} €".replace(",", " ").replace(".", ",")  # type: ignore[call-overload]
        return value

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


class _FirstPaint(QObject):
    """Quits in the event loop turn after the view's first paint, as the app's
    INSTRUCTEUR_EXIT_WHEN_READY=list does, after printing that instant like ui/app.py."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        print(f"instructeur : prêt {time.monotonic():.6f}", file=sys.stderr, flush=True)
        QApplication.exit(0)


def main(db_path: str) -> int:
    app = QApplication(sys.argv[:1])
    rows = sqlite3.connect(db_path).execute(QUERY).fetchall()
    window = QMainWindow()
    view = QTableView()
    view.setModel(RowsModel(rows))
    view.setSortingEnabled(True)
    window.setCentralWidget(view)
    window.resize(1440, 900)
    painted = _FirstPaint()
    view.viewport().installEventFilter(painted)
    window.show()
    app.exec()
    return 0 if rows else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
