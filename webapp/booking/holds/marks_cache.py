"""Seat marks for maps: whole maps and sections kept per process and brought up to date
from the event's changelog on every read; any other set of seats read as it is.

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

from redis.cluster import RedisCluster

from webapp.booking.holds import keys
from webapp.booking.holds.holdstore import store

MAX_ENTRIES = 256  # maps and sections per process; the oldest goes first
# (layout serial, section) -> (primed token, version, marks)
_cache: dict[tuple, tuple[str, int, list]] = {}
_lock = threading.Lock()


def read(layout, ids: list[int], customer: str | None, section: str | None, cache: bool):
    """(marks parallel to `ids`, the customer's held seats, version) in one round trip
    (two when cached marks are stale), or (None, ...) when the event is not primed.

    `cache`: keep the marks for the next read of the same map (a whole map or a
    section); other sets of seats (a poll's changes) are read as they are. While none
    of a kept map's seats moved, the list returned is the one kept (callers only read
    it), so the same list means the same marks: seatmap reuses the map it drew from it.
    """
    key = (layout.serial, section)
    cached = _cache.get(key) if cache else None
    client = store().client
    event_id = layout.event_id
    pipe = client.pipeline(transaction=False)
    pipe.get(keys.primed(event_id))
    pipe.get(keys.version(event_id))
    pipe.zrangebyscore(keys.customer(event_id, customer or "-"), int(time.time() * 1000), "+inf")
    # Cluster pipelines refuse MGET: there the marks take a round trip of their own.
    pipelined = cached is None and ids and not isinstance(client, RedisCluster)
    if cached is not None:
        pipe.zrangebyscore(keys.changelog(event_id), f"({cached[1]}", "+inf")
    elif pipelined:
        pipe.mget(_seat_keys(event_id, ids))
    primed, version, mine, *rest = pipe.execute()
    version, mine = int(version or 0), {int(s) for s in mine}
    if not primed:
        return None, mine, version
    if cached is None:
        marks = rest[0] if pipelined else (client.mget(_seat_keys(event_id, ids)) if ids else [])
    elif cached[0] != primed or version < cached[1] or len(rest[0]) > len(ids) // 4:
        marks = client.mget(_seat_keys(event_id, ids)) if ids else []
    else:
        marks = cached[2]  # the very list kept while no seat of it moved (see read)
        position = _positions(layout, section, ids)
        moved = [int(s) for s in rest[0] if int(s) in position]
        if moved:
            marks = list(marks)
            fresh = client.mget(_seat_keys(event_id, moved))
            for seat_id, mark in zip(moved, fresh, strict=True):
                marks[position[seat_id]] = mark
    if cache:
        with _lock:
            if key not in _cache and len(_cache) >= MAX_ENTRIES:
                _cache.pop(next(iter(_cache)))
            _cache[key] = (primed, version, marks)
    return marks, mine, version


def _seat_keys(event_id: int, ids: list[int]) -> list[str]:
    return [keys.seat(event_id, s) for s in ids]


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
