"""Seats going back on sale: one path for every caller.

A released hold ends in Redis first (finish.lua) and its pending booking after, so a
checkout committing meanwhile finds the hold gone (checkout._undo_if_released) or is
found here. A booking's outcome (sold, declined, refunded) reaches Redis after its own
transaction. Either way the waiting list is nudged last.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select

from webapp.booking.context import enqueue, session
from webapp.booking.holds.holdstore import store
from webapp.booking.models import Booking, WaitlistEntry
from webapp.booking.orders import pending

OPEN = ("waiting", "offered")  # waiting-list entries that may still want seats
# Built once (every release asks): building it cost twice what running it does.
_ANYONE_WAITING = (
    select(WaitlistEntry.id)
    .where(WaitlistEntry.event_id == bindparam("event_id"), WaitlistEntry.status.in_(OPEN))
    .limit(1)
)


def end_hold(
    event_id: int,
    hold_id: str,
    customer: str,
    seat_ids: list[int],
    mode: str = "release",
    ip_key: str | None = None,
    pending_reason: str | None = None,
) -> list[int]:
    """A hold gives seats back (released whole, or some dropped): finish it in Redis,
    cancel its pending booking (when `pending_reason` is given) and nudge the waiting list.

    Returns:
        The seat ids that became available.
    """
    freed = store().finish(event_id, hold_id, customer, seat_ids, mode, ip_key)
    if pending_reason is not None:
        pending.end_pending_of_hold(hold_id, pending_reason)
    nudge_waitlist(event_id)
    return freed


def settle_seats(booking: Booking, mode: str, seat_ids: list[int] | None = None) -> None:
    """A booking's outcome reaches Redis after its transaction: its seats (or only
    `seat_ids`, some refunded) sold ("sell"), freed ("release") or back on sale after a
    refund ("unsell"); every open map is told (the database changed even where Redis
    had nothing left to change)."""
    if seat_ids is None:
        seat_ids = [bs.seat_id for bs in booking.seats]
    store().finish(booking.event_id, booking.hold_id, booking.customer_id, seat_ids, mode)
    store().publish(booking.event_id, seat_ids)
    if mode != "sell":
        nudge_waitlist(booking.event_id)


def nudge_waitlist(event_id: int) -> None:
    """Have a worker offer returned seats if anyone is waiting for this event (one query)."""
    waiting = session().scalar(_ANYONE_WAITING, {"event_id": event_id})
    if waiting is not None:
        enqueue("offer_waitlist", event_id, job_timeout=60)
