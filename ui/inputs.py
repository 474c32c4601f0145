"""The application's small parsed inputs: French amounts, dates and counts typed in a `QLineEdit`
(an empty field means « not given »), and the red « invalid » marking. Shared by the fiche, the
paramètres, the séance, the simulations and the table delegates."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFocusEvent, QIcon, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QCalendarWidget, QLineEdit, QStyle, QWidget

from instructeur.domain.dates import format_date, parse_date
from instructeur.domain.money import format_amount, parse_amount
from instructeur.errors import UserError

INVALID_STYLE = """
*[invalid="true"] { border: 1px solid #c62828; background: #fdecea; }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] { border: 2px solid #c62828; border-radius: 3px; }
"""

WARNING_COLOUR = "#9a5b00"
ERROR_COLOUR = "#b71c1c"


def mark_invalid(widget: QWidget, message: str | None) -> None:
    """Red border and the reason as tooltip (or back to normal with None).

    The state is kept on the Python side: reading dynamic properties back (`QObject.property`)
    unbalanced the reference counts of None/True in PySide6 6.12 (crash at interpreter exit).
    """
    flag = "true" if message is not None else ""
    if getattr(widget, "_invalid_flag", "") != flag:
        widget._invalid_flag = flag  # type: ignore[attr-defined]
        widget.setProperty("invalid", flag)  # the style sheet selects on it
        widget.style().unpolish(widget)
        widget.style().polish(widget)
    widget.setToolTip(message if message is not None else getattr(widget, "base_tooltip", ""))
    widget.setAccessibleDescription(message or "")


def is_invalid(widget: QWidget) -> bool:
    return getattr(widget, "_invalid_flag", "") == "true"


class _ParsedEdit(QLineEdit):
    """A line edit whose text is parsed on every change; `problem()` says why it cannot be read."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.textChanged.connect(self._check)
        self.editingFinished.connect(self._tidy)

    def problem(self) -> str | None:
        raise NotImplementedError

    def _check(self) -> None:
        mark_invalid(self, self.problem())

    def _tidy(self) -> None:
        """Rewrite a readable value in the French way once the user leaves the field."""


class AmountEdit(_ParsedEdit):
    """The one money input of the application: « 12 500,50 » → 1 250 050 cents; empty → None.

    It starts empty with the placeholder « 0,00 € » (a zero amount is shown as the placeholder
    unless `zero_as_empty=False`, where 0 and « none » differ, e.g. a proposed amount), selects its
    whole content when it gets the focus (clicking in and typing 12000 gives 12 000,00 €, not
    120 000,00 €), and rewrites what was typed in the French way when the focus leaves it."""

    PLACEHOLDER = "0,00 €"

    def __init__(
        self, accessible_name: str, parent: QWidget | None = None, *, zero_as_empty: bool = True
    ) -> None:
        super().__init__(accessible_name, parent)
        self.zero_as_empty = zero_as_empty
        self._select_on_press = False
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText(self.PLACEHOLDER)

    def cents(self) -> int | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            return parse_amount(text)
        except UserError:
            return None

    def set_cents(self, cents: int | None) -> None:
        empty = cents is None or (cents == 0 and self.zero_as_empty)
        self.setText("" if empty else format_amount(cents or 0))

    def problem(self) -> str | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            cents = parse_amount(text)
        except UserError as exc:
            return exc.message
        return "un montant ne peut pas être négatif" if cents < 0 else None

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt)
        super().focusInEvent(event)
        self.selectAll()
        # A click places the cursor after focusing: select again once the press is handled.
        self._select_on_press = event.reason() == Qt.FocusReason.MouseFocusReason

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        super().mousePressEvent(event)
        if self._select_on_press:
            self._select_on_press = False
            self.selectAll()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt)
        super().mouseReleaseEvent(event)
        self._select_on_press = False

    def _tidy(self) -> None:
        if self.text().strip() and self.problem() is None:
            cents = self.cents()
            if cents is not None and self.text() != format_amount(cents):
                self.setText(format_amount(cents))


class DateEdit(_ParsedEdit):
    """« 15/03/2025 » (also 15/03/25, 2025-03-15); empty → None."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(accessible_name, parent)
        self.setPlaceholderText("jj/mm/aaaa")
        self.setMaximumWidth(160)
        # Typed, or picked in a calendar (the button at the right, or Alt+Bas) — issue 11.
        icon = QIcon.fromTheme("x-office-calendar", self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self.calendar_action = self.addAction(icon, QLineEdit.ActionPosition.TrailingPosition)
        self.calendar_action.setToolTip("Choisir dans le calendrier (Alt+Bas)")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.calendar: QCalendarWidget | None = None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.show_calendar()
            return
        super().keyPressEvent(event)

    def show_calendar(self) -> QCalendarWidget:
        """A calendar under the field; the chosen day is written in the field (as if typed)."""
        calendar = QCalendarWidget(self)
        calendar.setWindowFlags(Qt.WindowType.Popup)
        calendar.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        calendar.setGridVisible(True)
        current = self.value() or date.today()
        calendar.setSelectedDate(QDate(current.year, current.month, current.day))

        def chosen(day: QDate) -> None:
            self.set_value(date(day.year(), day.month(), day.day()))
            self.textEdited.emit(self.text())
            self.editingFinished.emit()
            calendar.close()
            self.setFocus()

        calendar.clicked.connect(chosen)
        calendar.activated.connect(chosen)
        calendar.move(self.mapToGlobal(self.rect().bottomLeft()))
        calendar.show()
        calendar.setFocus()
        self.calendar = calendar
        return calendar

    def value(self) -> date | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except UserError:
            return None

    def set_value(self, value: date | None) -> None:
        self.setText("" if value is None else format_date(value))

    def problem(self) -> str | None:
        text = self.text().strip()
        if not text:
            return None
        try:
            parse_date(text)
        except UserError as exc:
            return exc.message
        return None

    def _tidy(self) -> None:
        value = self.value()
        if value is not None and self.text() != format_date(value):
            self.set_value(value)


class CountEdit(_ParsedEdit):
    """A whole number ≥ 0 (« 1 200 » accepted); empty → None."""

    def __init__(
        self, accessible_name: str, *, maximum: int | None = None, parent: QWidget | None = None
    ) -> None:
        self._maximum = maximum
        super().__init__(accessible_name, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setMaximumWidth(120)

    def _digits(self) -> str:
        return "".join(c for c in self.text() if c not in " \u00a0\u202f")

    def value(self) -> int | None:
        text = self._digits()
        return int(text) if text.isascii() and text.isdigit() else None

    def set_value(self, value: int | None) -> None:
        self.setText("" if value is None else str(value))

    def problem(self) -> str | None:
        text = self._digits()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()):
            return f"nombre entier attendu : « {self.text().strip()} »"
        if self._maximum is not None and int(text) > self._maximum:
            return f"au plus {self._maximum}"
        return None
