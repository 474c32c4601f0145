"""Tableau de bord of a campagne (DESIGN.md §7, screen 1): key figures and charts.

Every figure comes from `SyntheseService.campagne` — the one aggregation of the app, shared
with the Excel synthesis sheets and the relevé de décisions — so the dashboard, the tableau de
programmation and the relevé always agree. Nothing is queried here.

`ui.actions.reporting.ReportingActions(window)` puts the dashboard in the main window (tabs « Tableau de bord » /
« Dossiers », Affichage ▸ Alt+1 / Alt+2 — Ctrl+1…9 choose the campagne) and adds « Fichier ▸
Exporter… » (Ctrl+E) and « Campagne ▸ Notifications… ». The dashboard is reloaded lazily: each
time the dossiers list is (re)loaded — campagne change, F5, a fiche saved, a batch action — it is
marked stale and read again when it is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from instructeur.domain.money import format_amount
from instructeur.domain.statuts import CAMPAGNE_STATUT_LABELS
from instructeur.errors import UserError
from instructeur.services.campagnes import CampagneService
from instructeur.services.parcours import parcours
from instructeur.services.synthese import SyntheseCampagne, SyntheseService
from instructeur.services.synthese_classements import classification_syntheses
from instructeur.storage.db import Database
from ui.charts import COLORS, BarChart, BulletChart, BulletRow, Series, euros, integer
from ui.dashboard_classements import ClassementsCard
from ui.parcours_panel import STYLE as PARCOURS_STYLE
from ui.parcours_panel import ParcoursPanel, follow

if TYPE_CHECKING:
    pass

__all__ = ["Dashboard", "KpiTile", "enveloppe_totals"]

_STYLE = """
#dashboardBody { background: palette(window); }
#kpiTile, #chartCard { background: palette(base); border: 1px solid palette(midlight); border-radius: 6px; }
#kpiCaption { color: palette(placeholder-text); }
#kpiValue { font-size: 17pt; font-weight: 600; }
#kpiNote { color: palette(placeholder-text); }
#kpiNote[alert="true"], #kpiValue[alert="true"] { color: #b3261e; }
#cardTitle { font-size: 11pt; font-weight: 600; }
#cardNote { color: palette(placeholder-text); }
#dashboardTitle { font-size: 13pt; font-weight: 600; }
"""


def _plural(n: int, word: str) -> str:
    return f"{integer(n)} {word}{'s' if n > 1 else ''}"


def _pct(part: int, total: int) -> str:
    """« 45 % » (rounded to the unit; « — » without a total)."""
    if total <= 0:
        return "—"
    return f"{round(part * 100 / total)}\u00a0%"


def enveloppe_totals(s: SyntheseCampagne) -> tuple[int, int, int]:
    """(Σ enveloppes, Σ voté by the financeurs that have one, remaining = difference) in cents."""
    with_env = [f for f in s.financeurs if f.enveloppe_cents > 0]
    total = sum(f.enveloppe_cents for f in with_env)
    vote = sum(f.vote_cents for f in with_env)
    return total, vote, total - vote


class KpiTile(QFrame):
    """A key figure: caption, big value, a short note under it."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiTile")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.caption = QLabel(caption)
        self.caption.setObjectName("kpiCaption")
        self.value = QLabel("—")
        self.value.setObjectName("kpiValue")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel("")
        self.note.setObjectName("kpiNote")
        self.note.setWordWrap(True)
        for w in (self.caption, self.value, self.note):
            layout.addWidget(w)
        self.setAccessibleName(caption)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set(self, value: str, note: str = "", *, alert: bool = False, tooltip: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)
        for w in (self.value, self.note):
            w.setProperty("alert", "true" if alert else "false")
            w.style().unpolish(w)
            w.style().polish(w)
        self.setToolTip(tooltip)
        self.setAccessibleDescription(f"{self.caption.text()} : {value}. {note}".strip())


class _Card(QFrame):
    """A chart under its title, with an optional note."""

    def __init__(self, title: str, chart: QWidget, note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chartCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(4)
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.title.setBuddy(chart)
        layout.addWidget(self.title)
        layout.addWidget(chart)
        self.note = QLabel(note)
        self.note.setObjectName("cardNote")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        layout.addWidget(self.note)
        layout.addStretch(1)

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))


