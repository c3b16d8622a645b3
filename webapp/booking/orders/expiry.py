"""Ending holds that lapsed, and pending bookings with them (ARCHITECTURE invariant 4).

Three paths call into this module and may all run for the same hold: the expiry
listener (Redis keyspace notification), the delayed fallback job scheduled at
hold time, and the periodic sweep. Every function here is safe to run twice.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.booking.context import session, setting
from webapp.booking.holds import keys, tallies
from webapp.booking.holds.holdstore import store
from webapp.booking.models import Booking, BookingSeat, Event, utcnow
from webapp.booking.orders import pending
from webapp.booking.orders.giveback import nudge_waitlist
from webapp.database import write_transaction

# One fallback job at a time, and apart from it one listener: each caller kind has its
# own lock, so a listener killed mid-run never holds the fallback back. A run takes well
# under a second; a lock left by a dead caller lapses in DUE_LOCK_MS, and two runs that
# overlap after that are harmless (ending a hold is idempotent).
DUE_LOCK_KEY = "hf:due-lock"
LISTENER_DUE_LOCK_KEY = "hf:due-lock:listener"
DUE_LOCK_MS = 5_000
DUE_BATCH = 5000  # holds per event per run; the next run (a second later) takes the rest
BATCH = 500  # holds per query and pipeline in expire_holds
LAPSED = "The hold lapsed before payment."


def expire_lapsed_on_seats(
    s: Session, event_id: int, seat_ids: list[int], now: datetime, keep: int | None = None
) -> list[int]:
    """Inside an open transaction: expire lapsed pending bookings that sit on these seats.

    This is how a seat whose hold lapsed is sold again at once, without waiting
    for the listener or the sweep. `keep` names a booking to leave alone.
    """
    stmt = (
        select(Booking.id)
        .join(BookingSeat, BookingSeat.booking_id == Booking.id)
        .where(
            BookingSeat.event_id == event_id,
            BookingSeat.seat_id.in_(seat_ids),
            BookingSeat.active,
            Booking.status == "pending",
            Booking.expires_at <= now,
        )
    )
    lapsed = [b for b in set(s.scalars(stmt)) if b != keep]
    return pending.end_pending_in(s, lapsed, "expired", LAPSED)


def expire_hold(hold_id: str, path: str = "fallback") -> str:
    """End a lapsed hold: its pending booking expires and its seats go back on sale.

    Never touches a confirmed booking, nor a hold that is still live (it may
    have been extended since this call was scheduled).

    Returns:
        What happened: "expired", "released", "alive", "not_due", "confirmed",
        "gone" or "invalid".
    """
    return expire_holds([hold_id], path)[hold_id]


def expire_holds(hold_ids: list[str], path: str = "fallback") -> dict[str, str]:
    """expire_hold for many holds at once, with each one's outcome, at a fixed cost per
    event in the batch: a few Redis round trips, two queries and one write transaction
    (the listener drains bursts of expired keys into one call; the due-set job too).
    `path` names the caller (listener, fallback or sweep) for the expiry-lag metric.
    """
    by_event: dict[int, list[str]] = {}
    outcomes: dict[str, str] = {}
    for hold_id in dict.fromkeys(hold_ids):
        event_id = keys.event_of_hold(hold_id)
        if event_id is None:
            outcomes[hold_id] = "invalid"
        else:
            by_event.setdefault(event_id, []).append(hold_id)
    for event_id, ids in by_event.items():
        for start in range(0, len(ids), BATCH):
            outcomes.update(_expire_batch(event_id, ids[start : start + BATCH], path))
    return outcomes


def _expire_batch(event_id: int, hold_ids: list[str], path: str) -> dict[str, str]:
    infos = store().hold_infos(event_id, hold_ids)
    outcomes = {h: "alive" for h, info in infos.items() if info is None}
    lapsed = [h for h in hold_ids if h not in outcomes]
    due = _due_bookings(lapsed, outcomes)
    ended: list[int] = []
    if due:
        with write_transaction(session()) as s:
            ended = pending.end_pending_in(s, [b.id for b in due], "expired", LAPSED)
    ended_holds = {b.hold_id for b in due if b.id in ended}
    releasing = [infos[h] for h in lapsed if h not in outcomes and infos[h]]
    expired = len(ended_holds | {h["hold_id"] for h in releasing})  # the staff statistic
    if releasing:
        store().release_many(event_id, releasing, expired)
        now_ms = time.time() * 1000
        tallies.record_lag(path, [(now_ms - h["expires_ms"]) / 1000 for h in releasing])
    elif expired:
        store().count_hold_event(event_id, "expired", expired)
    for hold_id in lapsed:
        if hold_id not in outcomes:
            outcomes[hold_id] = (
                "expired" if hold_id in ended_holds else "released" if infos[hold_id] else "gone"
            )
    if ended:  # announce even when Redis had already dropped the keys: the database changed
        seats = session().scalars(
            select(BookingSeat.seat_id).where(BookingSeat.booking_id.in_(ended))
        )
        store().publish(event_id, list(seats))
    if ended or releasing:
        nudge_waitlist(event_id)
    return outcomes


def _due_bookings(hold_ids: list[str], outcomes: dict[str, str]) -> list[Booking]:
    """The pending bookings of these lapsed holds that are due to expire (one query);
    the others' outcomes go into `outcomes` as expire_hold names them."""
    if not hold_ids:
        return []
    due, now = [], utcnow()
    for booking in session().scalars(select(Booking).where(Booking.hold_id.in_(hold_ids))):
        if booking.status == "confirmed":
            outcomes[booking.hold_id] = "confirmed"
        elif booking.status == "pending" and booking.expires_at > now:
            outcomes[booking.hold_id] = "not_due"  # Redis forgot the timer; the booking rules
        elif booking.status == "pending":
            due.append(booking)
    return due


