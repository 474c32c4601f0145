"""Every window fits the screen it opens on (1366×768 laptops first).

`fit_to_screen(widget)` clamps a top-level window's size and position to the available geometry of
its screen; when the content's minimum size is larger than that, the content goes into a
`QScrollArea` while the bottom row of action buttons (a `QDialogButtonBox`, or a layout of buttons)
stays outside it, always visible. `install(app)` applies it to every window and dialog when it is
shown, and again when it grows past the screen later (a layout that grows once data arrives):
every window and dialog class of the application has `FitsScreen` as its first base.

`available_geometry(widget)` is the one place that asks Qt for the screen: tests patch it to play
a 1366×768 or a 1920×1080 screen (tests/ui/test_screen_fit.py says how else this can be done).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QLayout,
    QMainWindow,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

__all__ = ["FitsScreen", "available_geometry", "default_size", "fit_to_screen", "install", "uninstall"]

_FALLBACK = QRect(0, 0, 1366, 768)
_FITTED = "_screen_fit_scrolled"


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The part of the widget's screen that windows may use (without the task bar)."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return QRect(screen.availableGeometry()) if screen is not None else QRect(_FALLBACK)


def default_size(widget: QWidget, width: int, height: int, *, margin: int = 40) -> QSize:
    """The size a window wants (`width`×`height`), within its screen less a margin."""
    avail = available_geometry(widget)
    return QSize(min(width, avail.width() - margin), min(height, avail.height() - margin))


def _frame_extra(widget: QWidget) -> tuple[int, int]:
    """Width and height the window manager adds (title bar, borders); 0 before the first show."""
    frame, geometry = widget.frameGeometry(), widget.geometry()
    return max(0, frame.width() - geometry.width()), max(0, frame.height() - geometry.height())


def _is_button_row(item: object) -> bool:
    """A bottom row to keep out of the scroll area: a button box, or a layout of buttons and labels."""
    widget = item.widget() if hasattr(item, "widget") else None  # type: ignore[union-attr]
    if isinstance(widget, QDialogButtonBox):
        return True
    layout = item.layout() if hasattr(item, "layout") else None  # type: ignore[union-attr]
    if not isinstance(layout, QLayout):
        return False
    kinds = [layout.itemAt(n).widget() for n in range(layout.count())]
    widgets = [w for w in kinds if w is not None]
    return any(isinstance(w, QAbstractButton) for w in widgets) and all(
        isinstance(w, (QAbstractButton, QLabel, QDialogButtonBox)) for w in widgets
    )


def _scroll_content(container: QWidget) -> bool:
    """Move `container`'s layout into a scroll area, its bottom button row staying outside."""
    layout = container.layout()
    if layout is None or container.property(_FITTED):
        return False
    container.setProperty(_FITTED, True)
    buttons = None
    last = layout.count() - 1
    if last > 0 and _is_button_row(layout.itemAt(last)):
        item = layout.takeAt(last)
        buttons = item.widget() or item.layout()
        if isinstance(buttons, QLayout):
            buttons.setParent(None)  # type: ignore[call-overload]  # addLayout wants an orphan
    holder = QWidget()
    holder.setObjectName("screenFitContent")
    holder.setLayout(layout)  # Qt takes the layout (and its widgets) away from `container`
    scroll = QScrollArea()
    scroll.setObjectName("screenFitScroll")
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    scroll.setWidget(holder)
    outer = QVBoxLayout(container)
    margins = layout.contentsMargins()
    outer.setContentsMargins(0, 0, 0, margins.bottom() if buttons is not None else 0)
    outer.addWidget(scroll, 1)
    if isinstance(buttons, QLayout):
        row = QVBoxLayout()
        row.setContentsMargins(margins.left(), 0, margins.right(), 0)
        row.addLayout(buttons)
        outer.addLayout(row)
    elif buttons is not None:
        outer.addWidget(buttons)
    return True


def _content_of(widget: QWidget) -> QWidget | None:
    if isinstance(widget, QMainWindow):
        return widget.centralWidget()
    return widget


