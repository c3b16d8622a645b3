"""Start the background processes (worker, scheduler, listener) for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def spawn(kind: str, env: dict[str, str], log: Path | None = None) -> subprocess.Popen:
    """Start `worker`, `scheduler` or `listener` with the given environment."""
    commands = {
        "worker": [sys.executable, "-m", "workers.worker"],
        "scheduler": [sys.executable, "-m", "workers.scheduler"],
        "listener": [sys.executable, "-m", "workers.expiry_listener"],
    }
    env = {"SCHEDULER_INTERVAL": "0.5", **env} if kind == "scheduler" else env
    if log is None:
        return subprocess.Popen(
            commands[kind],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            commands[kind],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def terminate(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a process (SIGKILL to simulate a crash) and reap it."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
