"""Starting the GUI: QApplication, French translations and locale, error hook, first window.

Environment (for checks without a display):
* ``INSTRUCTEUR_SCREENSHOT=/chemin.png``: once the window is shown and laid out, save a capture
  of it there and quit with 0;
* ``INSTRUCTEUR_WINDOW_SIZE=1600x900``: window size (else the last one, else 1440×900 at most);
* ``INSTRUCTEUR_EXIT_WHEN_READY=list``: quit in the event loop turn after the list's first paint,
  after printing that instant (`print_ready_stamp`); ``=1``: once the base is open and the list
  complete (filter choices, scores). The benchmark times whole launches with them.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTimer, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from instructeur.errors import UserError

if TYPE_CHECKING:
    from instructeur.services.first_paint import FirstPaint
    from instructeur.storage.db import Database
    from ui.main_window import MainWindow

APP_NAME = "Instructeur"
_START = time.perf_counter()

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), in French."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    install_french_translations(app)
    from ui.screen_fit import install as fit_every_window  # issue 11: windows fit 1366×768

    fit_every_window(app)
    return app


def install_french_translations(app: QApplication) -> bool:
    """Qt's own French strings (« Annuler », « Enregistrer »…); False if not shipped."""
    if app.property("instructeur_translator_installed"):
        return True
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load("qtbase_fr", folder):
        return False
    app.installTranslator(translator)
    app.setProperty("instructeur_translator_installed", True)
    return True


def install_excepthook(parent: Callable[[], QWidget | None]) -> ExceptHook:
    """An unexpected error shows a dialog (with the details) instead of killing the app silently.

    Returns the previous hook. `parent` gives the window to attach the dialog to.
    """
    previous = sys.excepthook
    showing = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        previous(exc_type, exc, tb)  # still printed on stderr
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        if showing or QApplication.instance() is None:
            return
        showing = True
        try:
            # --- team mode: a statement refused by the server, outside a service's session; a full
            # disk or a read-only folder: the CLI's French line (ui/workers.py::user_facing) ---
            from ui.workers import user_facing

            if isinstance(refused := user_facing(exc), UserError) and refused is not exc:
                exc, exc_type = refused, UserError
            # --- end team mode ---
            if isinstance(exc, UserError):
                title, text = "Opération impossible", exc.message
            else:
                title = "Erreur inattendue"
                text = (
                    "Une erreur inattendue s'est produite. Vos données enregistrées ne sont pas perdues ; "
                    "l'opération en cours n'a peut-être pas abouti.\n\n"
                    f"{exc_type.__name__} : {exc}"
                )
            box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent())
            if not isinstance(exc, UserError):
                box.setDetailedText("".join(traceback.format_exception(exc_type, exc, tb)))
            box.exec()
        finally:
            showing = False

    sys.excepthook = hook
    return previous


def window_size_from_env() -> tuple[int, int] | None:
    raw = os.environ.get("INSTRUCTEUR_WINDOW_SIZE", "").lower().replace("×", "x")
    try:
        width, height = (int(part) for part in raw.split("x"))
    except ValueError:
        return None
    return (width, height) if width > 0 and height > 0 else None


def create_demo_database(parent: QWidget | None = None) -> Path:
    """A fresh demo database in a new temp folder, with a « please wait » dialog meanwhile."""
    from instructeur.demo import create_demo

    path = Path(tempfile.mkdtemp(prefix="instructeur-demo-")) / "demo.sqlite"
    progress = QProgressDialog("Création de la base de démonstration…", "", 0, 0, parent)
    progress.setWindowTitle(APP_NAME)
    progress.setCancelButton(None)  # no cancel: the demo takes a few seconds
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(0)
    progress.setAccessibleName("Création de la base de démonstration")
    progress.show()
    QApplication.processEvents()

    def advance(done: int, total: int) -> None:
        progress.setMaximum(max(total, 1))
        progress.setValue(min(done, total))
        QApplication.processEvents()

    try:
        create_demo(path, progress=advance)
    finally:
        progress.close()
        progress.deleteLater()
    return path


def open_main_window(db: Database | None, first_paint: FirstPaint | None = None) -> MainWindow:
    from ui.main_window import MainWindow

    window = MainWindow(db, first_paint=first_paint)
    size = window_size_from_env()
    if size is not None:
        window.resize(*size)
    elif not window.restore_geometry():
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        width = min(1440, available.width() - 40) if available else 1280
        height = min(900, available.height() - 40) if available else 800
        window.resize(width, height)
    return window


