"""A general-admission area under a rush: capacity 500, 700 buyers at once, over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.concurrency.test_rush import rush
from tests.unit.test_venue_features import festival
from webapp.booking.models import BookingSeat, Seat
from webapp.extensions import db

CAPACITY, BUYERS = 500, 700


@pytest.mark.slow
def test_standing_area_sells_exactly_its_capacity(app, live_server):
    event = festival(capacity=CAPACITY)
    outcomes, wall = rush(live_server, event.id, BUYERS, {"standing": {"Floor": 1}})
    print(f"\nstanding rush: {BUYERS} buyers, {CAPACITY} places, {wall:.1f}s: {dict(outcomes)}")
    assert outcomes[("checkout", 201, None)] == CAPACITY
    assert outcomes[("hold", 409, "standing_full")] == BUYERS - CAPACITY
    db.session.commit()
    sold = db.session.scalar(
        select(func.count(func.distinct(BookingSeat.seat_id)))
        .join(Seat, Seat.id == BookingSeat.seat_id)
        .where(BookingSeat.active, Seat.kind == "standing")
    )
    assert sold == CAPACITY
