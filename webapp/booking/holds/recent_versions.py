"""The event versions this process's polls read lately, so that a crowd polling an
event where nothing changes costs Redis nothing.

Every open event page asks "what changed since version V?" every second. A poll that
brings the version another poll of this process read less than POLL_FRESH_MS ago is
answered "nothing new" from here. A change this process makes to the event (a hold, a
release, a sale, a block) forgets the event's entry, so its own customers see their
changes at once; a change made by another process shows at most POLL_FRESH_MS later,
on top of the page's interval. A poll's answer carries the version its seats are
from, so a page never skips a change: it asks again from that version.
"""

from __future__ import annotations

import time

from webapp.booking.context import setting

_seen: dict[int, tuple[int, float]] = {}  # event id -> (version, fresh until, monotonic)
MAX_EVENTS = 10_000


def unchanged(event_id: int, version: int) -> bool:
    """True if `version` is the event's version as a poll read it within POLL_FRESH_MS."""
    found = _seen.get(event_id)
    return found is not None and found[0] == version and found[1] > time.monotonic()


def saw(event_id: int, version: int) -> None:
    """A poll read the event's current version from Redis."""
    fresh_ms = setting("POLL_FRESH_MS")
    if fresh_ms <= 0:
        return
    if len(_seen) >= MAX_EVENTS:
        _seen.clear()
    _seen[event_id] = (version, time.monotonic() + fresh_ms / 1000)


def forget(event_id: int) -> None:
    """This process changed the event: the next poll reads Redis."""
    _seen.pop(event_id, None)


def clear() -> None:
    _seen.clear()
