"""Best-available pools in Redis: per event and per section, the seats it may offer.

hold.lua searches a pool row by row inside the script ("best" mode), so a
best-available hold sends no candidate list and its cost follows the rows it reads,
not the venue's size or how full it is. A pool is a hint, never the truth: seat keys
decide. hold.lua drops the seats it finds taken, and seats given back are added
again here, so a pool lacks a free seat only between a hold lapsing and its release
by the expiry listener or the fallback job.

Each pool has a row index (keys.pool_rows): for every pick size up to INDEXED_SIZES,
the rows that may still offer a pick of that size stranding nobody. hold.lua drops a
row from a size's index when it finds the row cannot, and every change to a row's
seats (a take in hold.lua, a give-back or a block here) puts the row back for every
size. So a search reads the rows changed since it last looked plus the one it picks
from, however full the venue is: without it, a single-seat buyer re-read every row
left holding only free pairs, which grew with the sale (13.8 ms of Redis per hold on
the 20,000-seat arena near the end, against 0.23 ms for groups).
"""

from __future__ import annotations

import redis as redis_lib

from webapp.booking.holds import keys
from webapp.booking.venues import geometry

BAND = 2**20  # a row's seats share one band of scores: y * BAND + x
OFFERED = ("seat", "companion")  # wheelchair spaces only when asked (the candidate path)
INDEXED_SIZES = 10  # picks of 1..10 seats use the row index (hold.lua's INDEXED)
ROW_BAND = 2**32  # a size's rows share one band of index scores: n * ROW_BAND + y


def score(seat: geometry.Geo) -> int:
    """Front rows first; within a row, left to right (hold.lua measures the centre)."""
    return seat.y * BAND + seat.x


def pool_names(seat: geometry.Geo) -> list[str | None]:
    """The pools a seat belongs to: the whole event (None) and its section."""
    return [None, seat.section] if seat.kind in OFFERED else []


def row_entries(y: int) -> dict[str, int]:
    """A row's members of a row index, one per indexed size."""
    return {f"{n}:{y}": n * ROW_BAND + y for n in range(1, INDEXED_SIZES + 1)}


def build(pipe, layout: geometry.EventLayout) -> None:
    """Queue on `pipe` the event's pools (every offered seat), their row indexes, the
    neighbour table and the row table. Seats already taken are dropped by hold.lua
    when it meets them, and their rows from an index when it reads them."""
    event_id = layout.event_id
    members: dict[str | None, dict[str, int]] = {}
    for seat in layout.seats:
        for name in pool_names(seat):
            members.setdefault(name, {})[str(seat.id)] = score(seat)
    seated = [s for s in layout.seats if s.kind != "standing"]
    table = {str(s.id): ",".join(map(str, layout.neighbours(s.id))) for s in seated}
    for name, seats in members.items():
        pipe.zadd(keys.pool(event_id, name), seats)
        ys = {score // BAND for score in seats.values()}
        index = {m: v for y in ys for m, v in row_entries(y).items()}
        pipe.delete(keys.pool_rows(event_id, name))
        pipe.zadd(keys.pool_rows(event_id, name), index)
    if table:
        pipe.hset(keys.neighbour_table(event_id), mapping=table)
        rows = {str(s.id): f"{s.y}:{s.section}" for s in seated}
        pipe.hset(keys.row_table(event_id), mapping=rows)


def queue_touch(pipe, event_id: int, seat_ids: list[int]) -> None:
    """Queue on `pipe` putting the rows of these seats (and of their neighbours) back
    in the row indexes of the event's pool and their sections' (see the docstring)."""
    layout = geometry.layout_of(event_id)
    rows: set[tuple[str, int]] = set()
    for seat_id in seat_ids:
        for near in (seat_id, *layout.neighbours(seat_id)):
            seat = layout.seat(near) if near else None
            if seat is not None and seat.kind != "standing":
                rows.update({("*", seat.y), (seat.section, seat.y)})
    for name, y in rows:
        pipe.zadd(keys.pool_rows(event_id, None if name == "*" else name), row_entries(y))


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
    queue_touch(pipe, event_id, seat_ids)
