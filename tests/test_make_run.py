"""`make run` as a user runs it, stopped as systemd, a container runtime, Ctrl-C or a
closed terminal stops it: every process it started ends (Redis included) and its ports
are free; and its Redis keeps its data across a restart (a hold survives).

Issue 27.11: SIGTERM to make's pid alone left honcho, gunicorn, the worker, scheduler,
listener and Redis running; to the group, Redis. Issue 27.12: a restart lost live holds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from webapp.config import RUNNING_REDIS, _stack_redis
from webapp.devtools.redis_server import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def tree(root: int) -> set[int]:
    """The pid and every descendant's, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo += children.get(pid, [])
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def port_free(port: int) -> bool:
    """Nothing listens there (a bind could fail on the test's own TIME_WAIT sockets)."""
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) != 0


class Stack:
    def __init__(self, tmp: Path):
        self.tmp, self.port = tmp, free_port()
        self.env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        self.env.update(
            HOLDFAST_RUN_DIR=str(tmp),
            DATABASE_URL=f"sqlite:///{tmp / 'run.sqlite3'}",
            PORT=str(self.port),
            SECRET_KEY="make-run-test",
            PAYMENT_WEBHOOK_SECRET="make-run-test",
            WEB_WORKERS="1",
            WEB_THREADS="4",
        )
        self.make: subprocess.Popen | None = None
        self.seen: set[int] = set()

    def start(self) -> None:
        with open(self.tmp / "make-run.log", "ab") as log:  # the child keeps its own copy
            self.make = subprocess.Popen(
                ["make", "-s", "run"], cwd=ROOT, env=self.env, stdout=log, stderr=log,
                start_new_session=True,  # its own group, as a terminal or a service gives it
            )  # fmt: skip
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert self.make.poll() is None, (self.tmp / "make-run.log").read_text()[-3000:]
            time.sleep(0.5)
        raise AssertionError("make run did not become ready")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def redis_port(self) -> int:
        return int((self.tmp / "redis" / "port").read_text())

    def stop(self, sig: int, target: str) -> set[int]:
        """Send `sig` to make, its group or honcho; the processes alive 20 s later."""
        pids = tree(self.make.pid)
        self.seen |= pids
        assert len(pids) >= 8, pids  # make, run, redis, honcho, 4 keepalives and more
        if target == "group":
            os.killpg(self.make.pid, sig)
        elif target == "honcho":  # a crash of the process manager
            honcho = min(p for p in pids if b"honcho" in Path(f"/proc/{p}/cmdline").read_bytes())
            os.kill(honcho, sig)
        else:
            self.make.send_signal(sig)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(alive(p) for p in pids - {self.make.pid}):
            time.sleep(0.2)
        self.make.wait(10)
        return {p for p in pids if alive(p)}

    def kill_all(self) -> None:
        """After the test, whatever it found (a failed stop leaves orphans of init)."""
        for pid in self.seen | (tree(self.make.pid) if self.make else set()):
            with contextlib.suppress(OSError):
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def stack(tmp_path):
    found = Stack(tmp_path)
    yield found
    found.kill_all()


def test_every_stop_signal_stops_the_whole_stack_and_a_restart_keeps_holds(stack):
    customer = requests.Session()
    cases = [
        (signal.SIGTERM, "make"),  # `kill <make's pid>`: systemd, docker stop, a script
        (signal.SIGINT, "group"),  # Ctrl-C in the terminal
        (signal.SIGHUP, "group"),  # the terminal closed
        (signal.SIGTERM, "group"),  # the whole group
        (signal.SIGKILL, "honcho"),  # honcho crashed: no keepalive may go on alone
    ]
    hold = event_id = redis_port = None
    for sig, target in cases:
        stack.start()
        if hold is None:
            events = customer.get(f"{stack.url}/api/v1/events", timeout=10).json()["events"]
            event_id = next(
                e["id"] for e in events if not e["waiting_room"] and not e["sale_opens_at"]
            )
            made = customer.post(
                f"{stack.url}/api/v1/events/{event_id}/holds", json={"quantity": 2}, timeout=10
            )
            assert made.status_code == 201, made.text
            hold, redis_port = made.json(), stack.redis_port
            time.sleep(1.5)  # the append-only file syncs every second
        else:  # a restart: the same Redis port, and the hold is still the customer's
            assert stack.redis_port == redis_port
            seats = customer.get(f"{stack.url}/api/v1/events/{event_id}/seats", timeout=10)
            mine = [s["id"] for s in seats.json()["seats"] if s["status"] == "mine"]
            assert sorted(mine) == sorted(hold["seat_ids"]), (sig, target)
        # `flask ...` beside the stack finds its private Redis (issue 29): its URL is
        # written where webapp/config.py reads it while the stack runs, and then removed.
        running = stack.tmp / RUNNING_REDIS
        assert running.read_text().strip() == f"redis://127.0.0.1:{stack.redis_port}/0"
        assert _stack_redis(stack.tmp) == running.read_text().strip()
        left = stack.stop(sig, target)
        assert left == set(), (signal.Signals(sig).name, target, left)
        assert not running.exists()
        assert port_free(stack.port) and port_free(stack.redis_port), (sig, target)
