"""Long work off the GUI thread (Anki's QueryOp idea): `run_job(parent, title, fn, on_done)`.

`fn(progress)` runs in a `QThreadPool` thread while a `QProgressDialog` (« Annuler ») is shown on
`parent`; its result goes to `on_done(result)` and an exception to `on_error(exc)`, both called on
the GUI thread. Without `on_error`, a `UserError` shows its French message through the `Dialogs`
port and any other exception goes to `sys.excepthook` (the app's « Erreur inattendue » dialog).
A full disk, a read-only folder or a refused statement arrives (to `on_error` too) as the
`UserError` with the French line the CLI prints (`user_facing`).

Rules for `fn` (the worker):
* **Data in, data out.** It receives plain values (paths, ids, a `Mapping`, the `Database`) and
  returns plain values (frozen dataclasses). It never touches a widget, a model or a QObject of
  the GUI thread: Qt crashes when it is drawn from two threads (Picard, Anki rule).
* **One SQLAlchemy session per thread.** Passing the `Database` is fine: its engine (connection
  pool) is thread-safe and every service call opens its own session (`db.session()` /
  `db.sessions()`) in the calling thread. Never pass a `Session`, an ORM object or a raw sqlite3
  connection into a job, nor return one from it.
* **Progress and cancel.** `progress.update(done, total, text)` may be called from the worker
  (it is relayed to the dialog through a queued signal); the job polls `progress.cancelled` or
  calls `progress.check()`, which raises `JobCancelled`. A cancelled job calls neither `on_done`
  nor `on_error` (only `on_cancel`, if given). A job that returns normally has done its work
  (an import may already be committed): its result is delivered even if « Annuler » was clicked
  meanwhile.

Tests: set `INSTRUCTEUR_SYNC_JOBS=1` or `ui.workers.SYNC_JOBS = True` to run jobs in the calling
thread, callbacks included, before `run_job` returns (no dialog shown).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from instructeur.errors import UserError
from ui.dialogs import Dialogs

__all__ = ["SYNC_JOBS", "Job", "JobCancelled", "Progress", "run_job", "running_jobs"]

T = TypeVar("T")

SYNC_JOBS: bool | None = None
"""True: run jobs synchronously (tests); None: follow the INSTRUCTEUR_SYNC_JOBS environment variable."""

SHOW_AFTER_MS = 300  # quick jobs finish before the progress dialog appears


def sync_jobs() -> bool:
    if SYNC_JOBS is not None:
        return SYNC_JOBS
    return os.environ.get("INSTRUCTEUR_SYNC_JOBS", "") not in ("", "0")


class JobCancelled(Exception):
    """Raised by `Progress.check()` once « Annuler » was clicked: the job stops, nothing is delivered."""


class Progress:
    """Handed to the job: report progress from any thread, see whether the user cancelled."""

    def __init__(self, report: Callable[[int, int, str], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._report = report
        self.last: tuple[int, int, str] = (0, 0, "")

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Raise `JobCancelled` if the user asked to stop."""
        if self._cancel.is_set():
            raise JobCancelled

    def update(self, done: int, total: int = 0, text: str = "") -> None:
        """`total` 0 means « unknown » (busy indicator); `text` replaces the dialog's label if given."""
        self.last = (done, total, text)
        if self._report is not None:
            self._report(done, total, text)


