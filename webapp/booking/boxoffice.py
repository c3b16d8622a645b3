"""What staff can do mid-sale: refund a sale, release a hold, take seats off sale.

Setting up venues and events is event_setup.py's."""

from __future__ import annotations

from sqlalchemy import select, update

from webapp.booking import giveback, keys, outbox, staff_audit
from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.holdstore import store
from webapp.booking.models import Booking, BookingSeat, Seat
from webapp.booking.payments import refund_at_provider, refund_in
from webapp.database import write_transaction


def cancel_and_refund(reference: str, reason: str) -> Booking:
    """Cancel a confirmed booking, refund it in full, and put its seats back on sale.

    The database change (status, seats, refund) is one transaction; then the
    seats' "sold" marks are removed in Redis and every open map is told.

    Raises:
        BookingError: booking_not_found, or invalid_input unless it is confirmed.
    """
    booking = session().scalar(select(Booking).where(Booking.reference == reference))
    if booking is None:
        raise BookingError("booking_not_found")
    reason = (reason or "").strip() or "Cancelled by the box office."
    with write_transaction(session()) as s:
        locked = s.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == "confirmed")
            .values(status="confirmed")
        )  # take the row lock first
        if locked.rowcount != 1:
            raise BookingError("invalid_input", "Only a confirmed booking can be refunded.")
        refund_in(s, s.get(Booking, booking.id), reason)
        detail = f"{booking.reference}: {booking.amount_cents} ({reason})"
        staff_audit.record_in(s, "refunded booking", detail, booking.event_id)
    outbox.kick()
    refund_at_provider(booking)  # Stripe's money back (the test provider's is at once)
    giveback.settle_seats(booking, "unsell")
    session().refresh(booking)
    return booking


def release_any_hold(hold_id: str, of_event: int | None = None) -> list[int]:
    """Release a customer's hold from the box office (its pending booking is cancelled);
    with `of_event`, only a hold of that event (the staff page's, checked for its role).

    Raises:
        BookingError: hold_not_found.
    """
    event_id = keys.event_of_hold(hold_id)
    if of_event is not None and event_id != of_event:
        event_id = None
    info = store().info(event_id, hold_id) if event_id is not None else None
    if info is None:
        raise BookingError("hold_not_found")
    freed = giveback.end_hold(
        event_id,
        hold_id,
        info["customer"],
        info["seat_ids"],
        pending_reason="Released by the box office.",
    )
    staff_audit.record("released hold", f"{hold_id}: {len(freed)} seat(s)", event_id)
    return freed


def set_blocked(event_id: int, labels: list[str], blocked: bool) -> list[Seat]:
    """Take seats off sale (blocked) or put them back; a held or sold seat refuses.

    Redis marks the seats first, atomically against concurrent holds, then the
    database flag follows (what the maps and the hold checks read).

    Raises:
        BookingError: invalid_input for unknown labels, seats_unavailable when
            any seat is held or sold (nothing changes then).
    """
    wanted = [label.strip().upper() for label in labels if label.strip()]
    seats = list(
        session().scalars(select(Seat).where(Seat.event_id == event_id, Seat.label.in_(wanted)))
    )
    unknown = sorted(set(wanted) - {s.label for s in seats})
    if not wanted or unknown:
        raise BookingError("invalid_input", f"Unknown seats: {', '.join(unknown) or 'none given'}.")
    if blocked:
        _refuse_booked(event_id, seats)
    newly = [x.id for x in seats if not x.blocked]
    refused = store().block(event_id, [s.id for s in seats], blocked)
    if refused:
        labels_by_id = {s.id: s.label for s in seats}
        raise BookingError(
            "seats_unavailable",
            f"{', '.join(labels_by_id[i] for i in refused)} "
            "is held or sold; release or refund it first.",
            seat_ids=refused,
        )
    try:
        with write_transaction(session()) as s:
            ids = [x.id for x in seats]
            s.execute(update(Seat).where(Seat.id.in_(ids)).values(blocked=blocked))
            if blocked:  # again under the row locks: a late payment may have confirmed since
                _refuse_booked(event_id, seats, s)
            labels = ", ".join(x.label for x in seats)
            staff_audit.record_in(s, "blocked" if blocked else "unblocked", labels, event_id)
    except BookingError:
        store().block(event_id, newly, False)
        raise
    return seats


def _refuse_booked(event_id: int, seats: list[Seat], s=None) -> None:
    taken = (
        (s or session())
        .scalars(
            select(Seat.label)
            .join(BookingSeat, BookingSeat.seat_id == Seat.id)
            .where(
                BookingSeat.event_id == event_id,
                BookingSeat.active,
                Seat.id.in_([s.id for s in seats]),
            )
        )
        .all()
    )
    if taken:
        raise BookingError(
            "seats_unavailable", f"{', '.join(taken)} is in a booking; refund it first."
        )
