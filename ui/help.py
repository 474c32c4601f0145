"""Aide: the user guide in a window (F1 opens the section of the current window) and the table of
keyboard shortcuts, read from the actual QActions so that it cannot lie.

The guide is `docs/GUIDE.md` (screenshots in `docs/guide/`), rendered by QTextDocument's
Markdown reader. A section is found by its heading: `section_key` folds a heading or a link
fragment to the same key (GitHub's slug without accents), so the guide's table of contents works
both on the forge and here. Each window says which section explains it: a `HELP_ANCHOR` class
attribute or a `help_anchor()` method, else the `WINDOW_ANCHORS` table below (windows of other
modules are named here rather than edited).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QImage, QKeySequence, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from instructeur.resources import resource_path
from ui.screen_fit import FitsScreen

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = [
    "GuideWindow",
    "HelpActions",
    "ShortcutsDialog",
    "anchor_for",
    "guide_path",
    "section_key",
    "shortcut_rows",
]

# Window class → section of the guide (windows that do not declare HELP_ANCHOR themselves).
WINDOW_ANCHORS = {
    "NouveauContratWizard": "premier-lancement",
    "ParametresWindow": "parametres-et-lettres",
    "NouvelleCampagneDialog": "parametres-et-lettres",
    "ImportWizard": "dossiers-recus",
    "QpvImportDialog": "parametres-et-lettres",
    "PorteursWindow": "dossiers-recus",
    "FicheDossier": "la-fiche-dun-dossier",
    "GrilleEditor": "evaluateurs-et-notation",
    "CotationSettingsWindow": "evaluateurs-et-notation",
    "EvaluateursWindow": "evaluateurs-et-notation",
    "MatrixWindow": "evaluateurs-et-notation",
    "CoinstructionDialog": "evaluateurs-et-notation",
    "PreparationWindow": "comite",
    "ScenariosWindow": "comite",
    "SeanceWindow": "comite",
    "NotificationsWindow": "lettres",
    "ExportsDialog": "programmation",
    "ShortcutsDialog": "raccourcis-clavier",
}


def guide_path() -> Path:
    """`GUIDE.md`: bundled under `resources/guide/` (PyInstaller spec, wheel), else the
    source tree's `docs/`."""
    bundled = resource_path("guide", "GUIDE.md")
    if bundled.is_file():
        return bundled
    return Path(__file__).resolve().parent.parent / "docs" / "GUIDE.md"


def section_key(text: str) -> str:
    """« Évaluateurs et notation » and « #évaluateurs-et-notation » → « evaluateurs-et-notation »."""
    text = text.strip().lstrip("#").casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchor_for(widget: QWidget | None) -> str:
    """The guide section of `widget`'s window ("" when none is known: the guide's top)."""
    node: QObject | None = widget
    while node is not None:
        method = getattr(node, "help_anchor", None)
        if callable(method):
            return str(method())
        declared = getattr(type(node), "HELP_ANCHOR", None)
        if isinstance(declared, str):
            return declared
        if type(node).__name__ == "MainWindow":
            return _main_window_anchor(node)  # type: ignore[arg-type]
        for cls in type(node).__mro__:
            if cls.__name__ in WINDOW_ANCHORS:
                return WINDOW_ANCHORS[cls.__name__]
        node = node.parent()
    return ""


def _main_window_anchor(window: MainWindow) -> str:
    if window.current_campagne is None:
        return "premier-lancement"
    tabs = getattr(getattr(window, "reporting", None), "tabs", None)
    if tabs is not None and tabs.currentIndex() == 0:
        return "tableau-de-bord"
    return "dossiers-recus"


