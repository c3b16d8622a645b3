"""`make run`'s stop: the first stop signal stops, the next ones cannot interrupt it."""

from __future__ import annotations

import signal

import pytest

from webapp.devtools import run


def test_after_the_first_stop_signal_every_stop_signal_is_ignored():
    """A second signal (make passing its SIGTERM on, then its death's PDEATHSIG) raised
    inside the stopping cut it short and left Redis's URL file behind (CI, 2026-12-04)."""
    before = {sig: signal.getsignal(sig) for sig in run.STOP_SIGNALS}
    try:
        for sig in run.STOP_SIGNALS:
            signal.signal(sig, run._stop)
        with pytest.raises(run.Stopped):
            run._stop(signal.SIGTERM, None)
        assert {sig: signal.getsignal(sig) for sig in run.STOP_SIGNALS} == {
            sig: signal.SIG_IGN for sig in run.STOP_SIGNALS
        }
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
