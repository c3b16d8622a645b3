"""The rush: N customers at once, each wanting one seat (first available) and checking out.

    python -m bench.rush --customers 1200 --seats 1000 --strategy all [--database-url URL]

Every strategy gets a fresh event in the same run, on the same server, so the
figures compare like with like. The server is the whole stack as `make run` starts it
(honcho and the Procfile: gunicorn 2 gthread workers x 8 threads, the RQ worker,
rq-scheduler and the expiry listener) with every default setting: rate limits and the
per-address seat cap on, as shipped. Each customer comes from an address of its own
(127.x.y.z: Linux routes all of 127.0.0.0/8 to the loopback), as a crowd does, so the
per-address limits count them one by one. Holdfast runs with the rules a venue gets
(the no-orphan rule on, rows of 40 with a centre aisle) and once more with the rule
off. Customers are threads spread over CLIENT_PROCESSES processes, so the load
generator is not one GIL; server CPU per customer is read from /proc for every process
of the stack, Redis and PostgreSQL. Prints a table, one JSON line per strategy, and
last a JSON object with the holdfast figures.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import func, insert, select

from bench.cpu import cpu_by_role, server_pids
from bench.fullstack import in_app, make_run_stack
from bench.stats import emit, machine, percentile, print_table
from bench.strategies.tables import bookings, seats
from webapp.booking.models import BookingSeat, utcnow
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.extensions import db

STRATEGIES = ["naive", "occ", "pessimistic", "holdfast", "holdfast-rule-off"]
CLIENT_PROCESSES = 4
COLUMNS = [
    "strategy",
    "successful",
    "seats_booked",
    "unsold",
    "booked_twice",
    "refused_while_left",
    "sold_out",
    "errors_5xx",
    "wall_s",
    "p50_ms",
    "p99_ms",
    "rps",
    "server_cpu_ms_per_customer",
]


def make_event(n_seats: int, no_orphans: bool = True) -> int:
    """A product event with `n_seats` seats (rows of 40 with a centre aisle), mirrored in
    the baselines' table. The no-orphan rule is on, as venues get it, unless asked."""
    full, rest = divmod(n_seats, 40)
    layout = (
        [SectionLayout("Floor", [f"R{i}" for i in range(full)], 40, 1000, [20])] if full else []
    )
    if rest:
        layout.append(SectionLayout("Back", ["Z"], rest, 1000))
    event = create_event(
        "Bench Hall", f"Rush {uuid.uuid4().hex[:6]}", utcnow(), layout, no_orphans=no_orphans
    )
    with db.engine.begin() as conn:
        conn.execute(
            insert(seats),
            [{"event_id": event.id, "status": "free", "version": 0} for _ in range(n_seats)],
        )
    return event.id


class FromAddress(HTTPAdapter):
    """Connections from one local address of the customer's own."""

    def __init__(self, address: str):
        self.address = address
        super().__init__(pool_connections=1, pool_maxsize=1)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def address_of(n: int) -> str:
    """The n-th customer's address in 127.1.0.0/16 (never 127.0.0.1, the box's own)."""
    return f"127.1.{n // 250}.{n % 250 + 1}"


