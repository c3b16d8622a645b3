"""Database reads about seats: the layout and which seats the database holds active.

A pending booking whose hold has lapsed counts as free here: whoever needs the
seat next expires it inside their own write transaction (see checkout), so
availability never waits for the expiry listener.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from webapp.booking.models import Booking, BookingSeat, Event, Seat, Venue


@dataclass(frozen=True)
class ActiveSeat:
    """A seat held by an active booking in the database."""

    seat_id: int
    status: str
    customer_id: str
    reference: str


MAX_ID = 2**31 - 1  # ids are 32-bit integers in both databases


# Every page about an event names its venue and shows times on the venue's clock: the
# venue comes in the event's query, without the layout text it was made from (read only
# where staff edit it).
_WITH_VENUE = [joinedload(Event.venue).defer(Venue.layout)]


def get_event(session: Session, event_id: int) -> Event | None:
    """The event with its venue, or None (also for ids no database row can have)."""
    return session.get(Event, event_id, options=_WITH_VENUE) if 0 < event_id <= MAX_ID else None


SEAT_COLUMNS = (
    Seat.id,
    Seat.section,
    Seat.row,
    Seat.number,
    Seat.label,
    Seat.price_cents,
    Seat.blocked,
    Seat.x,
    Seat.y,
    Seat.kind,
    Seat.restricted,
)


def event_seats(session: Session, event_id: int, seat_ids: list[int] | None = None) -> list:
    """Every seat of the event (or those of `seat_ids`), front rows first (one query).

    Plain rows, not ORM objects: a 20,000-seat arena is read on hot paths.
    """
    stmt = select(*SEAT_COLUMNS).where(Seat.event_id == event_id).order_by(Seat.y, Seat.x, Seat.id)
    if seat_ids is not None:
        stmt = stmt.where(Seat.id.in_(seat_ids))
    return list(session.execute(stmt))


def live_condition(now: datetime):
    """SQL condition: the booking still owns its seats (confirmed, or pending within its hold)."""
    return or_(
        Booking.status == "confirmed", and_(Booking.status == "pending", Booking.expires_at > now)
    )


def active_seats(
    session: Session, event_id: int, now: datetime, seat_ids: list[int] | None = None
) -> dict[int, ActiveSeat]:
    """Seats the database says are taken, keyed by seat id (one query)."""
    stmt = (
        select(BookingSeat.seat_id, Booking.status, Booking.customer_id, Booking.reference)
        .join(Booking, Booking.id == BookingSeat.booking_id)
        .where(BookingSeat.event_id == event_id, BookingSeat.active, live_condition(now))
    )
    if seat_ids is not None:
        stmt = stmt.where(BookingSeat.seat_id.in_(seat_ids))
    return {row.seat_id: ActiveSeat(*row) for row in session.execute(stmt)}


def blocked_seats(session: Session, event_id: int) -> list[int]:
    """Ids of the event's seats taken off sale."""
    return list(session.scalars(select(Seat.id).where(Seat.event_id == event_id, Seat.blocked)))


def bought_by_customer(session: Session, event_id: int) -> dict[str, int]:
    """Seats in confirmed bookings of the event, per customer (one query)."""
    stmt = (
        select(Booking.customer_id, func.count(BookingSeat.id))
        .join(Booking, Booking.id == BookingSeat.booking_id)
        .where(BookingSeat.event_id == event_id, BookingSeat.active, Booking.status == "confirmed")
        .group_by(Booking.customer_id)
    )
    return {customer: count for customer, count in session.execute(stmt)}


def database_marks(session: Session, event_id: int, now: datetime) -> dict[int, tuple]:
    """What Redis should say for each taken seat: ("sold",), ("blocked",) or
    (hold id, deadline) for a pending booking."""
    marks: dict[int, tuple] = {
        s: ("blocked",)
        for s in session.scalars(select(Seat.id).where(Seat.event_id == event_id, Seat.blocked))
    }
    rows = session.execute(
        select(BookingSeat.seat_id, Booking.status, Booking.hold_id, Booking.expires_at)
        .join(Booking, Booking.id == BookingSeat.booking_id)
        .where(BookingSeat.event_id == event_id, BookingSeat.active, live_condition(now))
    )
    for seat_id, status, hold_id, expires_at in rows:
        marks[seat_id] = ("sold",) if status == "confirmed" else (hold_id, expires_at)
    return marks