def _needs_scroll(widget: QWidget, max_w: int, max_h: int) -> bool:
    hint = widget.minimumSizeHint()
    layout = widget.layout()
    minimum = layout.minimumSize() if layout is not None else QSize(0, 0)
    need_w = max(hint.width(), minimum.width(), widget.minimumWidth())
    need_h = max(hint.height(), minimum.height(), widget.minimumHeight())
    return need_w > max_w or need_h > max_h


def fit_to_screen(widget: QWidget, *, move: bool = True) -> None:
    """Clamp the window's frame into the available geometry; scroll what cannot shrink.

    `move=False` leaves the position alone (at its Show event a window is not placed yet)."""
    if widget.isFullScreen() or isinstance(widget, QAbstractScrollArea):
        return
    avail = available_geometry(widget)
    extra_w, extra_h = _frame_extra(widget)
    max_w, max_h = avail.width() - extra_w, avail.height() - extra_h
    if _needs_scroll(widget, max_w, max_h):
        content = _content_of(widget)
        if content is not None:
            _scroll_content(content)
            widget.layout().activate() if widget.layout() is not None else None
    if widget.minimumWidth() > max_w:
        widget.setMinimumWidth(max_w)
    if widget.minimumHeight() > max_h:
        widget.setMinimumHeight(max_h)
    width, height = min(widget.width(), max_w), min(widget.height(), max_h)
    if (width, height) != (widget.width(), widget.height()):
        widget.resize(width, height)
    if move:
        clamp_position(widget)


def clamp_position(widget: QWidget) -> None:
    """Move the window so that its whole frame lies in the available geometry."""
    avail = available_geometry(widget)
    frame_w, frame_h = widget.frameGeometry().width(), widget.frameGeometry().height()
    pos = widget.frameGeometry().topLeft()
    x = min(max(pos.x(), avail.left()), avail.left() + avail.width() - frame_w)
    y = min(max(pos.y(), avail.top()), avail.top() + avail.height() - frame_h)
    if (x, y) != (pos.x(), pos.y()):
        widget.move(x, y)


def _is_managed_window(obj: QObject) -> bool:
    if not isinstance(obj, QWidget) or not obj.isWindow():
        return False
    kind = obj.windowType()
    return kind in (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Sheet)


if TYPE_CHECKING:
    _WindowBase = QWidget
else:
    _WindowBase = object

_enabled = False  # install() / uninstall()
_busy = False  # fitting a window resizes it: no re-entry from its own Resize


class FitsScreen(_WindowBase):
    """First base of every window and dialog of the application, before its Qt class
    (`class FicheDossier(FitsScreen, QMainWindow)`): once `install()` has run, the window is fitted
    to its screen when shown, and again when it grows past the screen.

    A base class rather than an application-wide event filter: Qt would call a Python filter for
    each of the thousands of events of the application (about 7 000 to open a fiche, 40 ms)."""

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 — Qt's name
        if _enabled and not _busy and _is_managed_window(self):
            # Qt gives an unsized window at most 2/3 of the screen: let it have its size hint.
            _fit(self, resize_to_hint=not self.testAttribute(Qt.WidgetAttribute.WA_Resized))
        super().showEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        if _enabled and not _busy and _is_managed_window(self):
            avail = available_geometry(self)
            if self.width() > avail.width() or self.height() > avail.height():
                _fit(self, resize_to_hint=False)


def _fit(window: QWidget, *, resize_to_hint: bool) -> None:
    global _busy
    _busy = True
    try:
        if resize_to_hint:
            hint = window.sizeHint()
            if hint.isValid():
                window.resize(hint.expandedTo(window.size()))
        fit_to_screen(window, move=False)
    finally:
        _busy = False
    # Qt places a window (centred on its parent, restored geometry) after its Show event.
    QTimer.singleShot(0, window, lambda: clamp_position(window))


def install(app: QApplication | None = None) -> None:
    """Fit every window and dialog of the application (`FitsScreen`) from now on (idempotent)."""
    global _enabled
    _enabled = True


def uninstall(app: QApplication | None = None) -> None:
    """Stop fitting windows (tests that installed it for themselves)."""
    global _enabled
    _enabled = False
