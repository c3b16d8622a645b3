"""Run one process of `make run` and start it again whenever it exits.

honcho stops every process when one exits, so one crash (a worker that hit a bug, a
gunicorn master that could not boot while the database was away) took the whole site
down. Each Procfile line runs under this instead: an exit is reported loudly on the
console and the process is started again after a back-off (1 s doubling to 30 s,
back to 1 s once it has run for a minute). SIGTERM, SIGINT and SIGHUP are passed on
and stop the restarts. This process ends with honcho, and its child with it
(lifetime.py): a killed honcho leaves no keepalive restarting an orphan.

Usage: `python -m webapp.devtools.keepalive NAME COMMAND [ARGS...]`.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from webapp.devtools.lifetime import end_with_parent, watch_parent

stopping = False


def main(argv: list[str]) -> int:
    name, command = argv[0], argv[1:]
    child: subprocess.Popen | None = None

    def stop(signum, _frame):
        global stopping
        stopping = True
        if child is not None and child.poll() is None:
            # SIGHUP means "stop" to make run, but "reload" to gunicorn: pass SIGTERM.
            child.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    watch_parent()  # honcho gone (killed): stop, and the child with us
    backoff = 1.0
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(command, preexec_fn=end_with_parent)
        code = child.wait()
        if stopping:
            return code
        if time.monotonic() - started > 60:
            backoff = 1.0
        print(
            f"!!! {name} exited with status {code}; starting it again in {backoff:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(backoff)
        if stopping:
            return code
        backoff = min(backoff * 2, 30)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
