"""The Qt binding itself must survive a long training session's worth of signals."""

import sys

import pytest
from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(object)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True, False and None are immortal from Python 3.12 on: "
                    "their reference counts never change, so a lost reference cannot be seen (nor hurt)")
def test_emitting_signals_keeps_reference_counts(qapp):
    """PySide6 6.12.0 lost a reference to True per emit, aborting Python 3.11 after a long run."""
    emitter = _Emitter()
    received = []
    emitter.fired.connect(received.append)
    before = {value: sys.getrefcount(value) for value in (True, False, None)}
    for index in range(200):
        emitter.fired.emit(index)
    after = {value: sys.getrefcount(value) for value in (True, False, None)}
    assert len(received) == 200
    assert all(after[value] >= before[value] for value in before), (before, after)
