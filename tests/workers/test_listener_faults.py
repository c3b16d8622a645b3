"""The expiry listener paused past many deadlines, and killed: every hold still ends."""

from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import func, select

from tests.factories import make_event, seat_ids
from tests.workers.conftest import wait_for_listener, wait_until
from webapp.booking import hold_seats, seat_states, start_checkout
from webapp.booking.models import Booking, BookingEvent
from webapp.devtools.processes import terminate
from webapp.extensions import db

pytestmark = pytest.mark.slow
HOLDS = 40


@pytest.fixture
def app_config():
    return {"HOLD_TTL_SECONDS": 1, "HOLD_GRACE_SECONDS": 1}


def pending_bookings(event) -> list[str]:
    refs = []
    for i, seat in enumerate(seat_ids(event)[:HOLDS]):
        hold = hold_seats(event.id, f"c{i}", [seat])
        status, body = start_checkout(hold.hold_id, f"c{i}", "N", "n@example.com", f"k{i}")
        assert status == 201
        refs.append(body["booking"]["reference"])
    return refs


def all_expired(refs):
    def check():
        db.session.commit()
        return db.session.scalar(
            select(func.count(Booking.id)).where(
                Booking.reference.in_(refs), Booking.status == "expired"
            )
        ) == len(refs)

    check.__name__ = "every pending booking expired"
    return check


def expiry_actors(refs) -> set[str]:
    return set(
        db.session.scalars(
            select(BookingEvent.actor)
            .join(Booking)
            .where(Booking.reference.in_(refs), BookingEvent.to_status == "expired")
        )
    )


def test_listener_paused_past_deadlines_catches_up_on_resume(app, rds, procs):
    listener = procs("listener")
    wait_for_listener(rds)
    event = make_event(rows=5, seats_per_row=10)
    listener.send_signal(signal.SIGSTOP)
    refs = pending_bookings(event)
    time.sleep(3)  # every deadline passes while it is frozen; Redis buffers the events
    db.session.commit()
    assert (
        db.session.scalar(select(func.count(Booking.id)).where(Booking.status == "pending"))
        == HOLDS
    )
    listener.send_signal(signal.SIGCONT)
    wait_until(all_expired(refs), timeout=20)
    assert expiry_actors(refs) == {"expiry listener"}
    assert {s.status for s in seat_states(event.id).seats} == {"available"}


def test_listener_killed_the_fallback_and_sweep_take_over(app, rds, procs):
    listener = procs("listener")
    wait_for_listener(rds)
    procs("scheduler")
    procs("worker")
    event = make_event(rows=5, seats_per_row=10)
    terminate(listener, signal.SIGKILL)  # its notifications are lost from here on
    refs = pending_bookings(event)
    wait_until(all_expired(refs), timeout=30)
    assert expiry_actors(refs) <= {"fallback job", "sweeper"} and expiry_actors(refs)
    assert {s.status for s in seat_states(event.id).seats} == {"available"}
