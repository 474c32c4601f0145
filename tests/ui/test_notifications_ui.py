"""Notifications window: list of decided dossiers, generation, workflow, template editor, settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import ui.workers
from instructeur.services.notifications import NotificationService, NotificationSettings
from instructeur.storage.db import Database
from instructeur.storage.models import Comite, ComitePoint, Dossier
from tests.factories import World, build_world, create_dossier
from ui.notifications import COLUMNS, NotificationsModel, NotificationsWindow, notification_lines

NBSP = "\u00a0"


class FakeDialogs:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.written: list[tuple[str, list[Path]]] = []
        self.errors: list[str] = []
        self.reports: list[tuple[str, list[str]]] = []
        self.confirmations = True
        self.open_path: Path | None = None

    def ask_directory(self, parent: object, title: str, directory: str = "") -> Path | None:
        return self.folder

    def ask_open_path(self, parent: object, title: str, directory: str = "", filter: str = "") -> Path | None:
        return self.open_path

    def files_written(
        self, parent: object, title: str, message: str, paths: list[Path], folder: Path
    ) -> None:
        self.written.append((message, paths))

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)

    def report(self, parent: object, title: str, message: str, details: list[str] | None = None) -> None:
        self.reports.append((message, details or []))

    def confirm(self, parent: object, title: str, message: str, ok: str = "") -> bool:
        return self.confirmations


@dataclass
class Case:
    world: World
    retenu: int
    refuse: int
    ajourne: int
    instruction: int


def decide(db: Database, dossier_id: int, decision: str, votes: dict[int, int] | None = None) -> None:
    with db.session() as s:
        d = s.get(Dossier, dossier_id)
        assert d is not None
        d.statut = decision
        d.decision = decision
        for ligne in d.lignes:
            if ligne.financeur_id is not None:
                ligne.vote_cents = (votes or {}).get(ligne.financeur_id, 0)
        comite = s.scalar(select(Comite).where(Comite.campagne_id == d.campagne_id))
        if comite is None:
            comite = Comite(campagne_id=d.campagne_id, type="financeurs", date_seance=date(2026, 3, 1))
            s.add(comite)
            s.flush()
        s.add(ComitePoint(comite_id=comite.id, dossier_id=d.id, decision=decision))


@pytest.fixture(autouse=True)
def _sync_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ui.workers, "SYNC_JOBS", True)
    yield


@pytest.fixture
def case(empty_db: Database) -> Case:
    db = empty_db
    world = build_world(db)
    ids = [create_dossier(db, world, f"26-00000{n}") for n in range(1, 5)]
    decide(db, ids[0], "retenu", {world.financeurs["EPCI"]: 12_500_00, world.financeurs["ETAT"]: 4_000_00})
    decide(db, ids[1], "refuse")
    decide(db, ids[2], "ajourne")
    NotificationService(db).save_settings(
        NotificationSettings(ville="Boulogne-sur-Mer", signataire="Jean Martin",
                             fonction_signataire="Le Président", expediteur="Agglomération")
    )
    return Case(world, *ids)


def window(qtbot: QtBot, db: Database, case: Case, fake: FakeDialogs) -> NotificationsWindow:
    w = NotificationsWindow(db, case.world.campagne_id, dialogs=fake)  # type: ignore[arg-type]
    qtbot.addWidget(w)
    return w


def etats(w: NotificationsWindow) -> dict[int, str]:
    col = w.model.column_index("etat")
    return {w.model.row_at(r).dossier_id: w.model.index(r, col).data() for r in range(w.model.rowCount())}


def test_model(qtmodeltester, empty_db: Database, case: Case) -> None:  # type: ignore[no-untyped-def]
    model = NotificationsModel()
    model.set_rows(notification_lines(empty_db, case.world.campagne_id))
    qtmodeltester.check(model)
    assert model.columnCount() == len(COLUMNS)


def test_list_generate_and_mark(qtbot: QtBot, empty_db: Database, case: Case, tmp_path: Path) -> None:
    fake = FakeDialogs(folder=tmp_path / "lettres")
    w = window(qtbot, empty_db, case, fake)
    # Decided dossiers only, each with its letter's état; the one in instruction is not listed.
    assert etats(w) == {case.retenu: "À générer", case.refuse: "À générer", case.ajourne: "À générer"}
    vote = w.model.index(0, w.model.column_index("vote")).data()
    assert vote == f"16{NBSP}500,00{NBSP}€"
    assert "à générer : 3" in w.summary.text()

    # Generate for a selection: two PDFs (+ the merged one), état « À signer ».
    w.select_dossiers([case.retenu, case.refuse])
    w.scope_combo.setCurrentIndex(w.scope_combo.findData("selection"))
    assert w.scope_combo.currentText() == "Les dossiers sélectionnés (2)"
    w.generate_button.click()
    assert fake.errors == []
    pdfs = sorted((tmp_path / "lettres").glob("*.pdf"))
    assert len(pdfs) == 3  # two letters and the merged file to sign
    assert w.last_result is not None and len(w.last_result.files) == 2 and w.last_result.merged is not None
    assert etats(w) == {case.retenu: "À signer", case.refuse: "À signer", case.ajourne: "À générer"}
    assert "2 lettres générées" in fake.written[0][0]

    # Signed, then notified at a date: dates and the dossier statut move.
    w.select_dossiers([case.retenu])
    w.mark_selected("a_notifier", date(2026, 4, 5))
    w.date_edit.setDate(date(2026, 4, 8))
    emitted: list[bool] = []
    w.changed.connect(lambda: emitted.append(True))
    w.select_dossiers([case.retenu, case.ajourne])
    w.notified_button.click()
    line = next(x for x in w.lines() if x.dossier_id == case.retenu)
    assert (line.etat, line.date_signature, line.date_notification) == (
        "notifie",
        date(2026, 4, 5),
        date(2026, 4, 8),
    )
    assert line.date_generation == date.today()
    assert w.model.index(0, w.model.column_index("notification")).data() == "08/04/2026"
    with empty_db.session() as s:
        d = s.get(Dossier, case.retenu)
        assert d is not None and d.statut == "notifie"
    assert emitted == [True]
    # The ajourné one had no letter yet: reported, not changed.
    (message, details), *_ = fake.reports
    assert "1 lettre passée" in message and details == ["26-000003 : lettre pas encore générée"]


def test_generate_all_pending_and_nothing_left(
    qtbot: QtBot, empty_db: Database, case: Case, tmp_path: Path
) -> None:
    fake = FakeDialogs(folder=tmp_path)
    w = window(qtbot, empty_db, case, fake)
    w.merged_check.setChecked(False)
    w.ask_generate()
    assert len(list(tmp_path.glob("*.pdf"))) == 3
    assert set(etats(w).values()) == {"À signer"}


def test_template_editor(qtbot: QtBot, empty_db: Database, case: Case) -> None:
    w = window(qtbot, empty_db, case, FakeDialogs())
    editor = w.editors["attribution"]
    assert editor.dossier_combo.currentData() == case.retenu
    original = editor.text
    stored = NotificationService(empty_db).templates()["attribution"]
    # An unknown field: the problem is shown inline and « Enregistrer » is refused.
    editor.edit.set_template("Objet : Subvention {reference}\n\n{inconnu}")
    assert "{inconnu}" in editor.problems_label.text() and not editor.problems_label.isHidden()
    assert not editor.save_button.isEnabled()
    assert editor.save() is False
    assert NotificationService(empty_db).templates()["attribution"] == stored
    # Fields are inserted at the cursor from « Insérer un champ ».
    editor.edit.set_template("Objet : Subvention {reference}\n\nMontant : ")
    editor.edit.text_edit.moveCursor(editor.edit.text_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor.edit.text_edit, " ")  # the stored line's trailing space is not kept
    action = next(a for a in editor.edit.fields_menu.actions() if a.data() == "montant")
    action.trigger()
    assert editor.text.endswith("Montant : {montant}\n")
    assert editor.problems_label.isHidden() and editor.save_button.isEnabled()
    # Preview merges the current text (not yet saved) for the chosen dossier, as the real PDF.
    text = editor.show_preview()
    assert "26-000001" in text and f"12{NBSP}500,00{NBSP}€" in text
    assert editor.preview.pdf.startswith(b"%PDF") and editor.preview.page_label.pixmap().width() > 0
    editor.save_button.click()
    assert NotificationService(empty_db).templates()["attribution"] == editor.text
    assert editor.status_label.text() == "Modèle enregistré."
    # Back to the default.
    assert editor.reset_default()
    assert editor.text == original  # the default, as the formatted editor writes it back


def test_settings_round_trip(qtbot: QtBot, empty_db: Database, case: Case, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    fake = FakeDialogs()
    fake.open_path = logo
    w = window(qtbot, empty_db, case, fake)
    form = w.settings_form
    assert form.ville.text() == "Boulogne-sur-Mer" and form.signataire.text() == "Jean Martin"
    assert [form.financeur.itemData(n) for n in range(form.financeur.count())] == ["", "ETAT", "EPCI", "CAF"]
    form.expediteur.setPlainText("Communauté d'agglomération\nService politique de la ville")
    form.fonction.setText("Le Président")
    form.financeur.setCurrentIndex(form.financeur.findData("ETAT"))
    choose = next(
        b for b in form.findChildren(type(form.save_button)) if b.accessibleName() == "Choisir : logo"
    )
    choose.click()
    assert form.logo.text() == str(logo)
    assert form.save()
    saved = NotificationService(empty_db).settings()
    assert (saved.financeur_signataire, saved.fonction_signataire, saved.logo) == (
        "ETAT",
        "Le Président",
        str(logo),
    )
    assert saved.expediteur.splitlines() == ["Communauté d'agglomération", "Service politique de la ville"]
    again = window(qtbot, empty_db, case, fake).settings_form
    assert again.values() == form.values()
    # A missing image is refused with the reason shown.
    form.signature.setText(str(tmp_path / "absente.png"))
    assert not form.save()
    assert "introuvable" in form.message.text()
