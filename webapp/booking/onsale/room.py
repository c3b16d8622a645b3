"""The waiting room: a fair line in front of an on-sale.

People who arrive in the last `early_minutes` before the sale opens get a random place
(kept for good, so refreshing or arriving first with a bot gains nothing); everyone
after opening joins the back in arrival order. An admitter (room_admit.lua, run every
second by the scheduler) lets people in at the event's rate and within its cap on active
shoppers; an admitted customer gets a signed pass (passes.py) for `pass_minutes`.
Every key is hash-tagged per event, so the room runs on Redis Cluster too.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.holds import keys
from webapp.booking.holds.holdstore import store
from webapp.booking.models import Event
from webapp.booking.onsale import passes, room_scripts, room_settings
from webapp.booking.onsale.room_settings import RoomSettings, now_ms, settings

POLL_SECONDS = 5  # how often a waiting page asks again
ADMIT_BATCH = 1000  # most people one admitter run lets in (bounds the script's time)


def forget(event_id: int) -> None:
    """Drop this process's copy of an event's settings (after staff changed them)."""
    room_settings.forget(event_id)
    _peeks.pop(event_id, None)


def clear() -> None:
    """Forget every cached setting (tests recreate databases, reusing event ids)."""
    room_settings.clear()
    _peeks.clear()


@dataclass(frozen=True)
class Place:
    """Where a customer stands: `state` is "admitted" (with a pass), "waiting", "early"
    (the room opens its doors later) or "open" (no room: shop now). `place` is the
    customer's number in line once places are drawn (0 before: `ahead` is then None),
    and `epoch` names the room it belongs to; the two let a poll work out `ahead` from
    the count admitted so far, without asking Redis (see `peek`)."""

    state: str
    ahead: int | None = 0
    in_line: int = 0
    eta_seconds: int | None = None
    token: str | None = None
    expires_ms: int | None = None
    opens_ms: int | None = None
    poll_seconds: int = POLL_SECONDS
    place: int = 0
    epoch: str = ""


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def join(event_id: int, customer: str, now: int | None = None, address: str | None = None) -> Place:
    """Join the event's waiting room, or read one's place: a refresh, a second tab or a
    reconnect keeps it. Admitted customers get their pass again. One network address
    takes at most QUEUE_PLACES_PER_ADDRESS places (`address` None: a caller that is no
    customer's request, uncounted).

    Raises:
        BookingError: event_not_found, queue_address_limit.
    """
    now = now_ms() if now is None else now
    room = settings(event_id)
    if not room.on:
        return Place("open", opens_ms=room.opens_ms)
    if not room.gathering(now):
        return Place("early", opens_ms=room.opens_ms)
    early = "0" if room.is_open(now) else "1"
    reply = room_scripts.script("join")(
        keys=[
            *room_scripts.room_keys(event_id),
            keys.room_seq(event_id),
            keys.room_state(event_id),
            keys.room_seen(event_id),
            keys.room_addresses(event_id),
        ],
        args=[
            customer,
            now,
            room.pass_ms,
            early,
            RANDOM_FLOOR + secrets.randbelow(RANDOM_FLOOR),
            secrets.token_hex(8),
            (address or "")[:64],
            setting("QUEUE_PLACES_PER_ADDRESS") if address else 0,
        ],
    )
    if _text(reply[0]) == "refused":
        raise BookingError("queue_address_limit", limit=setting("QUEUE_PLACES_PER_ADDRESS"))
    if _text(reply[0]) == "admitted":
        expires = int(float(reply[1])) + room.pass_ms
        token = passes.issue(customer, event_id, expires)
        return Place(
            "admitted",
            token=token,
            expires_ms=expires,
            opens_ms=room.opens_ms,
            epoch=_text(reply[2]),
        )
    ahead, in_line, place = int(reply[1]), int(reply[2]), int(float(reply[3]))
    if not place:  # before the draw: a random place, its rank means nothing yet
        return Place("waiting", None, in_line, eta(room, None, now), opens_ms=room.opens_ms,
                     epoch=_text(reply[4]))  # fmt: skip
    return Place(
        "waiting",
        ahead,
        in_line,
        eta(room, ahead, now),
        opens_ms=room.opens_ms,
        place=place,
        epoch=_text(reply[4]),
    )


# Pre-opening arrivals get a random place at or above this, so a draw always puts them
# after places already drawn (numbers far below it).
RANDOM_FLOOR = 10**12
PEEK_SECONDS = 1.0  # how old the admitted count behind a poll's answer may be
_peeks: dict[int, tuple[float, tuple]] = {}


_seen: dict[int, dict[str, int]] = {}  # polls since the last snapshot: event -> who, when
_seen_lock = threading.Lock()


def _note_seen(event_id: int, customer: str, now: int) -> None:
    with _seen_lock:
        _seen.setdefault(event_id, {})[customer] = now


def _snapshot(event_id: int) -> tuple[str, bool, int, int]:
    """(epoch, drawn, admitted or skipped so far, in line) of the room, read at most once
    a second per process: what every poll of the crowd is answered from. The same round
    trip records who polled since (the admitter skips places gone quiet)."""
    cached = _peeks.get(event_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    with _seen_lock:
        seen = _seen.pop(event_id, None)
    pipe = store().client.pipeline(transaction=False)
    pipe.hmget(keys.room_state(event_id), ["epoch", "drawn", "admitted", "skipped"])
    pipe.zcard(keys.room_queue(event_id))
    if seen:
        pipe.zadd(keys.room_seen(event_id), seen, xx=True)  # only places still in line
    (epoch, drawn, admitted, skipped), waiting, *_ = pipe.execute()
    passed = int(admitted or 0) + int(skipped or 0)
    found = (_text(epoch or ""), drawn in (b"1", "1"), passed, int(waiting))
    if len(_peeks) > 1024:
        _peeks.clear()
    _peeks[event_id] = (time.monotonic() + PEEK_SECONDS, found)
    return found


def peek(
    event_id: int,
    customer: str,
    place: int,
    epoch: str,
    now: int | None = None,
    address: str | None = None,
) -> Place:
    """A poll from someone in line: where they stand, worked out from their place and
    the room's admitted count (cached a second per process), so the crowd's polls cost
    Redis nothing but a share of one write a second (that they are still there); only a
    customer whose turn has come (or who has no place yet) joins for real, to collect
    the pass."""
    now = now_ms() if now is None else now
    room = settings(event_id)
    if not room.on or not room.gathering(now):
        return join(event_id, customer, now, address)
    _note_seen(event_id, customer, now)
    current, drawn, admitted, waiting = _snapshot(event_id)
    if not epoch or epoch != current or (drawn and not place):
        return join(event_id, customer, now, address)
    if not drawn:
        return Place("waiting", None, waiting, eta(room, None, now), opens_ms=room.opens_ms,
                     place=0, epoch=epoch)  # fmt: skip
    ahead = place - 1 - admitted
    if ahead < 0:
        return join(event_id, customer, now, address)
    return Place("waiting", ahead, max(waiting, ahead + 1), eta(room, ahead, now),
                 opens_ms=room.opens_ms, place=place, epoch=epoch)  # fmt: skip


def eta(room: RoomSettings, ahead: int | None, now: int) -> int | None:
    """Seconds until this place is admitted, roughly: the rate, else the cap's turnover
    (before the draw, when the place is not known: until opening)."""
    until_open = max(0, (room.opens_ms or now) - now) // 1000
    if ahead is None:
        return until_open
    if room.rate:
        return until_open + (ahead + 1) * 60 // room.rate
    if room.cap:
        return until_open + (ahead // room.cap + 1) * room.pass_minutes * 60
    return None


def admit(event_id: int, now: int | None = None, batch: int = ADMIT_BATCH) -> list[str]:
    """Let the next people in (at most what the rate and cap allow): one script run."""
    now = now_ms() if now is None else now
    room = settings(event_id)
    quiet_ms = setting("QUEUE_IDLE_SECONDS") * 1000
    admitted = room_scripts.script("admit")(
        keys=[
            *room_scripts.room_keys(event_id),
            keys.room_state(event_id),
            keys.room_seen(event_id),
        ],
        args=[
            now,
            room.rate,
            room.cap,
            room.pass_ms,
            "1" if room.is_open(now) else "0",
            batch,
            quiet_ms,
            "1" if room.paused else "0",
        ],
    )
    return [c.decode() if isinstance(c, bytes) else c for c in admitted]


def admit_all(now: int | None = None) -> int:
    """The admitter (every second): each event whose room is on lets its next people in
    (the rooms come from the database: one small query a run)."""
    rooms = session().scalars(select(Event.id).where(Event.waiting_room)).all()
    session().commit()  # end the read: the next run sees staff changes
    return sum(len(admit(event_id, now)) for event_id in rooms)


def gate(event_id: int, customer: str, token: object, now: int | None = None) -> int:
    """May this customer hold or buy seats of this event now? Returns the seat cap their
    pass carries (0: the usual limit).

    Raises:
        BookingError: queue_required (the room is on and there is no valid pass),
            sale_not_open (before general sale, without a presale pass), event_not_found.
    """
    now = now_ms() if now is None else now
    room = settings(event_id)
    opened = room.is_open(now)
    if opened and not room.on:
        return 0
    found = passes.verify(token, customer, event_id, now)
    if found is not None and (opened or found.kind == "presale"):
        return found.seat_cap
    queue_url = f"/events/{event_id}/queue"
    if not opened and not (room.on and room.gathering(now)):
        opens = datetime.fromtimestamp(room.opens_ms / 1000, UTC)
        raise BookingError("sale_not_open", opens=opens.strftime("%d %B %Y, %H:%M UTC"))
    raise BookingError("queue_required", queue_url=queue_url)


def needs_queue(event_id: int, customer: str, token: object, now: int | None = None) -> bool:
    """Should the event page send this customer to the waiting room first?"""
    now = now_ms() if now is None else now
    room = settings(event_id)
    if not room.on or not room.gathering(now):
        return False
    return passes.verify(token, customer, event_id, now) is None


def rearm(event_id: int) -> None:
    """After staff move the opening (later, or now): the next opening draws again. The
    line keeps its order, those who gather before it are placed after it at random,
    and every place is renumbered from those admitted so far; a new epoch makes every
    open queue page ask for its new place instead of trusting the one it kept."""
    pipe = store().client.pipeline(transaction=True)
    pipe.hdel(keys.room_state(event_id), "drawn", "base")
    pipe.hset(keys.room_state(event_id), "epoch", secrets.token_hex(8))
    pipe.delete(keys.room_seq(event_id))  # arrivals after the draw count from base again
    pipe.execute()
    _peeks.pop(event_id, None)


def set_paused(event_id: int, paused: bool) -> None:
    """Pause or resume admission (the line keeps its order)."""
    store().client.hset(keys.room_state(event_id), "paused", "1" if paused else "0")