class Job(QObject, Generic[T]):
    """A running job: its `progress`, `cancel()`, and `finished` once its callbacks have run.

    Lives in the GUI thread; the worker only emits its private signals (queued to this thread).
    """

    finished = Signal()
    progressed = Signal(int, int, str)
    _succeeded = Signal(object)
    _failed = Signal(object)

    def __init__(
        self,
        parent_widget: QWidget | None,
        title: str,
        fn: Callable[[Progress], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None,
        on_cancel: Callable[[], None] | None,
        cancellable: bool,
        dialogs: Dialogs | None,
    ) -> None:
        super().__init__()  # no parent: must outlive a closed window while the worker still runs
        self.title = title
        self._widget = parent_widget
        self._fn = fn
        self._on_done = on_done
        self._on_error = on_error
        self._on_cancel = on_cancel
        self._dialogs = dialogs
        self.cancellable = cancellable
        self.running = True
        self.dialog: QProgressDialog | None = None
        self.progress = Progress(self._emit_progress)

    # --- worker side (any thread) ---------------------------------------------------------------

    def _emit_progress(self, done: int, total: int, text: str) -> None:
        if shiboken6.isValid(self):
            self.progressed.emit(done, total, text)

    def _work(self) -> tuple[str, Any]:
        try:
            self.progress.check()
            return "done", self._fn(self.progress)
        except JobCancelled:
            return "cancelled", None
        except BaseException as exc:  # noqa: BLE001 — delivered to on_error on the GUI thread
            return "error", exc

    def _run_in_worker(self) -> None:
        outcome, value = self._work()
        if not shiboken6.isValid(self):
            return
        if outcome == "error":
            self._failed.emit(value)
        else:
            self._succeeded.emit((outcome, value))

    # --- GUI side ---------------------------------------------------------------------------------

    def cancel(self) -> None:
        """Ask the job to stop (it stops at its next `progress.check()`)."""
        if not self.cancellable or not self.running:
            return
        self.progress.cancel()
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.setLabelText("Annulation en cours…")
            self.dialog.setCancelButton(None)

    def _show_dialog(self) -> None:
        parent = self._widget if self._widget is not None and shiboken6.isValid(self._widget) else None
        dialog = QProgressDialog(f"{self.title}…", "Annuler", 0, 0, parent)
        dialog.setWindowTitle(self.title)
        dialog.setAccessibleName(self.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumWidth(420)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        if not self.cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self.cancel)
        dialog.setValue(0)  # starts the « show after SHOW_AFTER_MS » timer
        self.dialog = dialog
        self.progressed.connect(self._on_progress)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        dialog = self.dialog
        if dialog is None or not shiboken6.isValid(dialog) or self.progress.cancelled:
            return
        if text:
            dialog.setLabelText(text)
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            dialog.canceled.disconnect(self.cancel)
            dialog.close()
            dialog.deleteLater()

    def _widget_alive(self) -> bool:
        return self._widget is None or shiboken6.isValid(self._widget)

    def _deliver_success(self, payload: tuple[str, Any]) -> None:
        outcome, value = payload
        self._finish()
        if not self._widget_alive():
            return
        if outcome == "cancelled":
            if self._on_cancel is not None:
                self._on_cancel()
        else:
            self._on_done(value)
        self.finished.emit()

    def _deliver_error(self, exc: BaseException) -> None:
        self._finish()
        if not self._widget_alive():
            return
        exc = user_facing(exc)
        try:
            if self._on_error is not None:
                self._on_error(exc)
            elif isinstance(exc, UserError):
                (self._dialogs or Dialogs()).error(self._widget, self.title, exc.message)
            else:
                sys.excepthook(type(exc), exc, exc.__traceback__)
        finally:
            self.finished.emit()

    def _finish(self) -> None:
        self.running = False
        self._close_dialog()
        _RUNNING.discard(self)

    def _start(self) -> None:
        if sync_jobs():
            outcome, value = self._work()
            if outcome == "error":
                self._deliver_error(value)
            else:
                self._deliver_success((outcome, value))
            return
        self._succeeded.connect(self._deliver_success, Qt.ConnectionType.QueuedConnection)
        self._failed.connect(self._deliver_error, Qt.ConnectionType.QueuedConnection)
        self._show_dialog()
        _RUNNING.add(self)
        QThreadPool.globalInstance().start(_Runnable(self))


def user_facing(exc: BaseException) -> BaseException:
    """A full disk, a read-only or forbidden folder, a statement the server refused: one French
    line (the CLI's messages, instructeur/errors.py) instead of a traceback. Anything else as is."""
    from instructeur.errors import privilege_error, system_error

    if isinstance(exc, UserError):
        return exc
    converted = privilege_error(exc) or system_error(exc)
    if converted is None:
        return exc
    converted.__cause__ = exc
    return converted


class _Runnable(QRunnable):
    def __init__(self, job: Job[Any]) -> None:
        super().__init__()
        self._job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        self._job._run_in_worker()


_RUNNING: set[Job[Any]] = set()  # keeps each Job alive until its callbacks ran


def running_jobs() -> list[Job[Any]]:
    return list(_RUNNING)


def run_job(
    parent: QWidget | None,
    title: str,
    fn: Callable[[Progress], T],
    on_done: Callable[[T], None],
    on_error: Callable[[BaseException], None] | None = None,
    cancellable: bool = True,
    *,
    on_cancel: Callable[[], None] | None = None,
    dialogs: Dialogs | None = None,
) -> Job[T]:
    """Run `fn(progress)` off the GUI thread with a progress dialog titled `title` (see module doc).

    The callbacks are dropped if `parent` was destroyed meanwhile. Returns the `Job` (its
    `finished` signal fires after the callbacks; in synchronous mode, before this returns).
    """
    job: Job[T] = Job(parent, title, fn, on_done, on_error, on_cancel, cancellable, dialogs)
    job._start()
    return job
