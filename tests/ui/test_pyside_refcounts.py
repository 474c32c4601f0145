"""Guard against the PySide6 build whose void calls drop references to None (6.12.0 on Python 3.11):
the count reaches zero after a long session and the process aborts with « none_dealloc »."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel, QLineEdit


def test_void_calls_keep_none_and_true_alive(qapp: QApplication) -> None:
    label, edit = QLabel(), QLineEdit()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1000):
        label.setText("a")
        edit.setProperty("invalid", True)
        qapp.processEvents()
    assert sys.getrefcount(None) - none_before > -100
    assert sys.getrefcount(True) - true_before > -100
