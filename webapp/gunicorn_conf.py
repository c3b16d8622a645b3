"""gunicorn settings for every way Holdfast runs under gunicorn (Procfile, make run,
tests, benchmarks): `gunicorn -c python:webapp.gunicorn_conf wsgi:app`.

/metrics must add up every worker's counts, so prometheus_client runs in multiprocess
mode: each worker writes its counts to files in PROMETHEUS_MULTIPROC_DIR and the scrape
reads them all. The directory must be set before a worker imports prometheus_client,
and emptied when the server starts (counts left by an earlier run would be added in).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_made_here: list[str] = []


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
    else:
        directory = tempfile.mkdtemp(prefix="holdfast-metrics-")
        _made_here.append(directory)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    for directory in _made_here:
        shutil.rmtree(directory, ignore_errors=True)