def sweep_expired(now: datetime | None = None) -> int:
    """Expire every pending booking past its deadline plus grace; returns how many."""
    cutoff = (now or utcnow()) - timedelta(seconds=setting("HOLD_GRACE_SECONDS"))
    stmt = select(Booking.hold_id).where(Booking.status == "pending", Booking.expires_at <= cutoff)
    done = 0
    for hold_id in list(session().scalars(stmt)):
        done += expire_hold(hold_id, "sweep") == "expired"
    return done


def move_pending_expiry(hold_id: str, expires_at: datetime) -> None:
    """Keep a pending booking's deadline in step with its extended hold."""
    with write_transaction(session()) as s:
        s.execute(
            update(Booking)
            .where(Booking.hold_id == hold_id, Booking.status == "pending")
            .values(expires_at=expires_at)
        )


def release_due(
    now_ms: int | None = None,
    grace_seconds: float | None = None,
    lock: str = DUE_LOCK_KEY,
    path: str = "fallback",
) -> int:
    """End every hold whose deadline + grace (HOLD_GRACE_SECONDS unless given) has
    passed: the fallback job's work, and the listener's check against Redis expiring
    keys late (it finds lapsed keys by sampling, so a storm can lag by seconds).

    hold.lua lists each new hold in its event's due set, extend.lua moves it and
    finish.lua removes it, so this reads one sorted set per event in one round trip.
    One caller at a time per `lock` (which lapses by itself); a second finds it taken
    and returns. Returns how many holds it ended.
    """
    client = store().client
    if not client.set(lock, "1", nx=True, px=DUE_LOCK_MS):
        return 0
    try:
        grace = setting("HOLD_GRACE_SECONDS") if grace_seconds is None else grace_seconds
        cutoff = (now_ms or int(time.time() * 1000)) - int(grace * 1000)
        event_ids = list(session().scalars(select(Event.id)))
        pipe = client.pipeline(transaction=False)
        for event_id in event_ids:
            pipe.zrangebyscore(keys.due(event_id), "-inf", cutoff, start=0, num=DUE_BATCH)
        ended = 0
        for event_id, hold_ids in zip(event_ids, pipe.execute(), strict=True):
            if not hold_ids:
                continue
            outcomes = expire_holds(hold_ids, path)
            ended += sum(o in ("expired", "released") for o in outcomes.values())
            # An extended hold's entry moved already; every other one is done with.
            done = [h for h, outcome in outcomes.items() if outcome != "alive"]
            if done:
                client.zrem(keys.due(event_id), *done)
        return ended
    finally:
        client.delete(lock)
