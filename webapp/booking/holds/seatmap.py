"""Seat states for a map: geometry from the per-process layout cache, states from Redis.

A map costs one Redis round trip and no query: once an event is primed (priming.py)
Redis holds a mark for every seat that is not free (sold, blocked, or the id of the
hold that has it), so the marks alone say what each seat is.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property, lru_cache

from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.holds import marks_cache, priming, recent_versions
from webapp.booking.holds.holdstore import store
from webapp.booking.models import utcnow
from webapp.booking.venues import geometry, inventory

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
    kind: str = "seat"  # seat | wheelchair | companion | standing (see models.Seat)
    restricted: bool = False
    zone: int = 0  # price zone, 0 the dearest (see price_zones)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "section": self.section,
            "row": self.row,
            "number": self.number,
            "price_cents": self.price_cents,
            "status": self.status,
            "kind": self.kind,
            "restricted_view": self.restricted,
        }


@dataclass(frozen=True)
class SeatMap:
    event_id: int
    version: int
    seats: list[SeatState]
    # The customer asked about holds seats of the event (read with the marks); False
    # for a map shared by every viewer who holds none (see _states).
    holds_mine: bool = False

    def counts(self) -> dict[str, int]:
        """How many seats are in each status."""
        counts = dict.fromkeys(STATUSES, 0)
        for seat in self.seats:
            counts[seat.status] += 1
        return counts

    @cached_property
    def _summaries(self) -> list[SectionSummary]:
        return self._summarise()

    def summaries(self) -> list[SectionSummary]:
        """Availability and prices per section of the seats loaded (no further reads;
        worked out once per map, as the page asks twice)."""
        return self._summaries

    def _summarise(self) -> list[SectionSummary]:
        by_section: dict[str, list[SeatState]] = {}
        for seat in self.seats:
            by_section.setdefault(seat.section, []).append(seat)
        return [
            SectionSummary(
                name,
                len(seats),
                sum(s.status == "available" for s in seats),
                min(s.price_cents for s in seats),
                max(s.price_cents for s in seats),
                seats[0].kind == "standing",
            )
            for name, seats in by_section.items()
        ]


def seat_states(
    event_id: int, customer: str | None = None, seat_ids: list[int] | None = None
) -> SeatMap:
    """Every seat of the event (or just `seat_ids`) with its status as `customer` sees it,
    front to back, left to right.

    Raises:
        BookingError: event_not_found.
    """
    layout = geometry.layout_of(event_id)
    if seat_ids is None:
        seats = layout.seats
    else:
        seats = sorted(
            (g for g in map(layout.seat, seat_ids) if g is not None),
            key=lambda g: (g.y, g.x, g.id),
        )
    return _states(layout, seats, customer, None)


# The last map (whole, or a section) drawn for a viewer who holds none of the event's
# seats, per layout and section, with the marks it was drawn from: while the marks cache
# hands back that same list (no seat of it moved), the next such viewer gets the same
# seats. An on-sale's crowd of page loads costs one walk over the seats per change.
_shared: dict[tuple, tuple[list, SeatMap]] = {}
_lock = threading.Lock()
MAX_SHARED = 256


def _states(layout, seats: list, customer: str | None, section: str | None) -> SeatMap:
    """The seats' states from Redis marks (whole maps and sections through the marks
    cache); primes the event first if Redis does not know it."""
    ids = [s.id for s in seats]
    whole = section is not None or len(ids) == len(layout.seats)  # a map, not a poll's few
    for _ in range(2):
        marks, mine, version = marks_cache.read(layout, ids, customer, section, cache=whole)
        if marks is not None:
            break
        priming.prime(layout.event_id)  # Redis knows nothing of the event, or forgot it
    key = (layout.serial, section)
    shared = whole and not mine
    found = _shared.get(key) if shared else None
    if found is not None and found[0] is marks:
        if found[1].version == version:
            return found[1]
        states = found[1].seats  # only seats outside this section moved: same states
    else:
        states = [_state(s, _status(s.id, m, mine)) for s, m in zip(seats, marks, strict=True)]
    seat_map = SeatMap(layout.event_id, version, states, bool(mine))
    if shared:
        with _lock:
            if key not in _shared and len(_shared) >= MAX_SHARED:
                _shared.pop(next(iter(_shared)))
            _shared[key] = (marks, seat_map)
    return seat_map


def _status(seat_id: int, mark: str | None, mine: set) -> str:
    if mark is None:
        return "available"
    if mark == "sold":
        return "booked"
    if mark == "blocked":
        return "blocked"
    return "mine" if seat_id in mine else "held"


@lru_cache(maxsize=400_000)
def _state(seat: geometry.Geo, status: str) -> SeatState:
    """A seat in one status; shared, as both are immutable (maps are mostly lookups)."""
    return SeatState(
        seat.id,
        seat.label,
        seat.section,
        seat.row,
        seat.number,
        seat.price_cents,
        seat.x,
        seat.y,
        status,
        seat.kind,
        seat.restricted,
        seat.zone,
    )


def changes_since(
    event_id: int, customer: str | None, version: int, section: str | None = None
) -> SeatMap:
    """Only the seats that changed after `version` (in `section`, when given), as
    `customer` sees them now.

    Raises:
        BookingError: event_not_found (checked against the cached layout: no query).
    """
    layout = geometry.layout_of(event_id)
    if recent_versions.unchanged(event_id, version):  # a poll read it just now
        return SeatMap(event_id, version, [])
    current, changed = store().changes_since(event_id, version)
    recent_versions.saw(event_id, current)
    if section is not None:
        wanted = set(layout.section_ids(section))
        changed = [s for s in changed if s in wanted]
    if not changed:
        return SeatMap(event_id, current, [])
    return seat_states(event_id, customer, changed)


def section_states(event_id: int, section: str, customer: str | None = None) -> SeatMap:
    """The seats of one section (large venues load the map a section at a time).

    Raises:
        BookingError: event_not_found, section_not_found.
    """
    layout = geometry.layout_of(event_id)
    if section not in layout.sections:
        raise BookingError("section_not_found", section=section)
    return _states(layout, layout.section_seats(section), customer, section)


@dataclass(frozen=True)
class SectionSummary:
    name: str
    total: int
    available: int
    min_price_cents: int
    max_price_cents: int
    standing: bool = False  # a general-admission area: places, not seats


def standing_areas(event_id: int) -> list[SectionSummary]:
    """The event's general-admission areas with their places left ([] for most events)."""
    if not geometry.layout_of(event_id).standing_areas():
        return []
    return [s for s in section_summaries(event_id).sections if s.standing]


