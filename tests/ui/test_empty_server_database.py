"""Opening an empty server database from the GUI asks before creating the schema."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from instructeur.storage.db import connect
from ui.open_database import open_or_create


class Answers:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.questions: list[tuple[str, str, str]] = []

    def confirm(self, parent: object, title: str, message: str, ok: str = "Confirmer") -> bool:
        self.questions.append((title, message, ok))
        return self.answer


def _tables(url: str) -> list[str]:
    db = connect(url)
    try:
        with db.engine.connect() as conn:
            return inspect(conn).get_table_names()
    finally:
        db.close()


@pytest.mark.postgres
def test_declined_question_creates_nothing_accepted_creates_the_schema(pg_server) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.create_database().replace("postgres@", "postgres:TresSecret42@")
    no = Answers(False)
    assert open_or_create(url, no) is None
    ((title, message, ok),) = no.questions
    assert title == "Base vide" and ok == "Créer le schéma"
    assert "aucune table Instructeur" in message and "TresSecret42" not in message and "***" in message
    assert _tables(url) == []

    yes = Answers(True)
    db = open_or_create(url, yes)
    assert db is not None and len(yes.questions) == 1
    db.close()
    assert "dossier" in _tables(url)
    again = Answers(True)
    db = open_or_create(url, again)  # an Instructeur base: no question
    assert db is not None and again.questions == []
    db.close()


def test_a_new_sqlite_file_is_created_without_a_question(tmp_path) -> None:  # type: ignore[no-untyped-def]
    answers = Answers(False)
    db = open_or_create(tmp_path / "neuve.sqlite", answers)
    assert db is not None and answers.questions == []
    db.close()
    assert (tmp_path / "neuve.sqlite").stat().st_mode & 0o777 == 0o600


class WindowDialogs(Answers):
    def __init__(self, answer: bool) -> None:
        super().__init__(answer)
        self.errors: list[str] = []

    def error(self, parent: object, title: str, message: str) -> None:
        self.errors.append(message)


@pytest.mark.postgres
def test_main_window_open_asks_and_keeps_the_current_base_when_declined(qtbot, pg_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.conftest import build_database
    from ui.main_window import MainWindow

    current = build_database(tmp_path / "actuelle.sqlite")
    dialogs = WindowDialogs(False)
    window = MainWindow(current, dialogs=dialogs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    url = pg_server.create_database()
    assert window.open_database(url) is False
    assert len(dialogs.questions) == 1 and dialogs.errors == []
    assert window.db is current and _tables(url) == []
    dialogs.answer = True
    assert window.open_database(url) is True
    assert window.db is not current and "dossier" in _tables(url)
    window.db.close()
    current.close()
