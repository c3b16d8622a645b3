"""Background processes survive errors (issue 14.6): the listener carries on after a
database error, and keepalive restarts a process that exits so honcho keeps the stack up."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy.exc import OperationalError

from workers import expiry_listener

ROOT = Path(__file__).resolve().parents[2]


def test_listener_step_survives_a_database_error(app, monkeypatch):
    def locked(_hold_ids):
        raise OperationalError("UPDATE bookings", {}, Exception("database is locked"))

    monkeypatch.setattr(expiry_listener.booking, "expire_holds", locked)
    monkeypatch.setattr(expiry_listener, "DUE_CHECK_SECONDS", 0)
    assert expiry_listener.guarded(expiry_listener.handle, app, ["hf:{evt:1}:hold:1-abc"]) is None


def test_listener_step_passes_redis_errors_up_to_reconnect(app, monkeypatch):
    def gone(_hold_ids, _path):
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(expiry_listener.booking, "expire_holds", gone)
    with pytest.raises(redis.ConnectionError):
        expiry_listener.guarded(expiry_listener.handle, app, ["hf:{evt:1}:hold:1-abc"])


def test_listener_main_starts_again_after_any_error(app, monkeypatch):
    calls = []

    def listen(_app, _clients):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug in one hold")
        raise KeyboardInterrupt  # ends the test

    monkeypatch.setattr(expiry_listener, "create_app", lambda: app)
    monkeypatch.setattr(expiry_listener, "listen", listen)
    monkeypatch.setattr(expiry_listener.time, "sleep", lambda _s: None)
    with pytest.raises(KeyboardInterrupt):
        expiry_listener.main()
    assert len(calls) == 2


def test_keepalive_restarts_an_exiting_process_and_stops_on_sigterm(tmp_path):
    runs = tmp_path / "runs"
    child = f"open({str(runs)!r}, 'a').write('x'); import sys; sys.exit(3)"
    proc = subprocess.Popen(
        [sys.executable, "-m", "webapp.devtools.keepalive", "crashy", sys.executable, "-c", child],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (not runs.exists() or len(runs.read_text()) < 2):
        time.sleep(0.1)
    assert runs.exists() and len(runs.read_text()) >= 2, "not started again"
    assert proc.poll() is None
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert "!!! crashy exited with status 3" in err
