"""The signal that seats came back on sale, for the waiting list (kept apart from
waitlist.py so holds, expiry and the box office can send it without import cycles)."""

from __future__ import annotations

from sqlalchemy import select

from webapp.booking.context import enqueue, session
from webapp.booking.models import WaitlistEntry

OPEN = ("waiting", "offered")  # waiting-list entries that may still want seats


def seats_returned(event_id: int) -> None:
    """Have a worker offer the seats if anyone is waiting for this event (one query)."""
    waiting = session().scalar(
        select(WaitlistEntry.id)
        .where(WaitlistEntry.event_id == event_id, WaitlistEntry.status.in_(OPEN))
        .limit(1)
    )
    if waiting is not None:
        enqueue("offer_waitlist", event_id, job_timeout=60)
