"""Server CPU for benchmarks, read from /proc: the server processes' own time, never the
load generator's (it shares the two cores)."""

from __future__ import annotations

import os
from pathlib import Path


def server_pids(root: int, redis_url: str, postgres: bool = False) -> list[int]:
    """A server process and all its descendants (gunicorn's master and workers, or
    honcho and every process of the Procfile), this run's Redis and, with `postgres`,
    every PostgreSQL process on the machine. Ask again after a process may have
    restarted."""
    port = redis_url.rsplit(":", 1)[1].split("/")[0]
    parents: dict[int, int] = {}
    extra = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        parents[int(entry.name)] = int(rest.split()[1])
        ours = "redis-server" in cmdline and f":{port}" in cmdline
        if ours or (postgres and name == "postgres"):
            extra.append(int(entry.name))
    family = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return sorted(family) + extra


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes, with the children they reaped."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


ROLES = (  # what a process of the stack is, by its command line (first match wins)
    ("redis", "redis-server"),
    ("web", "gunicorn"),
    ("web", "granian"),
    ("worker", "workers.worker"),
    ("scheduler", "workers.scheduler"),
    ("listener", "workers.expiry_listener"),
)


def role_of(pid: int) -> str:
    """web, worker, scheduler, listener, redis, postgres or other (honcho, keepalive)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        name = Path(f"/proc/{pid}/stat").read_text().split("(", 1)[1].rsplit(")", 1)[0]
    except OSError:
        return "other"
    if name == "postgres":
        return "postgres"
    if "webapp.devtools.keepalive" in cmdline:  # names its child on its own command line
        return "other"
    return next((role for role, needle in ROLES if needle in cmdline), "other")


def cpu_by_role(pids: list[int]) -> dict[str, float]:
    """CPU seconds so far of these processes, summed by role_of."""
    totals: dict[str, float] = {}
    for pid in pids:
        role = role_of(pid)
        totals[role] = totals.get(role, 0.0) + cpu_seconds([pid])
    return totals
