"""The seed experiment, for real: 1,200 customers at once for 1,000 seats, over HTTP.

Each customer asks for one seat (best available) and checks out. The claim:
every seat sold once, exactly 200 clean sold_out answers, no 500s, nobody
refused while seats remained.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest
import requests
from sqlalchemy import func, select

from tests.factories import make_event
from webapp.booking.models import Booking, BookingSeat
from webapp.extensions import db

CUSTOMERS, ROWS, PER_ROW = 1200, 25, 40


def customer(
    base: str, event_id: int, barrier: threading.Barrier, results: list, hold: dict
) -> None:
    try:
        buy_one(base, event_id, barrier, results, hold)
    except requests.RequestException as exc:  # counted, so the test shows it
        results.append(("error", type(exc).__name__, None))


def buy_one(
    base: str, event_id: int, barrier: threading.Barrier, results: list, hold: dict
) -> None:
    """Hold (`hold` is the request body), then check out; the outcome goes to `results`."""
    s = requests.Session()
    s.get(f"{base}/api/v1/events")  # get a session cookie before the start signal
    barrier.wait()
    r = s.post(f"{base}/api/v1/events/{event_id}/holds", json=hold, timeout=120)
    if r.status_code != 201:
        results.append(("hold", r.status_code, r.json().get("error")))
        return
    held = r.json()
    r = s.post(
        f"{base}/api/v1/holds/{held['hold_id']}/checkout",
        json={"name": "Rush Customer", "email": "rush@example.com"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=120,
    )
    results.append(("checkout", r.status_code, r.json().get("error")))


def rush(base: str, event_id: int, customers: int, hold: dict) -> tuple[Counter, float]:
    """`customers` threads start together, each holding with `hold` and checking out;
    returns how often each outcome happened, and the wall time."""
    barrier = threading.Barrier(customers)
    results: list = []
    threads = [
        threading.Thread(target=customer, args=(base, event_id, barrier, results, hold))
        for _ in range(customers)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == customers
    return Counter(results), time.monotonic() - started


@pytest.mark.slow
def test_rush_sells_every_seat_exactly_once(app, live_server):
    event = make_event(rows=ROWS, seats_per_row=PER_ROW)
    outcomes, wall = rush(live_server, event.id, CUSTOMERS, {"quantity": 1})
    print(f"\nrush: {CUSTOMERS} customers, {ROWS * PER_ROW} seats, {wall:.1f}s: {dict(outcomes)}")
    assert outcomes[("checkout", 201, None)] == ROWS * PER_ROW
    assert outcomes[("hold", 409, "sold_out")] == CUSTOMERS - ROWS * PER_ROW
    db.session.commit()
    active = db.session.scalar(
        select(func.count()).select_from(BookingSeat).where(BookingSeat.active)
    )
    distinct = db.session.scalar(
        select(func.count(func.distinct(BookingSeat.seat_id))).where(BookingSeat.active)
    )
    assert active == distinct == ROWS * PER_ROW
    assert db.session.scalar(select(func.count(Booking.id))) == ROWS * PER_ROW
