"""Run one process of `make run` and start it again whenever it exits.

honcho stops every process when one exits, so one crash (a worker that hit a bug, a
gunicorn master that could not boot while the database was away) took the whole site
down. Each Procfile line runs under this instead: an exit is reported loudly on the
console and the process is started again after a back-off (1 s doubling to 30 s,
back to 1 s once it has run for a minute). SIGTERM and SIGINT are passed on and stop
the restarts.

Usage: `python -m webapp.devtools.keepalive NAME COMMAND [ARGS...]`.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

stopping = False


def main(argv: list[str]) -> int:
    name, command = argv[0], argv[1:]
    child: subprocess.Popen | None = None

    def stop(signum, _frame):
        global stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    backoff = 1.0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(command)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
