"""Seat states for a map: layout from the database, held from Redis.

A fixed cost whatever the venue size: two queries and one Redis round trip.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from webapp.booking import inventory, layouts
from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.holdstore import store
from webapp.booking.models import utcnow

STATUSES = ("available", "held", "mine", "booked", "blocked")


@dataclass(frozen=True)
class SeatState:
    id: int
    label: str
    section: str
    row: str
    number: int
    price_cents: int
    x: int
    y: int
    status: str

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "section": self.section,
            "row": self.row,
            "number": self.number,
            "price_cents": self.price_cents,
            "status": self.status,
        }


@dataclass(frozen=True)
class SeatMap:
    event_id: int
    version: int
    seats: list[SeatState]

    def counts(self) -> dict[str, int]:
        """How many seats are in each status."""
        counts = dict.fromkeys(STATUSES, 0)
        for seat in self.seats:
            counts[seat.status] += 1
        return counts


def seat_states(
    event_id: int, customer: str | None = None, seat_ids: list[int] | None = None
) -> SeatMap:
    """Every seat of the event (or just `seat_ids`) with its status as `customer` sees it.

    Raises:
        BookingError: event_not_found.
    """
    if inventory.get_event(session(), event_id) is None:
        raise BookingError("event_not_found")
    seats = inventory.event_seats(session(), event_id, seat_ids)
    active = inventory.active_seats(session(), event_id, utcnow(), seat_ids)
    held, mine, version = store().snapshot(event_id, customer, int(time.time() * 1000))
    return SeatMap(
        event_id,
        version,
        [
            SeatState(
                s.id,
                s.label,
                s.section,
                s.row,
                s.number,
                s.price_cents,
                s.x,
                s.y,
                _status(s.id, s.blocked, active, held, mine, customer),
            )
            for s in seats
        ],
    )


def _status(
    seat_id: int, blocked: bool, active: dict, held: set, mine: set, customer: str | None
) -> str:
    if seat_id in active:
        a = active[seat_id]
        if a.status == "confirmed":
            return "booked"
        return "mine" if customer and a.customer_id == customer else "held"
    if blocked:
        return "blocked"
    if seat_id in mine:
        return "mine"
    return "held" if seat_id in held else "available"


def changes_since(event_id: int, customer: str | None, version: int) -> SeatMap:
    """Only the seats that changed after `version`, as `customer` sees them now.

    Raises:
        BookingError: event_not_found (checked against the cached layout: no query).
    """
    layouts.layout_of(event_id)
    current, changed = store().changes_since(event_id, version)
    if not changed:
        return SeatMap(event_id, current, [])
    return seat_states(event_id, customer, changed)
