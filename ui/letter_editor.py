"""A letter template edited as formatted text: Gras, Italique, Liste, « Insérer un champ »,
« Bloc conditionnel » (see ui/letter_rich_text.py for the stored syntax it reads and writes)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtGui import (
    QAction,
    QFont,
    QKeySequence,
    QTextCharFormat,
    QTextCursor,
    QTextListFormat,
)
from PySide6.QtWidgets import QMenu, QTextEdit, QToolBar, QToolButton, QVBoxLayout, QWidget

from ui.letter_rich_text import (
    CONDITION,
    condition_caption,
    condition_frame_format,
    document_to_template,
    field_format,
    paragraph_format,
    role_format,
    template_to_document,
)

__all__ = ["RichTemplateEdit"]


class RichTemplateEdit(QWidget):
    """The editor; `template()` is the stored text, `textChanged` fires on every edit."""

    textChanged = Signal()  # noqa: N815 - Qt naming

    def __init__(
        self, labels: Mapping[str, str], accessible_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.labels = dict(labels)
        self.text_edit = QTextEdit()
        self.text_edit.setAccessibleName(accessible_name)
        self.text_edit.setAcceptRichText(False)  # pasted text comes in plain: the stored syntax is small
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.textChanged.connect(self.textChanged)

        bar = QToolBar("Mise en forme")
        bar.setAccessibleName("Mise en forme du modèle")
        self.bold_action = self._action(bar, "&Gras", QKeySequence.StandardKey.Bold, self.toggle_bold)
        self.italic_action = self._action(
            bar, "&Italique", QKeySequence.StandardKey.Italic, self.toggle_italic
        )
        self.list_action = self._action(bar, "&Liste à puces", QKeySequence("Ctrl+Shift+L"), self.toggle_list)
        self.fields_menu = QMenu("Insérer un &champ", self)
        for name, label in self.labels.items():
            act = self.fields_menu.addAction(f"{label[:1].upper()}{label[1:]}  {{{name}}}")
            act.setData(name)
            act.triggered.connect(lambda _=False, n=name: self.insert_field(n))
        self.conditions_menu = QMenu("Bloc &conditionnel", self)
        for name, label in self.labels.items():
            act = self.conditions_menu.addAction(f"Si « {label} » est renseigné")
            act.triggered.connect(lambda _=False, n=name: self.insert_condition(n))
        self.conditions_menu.addSeparator()
        self.sinon_action = self.conditions_menu.addAction(
            "Ajouter « Sinon » dans le bloc", self.insert_sinon
        )
        for menu in (self.fields_menu, self.conditions_menu):
            button = QToolButton()
            button.setText(menu.title().replace("&", ""))
            button.setAccessibleName(menu.title().replace("&", ""))
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            bar.addWidget(button)
        self.text_edit.cursorPositionChanged.connect(self._sync_actions)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(bar)
        layout.addWidget(self.text_edit, 1)

    def _action(
        self, bar: QToolBar, text: str, key: QKeySequence | QKeySequence.StandardKey, slot: object
    ) -> QAction:
        action = QAction(text, self)
        action.setCheckable(True)
        action.setShortcut(QKeySequence(key))
        action.setToolTip(
            f"{text.replace('&', '')} ({QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        action.triggered.connect(slot)
        self.text_edit.addAction(action)
        bar.addAction(action)
        return action

    # --- content -----------------------------------------------------------------------------

    def set_template(self, template: str) -> None:
        template_to_document(template, self.labels, self.text_edit.document())
        self.text_edit.moveCursor(QTextCursor.MoveOperation.Start)

    def template(self) -> str:
        return document_to_template(self.text_edit.document())

    def document_modified(self) -> bool:
        return self.text_edit.document().isModified()

    def set_unmodified(self) -> None:
        self.text_edit.document().setModified(False)

    # --- formatting --------------------------------------------------------------------------

    def toggle_bold(self) -> None:
        cursor = self.text_edit.textCursor()
        bold = cursor.charFormat().fontWeight() < QFont.Weight.DemiBold
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        self._merge(cursor, fmt)

    def toggle_italic(self) -> None:
        cursor = self.text_edit.textCursor()
        fmt = QTextCharFormat()
        fmt.setFontItalic(not cursor.charFormat().fontItalic())
        self._merge(cursor, fmt)

    def _merge(self, cursor: QTextCursor, fmt: QTextCharFormat) -> None:
        if cursor.hasSelection():
            cursor.mergeCharFormat(fmt)
        else:
            self.text_edit.mergeCurrentCharFormat(fmt)
        self._sync_actions()

    def toggle_list(self) -> None:
        cursor = self.text_edit.textCursor()
        current = cursor.currentList()
        if current is not None:
            for n in range(current.count() - 1, -1, -1):
                block = current.item(n)
                if (
                    cursor.selectionStart() <= block.position() + block.length()
                    and block.position() <= cursor.selectionEnd()
                ):
                    current.remove(block)
            fmt = cursor.blockFormat()
            fmt.setIndent(0)
            cursor.setBlockFormat(fmt)
        else:
            cursor.createList(QTextListFormat.Style.ListDisc)
        self._sync_actions()

    def insert_field(self, name: str) -> None:
        cursor = self.text_edit.textCursor()
        fmt = field_format(name)
        current = cursor.charFormat()
        fmt.setFontWeight(current.fontWeight())
        fmt.setFontItalic(current.fontItalic())
        cursor.insertText(name, fmt)
        plain = QTextCharFormat()
        plain.setFontWeight(current.fontWeight())
        plain.setFontItalic(current.fontItalic())
        cursor.setCharFormat(plain)  # typing after the chip is ordinary text again
        self.text_edit.setTextCursor(cursor)
        self.text_edit.setCurrentCharFormat(plain)
        self.text_edit.setFocus()

    def insert_condition(self, name: str, *, negate: bool = False) -> None:
        """A framed block « Si … : » at the cursor (around the selected paragraphs, if any)."""

        condition = f"si non {name}" if negate else f"si {name}"
        cursor = self.text_edit.textCursor()
        cursor.beginEditBlock()
        if not cursor.hasSelection() and cursor.block().text().strip():
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
            cursor.insertBlock(paragraph_format(), QTextCharFormat())
        frame = cursor.insertFrame(condition_frame_format(condition))
        cursor = frame.firstCursorPosition()
        caption_block, caption_char = role_format("caption")
        cursor.insertBlock(paragraph_format(), QTextCharFormat())  # the text block after the caption
        cursor.movePosition(QTextCursor.MoveOperation.PreviousBlock)
        cursor.setBlockFormat(caption_block)
        cursor.insertText(condition_caption(condition, self.labels), caption_char)
        cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
        cursor.endEditBlock()
        self.text_edit.setTextCursor(cursor)
        self.text_edit.setFocus()

    def insert_sinon(self) -> None:
        cursor = self.text_edit.textCursor()
        frame = cursor.currentFrame()
        if frame is None or not frame.frameFormat().property(CONDITION):
            return
        block, char = role_format("sinon")
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
        cursor.insertBlock(block, char)
        cursor.insertText("Sinon :", char)
        cursor.insertBlock(paragraph_format(), QTextCharFormat())
        self.text_edit.setTextCursor(cursor)

    def _sync_actions(self) -> None:
        fmt = self.text_edit.currentCharFormat()
        self.bold_action.setChecked(fmt.fontWeight() >= QFont.Weight.DemiBold)
        self.italic_action.setChecked(fmt.fontItalic())
        self.list_action.setChecked(self.text_edit.textCursor().currentList() is not None)
