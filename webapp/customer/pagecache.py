"""One event page for every viewer with nothing of their own on it.

In an on-sale's first minute thousands open the same event page; nearly all of them
hold nothing yet, so their pages differ only in the CSRF token. Such a page is drawn
once (with a stand-in for the token) and handed to the next such viewer with their own
token put in, as long as it was drawn from the very seat map that viewer's request read
(seatmap hands one shared map to every viewer who holds none, until a seat moves) and
is at most PAGE_SHARE_MS old. The seats and standing places are therefore always as
current as the viewer's own read of Redis; what else the page shows (the event's name,
time and prices) can be that much older. A viewer with a basket, a lapsed basket, a
message waiting or a sale not yet open gets a page of their own.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

from webapp.booking.holds.seatmap import SeatMap
from webapp.customer.roomview import sale_opens

# Drawn into shared pages where the viewer's token goes: random per process, so no
# page can contain it by chance.
STAND_IN = f"csrf-stand-in-{secrets.token_hex(16)}"
MAX_PAGES = 256  # event pages (event, view) kept; the oldest goes when full


@dataclass(frozen=True)
class _Page:
    seat_map: SeatMap
    html: str
    drawn_at: float  # time.monotonic()


_pages: dict[tuple, _Page] = {}
_lock = threading.Lock()


def shareable(event_id: int, hold) -> bool:
    """True if this viewer's page would be anyone's: no basket (live or lapsed), no
    message waiting to be shown, no countdown to the sale's opening."""
    return (
        current_app.config["PAGE_SHARE_MS"] > 0
        and hold is None
        and not g.get("basket_lapsed")
        and "_flashes" not in session
        and sale_opens(event_id) is None
    )


def page(key: tuple, seat_map: SeatMap, draw: Callable[..., str]) -> str:
    """The page for `key` drawn from `seat_map`, with this viewer's CSRF token.

    `draw(**context)` renders the page; it is called with a `csrf_token` that gives the
    stand-in, and only when no page drawn from this very map is fresh enough."""
    max_age = current_app.config["PAGE_SHARE_MS"] / 1000
    token = generate_csrf()
    found = _pages.get(key)
    if (
        found is None
        or found.seat_map is not seat_map
        or time.monotonic() - found.drawn_at > max_age
    ):
        found = _Page(seat_map, draw(csrf_token=lambda: STAND_IN), time.monotonic())
        if token in found.html:  # drawn with this viewer's own token somewhere: not shared
            return found.html.replace(STAND_IN, token)
        with _lock:
            if key not in _pages and len(_pages) >= MAX_PAGES:
                _pages.pop(next(iter(_pages)))
            _pages[key] = found
    return found.html.replace(STAND_IN, token)