class GuideWindow(FitsScreen, QWidget):
    """The guide, its screenshots scaled to the window, internal links followed."""

    IMAGE_WIDTH = 760

    def __init__(self, path: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Guide d'utilisation — Instructeur")
        self.setObjectName("guideWindow")
        self.path = path or guide_path()
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Guide d'utilisation")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        self.sections: dict[str, int] = {}  # key → block position
        self.current_section = ""
        home = QPushButton("&Sommaire")
        home.clicked.connect(lambda: self.show_section(""))
        close = QPushButton("&Fermer")
        close.clicked.connect(self.close)
        bar = QHBoxLayout()
        bar.addWidget(home)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addLayout(bar)
        self.resize(900, 680)
        self._load()

    def _load(self) -> None:
        doc = self.browser.document()
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            text = f"# Guide introuvable\n\nLe fichier du guide est absent : `{self.path}`."
        doc.setBaseUrl(QUrl.fromLocalFile(str(self.path.parent) + "/"))
        doc.setMarkdown(text, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
        self.sections.clear()
        block = doc.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                self.sections.setdefault(section_key(block.text()), block.position())
            self._scale_images(block)
            block = block.next()

    def _scale_images(self, block: object) -> None:
        """Screenshots are 1366 px wide: shown at IMAGE_WIDTH, proportions kept."""
        from PySide6.QtGui import QTextBlock

        assert isinstance(block, QTextBlock)
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                image = fmt.toImageFormat()
                self._add_reduced(image.name())
                cursor = QTextCursor(self.browser.document())
                cursor.setPosition(fragment.position())
                cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                image.setWidth(self.IMAGE_WIDTH)
                cursor.setCharFormat(image)
            it += 1

    def _add_reduced(self, name: str) -> None:
        """Qt scales a document's image without smoothing (its text turns ragged): the screenshot is
        reduced here, smoothly, at the screen's pixel ratio, and given to the document under its
        own name."""
        picture = QImage(str(self.path.parent / name))
        ratio = self.devicePixelRatioF()
        if picture.isNull() or picture.width() <= self.IMAGE_WIDTH * ratio:
            return
        reduced = picture.scaledToWidth(
            round(self.IMAGE_WIDTH * ratio), Qt.TransformationMode.SmoothTransformation
        )
        reduced.setDevicePixelRatio(ratio)
        doc = self.browser.document()  # resources are looked up by their URL resolved on the base
        doc.addResource(QTextDocument.ResourceType.ImageResource, doc.baseUrl().resolved(QUrl(name)), reduced)

    def show_section(self, key: str) -> bool:
        """Scroll so that the section's heading is at the top; False if the guide has none."""
        position = self.sections.get(section_key(key)) if key else 0
        if position is None:
            return False
        block = self.browser.document().findBlock(position)
        top = self.browser.document().documentLayout().blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(int(top))
        cursor = QTextCursor(block)
        self.browser.setTextCursor(cursor)
        self.current_section = key
        return True

    def _on_link(self, url: QUrl) -> None:
        if url.hasFragment() and (not url.path() or url.toString().startswith("#")):
            self.show_section(url.fragment())
        else:
            QDesktopServices.openUrl(url)


def _menu_text(text: str) -> str:
    """« &Nouveau dossier… » → « Nouveau dossier » (the access key marker and the ellipsis gone)."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(menu, action, shortcut) for every action of `window` that has a shortcut: the menu bar's
    menus first, in their order, then the actions that live outside any menu."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def add(menu_name: str, action: QAction) -> None:
        keys = [
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()
        ]
        if not keys or id(action) in seen:
            return
        seen.add(id(action))
        rows.append((menu_name, _menu_text(action.text()), " ou ".join(keys)))

    def walk(menu: QMenu, name: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{name} › {_menu_text(sub.title())}")
            elif not action.isSeparator():
                add(name, action)

    menubar = getattr(window, "menuBar", None)
    if callable(menubar):
        for top in menubar().actions():
            menu = top.menu()
            if isinstance(menu, QMenu):
                menu.aboutToShow.emit()  # menus completed when shown (Campagne) get their entries
                walk(menu, _menu_text(top.text()))
    for action in window.actions():
        add("Fenêtre principale", action)
    return rows


class ShortcutsDialog(FitsScreen, QDialog):
    """Aide › Raccourcis clavier: a table generated from the window's QActions."""

    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Raccourcis clavier")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName("Raccourcis clavier")
        self.table.setHorizontalHeaderLabels(["Menu", "Action", "Raccourci"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(
            "Dans les menus, la lettre soulignée d'une entrée la choisit au clavier (Alt puis la lettre)."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(640, 560)


class HelpActions(QObject):
    """Aide › Guide d'utilisation (F1, anywhere in the app), Aide › Raccourcis clavier."""

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self.guide: GuideWindow | None = None
        self.guide_action = QAction("&Guide d'utilisation", window)
        self.guide_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        if self.guide_action.shortcut().isEmpty():
            self.guide_action.setShortcut(QKeySequence("F1"))
        self.guide_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.guide_action.setStatusTip("Le guide, à la section de la fenêtre active (F1)")
        self.guide_action.triggered.connect(lambda: self.open_guide())
        self.shortcuts_action = QAction("&Raccourcis clavier", window)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        first = menu.actions()[0] if menu.actions() else None
        separator = QAction(window)
        separator.setSeparator(True)
        actions = [self.guide_action, self.shortcuts_action, separator]
        if first is None:
            menu.addActions(actions)
        else:
            menu.insertActions(first, actions)
        window.addAction(self.guide_action)

    def open_guide(self, anchor: str | None = None) -> GuideWindow:
        """The guide at `anchor`, or at the section of the active window."""
        if anchor is None:
            active = QApplication.activeWindow()
            anchor = anchor_for(active if active is not None and active is not self.guide else self._window)
        if self.guide is None:
            self.guide = GuideWindow(parent=self._window)
            self.guide.destroyed.connect(lambda *_: setattr(self, "guide", None))
        self.guide.show()
        self.guide.raise_()
        self.guide.activateWindow()
        self.guide.show_section(anchor)
        return self.guide

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
