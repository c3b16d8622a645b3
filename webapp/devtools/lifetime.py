"""Processes of `make run` that end with their parent: a stack whose starter is killed
(`kill <make's pid>`, systemd or a container runtime stopping `make run`, a crashed
honcho) must not leave a web server answering or a worker taking jobs.

Linux's PR_SET_PDEATHSIG sends a signal to a process when the *thread* that started it
exits; each process asks for SIGTERM, which it already answers by stopping cleanly.
That is exact where the parent starts children from its main thread (run.py, keepalive).
honcho starts its processes from helper threads, so keepalive watches its parent
instead (`watch_parent`). Elsewhere than Linux only the watch is there.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def end_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask for `sig` when this process's parent exits (a preexec_fn, or called early)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
    if os.getppid() != parent:  # it died before we asked: act as told now
        os.kill(os.getpid(), sig)


STACK_PID = "HOLDFAST_STACK_PID"  # run.py's pid, for every process of its stack


def _gone(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]  # noqa: SIM115
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: is there such a process at all?
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return state == "Z"


def watch_parent(sig: int = signal.SIGTERM, every: float = 1.0) -> None:
    """Send `sig` to this process once its parent is gone, or the stack's starter
    (HOLDFAST_STACK_PID: a killed honcho leaves its helpers, our parents, alive), checked
    every second."""
    parent = os.getppid()
    starter = int(os.environ.get(STACK_PID, "0") or 0)

    def watch() -> None:
        while os.getppid() == parent and not (starter and _gone(starter)):
            time.sleep(every)
        os.kill(os.getpid(), sig)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def stack_members(starter: int) -> list[int]:
    """Live processes started for the stack of `starter` (their environment names it),
    wherever they were reparented: what must end before that stack's Redis does."""
    marker = f"{STACK_PID}={starter}".encode()
    found = []
    for entry in os.scandir("/proc") if os.path.isdir("/proc") else []:
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as environ:
                if marker in environ.read().split(b"\0") and not _gone(int(entry.name)):
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def end_stack(starter: int, grace: float = 15.0) -> None:
    """Wait for the stack's processes to stop (they were asked), then SIGKILL the rest."""
    deadline = time.monotonic() + grace
    while stack_members(starter) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in stack_members(starter):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
