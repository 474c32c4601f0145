"""Séance du comité (projector mode) driven with qtbot on a 30-dossier demo agenda, real service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from instructeur.demo import create_demo
from instructeur.domain.money import format_amount
from instructeur.services.comites import ComiteService, PointRow
from instructeur.services.synthese import SyntheseService
from instructeur.storage.db import Database, open_database
from instructeur.storage.models import Enveloppe
from ui.charts import euros
from ui.comite.seance import AgendaListModel, MontantsModel, SeanceWindow, base_point_size

AGENDA_SIZE = 30


@dataclass
class FakeDialogs:
    """The Dialogs port, scripted: answers are popped in order, every question is recorded."""

    confirms: list[bool] = field(default_factory=list)
    texts: list[str | None] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)

    def confirm(self, parent: object, title: str, message: str, ok: str = "Confirmer") -> bool:
        self.asked.append(("confirm", message))
        return self.confirms.pop(0) if self.confirms else False

    def ask_text(
        self, parent: object, title: str, label: str, default: str = "", **_kw: object
    ) -> str | None:
        self.asked.append(("text", label))
        return self.texts.pop(0) if self.texts else None

    def ask_choice(
        self, parent: object, title: str, label: str, options: list[str], **_kw: object
    ) -> str | None:
        self.asked.append(("choice", label))
        return options[0] if options else None

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def info(self, parent: object, title: str, message: str) -> None:
        self.infos.append(message)

    def ask_export_path(self, *args: object) -> Path | None:
        return None


@dataclass
class Demo:
    db: Database
    comite_id: int
    campagne_id: int


def make_demo(tmp_path: Path, *, points: int | None = AGENDA_SIZE, dossiers: int = 280) -> Demo:
    summary = create_demo(tmp_path / "demo.sqlite", dossiers=dossiers)
    db = open_database(tmp_path / "demo.sqlite")
    svc = ComiteService(db, user="test")
    if points is not None:
        agenda = svc.agenda(summary.comite_id)
        for p in agenda[points:]:
            svc.remove_point(p.id)
        missing = points - len(agenda)
        if missing > 0:
            svc.add_points(summary.comite_id, svc.eligible_dossiers(summary.comite_id)[:missing])
        assert len(svc.agenda(summary.comite_id)) == points
    return Demo(db, summary.comite_id, summary.campagne_ids[-1])


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    d = make_demo(tmp_path)
    ComiteService(d.db, user="test").open_seance(d.comite_id)
    yield d
    d.db.close()


def open_window(
    qtbot: QtBot, demo: Demo, dialogs: FakeDialogs, size: tuple[int, int] = (1366, 768)
) -> SeanceWindow:
    win = SeanceWindow(demo.db, demo.comite_id, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(win)
    win.resize(*size)
    with qtbot.waitExposed(win):
        win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    return win


def key(
    qtbot: QtBot, win: SeanceWindow, k: Qt.Key, mod: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    target = QApplication.focusWidget() or win
    qtbot.keyClick(target, k, mod)


def whole_euros(cents: int) -> str:
    """« 12 500 » (plain spaces, as typed)."""
    return f"{cents // 100:,}".replace(",", " ")


def set_enveloppe(db: Database, campagne_id: int, financeur_id: int, cents: int) -> None:
    with db.session() as s:
        env = s.query(Enveloppe).filter_by(campagne_id=campagne_id, financeur_id=financeur_id).one()
        env.montant_cents = cents


def test_models_pass_the_model_tester(qtmodeltester, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    points = ComiteService(demo.db).agenda(demo.comite_id)
    agenda = AgendaListModel()
    agenda.set_rows(points)
    qtmodeltester.check(agenda)
    montants = MontantsModel()
    montants.set_point(points[0])
    qtmodeltester.check(montants)
    assert montants.rowCount() >= 1
    assert agenda.index(0, 0).data().endswith(f"1. {points[0].porteur}")


def test_scripted_seance_of_thirty_dossiers(qtbot: QtBot, demo: Demo) -> None:
    svc = ComiteService(demo.db)
    dialogs = FakeDialogs()
    win = open_window(qtbot, demo, dialogs)
    n = len(win.points)
    assert n == AGENDA_SIZE
    assert win.current == 0 and win.position_label.text() == f"Dossier 1 / {AGENDA_SIZE}"

    # → / ← / Page suivante / Page précédente move through the agenda.
    key(qtbot, win, Qt.Key.Key_Right)
    assert win.current == 1 and win.position_label.text() == f"Dossier 2 / {AGENDA_SIZE}"
    key(qtbot, win, Qt.Key.Key_PageDown)
    assert win.current == 2
    key(qtbot, win, Qt.Key.Key_Left)
    key(qtbot, win, Qt.Key.Key_PageUp)
    assert win.current == 0
    key(qtbot, win, Qt.Key.Key_Left)  # stays on the first point
    assert win.current == 0

    over_at = AGENDA_SIZE - 1  # the enveloppe of this point's first financeur is made too small before it
    for i in range(AGENDA_SIZE):
        assert win.current == i
        p = win.point
        assert p is not None and p.decision is None
        proposed = {m.financeur_id: m.propose_cents for m in p.montants if m.propose_cents}
        if i == over_at:
            fid = next(iter(proposed)) if proposed else p.montants[0].financeur_id
            already = next(
                e.vote_cents for e in svc.tableau(demo.comite_id).enveloppes if e.financeur_id == fid
            )
            set_enveloppe(
                demo.db, demo.campagne_id, fid, already // 2
            )  # already exceeded: any vote is refused
            if not proposed:
                proposed = {fid: 100_00}
                win.panel.vote_edits[fid].setText("100")
            key(qtbot, win, Qt.Key.Key_R)
            dialogs.texts.append("Action prioritaire du contrat de ville")
            key(qtbot, win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            assert dialogs.asked[-1][0] == "text" and "enveloppe" in dialogs.asked[-1][1]
            assert svc.point(p.id).decision == "retenu"
            assert "dépassée" in win.panel.message.text()
        elif i % 6 == 4:  # ajourné, motivation given
            key(qtbot, win, Qt.Key.Key_J)
            assert win.panel.decision == "ajourne"
            assert not any(e.isEnabled() for e in win.panel.vote_edits.values())
            win.panel.motivation.setPlainText("Budget à préciser avec le porteur")
            key(qtbot, win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            assert svc.point(p.id).decision == "ajourne"
        elif i % 6 == 5:  # refusé: first without motivation → inline message, nothing saved
            key(qtbot, win, Qt.Key.Key_F)
            key(qtbot, win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            assert win.panel.message.isVisible()
            assert "motivation est obligatoire" in win.panel.message.text()
            assert svc.point(p.id).decision is None
            assert win.panel.decision == "refuse"  # the panel kept the choice
            win.panel.motivation.setPlainText("Hors des priorités de l'appel à projets")
            key(qtbot, win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            assert svc.point(p.id).decision == "refuse"
        elif i % 6 == 3 and proposed:  # retenu with amounts typed « 12 500 » / « 12 500,00 € »
            key(qtbot, win, Qt.Key.Key_R)
            for n_f, (fid, cents) in enumerate(proposed.items()):
                text = whole_euros(cents) if n_f % 2 == 0 else format_amount(cents)
                win.panel.vote_edits[fid].setText(text)
            key(qtbot, win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            saved = svc.point(p.id)
            assert saved.decision == "retenu"
            assert {m.financeur_id: m.vote_cents for m in saved.montants if m.vote_cents} == {
                fid: cents // 100 * 100 if n_f % 2 == 0 else cents
                for n_f, (fid, cents) in enumerate(proposed.items())
            }
        else:  # A accepts the proposal, Ctrl+Entrée validates
            key(qtbot, win, Qt.Key.Key_A)
            assert win.panel.decision == "retenu"
            key(qtbot, win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            saved = svc.point(p.id)
            assert saved.decision == "retenu", win.panel.message.text()
            assert {m.financeur_id: m.vote_cents for m in saved.montants if m.vote_cents} == proposed
        # The decided point shows its decision; the agenda line gets its icon; the bar follows.
        assert not win.panel.editing and win.panel.summary.isVisible()
        assert win.agenda_model.index(i, 0).data()[0] in "✓⏸❚✗"
        assert win.live.tableau == svc.tableau(demo.comite_id)
        assert win.progress_label.text() == f"{i + 1} / {AGENDA_SIZE} décidés"
        key(qtbot, win, Qt.Key.Key_Right)

    # A bad amount is refused inline, nothing is lost in the panel.
    win.go_to(0)
    assert not win.panel.editing
    win.panel.revise_button.click()
    assert win.panel.editing
    first = next(iter(win.panel.vote_edits.values()))
    first.setText("douze mille")
    key(qtbot, win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "montant illisible" in win.panel.message.text() and first.text() == "douze mille"
    win.panel.cancel_button.click()
    assert not win.panel.editing

    # Revision of an earlier decision: retenu → ajourné, recorded in the history.
    win.go_to(1)
    p1 = win.point
    assert p1 is not None and p1.decision == "retenu"
    key(qtbot, win, Qt.Key.Key_J)  # starts the revision with ajourné chosen
    assert win.panel.editing and win.panel.decision == "ajourne"
    win.panel.motivation.setPlainText("Pièces manquantes constatées en séance")
    key(qtbot, win, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    revised = svc.point(p1.id)
    assert revised.decision == "ajourne"
    assert all(not m.vote_cents for m in revised.montants)
    history = svc.decision_history(p1.id)
    assert len(history) >= 2
    assert win.panel.history.isVisible() and history[-1][2] in win.panel.history.text()

    # After the séance: the live bar equals ComiteService.tableau and SyntheseService.
    t = svc.tableau(demo.comite_id)
    assert win.live.tableau == t and t.nb_decides == AGENDA_SIZE
    shown = [e for e in t.enveloppes if e.enveloppe_cents > 0 or e.vote_cents > 0]
    texts = win.live.enveloppe_texts()
    assert [c for c, _f, _r in texts] == [e.code for e in shown]
    for (_code, figures, reste), e in zip(texts, shown, strict=True):
        assert figures == f"{euros(e.vote_cents)} / {euros(e.enveloppe_cents)}"
        assert reste == (
            f"dépassé de {euros(-e.reste_cents)}" if e.exceeded else f"reste {euros(e.reste_cents)}"
        )
    exceeded = [tile for tile in win.live.tiles if tile.state is not None and tile.state.exceeded]
    assert len(exceeded) == 1 and exceeded[0].reste.property("exceeded") == "true"
    synthese = {f.financeur_id: f for f in SyntheseService(demo.db).campagne(demo.campagne_id).financeurs}
    for e in t.enveloppes:
        assert (e.vote_cents, e.enveloppe_cents) == (
            synthese[e.financeur_id].vote_cents,
            synthese[e.financeur_id].enveloppe_cents,
        )
    assert win.live.summary.text().startswith(f"Voté : {euros(t.total_vote_cents)}")
    for (name, demande, vote), c in zip(win.live.cotation_labels, t.cotations, strict=True):
        assert (demande.text(), vote.text()) == (euros(c.demande_cents), euros(c.vote_cents))
        assert name.toolTip() == c.label


def test_conflicts_are_shown_and_escape_leaves_then_asks(qtbot: QtBot, demo: Demo) -> None:
    svc = ComiteService(demo.db)
    _comite, membres = svc.get(demo.comite_id)
    agenda = svc.agenda(demo.comite_id)
    svc.set_conflict(membres[0].id, agenda[2].dossier_id, "Trésorière de l'association")
    dialogs = FakeDialogs(confirms=[False, True])
    win = open_window(qtbot, demo, dialogs)
    win.go_to(2)
    assert win.conflict_label.isVisible()
    assert win.conflict_label.text() == f"⚠ Ne prennent pas part : {membres[0].nom}"
    win.go_to(3)
    assert not win.conflict_label.isVisible()

    win.showFullScreen()
    qtbot.waitUntil(win.isFullScreen)
    key(qtbot, win, Qt.Key.Key_Escape)  # leaves full screen, no question
    qtbot.waitUntil(lambda: not win.isFullScreen())
    assert not dialogs.asked
    closed: list[bool] = []
    win.closed.connect(lambda: closed.append(True))
    key(qtbot, win, Qt.Key.Key_Escape)  # « Fermer l'affichage de la séance ? » → Annuler
    assert dialogs.asked[-1][0] == "confirm" and win.isVisible() and not closed
    key(qtbot, win, Qt.Key.Key_Escape)  # → Fermer
    assert closed and not win.isVisible()


def test_draft_is_kept_when_moving_away(qtbot: QtBot, demo: Demo) -> None:
    win = open_window(qtbot, demo, FakeDialogs())
    key(qtbot, win, Qt.Key.Key_F)
    assert QApplication.focusWidget() is win.panel.motivation  # F puts the cursor in the motivation
    win.panel.motivation.setPlainText("À rediscuter")
    qtbot.keyClick(win.panel.motivation, Qt.Key.Key_Right)  # in the text, → moves the cursor
    assert win.current == 0
    win.setFocus()
    key(qtbot, win, Qt.Key.Key_Right)
    assert win.panel.decision is None and win.panel.motivation.toPlainText() == ""
    key(qtbot, win, Qt.Key.Key_Left)
    assert win.panel.decision == "refuse" and win.panel.motivation.toPlainText() == "À rediscuter"
    # Letters typed in a text field are text, not shortcuts.
    win.panel.conditions.setFocus()
    qtbot.keyClick(win.panel.conditions, Qt.Key.Key_A)
    assert win.panel.conditions.text().lower() == "a" and win.panel.decision == "refuse"


def _inside(widget: QWidget, win: QWidget) -> bool:
    top_left = widget.mapTo(win, QPoint(0, 0))
    return win.rect().contains(QRect(top_left, widget.size()))


def _visible_in_scroll(widget: QWidget, scroll: QWidget) -> bool:
    viewport = scroll.viewport()  # type: ignore[attr-defined]
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1366, 768)])
def test_projector_layout(qtbot: QtBot, demo: Demo, width: int, height: int) -> None:
    svc = ComiteService(demo.db)
    p0: PointRow = svc.agenda(demo.comite_id)[0]
    svc.decide(p0.id, p0.version, "refuse", {}, None, "Hors priorités")
    win = open_window(qtbot, demo, FakeDialogs(), (width, height))
    QApplication.processEvents()
    assert (win.width(), win.height()) == (width, height)  # nothing widens the window
    base = win.base_pt
    assert base == base_point_size(width, height)
    if height >= 1080:
        assert base >= 16
    else:
        assert 11 <= base < 16
    assert win.font().pointSizeF() == pytest.approx(base)
    assert win.porteur_label.font().pointSizeF() > base
    assert win.position_label.font().pointSizeF() > base
    assert win.panel.validate_button.font().pointSizeF() >= base
    for tile in win.live.tiles:
        assert tile.reste.font().pointSizeF() >= 0.9 * base
    win.go_to(5)
    QApplication.processEvents()
    key_widgets = [
        win.title_label,
        win.position_label,
        win.progress_label,
        win.agenda,
        win.porteur_label,
        win.montants,
        win.live,
        *win.live.tiles,
        *win.panel.decision_buttons.values(),
        win.panel.accept_button,
        win.panel.validate_button,
        *win.panel.vote_edits.values(),
        win.panel.motivation,
    ]
    for w in key_widgets:
        assert w.isVisible(), w.objectName() or w.accessibleName()
        assert _inside(w, win), (w.objectName() or w.accessibleName(), w.geometry())
    for w in (*win.panel.decision_buttons.values(), win.panel.validate_button, win.panel.motivation):
        assert _visible_in_scroll(w, win.panel_scroll), w.accessibleName()
        assert w.width() >= w.minimumSizeHint().width()  # the buttons' text is not cut
    for w in (win.porteur_label, win.montants):
        assert _visible_in_scroll(w, win.centre_scroll)
    assert win.panel_scroll.horizontalScrollBar().maximum() == 0
    # The decided point: its decision is shown, in large type.
    win.go_to(0)
    assert win.panel.summary.isVisible() and "Refusé" in win.panel.summary.text()
    assert win.panel.summary.font().pointSizeF() > base
    assert not win.grab().isNull()  # painted offscreen without error