class Dashboard(QWidget):
    """The tableau de bord of one campagne (`set_campagne`); reads `SyntheseService` only."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.setAccessibleName("Tableau de bord de la campagne")
        self.setStyleSheet(_STYLE + PARCOURS_STYLE)
        self._db = db
        self._campagne_id: int | None = None
        self._stale = False
        self.synthese: SyntheseCampagne | None = None
        self.loads = 0  # how many times the figures were read (tests)

        body = QWidget()
        body.setObjectName("dashboardBody")
        outer = QVBoxLayout(body)
        outer.setContentsMargins(14, 12, 14, 14)
        outer.setSpacing(12)
        self.title = QLabel("")
        self.title.setObjectName("dashboardTitle")
        self.title.setAccessibleName("Campagne du tableau de bord")
        self.title.hide()  # the window's header already names the contrat and the campagne
        outer.addWidget(self.title)
        # --- the campagne's path (ui/parcours_panel.py, services/parcours.py) ---
        self.parcours_panel = ParcoursPanel()
        self.parcours_panel.link_clicked.connect(self._follow)
        self.parcours_panel.statut_requested.connect(self._change_statut)
        outer.addWidget(self.parcours_panel)
        # --- end path ---

        tiles = QHBoxLayout()
        tiles.setSpacing(12)
        self.tiles: dict[str, KpiTile] = {}
        for key, caption in (
            ("dossiers", "Dossiers"),
            ("demande", "Demandé (recevables)"),
            ("vote", "Voté"),
            ("enveloppes", "Enveloppes"),
            ("reste", "Reste sur les enveloppes"),
        ):
            tile = KpiTile(caption)
            self.tiles[key] = tile
            tiles.addWidget(tile)
        outer.addLayout(tiles)

        self.statuts_chart = BarChart("Dossiers par statut")
        self.financeurs_chart = BulletChart("Enveloppes par financeur : voté et reste")
        self.axes_chart = BarChart("Montants par axe du contrat", labels_above=True)
        self.quartiers_chart = BarChart("Montants par quartier", labels_above=True)
        self.cotations_chart = BarChart("Montants par cotation égalité F/H", labels_above=True)
        self.natures_chart = BarChart("Actions nouvelles et reconduites")
        self.cards: dict[str, _Card] = {
            "statuts": _Card(self.statuts_chart.title, self.statuts_chart),
            "financeurs": _Card(self.financeurs_chart.title, self.financeurs_chart),
            "axes": _Card(self.axes_chart.title, self.axes_chart),
            "quartiers": _Card(
                self.quartiers_chart.title,
                self.quartiers_chart,
                "Un dossier sur plusieurs quartiers est partagé à parts égales.",
            ),
            "cotations": _Card(
                self.cotations_chart.title,
                self.cotations_chart,
                "Demandé selon la cotation déclarée à l'entrée, voté selon la cotation instruite à la sortie.",
            ),
            "natures": _Card(self.natures_chart.title, self.natures_chart),
        }
        grid = QGridLayout()
        grid.setSpacing(12)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self.cards["statuts"])
        left.addWidget(self.cards["natures"])
        grid.addLayout(left, 0, 0)
        grid.addWidget(self.cards["financeurs"], 0, 1, 1, 2)
        grid.addWidget(self.cards["axes"], 1, 0)
        grid.addWidget(self.cards["quartiers"], 1, 1)
        grid.addWidget(self.cards["cotations"], 1, 2)
        self.classements_card = ClassementsCard()  # « Montants par ambition » (issue 13), hidden without
        grid.addWidget(self.classements_card, 2, 0, 1, 2)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        outer.addLayout(grid)
        outer.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    # --- data ------------------------------------------------------------------------------

    @property
    def campagne_id(self) -> int | None:
        return self._campagne_id

    @property
    def stale(self) -> bool:
        return self._stale

    def set_database(self, db: Database) -> None:
        self._db = db
        self.set_campagne(None)

    def set_campagne(self, campagne_id: int | None) -> None:
        """Show `campagne_id`; the figures are read now if visible, else when next shown."""
        self._campagne_id = campagne_id
        self.invalidate()

    def invalidate(self) -> None:
        """The data changed: read again now if visible, else when next shown."""
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        from ui.busy import busy_cursor

        with busy_cursor():  # a synthesis of the whole campagne: never silent on a large base
            self._reload()

    def _reload(self) -> None:
        self._stale = False
        self.loads += 1
        if self._campagne_id is None:
            self.synthese = None
            self.title.setText("Aucune campagne")
            self.parcours_panel.set_parcours(None)
            self._fill(None)
            return
        self.synthese = SyntheseService(self._db).campagne(self._campagne_id)
        self.parcours_panel.set_parcours(parcours(self._db, self._campagne_id))
        self._fill(self.synthese)
        t = self.synthese.totaux
        self.classements_card.set_syntheses(
            classification_syntheses(self._db, self._campagne_id), t.vote_cents != 0 or t.nb_retenus > 0
        )

    # --- the path's links: the main window's actions --------------------------------------------

    def _follow(self, link: str, statuts: tuple[str, ...]) -> None:
        window = self.window()
        if hasattr(window, "reporting"):
            follow(window, link, statuts)  # type: ignore[arg-type]

    def _change_statut(self, statut: str) -> None:
        """« Passer la campagne en … »: asked, then saved like Paramètres › Campagne would."""
        if self._campagne_id is None:
            return
        window = self.window()
        dialogs = getattr(window, "_dialogs", None)
        label = CAMPAGNE_STATUT_LABELS.get(statut, statut)
        question = f"Passer la campagne au statut « {label} » ?"
        if dialogs is not None and not dialogs.confirm(self, "Statut de la campagne", question, "Passer"):
            return
        service = CampagneService(self._db)
        try:
            service.set_statut(self._campagne_id, statut, service.detail(self._campagne_id).version)
        except UserError as exc:
            if dialogs is not None:
                dialogs.error(self, "Statut de la campagne", exc.message)
            return
        reload = getattr(window, "reload", None)
        if callable(reload):
            reload()  # the header's pill and the campagne menu
        self.invalidate()

    # --- display ---------------------------------------------------------------------------

    def _fill(self, s: SyntheseCampagne | None) -> None:
        if s is None:
            for tile in self.tiles.values():
                tile.set("—")
            for chart in (self.statuts_chart, self.axes_chart, self.quartiers_chart):
                chart.set_data([], [])
            self.cotations_chart.set_data([], [])
            self.natures_chart.set_data([], [])
            self.financeurs_chart.set_rows([])
            self.classements_card.set_syntheses([], False)
            return
        self.title.setText(f"{s.libelle} — {s.contrat_nom}")
        voted = s.totaux.vote_cents != 0 or s.totaux.nb_retenus > 0
        self._fill_tiles(s)
        self._fill_statuts_and_financeurs(s)
        self._fill_axes_and_quartiers(s, voted)
        self._fill_cotations(s, voted)
        self._fill_natures(s, voted)

    def _fill_tiles(self, s: SyntheseCampagne) -> None:
        t = s.totaux
        self.tiles["dossiers"].set(
            integer(t.nb_dossiers),
            f"{_plural(t.nb_recevables, 'recevable')} · {_plural(t.nb_retenus, 'retenu')}",
        )
        self.tiles["demande"].set(
            euros(t.demande_cents),
            f"coût total des actions : {euros(t.cout_total_cents)}",
            tooltip=format_amount(t.demande_cents),
        )
        self.tiles["vote"].set(
            euros(t.vote_cents),
            f"{_pct(t.vote_cents, t.demande_cents)} du demandé" if t.vote_cents else "aucun vote enregistré",
            tooltip=format_amount(t.vote_cents),
        )
        env_total, env_vote, reste = enveloppe_totals(s)
        nb_env = sum(1 for f in s.financeurs if f.enveloppe_cents > 0)
        self.tiles["enveloppes"].set(
            euros(env_total),
            f"{_plural(nb_env, 'financeur')} avec enveloppe" if nb_env else "aucune enveloppe saisie",
            tooltip=format_amount(env_total),
        )
        self.tiles["reste"].set(
            euros(reste),
            f"{_pct(env_vote, env_total)} des enveloppes utilisés" if env_total else "—",
            alert=reste < 0,
            tooltip=format_amount(reste),
        )

    def _fill_statuts_and_financeurs(self, s: SyntheseCampagne) -> None:
        statuts = [c for c in s.statuts if c.nombre > 0]
        self.statuts_chart.set_data(
            [c.label for c in statuts],
            [Series("", tuple(c.nombre for c in statuts), COLORS["count"])],  # no legend: the title says it
            integer,
        )

        self.financeurs_chart.set_rows(
            [
                BulletRow(_short_name(f.nom), f.vote_cents, f.enveloppe_cents)
                for f in s.financeurs
                if f.enveloppe_cents > 0 or f.vote_cents > 0 or f.demande_cents > 0
            ]
        )
        self.financeurs_chart.setToolTip("")
        over = [f.nom for f in s.financeurs if f.enveloppe_cents > 0 and f.reste_cents < 0]
        self.cards["financeurs"].set_note(
            ("Enveloppe dépassée : " + ", ".join(over)) if over else "Trait noir : fin de l'enveloppe."
        )

    def _fill_axes_and_quartiers(self, s: SyntheseCampagne, voted: bool) -> None:
        axes = list(s.axes)
        self.axes_chart.set_data(
            [f"{a.code} — {a.titre}" if a.code else a.titre for a in axes],
            _demande_vote(
                tuple(a.total.demande_cents for a in axes), tuple(a.total.vote_cents for a in axes), voted
            ),
            euros,
            tooltips=[
                f"{_plural(a.nb_dossiers, 'dossier')} recevables, {_plural(a.nb_retenus, 'retenu')}"
                for a in axes
            ],
        )

        quartiers = list(s.quartiers)
        self.quartiers_chart.set_data(
            [q.nom for q in quartiers],
            _demande_vote(
                tuple(q.demande_cents for q in quartiers), tuple(q.vote_cents for q in quartiers), voted
            ),
            euros,
            tooltips=[
                f"{q.type_label} — {_plural(q.nb_dossiers, 'dossier')}, {_plural(q.nb_retenus, 'retenu')}"
                for q in quartiers
            ],
        )

    def _fill_cotations(self, s: SyntheseCampagne, voted: bool) -> None:
        cotations = [c for c in s.cotations if c.niveau is not None or c.nb_entree or c.nb_sortie]
        entree_total = sum(c.demande_entree_cents for c in cotations)
        sortie_total = sum(c.vote_sortie_cents for c in cotations)
        self.cotations_chart.set_data(
            [c.label for c in cotations],
            [
                Series(
                    "Demandé à l'entrée",
                    tuple(c.demande_entree_cents for c in cotations),
                    COLORS["demande"],
                    tuple(
                        f"{euros(c.demande_entree_cents)} · {_pct(c.demande_entree_cents, entree_total)}"
                        for c in cotations
                    ),
                ),
            ]
            + [
                Series(
                    "Voté à la sortie",
                    tuple(c.vote_sortie_cents for c in cotations),
                    COLORS["vote"],
                    tuple(
                        f"{euros(c.vote_sortie_cents)} · {_pct(c.vote_sortie_cents, sortie_total)}"
                        for c in cotations
                    ),
                )
            ][: 1 if voted else 0],
            euros,
            tooltips=[
                f"{_plural(c.nb_entree, 'dossier')} à l'entrée, {_plural(c.nb_sortie, 'dossier')} retenus à la sortie"
                for c in cotations
            ],
        )

    def _fill_natures(self, s: SyntheseCampagne, voted: bool) -> None:
        natures = list(s.natures)
        self.natures_chart.set_data(
            [f"{n.label}s ({integer(n.nb_dossiers)} · {integer(n.nb_retenus)} ret.)" for n in natures],
            _demande_vote(
                tuple(n.demande_cents for n in natures), tuple(n.vote_cents for n in natures), voted
            ),
            euros,
            tooltips=[
                f"{_plural(n.nb_dossiers, 'dossier')} recevables, {_plural(n.nb_retenus, 'retenu')}"
                for n in natures
            ],
        )


def _demande_vote(demande: tuple[int, ...], vote: tuple[int, ...], voted: bool = True) -> list[Series]:
    """Demandé and voté side by side; demandé alone while nothing is voted in the campagne."""
    series = [Series("Demandé", demande, COLORS["demande"])]
    if voted:
        series.append(Series("Voté", vote, COLORS["vote"]))
    return series


def _short_name(nom: str) -> str:
    """« État — Préfecture (crédits politique de la ville) » → without the parenthesis."""
    head = nom.split(" (", 1)[0].strip()
    return head or nom
