"""Best-available pools in Redis: per event and per section, the seats it may offer.

hold.lua searches a pool row by row inside the script ("best" mode), so a
best-available hold sends no candidate list and its cost follows the rows it reads,
not the venue's size or how full it is. A pool is a hint, never the truth: seat keys
decide. hold.lua drops the seats it finds taken, and seats given back are added
again here, so a pool lacks a free seat only between a hold lapsing and its release
by the expiry listener or the fallback job.
"""

from __future__ import annotations

import redis as redis_lib

from webapp.booking import geometry, keys

BAND = 2**20  # a row's seats share one band of scores: y * BAND + x
OFFERED = ("seat", "companion")  # wheelchair spaces only when asked (the candidate path)


def score(seat: geometry.Geo) -> int:
    """Front rows first; within a row, left to right (hold.lua measures the centre)."""
    return seat.y * BAND + seat.x


def pool_names(seat: geometry.Geo) -> list[str | None]:
    """The pools a seat belongs to: the whole event (None) and its section."""
    return [None, seat.section] if seat.kind in OFFERED else []


def build(pipe, layout: geometry.EventLayout) -> None:
    """Queue on `pipe` the event's pools (every offered seat) and neighbour table.
    Seats already taken are dropped by hold.lua when it meets them."""
    event_id = layout.event_id
    members: dict[str | None, dict[str, int]] = {}
    for seat in layout.seats:
        for name in pool_names(seat):
            members.setdefault(name, {})[str(seat.id)] = score(seat)
    table = {
        str(s.id): ",".join(map(str, layout.neighbours(s.id)))
        for s in layout.seats
        if s.kind != "standing"
    }
    for name, seats in members.items():
        pipe.zadd(keys.pool(event_id, name), seats)
    if table:
        pipe.hset(keys.neighbour_table(event_id), mapping=table)


def give_back(client: redis_lib.Redis, event_id: int, seat_ids: list[int]) -> None:
    """Put seats that may be free again back in their pools (one round trip).

    A seat someone took meanwhile is harmless there: hold.lua checks and drops it.
    """
    pipe = client.pipeline(transaction=False)
    queue_give_back(pipe, event_id, seat_ids)
    if len(pipe):
        pipe.execute()


def queue_give_back(pipe, event_id: int, seat_ids: list[int]) -> None:
    """give_back's commands, queued on a pipeline the caller sends."""
    layout = geometry.layout_of(event_id)
    for seat_id in seat_ids:
        seat = layout.seat(seat_id)
        if seat is None:
            continue
        for name in pool_names(seat):
            pipe.zadd(keys.pool(event_id, name), {str(seat_id): score(seat)})
