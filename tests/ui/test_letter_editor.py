"""The formatted letter template editor (issue 11 §7): edit, save, generate, read the PDF back."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from instructeur.domain.letter_preflight import letter_preflight
from instructeur.exports.letters import template_fields
from instructeur.services.notification_settings import FIELDS, letter_head
from instructeur.services.notifications import NotificationService
from instructeur.storage.db import Database
from tests.ui.test_notifications_ui import Case, FakeDialogs, _sync_jobs, case, window  # noqa: F401
from ui.letter_pdf_view import read_page
from ui.letter_rich_text import document_to_template, template_to_document


def _spaces(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split(" "))


def _fonts(page: object) -> set[str]:
    fonts = page["/Resources"]["/Font"]  # type: ignore[index]
    return {str(f.get_object()["/BaseFont"]) for f in fonts.values()}


def test_edit_format_save_generate(qtbot: QtBot, empty_db: Database, case: Case, tmp_path: Path) -> None:  # noqa: F811
    w = window(qtbot, empty_db, case, FakeDialogs(folder=tmp_path))
    editor = w.editors["attribution"]
    rich = editor.edit
    rich.set_template("Objet : Subvention {reference}\n\nVotre action est retenue.\n")
    text_edit = rich.text_edit
    # Bold a word: select « retenue » and click « Gras ».
    cursor = text_edit.document().find("retenue")
    text_edit.setTextCursor(cursor)
    rich.bold_action.trigger()
    # Insert a field at the end of the paragraph from « Insérer un champ ».
    text_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(text_edit, " Montant : ")
    next(a for a in rich.fields_menu.actions() if a.data() == "montant").trigger()
    # A conditional block, then its text typed inside it.
    rich.insert_condition("conditions")
    qtbot.keyClicks(text_edit, "Sous conditions : ")
    rich.insert_field("conditions")
    assert "Si « conditions posées par le comité » est renseigné :" in text_edit.toPlainText()  # a caption, no marker
    assert "[[" not in text_edit.toPlainText()

    stored = editor.text
    assert stored == (
        "Objet : Subvention {reference}\n\nVotre action est **retenue**. Montant : {montant}\n"
        "[[si conditions]]\n\nSous conditions : {conditions}\n[[fin]]\n"
    )
    assert template_fields(stored) == {"reference", "montant", "conditions"}
    head = letter_head(NotificationService(empty_db).settings())
    assert letter_preflight(head, template_fields(stored)) == []
    assert editor.save()
    assert NotificationService(empty_db).templates()["attribution"] == stored

    # The live preview is the real PDF: the same bytes' text, bold face included.
    editor.show_preview()
    preview = read_page(editor.preview.pdf)
    assert any(r.text.strip() == "retenue" and r.font.endswith("-Bold") for r in preview.runs)

    result = NotificationService(empty_db).generate(case.world.campagne_id, tmp_path, [case.retenu])
    (pdf,) = result.files
    page = PdfReader(pdf).pages[0]
    text = _spaces(page.extract_text())
    assert "Votre action est retenue. Montant : 12 500,00 €" in text
    assert "Sous conditions" not in text  # the retained dossier has no conditions: block dropped
    assert any(name.endswith("DejaVuSerif-Bold") for name in _fonts(page))
    # « retenue » itself is set in the bold face, the words before it are not.
    runs = read_page(pdf.read_bytes()).runs
    assert [r.font.endswith("-Bold") for r in runs if r.text.strip() in ("Votre action est", "retenue")] == [
        False,
        True,
    ]


def test_conditional_text_when_the_field_is_set(qtbot: QtBot, empty_db: Database, case: Case, tmp_path: Path) -> None:  # noqa: F811
    from sqlalchemy import select

    from instructeur.storage.models import ComitePoint

    with empty_db.session() as s:
        point = s.scalar(select(ComitePoint).where(ComitePoint.dossier_id == case.retenu))
        assert point is not None
        point.conditions = "fournir le bilan 2025"
    w = window(qtbot, empty_db, case, FakeDialogs(folder=tmp_path))
    editor = w.editors["attribution"]
    editor.edit.set_template("Objet : Subvention\n\nBonjour.\n")
    editor.edit.text_edit.moveCursor(QTextCursor.MoveOperation.End)
    editor.edit.insert_condition("conditions")
    qtbot.keyClicks(editor.edit.text_edit, "Condition : ")
    editor.edit.toggle_italic()
    editor.edit.insert_field("conditions")
    assert "*{conditions}*" in editor.text
    assert editor.save()
    result = NotificationService(empty_db).generate(case.world.campagne_id, tmp_path, [case.retenu])
    page = PdfReader(result.files[0]).pages[0]
    assert "Condition : fournir le bilan 2025" in _spaces(page.extract_text())
    assert any(name.endswith("DejaVuSerif-Italic") for name in _fonts(page))
    runs = read_page(result.files[0].read_bytes()).runs
    assert [r.font.split("+")[-1] for r in runs if "bilan 2025" in r.text] == ["DejaVuSerif-Italic"]


def test_default_templates_round_trip(qtbot: QtBot) -> None:
    """Existing templates (plain-text syntax, « # » comments) open as formatted text and are
    written back with the same meaning."""
    from instructeur.exports.letters import merge_text
    from instructeur.services.notification_settings import default_template

    for modele in ("attribution", "refus", "ajournement"):
        original = default_template(modele)
        again = document_to_template(template_to_document(original, FIELDS))
        assert template_fields(again) == template_fields(original)
        for value in ("", "x"):
            fields = dict.fromkeys(FIELDS, value) | {"porteur": "P"}
            assert merge_text(again, fields) == merge_text(original, fields)


def test_preview_is_debounced(qtbot: QtBot, empty_db: Database, case: Case) -> None:  # noqa: F811
    from ui.letter_pdf_view import DEBOUNCE_MS

    w = window(qtbot, empty_db, case, FakeDialogs())
    editor = w.editors["refus"]
    calls: list[int] = []
    render = editor.preview._render
    editor.preview._render = lambda: calls.append(1) or render()  # type: ignore[method-assign]
    editor.preview.timer.stop()
    for key in "abc":  # three quick edits: one PDF once the typing pauses
        qtbot.keyClicks(editor.edit.text_edit, key)
    assert editor.preview.timer.isActive() and calls == []
    qtbot.waitUntil(lambda: calls == [1], timeout=DEBOUNCE_MS * 5)
    assert editor.preview.pdf.startswith(b"%PDF")
    assert "Aperçu du PDF généré" in editor.preview.status.text()
