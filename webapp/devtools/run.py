"""`make run`: Redis if needed, migrations, demo data, then every process via honcho.

Uses REDIS_URL when set; otherwise starts a private redis-server under instance/redis
that keeps its data (an append-only file synced every second) on the port it used
last time, so a restart keeps live holds, places in waiting rooms and room state.

Stopping: SIGINT (Ctrl-C), SIGTERM or SIGHUP, to this process or its whole group, stop
every process it started, Redis last; so does the death of its parent (`kill` of
make's pid), and each process of the stack ends with its own parent too
(webapp/devtools/lifetime.py), so no part of it outlives a killed starter.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from webapp.config import RUNNING_REDIS
from webapp.devtools.lifetime import STACK_PID, end_stack, end_with_parent
from webapp.devtools.redis_server import remembered_port, start_redis, wait_for_redis

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(Exception):
    """A stop signal arrived."""


def _stop(signum, _frame):
    # Only the first stop signal stops: stop signals are ignored from here on. A second
    # one often follows at once (make passes its SIGTERM on, then its death sends our
    # PDEATHSIG) and, raised inside the `finally` below before it ignores them itself,
    # cut the stopping short: Redis's URL file stayed behind (CI, 2026-12-04).
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise Stopped(signum)


def flask(*args: str, env: dict) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "webapp", *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop)
    end_with_parent()  # make killed: SIGTERM here, and so the stop below
    env = dict(os.environ)
    run_dir = Path(env.get("HOLDFAST_RUN_DIR", ROOT / "instance"))
    redis_proc = honcho = None
    try:
        if env.get("REDIS_URL"):
            wait_for_redis(env["REDIS_URL"])
        else:
            workdir = run_dir / "redis"
            port = remembered_port(workdir / "port")
            redis_proc, env["REDIS_URL"] = start_redis(
                workdir, port, persist=True, preexec_fn=end_with_parent
            )
            print(f"Started a private Redis at {env['REDIS_URL']} (data kept in {workdir})")
            # `flask ...` commands run beside this stack read it there (webapp/config.py).
            (run_dir / RUNNING_REDIS).write_text(env["REDIS_URL"] + "\n")
        port = env.setdefault("PORT", "8000")
        # A laptop stack: the test payment provider on, its webhooks to this server.
        env.setdefault("TEST_PAYMENT_PROVIDER", "1")
        env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env[STACK_PID] = str(os.getpid())  # every keepalive ends when this process does
        flask("db", "upgrade", env=env)
        flask("seed-demo", "--if-empty", env=env)
        flask("demo-onsale", env=env)
        print(f"\n  Holdfast is starting at http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
        print("  Staff accounts: flask --app webapp create-staff you@example.com\n")
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", str(ROOT / "Procfile")],
            cwd=ROOT,
            env=env,
            preexec_fn=end_with_parent,
            # Its own session: a signal to our group (Ctrl-C, a closed terminal) reaches
            # us, and we stop honcho with SIGTERM, which it passes on to every process.
            # (honcho dies of SIGHUP without stopping anything.)
            start_new_session=True,
        )
        honcho.wait()
    except (KeyboardInterrupt, Stopped):
        pass
    finally:
        for sig in STOP_SIGNALS:  # a second signal must not cut the stopping short
            signal.signal(sig, signal.SIG_IGN)
        _stop_process(honcho, 20)
        if honcho is not None:
            # honcho's helper processes (its own group) outlive a crashed honcho; each
            # process they ran ends with them (keepalive watches its parent).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(honcho.pid, signal.SIGKILL)  # they ignore SIGTERM (honcho's handler)
        end_stack(os.getpid())  # every process asked to stop is gone before Redis goes
        if redis_proc is not None:
            (run_dir / RUNNING_REDIS).unlink(missing_ok=True)
        _stop_process(redis_proc, 10)


def _stop_process(proc: subprocess.Popen | None, grace: float) -> None:
    """SIGTERM (honcho passes it on to every process), then SIGKILL after `grace`."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