def print_ready_stamp() -> None:
    """« instructeur : prêt 12345.678901 »: the system-wide monotonic clock when the list is
    painted, so that the launch benchmark times the launch without the interpreter's exit."""
    print(f"instructeur : prêt {time.monotonic():.6f}", file=sys.stderr, flush=True)


def _schedule_screenshot(window: QWidget, path: str, app: QApplication) -> None:
    def grab() -> None:
        ok = window.grab().save(path)
        elapsed = time.perf_counter() - _START
        print(
            f"instructeur : capture {'enregistrée' if ok else 'impossible'} : {path} ({elapsed:.2f} s)",
            file=sys.stderr,
        )
        app.exit(0 if ok else 1)

    QTimer.singleShot(300, grab)


def open_base(db_target: str | Path) -> Database | None:
    """The open base, asking for a team password or before creating a server schema if needed;
    None when the user declined. UserError when it cannot be opened."""
    # --- team mode: the server wants a password → ask for it and retry ---
    from instructeur.errors import PasswordRequiredError
    from ui.dialogs import Dialogs
    from ui.equipe_rights import ask_password
    from ui.open_database import open_or_create

    while True:
        try:
            # --- an empty server base: ask before creating the schema (ui/open_database.py) ---
            return open_or_create(db_target, Dialogs())
        except PasswordRequiredError as exc:
            from instructeur.storage.urls import display_url  # never a password on screen

            if not ask_password(display_url(db_target).split("@")[-1], exc.message):
                return None
    # --- end team mode ---


def _open_or_say(db_target: str | Path) -> Database | None:
    """`open_base`, a refusal shown in a message box (then None, like a declined question)."""
    try:
        return open_base(db_target)
    except UserError as exc:
        QMessageBox.critical(None, APP_NAME, f"Impossible d'ouvrir la base de données.\n\n{exc.message}")
        return None


def _apply_rights(window: MainWindow, db: Database) -> None:
    # --- team mode: grey out what the connected role may not do ---
    from instructeur.services.equipe import permissions
    from ui.equipe_rights import apply_permissions

    apply_permissions(window, permissions(db))
    # --- end team mode ---


def run_gui(db_target: str | Path, *, demo: bool = False, argv: list[str] | None = None) -> int:
    """Open the application on a database (or on a new demo database) and run until it closes.

    On an SQLite file with a current schema, the window first paints what `read_first_paint`
    read without SQLAlchemy, then opens the base (launch speed, issue 12)."""
    from instructeur.services.first_paint import read_first_paint

    app = make_application(argv)
    window: MainWindow | None = None
    previous_hook = install_excepthook(lambda: window)
    db: Database | None = None
    try:
        first = None if demo else read_first_paint(db_target)
        if first is None:
            db = _open_or_say(create_demo_database() if demo else db_target)
            if db is None:
                return 2
            window = open_main_window(db)
            _apply_rights(window, db)
        else:
            window = open_main_window(None, first)
        shown = window
        ready = os.environ.get("INSTRUCTEUR_EXIT_WHEN_READY")
        screenshot = os.environ.get("INSTRUCTEUR_SCREENSHOT")

        def finish_opening() -> None:
            nonlocal db
            db = _open_or_say(db_target)
            if db is None:
                shown.close()
                app.exit(2)
                return
            shown.finish_opening(db)
            _apply_rights(shown, db)
            if ready and not screenshot:
                QTimer.singleShot(0, lambda: app.exit(0))

        if ready == "list" and not screenshot:  # the launch benchmark: the list is painted
            shown.after_first_paint(lambda: (print_ready_stamp(), app.exit(0)))
        elif first is not None:
            shown.open_after_first_paint(finish_opening)
        elif ready and not screenshot:  # after the scores queued by the list's loading
            QTimer.singleShot(0, lambda: app.exit(0))
        window.show()
        if screenshot:
            _schedule_screenshot(window, screenshot, app)
        code = app.exec()
        db = window.open_db or db  # the window may have switched to another base
        return code
    finally:
        sys.excepthook = previous_hook
        if db is not None:
            db.close()