def customer(
    base: str, prefix: str, event_id: int, address: str, barrier: threading.Barrier, out: list
):
    """One customer's journey from `address`; appends (outcome, [latencies])."""
    s = requests.Session()
    s.mount("http://", FromAddress(address))
    s.get(f"{base}/bench/ping", timeout=30)  # session cookie and keep-alive before the start
    latencies: list[float] = []
    barrier.wait()
    try:
        t = time.perf_counter()
        r = s.post(f"{base}{prefix}/events/{event_id}/holds", json={"quantity": 1}, timeout=120)
        latencies.append(time.perf_counter() - t)
        if r.status_code != 201:
            out.append(((r.status_code, _error(r)), latencies))
            return
        t = time.perf_counter()
        body = {"name": "Rush", "email": "rush@example.com"}
        if not prefix.startswith("/api/"):
            body["event_id"] = event_id  # the baselines' bookings table records it
        c = s.post(
            f"{base}{prefix}/holds/{r.json()['hold_id']}/checkout",
            timeout=120,
            json=body,
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        latencies.append(time.perf_counter() - t)
        out.append(((c.status_code, _error(c)), latencies))
    except requests.RequestException as exc:
        out.append((("transport", type(exc).__name__), latencies))


def _error(response) -> str | None:
    try:
        return response.json().get("error")
    except ValueError:
        return None


def run_strategy(base: str, strategy: str, customers: int, n_seats: int, pids) -> dict:
    event_id = make_event(n_seats, no_orphans=strategy != "holdfast-rule-off")
    prefix = "/api/v1" if strategy.startswith("holdfast") else f"/bench/{strategy}"
    shares = [
        customers // CLIENT_PROCESSES + (i < customers % CLIENT_PROCESSES)
        for i in range(CLIENT_PROCESSES)
    ]
    firsts = [sum(shares[:i]) for i in range(CLIENT_PROCESSES)]  # each its own addresses
    start_at = time.time() + 2 + customers / 400  # every client has its session by then
    before = cpu_by_role(pids())
    jobs = [
        (base, prefix, event_id, n, first, start_at)
        for n, first in zip(shares, firsts, strict=True)
    ]
    with ProcessPoolExecutor(CLIENT_PROCESSES, mp_context=get_context("fork")) as pool:
        parts = list(pool.map(client_process, jobs))
    out = [o for part, _ in parts for o in part]
    wall = max(end for _, end in parts) - start_at
    result = summarize(strategy, event_id, out, wall, n_seats)
    after = cpu_by_role(pids())
    spent = {role: after[role] - before.get(role, 0.0) for role in sorted(after)}
    result["server_cpu_ms_per_customer"] = 1000 * sum(spent.values()) / customers
    for role, seconds in spent.items():  # where the CPU went: web, redis, postgres, ...
        result[f"cpu_ms_{role}"] = 1000 * seconds / customers
    return result


def client_process(job: tuple) -> tuple[list, float]:
    """One load-generator process: its customers as threads, released at `start_at`;
    returns their outcomes and when the last finished."""
    base, prefix, event_id, count, first, start_at = job
    barrier = threading.Barrier(count + 1)
    out: list = []
    threads = [
        threading.Thread(
            target=customer, args=(base, prefix, event_id, address_of(first + i), barrier, out)
        )
        for i in range(count)
    ]
    for t in threads:
        t.start()
    time.sleep(max(0.0, start_at - time.time()))
    barrier.wait()
    for t in threads:
        t.join()
    return out, time.time()


def booked(strategy: str, event_id: int) -> tuple[int, int]:
    """(booking rows, distinct seats) as the database has them."""
    db.session.commit()
    if strategy.startswith("holdfast"):
        rows = select(func.count(), func.count(func.distinct(BookingSeat.seat_id))).where(
            BookingSeat.event_id == event_id, BookingSeat.active
        )
    else:
        rows = select(func.count(), func.count(func.distinct(bookings.c.seat_id))).where(
            bookings.c.event_id == event_id
        )
    total, distinct = db.session.execute(rows).one()
    return total, distinct


def summarize(strategy: str, event_id: int, out: list, wall: float, n_seats: int) -> dict:
    outcomes = Counter(o for o, _ in out)
    latencies = [x for _, lat in out for x in lat]
    total, distinct = booked(strategy, event_id)
    successful = outcomes[(201, None)]
    refused = len(out) - successful
    return {
        "strategy": strategy,
        "customers": len(out),
        "seats": n_seats,
        "successful": successful,
        "seats_booked": distinct,
        "unsold": n_seats - distinct,
        "booked_twice": total - distinct,
        "refused_while_left": min(refused, n_seats - distinct),
        "sold_out": outcomes[(409, "sold_out")],
        "errors_5xx": sum(
            n for (code, _), n in outcomes.items() if isinstance(code, int) and code >= 500
        ),
        "transport_errors": sum(n for (code, _), n in outcomes.items() if code == "transport"),
        "wall_s": wall,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "rps": len(latencies) / wall if wall else 0,
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1200)
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--strategy", default="all", choices=["all", *STRATEGIES])
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--workers", type=int, default=2, help="as make run (WEB_WORKERS)")
    parser.add_argument("--threads", type=int, default=8, help="as make run (WEB_THREADS)")
    args = parser.parse_args(argv)
    chosen = STRATEGIES if args.strategy == "all" else [args.strategy]
    results = []
    extra = {
        "WSGI_APP": "bench.app:app",  # Holdfast with the baselines' routes beside it
        "SECRET_KEY": "bench-rush",
        "WEB_WORKERS": str(args.workers),
        "WEB_THREADS": str(args.threads),
    }
    with make_run_stack(args.database_url, extra) as (base, env, honcho), in_app(env):
        from bench.strategies.tables import create_tables

        create_tables(db.engine)
        dialect = db.engine.dialect.name
        print(
            f"make run stack: gunicorn {args.workers} workers x {args.threads} threads "
            f"(gthread), worker, scheduler, listener; default settings; database: {dialect}; "
            f"{args.customers} customers from {args.customers} addresses, {args.seats} seats"
        )
        for strategy in chosen:
            if strategy == "pessimistic" and dialect != "postgresql":
                print("pessimistic: skipped (SQLite has no SELECT ... FOR UPDATE SKIP LOCKED)")
                continue
            pg = dialect == "postgresql"
            pids = lambda: server_pids(honcho.pid, env["REDIS_URL"], pg)  # noqa: E731, B023
            result = run_strategy(base, strategy, args.customers, args.seats, pids)
            result.update(database=dialect, **machine())
            results.append(result)
            emit({"bench": "rush", **result})
    pessimistic = next((r for r in results if r["strategy"] == "pessimistic"), None)
    for r in results:
        r["wall_vs_pessimistic"] = r["wall_s"] / pessimistic["wall_s"] if pessimistic else None
    print_table("Rush", results, COLUMNS + ["wall_vs_pessimistic"])
    roles = sorted({k for r in results for k in r if k.startswith("cpu_ms_")})
    print_table("Server CPU per customer by process (ms)", results, ["strategy", *roles])
    final = next((r for r in results if r["strategy"] == "holdfast"), {})
    emit(final)
    return final


if __name__ == "__main__":
    main()
