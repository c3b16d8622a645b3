"""Test data builders."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.booking import confirm_payment, hold_seats, start_checkout
from webapp.booking.models import Booking, Event, Seat, utcnow
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.extensions import db


def make_event(
    rows: int = 2,
    seats_per_row: int = 10,
    price_cents: int = 2000,
    name: str = "Test Night",
    aisles_after: list[int] | None = None,
    no_orphans: bool = False,
    **section: object,
) -> Event:
    """An event with `rows` x `seats_per_row` seats in one section called Stalls.

    The no-orphan rule is off unless asked for: most tests pick seats freely, and the
    rule has tests of its own. `section` passes further SectionLayout fields.
    """
    row_names = [chr(65 + i) for i in range(rows)]
    layout = [
        SectionLayout(
            "Stalls",
            row_names,
            seats_per_row,
            price_cents,
            aisles_after=aisles_after or [],
            **section,
        )
    ]
    when = datetime(2030, 1, 1, 19, 30) + timedelta()
    return create_event("Test Hall", name, when, layout, no_orphans=no_orphans)


def seat_ids(event: Event) -> list[int]:
    """Seat ids of the event, front row first, left to right."""
    return [
        s.id for s in db.session.query(Seat).filter_by(event_id=event.id).order_by(Seat.y, Seat.x)
    ]


def seat_by_label(event: Event, label: str) -> Seat:
    return db.session.query(Seat).filter_by(event_id=event.id, label=label).one()


def small_arena() -> Event:
    """Two blocks of 20 seats (North £50; South £30 and £25): a "large venue" once a
    test sets LARGE_VENUE_SEATS below 40."""
    return create_event(
        "Small Arena",
        "Big Night",
        utcnow().replace(year=2031),
        [
            SectionLayout("North", ["A", "B"], 10, 5000),
            SectionLayout("South", ["C", "D"], 10, [3000, 2500]),
        ],
    )


def confirmed_booking(event, customer="alice", labels=("A1", "A2"), email="ann@example.com"):
    """A paid booking of these seats (held, checked out, paid through the test provider)."""
    hold = hold_seats(event.id, customer, [seat_by_label(event, label).id for label in labels])
    _, body = start_checkout(hold.hold_id, customer, "Ann", email, f"k-{customer}")
    confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    return db.session.scalar(select(Booking).where(Booking.hold_id == hold.hold_id))
