"""Who changed a booking: every status change is written in the same transaction.

The actor is ambient (a context variable) so the entry point sets it once:
the web request ("customer", "staff:<email>"), the webhook job ("webhook"),
the expiry listener, the fallback job or the sweeper.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import insert
from sqlalchemy.orm import Session

from webapp.booking.models import BookingEvent, utcnow

_actor: ContextVar[str] = ContextVar("holdfast_actor", default="system")
INSERT_ENTRY = insert(BookingEvent.__table__)


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute every booking change inside the block to `actor`."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(actor: str):
    """Set the actor until reset_actor(token) (for request hooks)."""
    return _actor.set(actor)


def reset_actor(token) -> None:
    _actor.reset(token)


def current_actor() -> str:
    return _actor.get()


def record(
    s: Session, booking_id: int, from_status: str | None, to_status: str, note: str | None = None
) -> None:
    """Inside the caller's transaction: append one audit entry (written at once: the
    booking has its id already, and an INSERT skips the ORM's unit of work)."""
    s.connection().execute(INSERT_ENTRY, entry(booking_id, from_status, to_status, note))


def entry(
    booking_id: int | None, from_status: str | None, to_status: str, note: str | None
) -> dict:
    """One audit entry's row, by the actor of now (`booking_id` None: a statement that
    inserts the booking too fills it in)."""
    return {
        "booking_id": booking_id,
        "from_status": from_status,
        "to_status": to_status,
        "actor": _actor.get(),
        "note": note,
        "created_at": utcnow(),
    }
