"""The Qt bindings keep Python's reference counts straight.

PySide6 6.12.0 on CPython 3.11 dropped a reference to True on every signal emit and to None on
every void call, until the interpreter aborted mid-export ("bool_dealloc"). A long run emits
thousands of signals, so this guards the pinned version.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    value = Signal(int)


def test_signals_and_void_calls_do_not_leak_or_drop_references(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.value.connect(received.append)
    label = QLabel()
    qtbot.addWidget(label)
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(2000):
        emitter.value.emit(i)
        label.setText(str(i))
    assert len(received) == 2000
    # Allow a little slack for unrelated objects created meanwhile; the bug moved by thousands.
    assert abs(sys.getrefcount(True) - true_before) < 50
    assert abs(sys.getrefcount(None) - none_before) < 50
