"""What staff watch during an on-sale: the live holds summarised and a page of them at a
time (an arena on-sale has thousands), and sales velocity per minute.

Seat labels and sections come from the cached layout, not the database, so a refresh
every 2 s costs a few Redis round trips however many holds there are.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from webapp.booking.holds.holdstore import store
from webapp.booking.venues.geometry import layout_of

HOLDS_PER_PAGE = 20
VELOCITY_MINUTES = 120  # the per-minute counters are kept two hours
VELOCITY_KINDS = ["seats_held", "seats_sold", "seats_released"]


@dataclass(frozen=True)
class HoldsView:
    """The summary of every live hold, and one page of those matching the search."""

    holds: int
    seats: int
    by_section: list[tuple[str, int]]
    expiring_soon: int  # holds lapsing within the next minute
    oldest_seconds_left: int | None  # the hold that lapses first
    page: list[dict]
    page_number: int
    pages: int
    matching: int
    search: str


def holds_view(event_id: int, search: str = "", page: int = 1) -> HoldsView:
    """Live holds of the event, summarised, with page `page` of those whose hold id or
    seat labels contain `search` (case-insensitive), soonest to lapse first."""
    now_ms = int(time.time() * 1000)
    holds = store().live_holds(event_id, now_ms)
    layout = layout_of(event_id)
    sections: Counter[str] = Counter()
    for hold in holds:
        geos = [layout.seat(s) for s in hold["seat_ids"]]
        hold["labels"] = [
            g.label if g else str(s) for g, s in zip(geos, hold["seat_ids"], strict=True)
        ]
        hold["seconds_left"] = max(0, (hold["expires_ms"] - now_ms) // 1000)
        sections.update(g.section for g in geos if g)
    needle = search.strip().lower()[:40]
    matching = [h for h in holds if not needle or matches_search(h, needle)]
    pages = max(1, -(-len(matching) // HOLDS_PER_PAGE))
    page = min(max(page, 1), pages)
    start = (page - 1) * HOLDS_PER_PAGE
    return HoldsView(
        holds=len(holds),
        seats=sum(len(h["seat_ids"]) for h in holds),
        by_section=sorted(sections.items()),
        expiring_soon=sum(h["seconds_left"] < 60 for h in holds),
        oldest_seconds_left=holds[0]["seconds_left"] if holds else None,
        page=matching[start : start + HOLDS_PER_PAGE],
        page_number=page,
        pages=pages,
        matching=len(matching),
        search=search.strip()[:40],
    )


def matches_search(hold: dict, needle: str) -> bool:
    """A seat label exactly, or 6+ characters of the hold id (the page shows the last 6);
    shorter pieces of a random id would match by chance."""
    if any(needle == x.lower() for x in hold["labels"]):
        return True
    return len(needle) >= 6 and needle in hold["hold_id"].lower()


def velocity(event_id: int, minutes: int = VELOCITY_MINUTES) -> dict[str, list[int]]:
    """Seats held, sold and released in each of the last `minutes` minutes, oldest first."""
    return store().per_minute(event_id, VELOCITY_KINDS, minutes)