def seat_count(event_id: int) -> int:
    """How many seats the event has (from the cached layout)."""
    return len(geometry.layout_of(event_id).seats)


@dataclass(frozen=True)
class Overview:
    version: int
    holds_mine: bool  # the customer asked about holds seats of the event
    sections: list[SectionSummary]


def section_of_seats(event_id: int, seat_ids: list[int]) -> str | None:
    """The section holding these seats (the first one's), from the cached layout."""
    if not seat_ids:
        return None
    return geometry.layout_of(event_id).seat(seat_ids[0]).section


def section_summaries(event_id: int, customer: str | None = None) -> Overview:
    """Availability and prices per section, without reading every seat's state, and
    whether `customer` holds seats of the event (read in the same round trip).

    Costs what is taken (active bookings, live holds, blocked seats), not the
    venue size: geometry and prices come from the cached layout.
    """
    layout = geometry.layout_of(event_id)
    taken = set(inventory.active_seats(session(), event_id, utcnow()))
    taken |= set(inventory.blocked_seats(session(), event_id))
    held, mine, version = store().snapshot(event_id, customer, int(time.time() * 1000))
    taken |= held
    sections: dict[str, list] = {}
    for seat in layout.seats:
        sections.setdefault(seat.section, []).append(seat)
    return Overview(
        version,
        bool(mine),
        [
            SectionSummary(
                name,
                len(sections[name]),
                sum(1 for s in sections[name] if s.id not in taken),
                min(s.price_cents for s in sections[name]),
                max(s.price_cents for s in sections[name]),
                sections[name][0].kind == "standing",
            )
            for name in layout.section_order()
        ],
    )
