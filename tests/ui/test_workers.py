"""ui.workers.run_job: the real threaded path (waitUntil, no sleeps) and the synchronous test mode."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from instructeur.errors import UserError
from ui import workers
from ui.workers import Progress, run_job


class FakeDialogs:
    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append((title, message))


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "SYNC_JOBS", False)


def test_threaded_job_delivers_result_on_gui_thread(qtbot, parent: QWidget, threaded: None) -> None:
    seen: dict[str, object] = {}
    main = threading.get_ident()

    def job(progress: Progress) -> int:
        seen["worker"] = threading.get_ident()
        return 6 * 7

    def done(value: int) -> None:
        seen["value"] = value
        seen["callback"] = threading.get_ident()

    handle = run_job(parent, "Calcul", job, done)
    assert handle.running
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert seen["value"] == 42
    assert seen["worker"] != main  # ran off the GUI thread
    assert seen["callback"] == main  # delivered on the GUI thread
    assert not handle.running and handle.dialog is None
    assert handle not in workers.running_jobs()


def test_progress_updates_reach_the_dialog(qtbot, parent: QWidget, threaded: None) -> None:
    release = threading.Event()
    results: list[str] = []

    def job(progress: Progress) -> str:
        progress.update(2, 5, "Deuxième étape…")
        release.wait(5)
        return "fini"

    handle = run_job(parent, "Import", job, results.append)
    dialog = handle.dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Import"
    qtbot.waitUntil(lambda: dialog.value() == 2 and dialog.maximum() == 5)
    assert dialog.labelText() == "Deuxième étape…"
    release.set()
    qtbot.waitUntil(lambda: results == ["fini"])
    assert handle.dialog is None


def test_cancel_stops_the_job_and_delivers_nothing(qtbot, parent: QWidget, threaded: None) -> None:
    started = threading.Event()
    delivered: list[object] = []
    cancelled: list[bool] = []

    def job(progress: Progress) -> str:
        started.set()
        while True:  # a long loop that polls the flag
            progress.check()
            progress.update(1, 0, "")
            threading.Event().wait(0.005)

    handle = run_job(
        parent,
        "Long travail",
        job,
        delivered.append,
        delivered.append,
        on_cancel=lambda: cancelled.append(True),
    )
    assert started.wait(5)
    assert handle.dialog is not None
    (button,) = [b for b in handle.dialog.findChildren(QPushButton) if b.text() == "Annuler"]
    button.click()
    assert handle.dialog.labelText() == "Annulation en cours…"
    qtbot.waitUntil(lambda: cancelled == [True])
    assert delivered == []
    assert handle.progress.cancelled and not handle.running


def test_exception_goes_to_on_error(qtbot, parent: QWidget, threaded: None) -> None:
    errors: list[BaseException] = []

    def job(progress: Progress) -> None:
        raise ValueError("cassé")

    handle = run_job(parent, "Essai", job, lambda _v: None, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "cassé"
    assert not handle.running


def test_user_error_shows_its_french_message(qtbot, parent: QWidget, threaded: None) -> None:
    dialogs = FakeDialogs()

    def job(progress: Progress) -> None:
        raise UserError("fichier illisible : « dossiers.xls »")

    handle = run_job(parent, "Lecture", job, lambda _v: None, dialogs=dialogs)  # type: ignore[arg-type]
    with qtbot.waitSignal(handle.finished, timeout=5000):
        pass
    assert dialogs.errors == [("Lecture", "fichier illisible : « dossiers.xls »")]


def test_not_cancellable_job_has_no_cancel_button(qtbot, parent: QWidget, threaded: None) -> None:
    release = threading.Event()
    results: list[int] = []
    handle = run_job(parent, "Écriture", lambda p: release.wait(5) and 1, results.append, cancellable=False)
    handle.cancel()  # ignored
    assert not handle.progress.cancelled
    release.set()
    qtbot.waitUntil(lambda: results == [1])


def test_sync_mode_runs_before_returning(parent: QWidget, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "SYNC_JOBS", None)
    monkeypatch.setenv("INSTRUCTEUR_SYNC_JOBS", "1")
    results: list[int] = []
    updates: list[tuple[int, int, str]] = []

    def job(progress: Progress) -> int:
        progress.update(1, 2, "moitié")
        updates.append(progress.last)
        return threading.get_ident()

    handle = run_job(parent, "Sync", job, results.append)
    assert results == [threading.get_ident()]
    assert updates == [(1, 2, "moitié")]
    assert not handle.running and handle.dialog is None


def test_callbacks_dropped_when_parent_is_gone(qtbot, threaded: None) -> None:
    widget = QWidget()
    release = threading.Event()
    results: list[int] = []
    handle = run_job(widget, "Orphelin", lambda p: release.wait(5) and 1, results.append)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget))
    release.set()
    qtbot.waitUntil(lambda: not handle.running)
    assert results == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
