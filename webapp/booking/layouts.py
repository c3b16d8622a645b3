"""Seat geometry per event, read once per process and kept: it never changes.

Only geometry lives here (ids, sections, rows, positions) and the best-first
orders derived from it. Nothing about who holds or bought a seat is cached:
that always comes from Redis and the database.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.booking import allocation
from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.inventory import MAX_ID
from webapp.booking.models import Seat

MAX_EVENTS = 128
_cache: dict[int, EventLayout] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Geo:
    id: int
    section: str
    row: str
    x: int
    y: int
    price_cents: int


@dataclass
class EventLayout:
    event_id: int
    seats: list[Geo]
    sections: set[str]
    _groups: dict = field(default_factory=dict)

    def groups(self, n: int, section: str | None) -> list[list[int]]:
        """Windows of n neighbouring seats, best first (memoised per n and section)."""
        key = (n, section)
        if key not in self._groups:
            seats = [s for s in self.seats if section is None or s.section == section]
            self._groups[key] = allocation.adjacent_groups(seats, n)
        return self._groups[key]

    def best_first(self, section: str | None) -> list[int]:
        return [g[0] for g in self.groups(1, section)]

    def section_ids(self, section: str) -> list[int]:
        """Seat ids of one section."""
        return [s.id for s in self.seats if s.section == section]

    def section_order(self) -> list[str]:
        """Section names front to back, as the map shows them."""
        first_y: dict[str, int] = {}
        for seat in self.seats:
            first_y[seat.section] = min(first_y.get(seat.section, seat.y), seat.y)
        return sorted(first_y, key=lambda name: (first_y[name], name))


def layout_of(event_id: int) -> EventLayout:
    """The event's geometry (one query the first time in this process).

    Raises:
        BookingError: event_not_found when the event has no seats (or does not exist).
    """
    cached = _cache.get(event_id)
    if cached is not None:
        return cached
    if not 0 < event_id <= MAX_ID:
        raise BookingError("event_not_found")
    rows = (
        session()
        .execute(
            select(Seat.id, Seat.section, Seat.row, Seat.x, Seat.y, Seat.price_cents).where(
                Seat.event_id == event_id
            )
        )
        .all()
    )
    if not rows:
        raise BookingError("event_not_found")
    layout = EventLayout(event_id, [Geo(*r) for r in rows], {r.section for r in rows})
    with _lock:
        if len(_cache) >= MAX_EVENTS:
            _cache.pop(next(iter(_cache)))
        _cache[event_id] = layout
    return layout


def clear() -> None:
    """Forget every cached layout (tests recreate databases, reusing event ids)."""
    with _lock:
        _cache.clear()
