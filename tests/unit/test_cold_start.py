"""An on-sale's first second: every thread finds the event unread and Redis cold at
once; one of them reads the layout and primes Redis, the others wait for it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event as sa_event

from tests.factories import make_event
from webapp.booking import hold_best_available
from webapp.booking.holds.holdstore import HoldStore
from webapp.booking.venues import geometry
from webapp.extensions import db

THREADS = 12


def test_threads_that_find_an_event_cold_together_read_and_prime_it_once(app, monkeypatch):
    event_id = make_event(rows=10, seats_per_row=20, no_orphans=True).id
    db.session.commit()
    geometry.clear()
    reads, primes = [], []

    def on_sql(conn, cursor, statement, *args):
        if "FROM seats" in statement and "ORDER BY seats.y" in statement:
            reads.append(statement)
            time.sleep(0.05)  # a big venue's read takes a while: others arrive meanwhile

    real_prime = HoldStore.prime

    def counted_prime(self, *args, **kwargs):
        primes.append(1)
        return real_prime(self, *args, **kwargs)

    monkeypatch.setattr(HoldStore, "prime", counted_prime)
    sa_event.listen(db.engine, "before_cursor_execute", on_sql)
    barrier = threading.Barrier(THREADS)

    def buyer(i: int) -> list[int]:
        with app.app_context():
            barrier.wait()
            return hold_best_available(event_id, f"buyer{i}", 1).seat_ids

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            got = list(pool.map(buyer, range(THREADS)))
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", on_sql)
    seats = [s for ids in got for s in ids]
    assert len(seats) == len(set(seats)) == THREADS  # everyone served, no seat twice
    assert (len(reads), len(primes)) == (1, 1)
