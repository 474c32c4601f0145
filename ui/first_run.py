"""What an empty base and an empty list show: what to do next, with the button that does it.

* `FirstRunPanel`: a base without campagne. Without contrat: « Créer mon contrat » (the new
  contrat wizard), « Ouvrir la démonstration » (a demo base built in the user data folder in a
  background job, then opened), « Ouvrir une base existante » (file dialog). With a contrat but no
  campagne: « Créer la première campagne ».
* `EmptyListPanel`: a campagne without dossier: « Nouveau dossier » and « Importer des dossiers… ».
* `FirstRun(window)` wires both into the main window.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from instructeur.paths import data_dir
from ui.workers import Progress, run_job

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["DEMO_FILE_NAME", "EmptyListPanel", "FirstRun", "FirstRunPanel"]

DEMO_FILE_NAME = "demonstration.sqlite"

_WIDTH = 620

FIRST_RUN_TEXT = (
    "<p style='font-size:16pt; font-weight:600'>Bienvenue dans Instructeur</p>"
    "<p>Cette base est vide. Commencez par votre <b>contrat de ville</b>&nbsp;: partez du "
    "référentiel de votre territoire (quartiers, cadre stratégique, signataires) ou d'un contrat "
    "vide, indiquez vos financeurs, puis votre premier appel à projets et ses enveloppes.</p>"
)
DEMO_TEXT = (
    "<p style='color:gray'>Pour seulement découvrir l'application, ouvrez la "
    "<b>démonstration</b>&nbsp;: une base fictive de 250 dossiers, créée dans votre dossier de "
    "données, qui ne touche pas à cette base.</p>"
)
NO_CAMPAGNE_TEXT = (
    "<p style='font-size:16pt; font-weight:600'>Aucune campagne dans cette base</p>"
    "<p>Le contrat «&nbsp;{contrat}&nbsp;» n'a pas encore d'appel à projets&nbsp;: "
    "créez sa première campagne (année, enveloppes, recevabilité).</p>"
)
EMPTY_LIST_TEXT = (
    "<p style='font-size:14pt; font-weight:600'>Aucun dossier dans cette campagne</p>"
    "<p>Saisissez les dossiers un par un, ou importez le tableau des demandes reçues "
    "(.xlsx ou .csv, par exemple l'export de Dauphin).</p>"
)


def _text(html_text: str) -> QLabel:
    label = QLabel(html_text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setFixedWidth(_WIDTH)
    return label


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setMinimumHeight(34)
    button.setMinimumWidth(190)
    return button


class FirstRunPanel(QWidget):
    """A base without campagne: the first steps, as buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.setAccessibleName("Base sans campagne")
        self.label = _text(FIRST_RUN_TEXT)
        self.create_contrat_button = _button("Créer mon &contrat…", "createContratButton")
        self.create_campagne_button = _button("Créer la première &campagne…", "createCampagneButton")
        self.demo_button = _button("Ouvrir la &démonstration", "demoButton")
        self.open_button = _button("Ouvrir une &base existante…", "openBaseButton")
        self.demo_button.setToolTip(f"Crée ou rouvre « {DEMO_FILE_NAME} » dans votre dossier de données")
        self.hint = _text(DEMO_TEXT)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addStretch(1)
        for b in (
            self.create_campagne_button,
            self.create_contrat_button,
            self.demo_button,
            self.open_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(14)
        layout.addLayout(buttons)
        layout.addSpacing(18)
        layout.addWidget(self.hint, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)
        self.set_contrat(None)

    def set_contrat(self, contrat: str | None) -> None:
        """No contrat: the three first-run buttons; a contrat without campagne: its first campagne."""
        first = contrat is None
        if first:
            self.label.setText(FIRST_RUN_TEXT)
        else:
            self.label.setText(NO_CAMPAGNE_TEXT.format(contrat=html.escape(contrat or "")))
        self.label.setMinimumHeight(self.label.heightForWidth(_WIDTH))
        self.hint.setMinimumHeight(self.hint.heightForWidth(_WIDTH))
        self.create_campagne_button.setVisible(not first)
        self.create_contrat_button.setText("Créer mon &contrat…" if first else "Autre &contrat…")
        self.demo_button.setVisible(first)
        self.hint.setVisible(first)
        default = self.create_contrat_button if first else self.create_campagne_button
        for b in (self.create_contrat_button, self.create_campagne_button):
            b.setDefault(b is default)
            b.setAutoDefault(b is default)

    def text(self) -> str:
        return self.label.text() + (self.hint.text() if self.hint.isVisibleTo(self) else "")


class EmptyListPanel(QWidget):
    """A campagne without dossier: « Nouveau dossier » and « Importer des dossiers… »."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyList")
        self.setAccessibleName("Campagne sans dossier")
        self.label = _text(EMPTY_LIST_TEXT)
        self.label.setMinimumHeight(self.label.heightForWidth(_WIDTH))
        self.new_button = _button("&Nouveau dossier…", "newDossierButton")
        self.import_button = _button("&Importer des dossiers…", "importDossiersButton")
        self.new_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(3)


class FirstRun(QObject):
    """Wires the empty states to the main window's actions (wizard, demo, open, new, import)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        panel = window.empty_state
        panel.create_contrat_button.clicked.connect(lambda: window.parametres.open_wizard())
        panel.create_campagne_button.clicked.connect(lambda: window.parametres.open_new_campagne())
        panel.demo_button.clicked.connect(self.open_demo)
        panel.open_button.clicked.connect(window.ask_open_database)
        empty = window.empty_list
        empty.new_button.clicked.connect(window.new_dossier)
        empty.import_button.clicked.connect(lambda: window.import_actions.open_wizard())
        self.demo_path: Path | None = None
        self.demo_dossiers = 250  # tests build a smaller one

    def open_demo(self) -> None:
        """The demo base of the user data folder: reopened if it exists, else built off the GUI
        thread (a few seconds, with a progress dialog) and then opened."""
        target = data_dir() / DEMO_FILE_NAME
        if target.exists():
            self._opened(target)
            return
        w = self._window

        def build(progress: Progress) -> Path:
            from instructeur.demo import create_demo

            create_demo(
                target,
                dossiers=self.demo_dossiers,
                progress=lambda done, total: progress.update(done, total, "Dossiers fictifs…"),
            )
            return target

        run_job(w, "Création de la démonstration", build, self._opened, cancellable=False, dialogs=w._dialogs)

    def _opened(self, path: Path) -> None:
        self.demo_path = path
        self._window.open_database(path)
