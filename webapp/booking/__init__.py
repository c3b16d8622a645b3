"""The booking domain: plain functions called by routes, jobs, the CLI and benchmarks.

Its rooms, lowest first: venues, holds, tickets, orders, onsale, reports; each may import
the ones below it and the shared modules here at the top (README: Layout). This facade
names what routes use most; the rest is imported from its room."""

from webapp.booking.errors import BookingError
from webapp.booking.holds import recent_versions
from webapp.booking.holds.holds import Hold, hold_best_available, hold_seats
from webapp.booking.holds.seatmap import (
    changes_since,
    seat_count,
    seat_states,
    section_of_seats,
    section_states,
    section_summaries,
    standing_areas,
)
from webapp.booking.onsale import room
from webapp.booking.orders.baskets import (
    extend_hold,
    get_hold,
    live_hold_in,
    release_hold,
    release_seats,
)
from webapp.booking.orders.checkout import start_checkout, submit_checkout_form
from webapp.booking.orders.expiry import expire_hold, expire_holds, release_due, sweep_expired
from webapp.booking.orders.payments import confirm_payment
from webapp.booking.reports.catalog import get_booking, get_event, list_events
from webapp.booking.venues import geometry, local_time, plan

__all__ = [
    "BookingError",
    "forget_cached",
    "changes_since",
    "get_booking",
    "get_event",
    "list_events",
    "get_hold",
    "live_hold_in",
    "release_seats",
    "Hold",
    "confirm_payment",
    "expire_hold",
    "expire_holds",
    "release_due",
    "extend_hold",
    "hold_best_available",
    "hold_seats",
    "release_hold",
    "seat_count",
    "seat_states",
    "section_states",
    "section_of_seats",
    "section_summaries",
    "standing_areas",
    "start_checkout",
    "submit_checkout_form",
    "sweep_expired",
]


def forget_cached() -> None:
    """Empty this process's caches of layouts, plans, room settings and venue time zones:
    a fresh database (each test, a benchmark's second stack) reuses event ids."""
    for cache in (geometry, plan, room, local_time, recent_versions):
        cache.clear()
