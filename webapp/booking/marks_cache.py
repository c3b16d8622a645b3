"""Seat marks of whole maps and sections, kept per process and brought up to date from
the event's changelog on every read.

Every change to a seat bumps the event's version and records the seat in its
changelog (the live-map poll reads the same two keys), so a map drawn again needs
only the marks of the seats changed since this process last read them: one round
trip for the version and the changes, and a second only when some changed. The cache
is never trusted without that check, so it never shows a seat older than the read; an
entry cached before Redis lost its data is dropped (the event's primed token changed).
"""

from __future__ import annotations

import threading
import time

from webapp.booking import keys
from webapp.booking.holdstore import store

MAX_ENTRIES = 256  # maps and sections per process; the oldest goes first
# (layout serial, section) -> (primed token, version, marks)
_cache: dict[tuple, tuple[str, int, list]] = {}
_lock = threading.Lock()


def read(layout, section: str | None, ids: list[int], customer: str | None):
    """(marks parallel to `ids`, the customer's held seats, version), or (None, ...) when
    the event is not primed."""
    key = (layout.serial, section)
    cached = _cache.get(key)
    client = store().client
    event_id = layout.event_id
    pipe = client.pipeline(transaction=False)
    pipe.get(keys.primed(event_id))
    pipe.get(keys.version(event_id))
    pipe.zrangebyscore(keys.customer(event_id, customer or "-"), int(time.time() * 1000), "+inf")
    if cached is not None:
        pipe.zrangebyscore(keys.changelog(event_id), f"({cached[1]}", "+inf")
    primed, version, mine, *changed = pipe.execute()
    version, mine = int(version or 0), {int(s) for s in mine}
    if not primed:
        return None, mine, version
    stale = cached is None or cached[0] != primed or version < cached[1]
    if stale or len(changed[0]) > len(ids) // 4:
        marks = client.mget([keys.seat(event_id, s) for s in ids]) if ids else []
    else:
        marks = list(cached[2])
        position = _positions(layout, section, ids)
        moved = [int(s) for s in changed[0] if int(s) in position]
        if moved:
            fresh = client.mget([keys.seat(event_id, s) for s in moved])
            for seat_id, mark in zip(moved, fresh, strict=True):
                marks[position[seat_id]] = mark
    with _lock:
        if key not in _cache and len(_cache) >= MAX_ENTRIES:
            _cache.pop(next(iter(_cache)))
        _cache[key] = (primed, version, marks)
    return marks, mine, version


_positions_cache: dict[tuple, dict[int, int]] = {}


def _positions(layout, section: str | None, ids: list[int]) -> dict[int, int]:
    key = (layout.serial, section)
    found = _positions_cache.get(key)
    if found is None:
        found = {seat_id: i for i, seat_id in enumerate(ids)}
        with _lock:
            if len(_positions_cache) >= MAX_ENTRIES:
                _positions_cache.clear()
            _positions_cache[key] = found
    return found
