"""The waiting room as staff see it: how many wait, how many shop, how long until the
line is clear at the event's rate."""

from __future__ import annotations

from dataclasses import dataclass

from webapp.booking.holds import keys
from webapp.booking.holds.holdstore import store
from webapp.booking.onsale.room import eta
from webapp.booking.onsale.room_settings import now_ms, settings


@dataclass(frozen=True)
class RoomFigures:
    waiting: int
    active: int  # admitted customers whose pass has not lapsed
    admitted_total: int
    paused: bool
    rate: int
    cap: int
    clear_seconds: int | None  # until everyone waiting is in, at the rate


def figures(event_id: int, now: int | None = None) -> RoomFigures:
    """The room as staff see it (one round trip)."""
    now = now_ms() if now is None else now
    room = settings(event_id)
    pipe = store().client.pipeline(transaction=False)
    pipe.zcard(keys.room_queue(event_id))
    pipe.zcount(keys.room_admitted(event_id), now - room.pass_ms, "+inf")
    pipe.hmget(keys.room_state(event_id), ["admitted", "paused"])
    waiting, active, (total, paused) = pipe.execute()
    clear = eta(room, waiting - 1, now) if waiting else 0
    return RoomFigures(
        waiting,
        active,
        int(total or 0),
        room.paused or paused in (b"1", "1"),
        room.rate,
        room.cap,
        clear,
    )
