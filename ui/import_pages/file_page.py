"""Page 1 of the import wizard: choose (or drop) the file, see the detected header row."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from instructeur.imports.reader import column_letter
from instructeur.imports.values import text_of
from ui.import_pages.analysis import ACCEPTED_SUFFIXES, FILE_PREVIEW_ROWS, TABLE_FILTER, Analysis, plural
from ui.import_pages.widgets import HEADER_BACKGROUND, banner, set_banner

if TYPE_CHECKING:
    from ui.import_wizard import ImportWizard


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Fichier à importer")
        self.setSubTitle(
            "Un tableau .xlsx ou .csv, une ligne par dossier. La ligne d'en-têtes est trouvée "
            "automatiquement, même sous des lignes de titre."
        )
        self.setAcceptDrops(True)
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Fichier à importer")
        self.path_edit.setPlaceholderText("Chemin du fichier .xlsx ou .csv")
        self.path_edit.returnPressed.connect(self._on_path_entered)
        self.browse_button = QPushButton("&Parcourir…")
        self.browse_button.setAccessibleName("Choisir le fichier à importer")
        self.browse_button.clicked.connect(self.browse)
        caption = QLabel("&Fichier :")
        caption.setBuddy(self.path_edit)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        self.drop_hint = QLabel("Vous pouvez aussi déposer le fichier ici.")
        self.drop_hint.setObjectName("dropHint")
        self.status = banner("Ligne d'en-têtes détectée")
        self.preview = QTableWidget()
        self.preview.setAccessibleName("Premières lignes du fichier")
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setWordWrap(False)
        self.preview.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.preview.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.drop_hint)
        layout.addWidget(self.status)
        layout.addWidget(self.preview, 1)

    def isComplete(self) -> bool:
        analysis = self._wizard.analysis
        return analysis is not None and analysis.mapping.header_row > 0 and not self._wizard.busy

    def browse(self) -> None:
        current = self.path_edit.text().strip()
        start = str(Path(current).parent) if current else ""
        path = self._wizard.dialogs.ask_open_path(self, "Choisir le fichier à importer", start, TABLE_FILTER)
        if path is not None:
            self.load(path)

    def _on_path_entered(self) -> None:
        text = self.path_edit.text().strip()
        if text:
            self.load(Path(text))

    def load(self, path: Path) -> None:
        self.path_edit.setText(str(path))
        self._wizard.analyse(path)

    def show_error(self, message: str) -> None:
        set_banner(self.status, "error", message)
        self.preview.hide()

    def show_analysis(self, analysis: Analysis) -> None:
        mapping = analysis.mapping
        if mapping.header_row == 0:
            self.show_error(
                "Aucune ligne d'en-têtes reconnue dans les 30 premières lignes : vérifiez qu'il s'agit "
                "bien du tableau des dossiers (« N° dossier », « Structure », « Intitulé »…)."
            )
            return
        recognised = len(mapping.columns)
        set_banner(
            self.status,
            "ok",
            f"En-têtes trouvés ligne {mapping.header_row} : {plural(recognised, 'colonne reconnue', 'colonnes reconnues')}"
            f" sur {len([h for h in mapping.headers if h])}, "
            f"{analysis.data_rows_text()} en dessous. Cliquez « Suivant » pour vérifier les colonnes."
            + (f"<br><b>{analysis.announcement[0].upper()}{analysis.announcement[1:]}</b> : "
               + " ; ".join(analysis.notes) if analysis.announcement else ""),
        )
        rows = analysis.table.rows[:FILE_PREVIEW_ROWS]
        width = max((len(r.cells) for r in rows), default=0)
        self.preview.clear()
        self.preview.setRowCount(len(rows))
        self.preview.setColumnCount(width)
        self.preview.setHorizontalHeaderLabels([column_letter(c) for c in range(width)])
        self.preview.setVerticalHeaderLabels([str(r.number) for r in rows])
        bold = QFont(self.font())
        bold.setBold(True)
        for n, row in enumerate(rows):
            for c in range(width):
                item = QTableWidgetItem(text_of(row.get(c)))
                if row.number == mapping.header_row:
                    item.setBackground(HEADER_BACKGROUND)
                    item.setFont(bold)
                    item.setToolTip("Ligne d'en-têtes détectée")
                self.preview.setItem(n, c, item)
        self.preview.resizeColumnsToContents()
        for c in range(width):
            self.preview.setColumnWidth(c, min(self.preview.columnWidth(c), 220))
        self.preview.show()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_path(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_path(event)
        if path is not None:
            event.acceptProposedAction()
            self.load(path)


def _dropped_path(event: QDragEnterEvent | QDropEvent) -> Path | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in ACCEPTED_SUFFIXES else None
