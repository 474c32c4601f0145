"""The campagne's path on the tableau de bord: one line per step (state, title, what remains, the
button that does it) and, when a step is done, « Passer la campagne en … ».

Figures come from `instructeur.services.parcours`; `follow(window, link)` opens the window or
filters the list that does a step's work (the main window's own actions, nothing duplicated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from instructeur.domain.statuts import CAMPAGNE_STATUT_LABELS, Statut
from instructeur.services.parcours import A_FAIRE, EN_COURS, FAIT, Etape, Parcours

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["ParcoursPanel", "follow", "step_links"]

# State → (text colour, background) of its pill.
_PILL = {
    A_FAIRE: ("#37474f", "#eceff1"),
    EN_COURS: ("#174a7c", "#e3eefa"),
    FAIT: ("#1b5e20", "#e2f3e4"),
}

STYLE = """
#parcoursCard { background: palette(base); border: 1px solid palette(midlight); border-radius: 6px; }
#parcoursTitle { font-size: 11pt; font-weight: 600; }
#etapeTitle { font-weight: 600; }
#etapePill { border-radius: 8px; padding: 1px 8px; font-weight: 600; }
#etapeText { color: palette(text); }
#statutBanner { background: #fdf0d5; border-radius: 4px; padding: 4px 8px; }
"""


def step_links(etape: Etape) -> list[tuple[str, str]]:
    """(button text, link) of a step; a link names what `follow` opens."""
    nothing = etape.etat == A_FAIRE
    links = {
        "parametres": [("Paramètres de la campagne…", "parametres"), ("Lettres…", "lettres-reglages")],
        "dossiers": [("Importer des dossiers…", "import"), ("Nouveau dossier…", "nouveau")]
        if nothing
        else [("Voir la liste", "liste")],
        "recevabilite": [("Dossiers à examiner", "filtre")],
        "notation": [("Évaluateurs…", "evaluateurs"), ("Sans évaluateur", "sans-evaluateur")],
        "instruction": [("Dossiers à instruire", "filtre")],
        "comite": [("Comités et ordre du jour…", "comite")],
        "lettres": [("Notifications…", "notifications")],
        "programmation": [("Exporter…", "exports")],
        "suivi": [("Dossiers notifiés", "filtre")],
    }
    return links.get(etape.key, [])


def follow(window: MainWindow, link: str, statuts: tuple[str, ...] = ()) -> object:
    """Open what does a step's work; returns the window opened (or None for a list filter)."""
    from ui.models.dossiers import NONE, DossierFilters

    def show_filtered(filters: DossierFilters) -> None:
        window.reporting.show_list()
        window.workspace.panel.set_filters(filters)

    if link == "parametres":
        return window.parametres.open_parametres("campagne")
    if link == "lettres-reglages":
        campagne = window.current_campagne
        return window.parametres.open_campagne_window("lettres", campagne.id) if campagne else None
    if link == "import":
        return window.import_actions.open_wizard()
    if link == "nouveau":
        return window.new_dossier()
    if link == "liste":
        window.reporting.show_list()
        return None
    if link == "filtre":
        show_filtered(DossierFilters(statuts=frozenset(Statut(s) for s in statuts)))
        return None
    if link == "sans-evaluateur":
        show_filtered(
            DossierFilters(statuts=frozenset({Statut.RECEVABLE, Statut.EN_INSTRUCTION}), evaluateur_id=NONE)
        )
        return None
    if link == "evaluateurs":
        return window.instruction.open("evaluateurs")
    if link == "comite":
        return window.comite.open_preparation()
    if link == "notifications":
        return window.reporting.open_notifications()
    if link == "exports":
        return window.reporting.open_exports()
    raise ValueError(link)


class ParcoursPanel(QFrame):
    """The path: `set_parcours(p)`; emits `link_clicked(link, statuts)` and `statut_requested`."""

    link_clicked = Signal(str, tuple)
    statut_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parcoursCard")
        self.setAccessibleName("Parcours de la campagne")
        self.parcours: Parcours | None = None
        title = QLabel("Parcours de la campagne")
        title.setObjectName("parcoursTitle")
        self.banner = QLabel()
        self.banner.setObjectName("statutBanner")
        self.banner.setWordWrap(True)
        self.statut_button = QPushButton()
        self.statut_button.setObjectName("statutButton")
        self.statut_button.clicked.connect(self._on_statut)
        banner = QHBoxLayout()
        banner.addWidget(self.banner, 1)
        banner.addWidget(self.statut_button)
        self.banner_row = QWidget()
        self.banner_row.setLayout(banner)
        banner.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(4)
        self.grid.setColumnStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.banner_row)
        layout.addLayout(self.grid)
        self.rows: dict[str, tuple[QLabel, QLabel, list[QPushButton]]] = {}
        self.banner_row.hide()

    def set_parcours(self, p: Parcours | None) -> None:
        self.parcours = p
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rows.clear()
        if p is None:
            self.banner_row.hide()
            return
        for n, etape in enumerate(p.etapes):
            self._add_row(n, etape)
        proposed = p.statut_propose
        self.banner_row.setVisible(proposed is not None)
        if proposed is not None:
            label = CAMPAGNE_STATUT_LABELS.get(proposed, proposed)
            current = CAMPAGNE_STATUT_LABELS.get(p.statut, p.statut)
            self.banner.setText(
                f"La campagne est « {current} » et l'étape qui y mène est faite : "
                f"passez-la à l'étape suivante quand vous le décidez."
            )
            self.statut_button.setText(f"Passer la campagne « {label} »")
            self.statut_button.setAccessibleName(f"Passer la campagne au statut {label}")

    def _add_row(self, n: int, etape: Etape) -> None:
        fg, bg = _PILL[etape.etat]
        pill = QLabel(etape.etat_label)
        pill.setObjectName("etapePill")
        pill.setStyleSheet(f"color: {fg}; background: {bg};")
        pill.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pill.setMinimumWidth(70)
        title = QLabel(f"{n + 1}. {etape.titre}")
        title.setObjectName("etapeTitle")
        text = QLabel(" · ".join(etape.phrases) or "—")
        text.setObjectName("etapeText")
        text.setWordWrap(True)
        text.setAccessibleName(f"{etape.titre} : {etape.etat_label}")
        self.grid.addWidget(pill, n, 0)
        self.grid.addWidget(title, n, 1)
        self.grid.addWidget(text, n, 2)
        buttons_box = QWidget()
        box = QHBoxLayout(buttons_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        buttons = []
        for caption, link in step_links(etape):
            button = QPushButton(caption)
            button.setObjectName(f"etape_{etape.key}_{link}")
            button.setAccessibleName(f"{etape.titre} : {caption}")
            button.setFlat(etape.etat == FAIT)
            button.clicked.connect(lambda _c=False, lk=link, st=etape.statuts: self.link_clicked.emit(lk, st))
            box.addWidget(button)
            buttons.append(button)
        box.addStretch(1)
        self.grid.addWidget(buttons_box, n, 3)
        self.rows[etape.key] = (pill, text, buttons)

    def button(self, key: str, link: str) -> QPushButton:
        return next(b for b in self.rows[key][2] if b.objectName() == f"etape_{key}_{link}")

    def _on_statut(self) -> None:
        if self.parcours is not None and self.parcours.statut_propose is not None:
            self.statut_requested.emit(self.parcours.statut_propose)
