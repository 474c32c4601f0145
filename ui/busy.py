"""Never silent: work that may take more than 300 ms shows a busy cursor at once, and a progress
bar with « Annuler » once it has lasted 2 s (issue 11). Built on `ui.workers.run_job`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from ui.dialogs import Dialogs
from ui.workers import Job, Progress, run_job

__all__ = ["PROGRESS_AFTER_MS", "busy_cursor", "load_in_background"]

T = TypeVar("T")

PROGRESS_AFTER_MS = 2000

SYNC_LOADS: bool | None = None
"""True: `load_in_background` reads in the calling thread (GUI tests that check a window right after
opening it); None: follow INSTRUCTEUR_SYNC_LOADS (set by tests/ui/conftest.py)."""


def sync_loads() -> bool:
    if SYNC_LOADS is not None:
        return SYNC_LOADS
    return os.environ.get("INSTRUCTEUR_SYNC_LOADS", "") not in ("", "0")


@contextmanager
def busy_cursor() -> Iterator[None]:
    """A wait cursor over the whole application while the block runs on the GUI thread."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def load_in_background(
    widget: QWidget,
    title: str,
    fn: Callable[[Progress], T],
    on_done: Callable[[T], None],
    *,
    dialogs: Dialogs | None = None,
) -> Job[T] | None:
    """Read data off the GUI thread for `widget`: busy cursor on it now, progress bar after 2 s.
    Returns the `Job`, or None when read synchronously (`sync_loads()`)."""
    if sync_loads():
        with busy_cursor():
            value = fn(Progress())
        on_done(value)
        return None
    widget.setCursor(Qt.CursorShape.BusyCursor)

    def restore() -> None:
        if shiboken6.isValid(widget):
            widget.unsetCursor()

    def done(value: T) -> None:
        restore()
        on_done(value)

    job = run_job(widget, title, fn, done, None, True, on_cancel=restore, dialogs=dialogs)
    job.finished.connect(restore)
    if job.dialog is not None:
        job.dialog.setMinimumDuration(PROGRESS_AFTER_MS)  # restarts the dialog's « show after » timer
    return job
