"""A small closed-loop load generator: T threads, each sending requests back to back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import requests

from bench.stats import percentile


def run_together(threads: list[threading.Thread], barrier: threading.Barrier) -> float:
    """Start the threads, release them together through `barrier` (which has one party
    more than there are threads), wait for all; returns the wall time from the release."""
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def run_load(
    make_request: Callable[[requests.Session, int], requests.Response],
    total: int,
    concurrency: int,
    session_every: int = 0,
) -> dict:
    """Send `total` requests from `concurrency` threads; returns rps and latency figures.

    Args:
        make_request: sends request number i on the session and returns the response.
        session_every: start a fresh session (a new customer) every this many requests.
    """
    counter = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    barrier = threading.Barrier(concurrency + 1)

    def worker():
        session, sent = requests.Session(), 0
        barrier.wait()
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            if session_every and sent and sent % session_every == 0:
                session = requests.Session()
            t = time.perf_counter()
            status = make_request(session, i).status_code
            elapsed = time.perf_counter() - t
            sent += 1
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    wall = run_together([threading.Thread(target=worker) for _ in range(concurrency)], barrier)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "wall_s": wall,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "statuses": statuses,
    }
