"""What staff see: per-event figures, live holds, bookings search, exports."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.holds.holdstore import store
from webapp.booking.holds.seatmap import SeatState, seat_states
from webapp.booking.models import Booking, BookingSeat, CheckIn, Event, Seat, utcnow
from webapp.booking.venues import inventory
from webapp.booking.venues.geometry import layout_of
from webapp.booking.venues.inventory import MAX_ID
from webapp.booking.venues.serialize import iso

PAGE_SIZE = 25
MAX_PAGE = 1_000_000  # beyond it the offset would overflow the databases' integers


def event_overview(only: set[int] | None = None) -> list[dict]:
    """Per event (of `only`, when given): seats total/available/held/pending/confirmed,
    revenue, hold churn.

    Refreshed every few seconds mid on-sale, so it never reads every seat's state: three
    grouped queries for all events, and per event the cached layout's size and a few
    Redis counts in one pipeline (bench/overview.py measures it)."""
    query = select(Event.id, Event.name, Event.starts_at).order_by(Event.starts_at, Event.id)
    if only is not None:
        query = query.where(Event.id.in_(only))
    events = session().execute(query).all()
    ids = [e.id for e in events]
    if not ids:
        return []
    now = utcnow()
    revenue = _by_event(
        select(Booking.event_id, func.sum(Booking.amount_cents))
        .where(Booking.status == "confirmed", Booking.event_id.in_(ids))
        .group_by(Booking.event_id)
    )
    in_bookings = session().execute(
        select(BookingSeat.event_id, Booking.status, func.count(BookingSeat.id))
        .join(Booking)
        .where(
            BookingSeat.event_id.in_(ids),
            BookingSeat.active,
            or_(Booking.status == "confirmed", Booking.expires_at > now),
        )
        .group_by(BookingSeat.event_id, Booking.status)
    )
    seats_in: dict[tuple[int, str], int] = {(e, st): n for e, st, n in in_bookings}
    blocked_seats = _by_event(
        select(Seat.event_id, func.count()).where(Seat.blocked).group_by(Seat.event_id)
    )
    live = store().counts_now(ids, _now_ms())
    rows = []
    for summary in events:
        held_now, created, expired = live[summary.id]
        pending = seats_in.get((summary.id, "pending"), 0)
        confirmed = seats_in.get((summary.id, "confirmed"), 0)
        total = len(layout_of(summary.id).seats)  # cached per process: seats never change
        blocked = blocked_seats.get(summary.id, 0)
        taken = held_now + confirmed + blocked
        rows.append(
            {
                "id": summary.id,
                "name": summary.name,
                "starts_at": summary.starts_at,
                "total": total,
                "available": max(total - taken, 0),
                "held": max(held_now - pending, 0),
                "pending": pending,
                "confirmed": confirmed,
                "blocked": blocked,
                "revenue_cents": revenue.get(summary.id, 0),
                "holds_created_1h": created,
                "holds_expired_1h": expired,
            }
        )
    return rows


def _by_event(query) -> dict[int, int]:
    return {event_id: int(n or 0) for event_id, n in session().execute(query)}


@dataclass(frozen=True)
class StaffSeat(SeatState):
    """A seat as staff see it: its state plus who holds or bought it."""

    detail: str = ""


def staff_seat_map(event_id: int) -> list[StaffSeat]:
    """Every seat with its state and who holds or bought it (for hover text)."""
    states = seat_states(event_id).seats
    active = inventory.active_seats(session(), event_id, utcnow())
    holders = {
        s: h["hold_id"][-6:] for h in store().live_holds(event_id, _now_ms()) for s in h["seat_ids"]
    }
    out = []
    for s in states:
        if s.id in active:
            detail = f"{active[s.id].status} {active[s.id].reference}"
        elif s.id in holders:
            detail = f"held (hold …{holders[s.id]})"
        else:
            detail = s.status
        out.append(StaffSeat(**vars(s), detail=detail))
    return out


def occupancy_by_section(seats: list) -> list[dict]:
    """Counts per section and status, in map order."""
    sections: dict[str, dict] = {}
    for seat in seats:
        counts = sections.setdefault(
            seat.section,
            {
                "section": seat.section,
                "available": 0,
                "held": 0,
                "mine": 0,
                "booked": 0,
                "blocked": 0,
            },
        )
        counts[seat.status] += 1
    return list(sections.values())


def events_by_date(only: set[int] | None = None) -> list[Event]:
    """Every event (of `only`, when given), soonest first (the bookings search's filter)."""
    query = select(Event).order_by(Event.starts_at, Event.id)
    if only is not None:
        query = query.where(Event.id.in_(only))
    return list(session().scalars(query))


def search_bookings(
    q: str = "",
    status: str = "",
    event_id: int | None = None,
    page: int = 1,
    only: set[int] | None = None,
) -> tuple[list[Booking], int]:
    """Bookings matching a reference, email or seat label; newest first, one page; of
    the events in `only`, when given (a staff role limited to some events).

    Raises:
        BookingError: invalid_input for a page or event id no database could hold.
    """
    if not 1 <= page <= MAX_PAGE:
        raise BookingError("invalid_input", f"Page must be a number from 1 to {MAX_PAGE}.")
    if event_id is not None and not 0 < event_id <= MAX_ID:
        raise BookingError("invalid_input", "That event id is out of range.")
    stmt = select(Booking)
    if q:
        like = f"%{q.strip().lower()}%"
        seat_match = (
            select(BookingSeat.booking_id)
            .join(Seat)
            .where(func.lower(Seat.label) == q.strip().lower())
        )
        stmt = stmt.where(
            or_(
                func.lower(Booking.reference).like(like),
                func.lower(Booking.email).like(like),
                Booking.id.in_(seat_match),
            )
        )
    if status:
        stmt = stmt.where(Booking.status == status)
    if event_id:
        stmt = stmt.where(Booking.event_id == event_id)
    if only is not None:
        stmt = stmt.where(Booking.event_id.in_(only))
    total = session().scalar(select(func.count()).select_from(stmt.subquery()))
    rows = (
        session()
        .scalars(
            stmt.order_by(Booking.created_at.desc(), Booking.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
        .all()
    )
    return list(rows), total


CSV_HEADER = [
    "reference", "status", "name", "email", "seats", "amount", "created_at", "checked_in",
]  # fmt: skip


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading
    apostrophe (OWASP's advice on CSV injection), so a customer called
    =HYPERLINK(...) is not a live link in the box office's spreadsheet."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def bookings_csv(event_id: int) -> Iterator[str]:
    """The event's bookings as CSV, one line at a time (streamed to the browser)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(v) for v in values])
        return buffer.getvalue()

    yield line(CSV_HEADER)
    inside = {
        booking_id: n
        for booking_id, n in session().execute(
            select(BookingSeat.booking_id, func.count(CheckIn.id))
            .join(CheckIn, CheckIn.booking_seat_id == BookingSeat.id)
            .where(CheckIn.event_id == event_id)
            .group_by(BookingSeat.booking_id)
        )
    }
    stmt = select(Booking).where(Booking.event_id == event_id).order_by(Booking.id)
    for booking in session().scalars(stmt).yield_per(500):
        yield line(
            [
                booking.reference,
                booking.status,
                booking.name,
                booking.email,
                " ".join(bs.seat.label for bs in booking.seats),
                f"{booking.amount_cents / 100:.2f}",
                iso(booking.created_at),
                str(inside.get(booking.id, 0)),
            ]
        )


def _now_ms() -> int:
    return int(time.time() * 1000)
