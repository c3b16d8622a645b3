"""Events as a customer browses them: what is on, and how many seats are left."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from webapp.booking.context import redis, session
from webapp.booking.errors import BookingError
from webapp.booking.holds import keys
from webapp.booking.models import Booking, BookingSeat, Event, Seat, utcnow
from webapp.booking.venues.inventory import get_event as get_event_row
from webapp.booking.venues.inventory import live_condition
from webapp.booking.venues.serialize import iso


@dataclass
class EventSummary:
    id: int
    name: str
    starts_at: datetime
    venue: str
    seats_total: int
    seats_available: int
    min_price_cents: int
    max_price_cents: int
    sale_opens_at: datetime | None = None
    waiting_room: bool = False
    time_zone: str | None = None  # the venue's own (local_time: None is TIME_ZONE)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "starts_at": iso(self.starts_at),
            "venue": self.venue,
            "seats_total": self.seats_total,
            "seats_available": self.seats_available,
            "min_price_cents": self.min_price_cents,
            "max_price_cents": self.max_price_cents,
            "sale_opens_at": iso(self.sale_opens_at) if self.sale_opens_at else None,
            "waiting_room": self.waiting_room,
        }


def list_events(upcoming_only: bool = False) -> list[EventSummary]:
    """Events soonest first, with live availability (three queries, one Redis trip)."""
    stmt = select(Event).order_by(Event.starts_at, Event.id)
    if upcoming_only:
        stmt = stmt.where(Event.starts_at > utcnow())
    events = list(session().scalars(stmt))
    sizes = {
        row[0]: row[1:]
        for row in session().execute(
            select(
                Seat.event_id,
                func.count(Seat.id),
                func.sum(case((Seat.blocked, 0), else_=1)),
                func.min(Seat.price_cents),
                func.max(Seat.price_cents),
            ).group_by(Seat.event_id)
        )
    }
    taken: dict[int, set[int]] = {e.id: set() for e in events}
    for event_id, seat_id in session().execute(
        select(BookingSeat.event_id, BookingSeat.seat_id)
        .join(Booking, Booking.id == BookingSeat.booking_id)
        .where(BookingSeat.active, live_condition(utcnow()))
    ):
        taken.setdefault(event_id, set()).add(seat_id)
    pipe = redis().pipeline(transaction=False)
    for event in events:
        pipe.zrangebyscore(keys.held(event.id), int(time.time() * 1000), "+inf")
    for event, held in zip(events, pipe.execute(), strict=True):
        taken[event.id] |= {int(s) for s in held}
    return [_summary(e, sizes.get(e.id, (0, 0, 0, 0)), len(taken[e.id])) for e in events]


def _summary(event: Event, size: tuple, taken: int) -> EventSummary:
    total, sellable, low, high = size
    return EventSummary(
        event.id,
        event.name,
        event.starts_at,
        event.venue.name,
        total,
        max(0, (sellable or 0) - taken),
        low or 0,
        high or 0,
        event.sale_opens_at,
        bool(event.waiting_room),
        event.venue.time_zone,
    )


def get_event(event_id: int) -> Event:
    """The event, or event_not_found."""
    event = get_event_row(session(), event_id)
    if event is None:
        raise BookingError("event_not_found")
    return event


def booking_event_id(reference: object) -> int | None:
    """The event of a booking by reference, or None when there is no such booking."""
    if not isinstance(reference, str) or len(reference) > 16:
        return None
    return session().scalar(select(Booking.event_id).where(Booking.reference == reference))


def get_any_booking(reference: object) -> Booking:
    """Any booking by reference (staff).

    Raises:
        BookingError: booking_not_found.
    """
    found = None
    if isinstance(reference, str) and len(reference) <= 16:
        found = session().scalar(select(Booking).where(Booking.reference == reference))
    if found is None:
        raise BookingError("booking_not_found")
    return found


def get_booking(reference: str, customer: str) -> Booking:
    """The customer's own booking by reference.

    Raises:
        BookingError: booking_not_found, also when it belongs to someone else.
    """
    booking = session().scalar(select(Booking).where(Booking.reference == reference))
    if booking is None or booking.customer_id != customer:
        raise BookingError("booking_not_found")
    return booking
