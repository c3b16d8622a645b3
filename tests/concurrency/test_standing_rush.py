"""A general-admission area under a rush: capacity 500, 700 buyers at once, over HTTP."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest
import requests
from sqlalchemy import func, select

from tests.unit.test_venue_features import festival
from webapp.booking.models import BookingSeat, Seat
from webapp.extensions import db

CAPACITY, BUYERS = 500, 700


def buyer(base: str, event_id: int, barrier: threading.Barrier, results: list) -> None:
    try:
        s = requests.Session()
        s.get(f"{base}/api/v1/events")
        barrier.wait()
        url = f"{base}/api/v1/events/{event_id}/holds"
        r = s.post(url, json={"standing": {"Floor": 1}}, timeout=120)
        if r.status_code != 201:
            results.append(("hold", r.status_code, r.json().get("error")))
            return
        r = s.post(
            f"{base}/api/v1/holds/{r.json()['hold_id']}/checkout",
            json={"name": "Fan", "email": "fan@example.com"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
            timeout=120,
        )
        results.append(("checkout", r.status_code, r.json().get("error")))
    except requests.RequestException as exc:
        results.append(("error", type(exc).__name__, None))


@pytest.mark.slow
def test_standing_area_sells_exactly_its_capacity(app, live_server):
    event = festival(capacity=CAPACITY)
    barrier = threading.Barrier(BUYERS)
    results: list = []
    threads = [
        threading.Thread(target=buyer, args=(live_server, event.id, barrier, results))
        for _ in range(BUYERS)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = Counter(results)
    print(
        f"\nstanding rush: {BUYERS} buyers, {CAPACITY} places, "
        f"{time.monotonic() - started:.1f}s: {dict(outcomes)}"
    )
    assert outcomes[("checkout", 201, None)] == CAPACITY
    assert outcomes[("hold", 409, "standing_full")] == BUYERS - CAPACITY
    db.session.commit()
    sold = db.session.scalar(
        select(func.count(func.distinct(BookingSeat.seat_id)))
        .join(Seat, Seat.id == BookingSeat.seat_id)
        .where(BookingSeat.active, Seat.kind == "standing")
    )
    assert sold == CAPACITY
