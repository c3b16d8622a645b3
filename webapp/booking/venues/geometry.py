"""Seat geometry per event, read once per process and kept: it never changes.

Only geometry lives here (ids, sections, rows, positions) and the best-first
orders derived from it. Nothing about who holds or bought a seat is cached:
that always comes from Redis and the database.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.locks import KeyedLocks
from webapp.booking.models import Event, Seat
from webapp.booking.venues import allocation
from webapp.booking.venues.inventory import MAX_ID

MAX_EVENTS = 128
_serials = itertools.count(1)
_cache: dict[int, EventLayout] = {}
_lock = threading.Lock()
# One loader per event and process: when an on-sale opens (or a worker starts) every
# thread asks for the layout at once, and 16 threads each reading a 20,000-seat arena
# kept a worker busy for seconds while the first buyers timed out.
_loading = KeyedLocks()


NO_NEIGHBOURS = (0, 0, 0, 0)
ROOM_COLUMNS = (
    Event.sale_opens_at,
    Event.waiting_room,
    Event.admit_per_minute,
    Event.max_shoppers,
    Event.pass_minutes,
    Event.early_minutes,
    Event.room_paused,
)


@dataclass(frozen=True)
class Geo:
    id: int
    section: str
    row: str
    x: int
    y: int
    price_cents: int
    label: str
    kind: str
    number: int = 0
    restricted: bool = False
    zone: int = 0  # price zone, 0 the dearest (see price_zones)


@dataclass
class EventLayout:
    event_id: int
    seats: list[Geo]
    sections: set[str]
    # The event's no-orphan setting: fixed when the event is created, like its seats.
    no_orphans: bool = True
    _groups: dict = field(default_factory=dict)
    _neighbours: dict | None = None
    _by_id: dict | None = None
    _places: dict | None = None
    _centres: dict = field(default_factory=dict)
    _sections: dict | None = None
    _order: list | None = None
    # The event's further ticket types per section (holds/ticket_types.py fills it once).
    ticket_types: dict | None = None
    # The sale and room settings as they were when the layout was read (ROOM_COLUMNS):
    # what room.settings falls back on while the database is away.
    room: tuple | None = None
    # Tells this layout from an earlier one of the same event id (tests recreate
    # databases), so caches of things drawn from it can key on it.
    serial: int = field(default_factory=lambda: next(_serials))

    def groups(
        self, n: int, section: str | None, wheelchair: bool = False, max_price: int | None = None
    ) -> list[list[int]]:
        """Windows of n neighbouring seats, best first (memoised per n, section, kind
        and price ceiling).

        Standing places are never offered (they are taken by quantity) and wheelchair
        spaces only when asked for: then every window holds at least one of them, and
        the rest are companion seats or further spaces. With `max_price`, only seats
        costing at most that (best still measured from the section's centre).
        """
        key = (n, section, wheelchair, max_price)
        if key not in self._groups:
            kinds = ("wheelchair", "companion") if wheelchair else ("seat", "companion")
            seats = [
                s
                for s in self.seats
                if s.kind in kinds
                and (section is None or s.section == section)
                and (max_price is None or s.price_cents <= max_price)
            ]
            centre = None if max_price is None else self.centre(section)
            groups = allocation.adjacent_groups(seats, n, centre)
            if wheelchair:
                spaces = {s.id for s in seats if s.kind == "wheelchair"}
                groups = [g for g in groups if spaces.intersection(g)]
            self._groups[key] = groups
        return self._groups[key]

    def best_first(
        self, section: str | None, wheelchair: bool = False, max_price: int | None = None
    ) -> list[int]:
        return [g[0] for g in self.groups(1, section, wheelchair, max_price)]

    def centre(self, section: str | None) -> float:
        """The centre line (x) that best available measures from, for the event or a
        section (memoised: hold.lua gets it with every best-available hold)."""
        if section not in self._centres:
            xs = [
                s.x
                for s in self.seats
                if s.kind in ("seat", "companion") and section in (None, s.section)
            ]
            self._centres[section] = (min(xs) + max(xs)) / 2 if xs else 0.0
        return self._centres[section]

    def seat(self, seat_id: int) -> Geo | None:
        if self._by_id is None:
            self._by_id = {s.id: s for s in self.seats}
        return self._by_id.get(seat_id)

    def neighbours(self, seat_id: int) -> tuple[int, int, int, int]:
        """(left, left of left, right, right of right) seat ids; 0 past a row end or aisle."""
        if self._neighbours is None:
            table = {}
            for run in allocation.runs([s for s in self.seats if s.kind != "standing"]):
                ids = [0, 0, *(s.id for s in run), 0, 0]
                for i in range(2, len(ids) - 2):
                    table[ids[i]] = (ids[i - 1], ids[i - 2], ids[i + 1], ids[i + 2])
            self._neighbours = table
        return self._neighbours.get(seat_id, NO_NEIGHBOURS)

    def row_run(self, seat_id: int) -> list[Geo]:
        """The seats side by side with this one (its row, up to the aisles), left to right."""
        seat = self.seat(seat_id)
        if seat is None or seat.kind == "standing":
            return []
        run = [seat]
        left, _, right, _ = self.neighbours(seat_id)
        while left:
            run.insert(0, self.seat(left))
            left = self.neighbours(left)[0]
        while right:
            run.append(self.seat(right))
            right = self.neighbours(right)[2]
        return run

    def standing_areas(self) -> list[str]:
        """Sections that are general-admission areas (places taken by quantity)."""
        return sorted(self._standing())

    def places(self, section: str) -> list[int]:
        """Place ids of a standing area ([] for any other name)."""
        return self._standing().get(section, [])

    def _standing(self) -> dict[str, list[int]]:
        """Place ids per standing area, found once (every GA hold asks)."""
        if self._places is None:
            places: dict[str, list[int]] = {}
            for s in self.seats:
                if s.kind == "standing":
                    places.setdefault(s.section, []).append(s.id)
            self._places = places
        return self._places

    def section_ids(self, section: str) -> list[int]:
        """Seat ids of one section, front to back (memoised: maps of large venues ask)."""
        if self._sections is None:
            by_section: dict[str, list[int]] = {}
            for s in self.seats:
                by_section.setdefault(s.section, []).append(s.id)
            self._sections = by_section
        return self._sections.get(section, [])

    def section_seats(self, section: str) -> list[Geo]:
        """The seats of one section, front to back, left to right."""
        return [self.seat(i) for i in self.section_ids(section)]

    def section_order(self) -> list[str]:
        """Section names front to back, as the map shows them (memoised)."""
        if self._order is None:
            first_y: dict[str, int] = {}
            for seat in self.seats:
                first_y[seat.section] = min(first_y.get(seat.section, seat.y), seat.y)
            self._order = sorted(first_y, key=lambda name: (first_y[name], name))
        return self._order


def layout_of(event_id: int) -> EventLayout:
    """The event's geometry (one query the first time in this process; threads that
    ask while it is read wait for that one read).

    Raises:
        BookingError: event_not_found when the event has no seats (or does not exist).
    """
    cached = _cache.get(event_id)
    if cached is not None:
        return cached
    if not 0 < event_id <= MAX_ID:
        raise BookingError("event_not_found")
    with _loading(event_id):
        cached = _cache.get(event_id)
        if cached is not None:
            return cached
        layout = _read_layout(event_id)
        with _lock:
            if len(_cache) >= MAX_EVENTS:
                _cache.pop(next(iter(_cache)))
            _cache[event_id] = layout
    return layout


def _read_layout(event_id: int) -> EventLayout:
    rows = (
        session()
        .execute(
            select(
                Seat.id,
                Seat.section,
                Seat.row,
                Seat.x,
                Seat.y,
                Seat.price_cents,
                Seat.label,
                Seat.kind,
                Seat.number,
                Seat.restricted,
            )
            .where(Seat.event_id == event_id)
            .order_by(Seat.y, Seat.x, Seat.id)  # front to back, left to right, as maps show
        )
        .all()
    )
    if not rows:
        raise BookingError("event_not_found")
    event = (
        session().execute(select(Event.no_orphans, *ROOM_COLUMNS).where(Event.id == event_id)).one()
    )
    dearest_first = sorted({r.price_cents for r in rows if r.kind != "standing"}, reverse=True)
    zone = {price: i for i, price in enumerate(dearest_first)}
    seats = [Geo(*r, zone=zone.get(r.price_cents, 0)) for r in rows]
    layout = EventLayout(event_id, seats, {r.section for r in rows}, bool(event[0]))
    layout.room = tuple(event[1:])
    return layout


def cached(event_id: int) -> EventLayout | None:
    """The event's layout if this process has read it (never reads the database)."""
    return _cache.get(event_id)


def clear() -> None:
    """Forget every cached layout (tests recreate databases, reusing event ids)."""
    with _lock:
        _cache.clear()
