"""Price zones: the distinct prices of an event's seats, dearest first.

The seat map draws each free seat in its zone's colour with a legend naming the
price, and best available can keep to seats up to a price. Zones come from the cached
layout (seat prices change only with the layout), so reading them costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.booking.venues import geometry

# Colours holdfast.css draws zones in ([data-zone="0"] ... "5"); more zones than that
# repeat them, and the legend still names every price.
ZONE_COLOURS = 6


@dataclass(frozen=True)
class Zone:
    index: int  # 0 for the dearest
    price_cents: int
    seats: int  # seats at this price (standing places not counted)

    @property
    def number(self) -> int:
        return zone_number(self.index)


def zone_number(index: int) -> int:
    """The colour a zone is drawn in (holdfast.css: [data-zone="0"] ... "5")."""
    return index % ZONE_COLOURS


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
