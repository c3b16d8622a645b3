"""Price zones: the distinct prices of an event's seats, dearest first.

The seat map draws each free seat in its zone's colour with a legend naming the
price, and best available can keep to seats up to a price. Zones come from the cached
layout (seat prices change only with the layout), so reading them costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.booking import geometry

# A free seat's outline per zone, dearest first: each >= 3:1 against the white seat
# and the page (WCAG 1.4.11), and none the green, amber or grey of the seat states.
# More zones than colours repeat them; the legend still names every price.
COLOURS = ("#0b6bcb", "#8250df", "#0a7d8c", "#bc4c00", "#bf3989", "#4d5b00")


@dataclass(frozen=True)
class Zone:
    index: int  # 0 for the dearest
    price_cents: int
    seats: int  # seats at this price (standing places not counted)

    @property
    def colour(self) -> str:
        return COLOURS[self.index % len(COLOURS)]

    @property
    def number(self) -> int:
        return zone_number(self.index)


def zone_number(index: int) -> int:
    """The colour a zone is drawn in (holdfast.css: [data-zone="0"] ... "5")."""
    return index % len(COLOURS)


_cache: dict[int, list[Zone]] = {}  # layout serial -> zones; a page reads them each time


def zones(event_id: int) -> list[Zone]:
    """The event's price zones, dearest first ([] for an event of standing only).
    geometry numbers each seat's zone when it reads the layout (Geo.zone)."""
    layout = geometry.layout_of(event_id)
    found = _cache.get(layout.serial)
    if found is None:
        counts: dict[int, list[int]] = {}
        for seat in layout.seats:
            if seat.kind != "standing":
                counts.setdefault(seat.zone, [seat.price_cents, 0])[1] += 1
        found = [Zone(i, *counts[i]) for i in sorted(counts)]
        if len(_cache) >= 1024:  # reloaded layouts leave their old serials behind
            _cache.clear()
        _cache[layout.serial] = found
    return found


def zone_below(event_id: int, max_price_cents: int) -> bool:
    """Whether any seat of the event costs at most this much."""
    return any(z.price_cents <= max_price_cents for z in zones(event_id))
