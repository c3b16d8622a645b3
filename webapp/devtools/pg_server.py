"""A private, throwaway PostgreSQL server (Debian's binaries) that a test may stop and
start again; the machine's own server is never touched."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from webapp.devtools.redis_server import free_port


def pg_binary(name: str) -> str | None:
    """Path of a PostgreSQL server program (initdb, pg_ctl), or None."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class PrivatePostgres:
    """initdb into a fresh directory, then start, stop and start again on one port.

    As root the server runs as the `postgres` user (PostgreSQL refuses root)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="holdfast-pg-"))
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/holdfast"
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.dir, "postgres")
        self._run(pg_binary("initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                  "-U", "postgres", "--no-sync")  # fmt: skip
        self.start()
        conninfo = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("CREATE DATABASE holdfast")

    def _run(self, *args: str | None) -> None:
        subprocess.run([*self._as, *args], check=True, capture_output=True, cwd=self.dir)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        self._run(pg_binary("pg_ctl"), "-D", str(self.dir / "data"), "-l",
                  str(self.dir / "log"), "-o", options, "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run(pg_binary("pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
