"""A full disk, a read-only or forbidden folder in the GUI: the CLI's one French line in a
message box (instructeur/errors.py::system_error), never the « Erreur inattendue » traceback."""

from __future__ import annotations

import errno
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

import ui.workers
from instructeur.errors import UserError
from instructeur.storage.db import Database
from tests.ui.test_notifications_ui import Case, FakeDialogs, case, window  # noqa: F401 (fixture)
from ui.app import install_excepthook
from ui.workers import run_job

FULL = "disque plein : {} (libérez de la place puis recommencez)"


@pytest.fixture(autouse=True)
def _sync_jobs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ui.workers, "SYNC_JOBS", True)
    yield


class Errors:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def error(self, parent: object, title: str, message: str) -> None:
        self.shown.append((title, message))


def _raise(exc: BaseException) -> Any:
    def fn(*_args: object, **_kwargs: object) -> Any:
        raise exc

    return fn


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/media/cle/Programmation.xlsx"),
         FULL.format("/media/cle/Programmation.xlsx")),
        (OSError(errno.EROFS, "Read-only file system", "/media/cd/copie.sqlite"),
         "dossier en lecture seule : /media/cd/copie.sqlite"),
        (PermissionError(errno.EACCES, "Permission denied", "/srv/partage/lettres"),
         "accès refusé : /srv/partage/lettres"),
        (OperationalError("INSERT …", {}, Exception("database or disk is full")),
         "disque plein : base de données (database or disk is full)"),
    ],
)  # fmt: skip
def test_a_job_shows_the_french_line(qtbot: QtBot, exc: BaseException, expected: str) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    errors = Errors()
    hooked: list[BaseException] = []
    previous, sys.excepthook = sys.excepthook, lambda _t, e, _tb: hooked.append(e)
    try:
        run_job(parent, "Import des dossiers", _raise(exc), lambda _r: None, dialogs=errors)  # type: ignore[arg-type]
    finally:
        sys.excepthook = previous
    assert errors.shown == [("Import des dossiers", expected)]
    assert hooked == []  # no « Erreur inattendue »


def test_on_error_handlers_receive_a_user_error(qtbot: QtBot) -> None:
    got: list[BaseException] = []
    exc = OSError(errno.ENOSPC, "No space left on device", "/tmp/x.pdf")
    run_job(None, "Lettres", _raise(exc), lambda _r: None, got.append)
    [delivered] = got
    assert isinstance(delivered, UserError) and delivered.message == FULL.format("/tmp/x.pdf")
    assert delivered.__cause__ is exc
    # A real bug stays what it is (and still reaches the « Erreur inattendue » dialog).
    bug = ZeroDivisionError("division by zero")
    run_job(None, "Lettres", _raise(bug), lambda _r: None, got.append)
    assert got[-1] is bug


def test_letters_on_a_full_disk(
    qtbot: QtBot,
    empty_db: Database,
    case: Case,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from instructeur.exports.pdf_merge import PdfConcat

    target = tmp_path / "lettres"
    monkeypatch.setattr(
        PdfConcat, "write", _raise(OSError(errno.ENOSPC, "No space left on device", str(target / "a.pdf")))
    )
    fake = FakeDialogs(folder=target)
    w = window(qtbot, empty_db, case, fake)
    w.select_dossiers([case.retenu, case.refuse])
    w.scope_combo.setCurrentIndex(w.scope_combo.findData("selection"))
    w.generate_button.click()
    assert fake.errors == ["écriture des lettres impossible : " + FULL.format(target / "a.pdf")]
    assert w.generate_button.isEnabled()


def test_unexpected_error_hook_shows_the_french_line(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[str, str, str]] = []

    def exec_(box: QMessageBox) -> int:
        shown.append((box.windowTitle(), box.text(), box.detailedText()))
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    install_excepthook(lambda: None)
    exc = OSError(errno.ENOSPC, "No space left on device", "/media/cle/sauvegarde.sqlite")
    sys.excepthook(OSError, exc, None)
    assert shown == [("Opération impossible", FULL.format("/media/cle/sauvegarde.sqlite"), "")]
    bug = KeyError("x")
    sys.excepthook(KeyError, bug, None)
    assert shown[-1][0] == "Erreur inattendue" and "KeyError" in shown[-1][1]


def test_backup_on_a_full_disk(
    qtbot: QtBot, empty_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import instructeur.storage.backup as backup
    from ui.main_window import MainWindow

    errors = Errors()
    w = MainWindow(empty_db, dialogs=errors)  # type: ignore[arg-type]
    qtbot.addWidget(w)
    monkeypatch.setattr(backup, "_write", _raise(OSError(errno.ENOSPC, "No space left on device")))
    destination = tmp_path / "copie.sqlite"
    assert w.backup(destination) is None
    assert errors.shown == [
        (
            "Sauvegarde impossible",
            f"sauvegarde impossible : disque plein : {destination} (libérez de la place ; rien n'a été écrit)",
        )
    ]
    assert not destination.exists()


def test_export_on_a_full_disk(
    qtbot: QtBot, empty_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from instructeur.exports import xlsx_bulk
    from tests.ui.test_exports_dialog import FakeDialogs as ExportDialogs
    from tests.ui.test_exports_dialog import dialog

    target = tmp_path / "programmation.xlsx"
    # where the tableau de programmation's bytes reach the disk (exports/xlsx_bulk.py)
    monkeypatch.setattr(
        xlsx_bulk, "ZipFile", _raise(OSError(errno.ENOSPC, "No space left on device", str(target)))
    )
    fake = ExportDialogs(path=target)
    d = dialog(qtbot, empty_db, fake)
    d.export_button.click()
    expected = f"{target} : écriture impossible (disque plein : libérez de la place puis recommencez)"
    assert fake.errors == [expected]
    assert d.result_label.text() == f"Échec : {expected}"
    assert not target.exists()
