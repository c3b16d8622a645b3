"""Rebuilding an event's Redis state from the database (ARCHITECTURE invariant 7).

hold.lua answers "cold" until the event is primed: its seat marks (sold, blocked,
pending bookings' holds), the seats each customer bought, and the best-available
pools. A new event is primed by its first hold. Redis that loses its data (restart,
FLUSHALL, failover to an empty replica) loses the primed flag with the rest, so the
next hold rebuilds everything before it takes a seat: a lost Redis never hands out a
seat the database has sold, and no hold reads the database to make sure of it. A
partial loss that keeps the flag (a lagging replica) is caught at checkout, where
the database decides (the unique index). Two primings at once are harmless: sold and
blocked marks are absolute, holds only fill gaps.
"""

from __future__ import annotations

import time

from webapp.booking.context import session
from webapp.booking.holds import keys
from webapp.booking.holds.holdstore import store
from webapp.booking.locks import KeyedLocks
from webapp.booking.models import utcnow
from webapp.booking.venues import geometry, inventory

_priming = KeyedLocks()


def prime(event_id: int) -> None:
    """Write the event's Redis state from the database (two queries, one round trip),
    unless another thread of this process did while this one waited its turn: when an
    on-sale opens, every thread finds the event cold at once, and each writing 20,000
    seats again kept Redis and the workers busy while buyers waited."""
    with _priming(event_id):
        if not store().client.exists(keys.primed(event_id)):
            _prime(event_id)


def _prime(event_id: int) -> None:
    layout = geometry.layout_of(event_id)
    marks = inventory.database_marks(session(), event_id, utcnow())
    bought = inventory.bought_by_customer(session(), event_id)
    store().prime(layout, marks, bought, int(time.time() * 1000))
