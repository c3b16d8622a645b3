"""No charge after the hold lapses: once a pending booking ends unpaid (expired, or
cancelled), its charge is closed at the provider, so a card page left open cannot pay
it late (what alf.io does). A payment that beat the close is settled as any late one:
confirmed while the seats are free, else refunded.

Bookings end inside transactions all over the domain (expiry, checkout taking a lapsed
seat, the box office); each notes the ids on its session, and only a commit sends them
to the `close_charges` job (the provider's API is never called inside a transaction).
"""

from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from webapp.booking.context import enqueue, session, setting
from webapp.booking.models import Booking, Payment
from webapp.booking.orders import providers
from webapp.database import write_transaction

ENDED = "holdfast_ended_bookings"
CLOSABLE = ("pending", "failed")  # a charge not paid (a decline can be paid again)


def note_ended(s: Session, booking_ids: list[int]) -> None:
    """Inside the ending transaction: close these bookings' charges once it commits."""
    s.info.setdefault(ENDED, set()).update(booking_ids)


@event.listens_for(Session, "after_commit")
def _after_commit(s: Session) -> None:
    ended = s.info.pop(ENDED, None)
    # The test provider has nothing to close: no job per expiry batch for it.
    if ended and setting("PAYMENT_PROVIDER") != "test":
        enqueue("close_charges", sorted(ended))


@event.listens_for(Session, "after_rollback")
def _after_rollback(s: Session) -> None:
    s.info.pop(ENDED, None)


def close_charges(booking_ids: list[int]) -> int:
    """Close the unpaid charges of these bookings if they really ended (a savepoint
    rolled back may have noted one that did not); returns how many were closed."""
    charges = (
        session()
        .scalars(
            select(Payment)
            .join(Booking, Booking.id == Payment.booking_id)
            .where(
                Payment.booking_id.in_(booking_ids),
                Payment.kind == "charge",
                Payment.status.in_(CLOSABLE),
                Payment.provider != "test",
                Booking.status.in_(("expired", "cancelled")),
            )
        )
        .all()
    )
    for charge in charges:
        providers.of(charge).cancel(charge)
        with write_transaction(session()) as s:
            s.execute(
                update(Payment).where(Payment.id == charge.id).values(provider_status="canceled")
            )
    return len(charges)
