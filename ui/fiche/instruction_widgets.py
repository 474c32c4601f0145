"""Small widgets of the « Instruction » tab: a section's outcome message, a criterion's input,
a check box's clickable text, and the colours and text helpers they share."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from instructeur.services.grilles import CritereDto
from ui.fiche.fields import ERROR_COLOUR, WARNING_COLOUR

OK_COLOUR = "#1b5e20"
MUTED = "color: palette(placeholder-text);"
AVIS_CHOICES: tuple[tuple[str, str], ...] = (
    ("favorable", "Favorable"),
    ("reserve", "Favorable sous réserve"),
    ("defavorable", "Défavorable"),
)
MOTIVATION_REQUIRED = "motivation de l'avis : obligatoire quand l'avis n'est pas favorable"
NOT_SCORED = None  # the « — » choice of a criterion
RADIO_MAX_LEVELS = 6  # larger scales (0–20) use a spin box


def coloured(text: str, colour: str, *, bold: bool = False) -> str:
    weight = "font-weight:600;" if bold else ""
    return f"<span style='color:{colour};{weight}'>{text}</span>"


def rich_label(accessible_name: str) -> QLabel:
    """A wrapping rich-text label announced to screen readers by `accessible_name`."""
    label = QLabel()
    label.setAccessibleName(accessible_name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def plain_text(rich: str) -> str:
    """A label's rich text without markup, one line per <br> or list item."""
    for tag in ("<br>", "</li>"):
        rich = rich.replace(tag, "\n")
    out, inside = [], False
    for ch in rich:
        if ch == "<":
            inside = True
        elif ch == ">":
            inside = False
        elif not inside:
            out.append(ch)
    return html.unescape("".join(out)).strip()


class SectionMessage(QFrame):
    """A section's outcome: a French message (error, warning, success) and, after a concurrent
    edit, a « Recharger » button."""

    def __init__(self, name: str, on_reload: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setAccessibleName(name)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload_button = QPushButton("Recharger")
        self.reload_button.setToolTip(
            "Relire les données enregistrées (vos saisies de cette section sont perdues)"
        )
        self.reload_button.clicked.connect(on_reload)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        self.clear()

    def text(self) -> str:
        return self.label.text()

    def plain(self) -> str:
        """The message without markup (tests, accessibility)."""
        return plain_text(self.label.text())

    def clear(self) -> None:
        self.label.setText("")
        self.reload_button.hide()
        self.hide()

    def error(self, problems: list[str] | str, *, reload: bool = False) -> None:
        items = [problems] if isinstance(problems, str) else problems
        if len(items) == 1:
            body = html.escape(items[0])
        else:
            body = (
                "<ul style='margin:2px 0'>" + "".join(f"<li>{html.escape(p)}</li>" for p in items) + "</ul>"
            )
        self.label.setText(
            coloured("Non enregistré : ", ERROR_COLOUR, bold=True) + coloured(body, ERROR_COLOUR)
        )
        self.reload_button.setVisible(reload)
        self.show()

    def warning(self, text: str) -> None:
        """Written, but the section is not complete (not called a success)."""
        self.label.setText(coloured("⚠ " + html.escape(text), WARNING_COLOUR, bold=True))
        self.reload_button.hide()
        self.show()

    def success(self, text: str, warnings: tuple[str, ...] | list[str] = ()) -> None:
        body = coloured(html.escape(text), OK_COLOUR)
        for w in warnings:
            body += "<br>" + coloured("⚠ " + html.escape(w), WARNING_COLOUR)
        self.label.setText(body)
        self.reload_button.hide()
        self.show()


class ClickableLabel(QLabel):
    """The wrapped text of a check box: a click toggles the box."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self._box = box
        self.setWordWrap(True)
        self.setBuddy(box)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._box.isEnabled():
            self._box.toggle()
        event.accept()


class CritereInput(QWidget):
    """One criterion: libellé, guidance text, and its scale (radio buttons, or a spin box for
    scales longer than 6 levels); `value()` None = not scored."""

    changed = Signal()

    def __init__(self, critere: CritereDto, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.critere = critere
        title = html.escape(critere.libelle)
        extras = []
        if critere.poids != 1:
            extras.append("non pondéré" if critere.poids == 0 else f"coefficient {critere.poids}")
        if critere.eliminatoire:
            extras.append(coloured("éliminatoire", ERROR_COLOUR, bold=True))
        if extras:
            title += " <span style='font-weight:normal'>(" + ", ".join(extras) + ")</span>"
        self.title = QLabel(f"<b>{title}</b>")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.aide = QLabel(critere.aide)
        self.aide.setWordWrap(True)
        self.aide.setStyleSheet(MUTED)
        self.aide.setVisible(bool(critere.aide))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 6)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.aide)
        self.group: QButtonGroup | None = None
        self.spin: QSpinBox | None = None
        self.radios: dict[int | None, QRadioButton] = {}
        levels = critere.echelle_max - critere.echelle_min + 1
        if levels <= RADIO_MAX_LEVELS:
            row = QHBoxLayout()
            row.setSpacing(14)
            self.group = QButtonGroup(self)
            self.group.setExclusive(True)
            for value in (NOT_SCORED, *range(critere.echelle_min, critere.echelle_max + 1)):
                if value is None:
                    text = "—"
                    name = f"{critere.libelle} : non noté"
                else:
                    label = critere.level_label(value)
                    text = f"{value} — {label}" if label != str(value) else str(value)
                    name = f"{critere.libelle} : {text}"
                radio = QRadioButton(text)
                radio.setAccessibleName(name)
                if value is None:
                    radio.setToolTip("Non noté")
                self.group.addButton(radio)
                self.radios[value] = radio
                row.addWidget(radio)
            row.addStretch(1)
            self.group.buttonToggled.connect(self._on_toggled)
            layout.addLayout(row)
        else:
            self.spin = QSpinBox()
            self.spin.setRange(critere.echelle_min - 1, critere.echelle_max)
            self.spin.setSpecialValueText("—")
            self.spin.setSuffix(f" / {critere.echelle_max}")
            self.spin.setAccessibleName(critere.libelle)
            self.spin.valueChanged.connect(lambda _v: self.changed.emit())
            row = QHBoxLayout()
            row.addWidget(self.spin)
            row.addStretch(1)
            layout.addLayout(row)

    def _on_toggled(self, _button: QAbstractButton, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def value(self) -> int | None:
        if self.spin is not None:
            v = self.spin.value()
            return None if v < self.critere.echelle_min else v
        for value, radio in self.radios.items():
            if radio.isChecked():
                return value
        return None

    def set_value(self, value: int | None) -> None:
        self.blockSignals(True)
        try:
            if self.spin is not None:
                self.spin.setValue(self.critere.echelle_min - 1 if value is None else value)
            else:
                radio = self.radios.get(value) or self.radios[NOT_SCORED]
                radio.setChecked(True)
        finally:
            self.blockSignals(False)

    def setInputEnabled(self, enabled: bool) -> None:  # noqa: N802 (Qt style)
        for radio in self.radios.values():
            radio.setEnabled(enabled)
        if self.spin is not None:
            self.spin.setEnabled(enabled)
