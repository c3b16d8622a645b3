"""What staff can do mid-sale: refund a sale, release a hold, take seats off sale.

Setting up venues and events is event_setup.py's."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select, update

from webapp.booking import audit, staff_audit
from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.holds import keys
from webapp.booking.holds.holdstore import store
from webapp.booking.models import Booking, BookingSeat, Seat
from webapp.booking.orders import booking_mail, giveback, outbox
from webapp.booking.orders.payments import (
    add_refund,
    refund_at_provider,
    refund_in,
    refunded_so_far,
)
from webapp.booking.venues import geometry
from webapp.database import write_transaction


@dataclass(frozen=True)
class RefundQuote:
    """What a refund of chosen tickets would give back, for staff to confirm first."""

    reference: str
    ticket_ids: list[int]
    labels: list[str]
    amount_cents: int
    whole: bool  # every ticket still admitting: the booking ends (refunded)
    email: str


def refund_quote(reference: str, ticket_ids: list[int] | None = None) -> RefundQuote:
    """The refund of these tickets (booking seat ids; None: all that still admit).

    Raises:
        BookingError: booking_not_found; invalid_input unless it is confirmed and the
        tickets are its own and still admit."""
    return _quote(_booking(reference), ticket_ids)


def _booking(reference: str) -> Booking:
    booking = session().scalar(select(Booking).where(Booking.reference == reference))
    if booking is None:
        raise BookingError("booking_not_found")
    return booking


def _quote(booking: Booking, ticket_ids: list[int] | None) -> RefundQuote:
    if booking.status != "confirmed":
        raise BookingError("invalid_input", "Only a confirmed booking can be refunded.")
    admitting = [bs for bs in booking.seats if bs.active]
    wanted = set(ticket_ids) if ticket_ids is not None else {bs.id for bs in admitting}
    chosen = [bs for bs in admitting if bs.id in wanted]
    if not chosen or len(chosen) != len(wanted):
        raise BookingError("invalid_input", "Choose tickets of this booking that still admit.")
    whole = len(chosen) == len(admitting)
    amount = (
        booking.amount_cents - refunded_so_far(session(), booking.id)
        if whole
        else sum(bs.price_cents for bs in chosen)
    )
    return RefundQuote(
        booking.reference,
        [bs.id for bs in chosen],
        [bs.seat.label for bs in chosen],
        amount,
        whole,
        booking.email,
    )


def cancel_and_refund(reference: str, reason: str, ticket_ids: list[int] | None = None) -> Booking:
    """Refund a confirmed booking's chosen tickets (None: all of them) and put their
    seats back on sale; refunding every ticket still admitting ends the booking.

    The database change (status, seats, refund) is one transaction; then the
    seats' "sold" marks are removed in Redis and every open map is told.

    Raises:
        BookingError: booking_not_found, or invalid_input (see refund_quote).
    """
    reason = (reason or "").strip() or "Cancelled by the box office."
    booking = _booking(reference)
    quote = _quote(booking, ticket_ids)
    with write_transaction(session()) as s:
        locked = s.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == "confirmed")
            .values(status="confirmed")
        )  # take the row lock first
        if locked.rowcount != 1:
            raise BookingError("invalid_input", "Only a confirmed booking can be refunded.")
        if quote.whole:
            refund_in(s, s.get(Booking, booking.id), reason)
        elif _refund_some(s, s.get(Booking, booking.id), quote, reason) != len(quote.ticket_ids):
            raise BookingError("invalid_input", "Those tickets changed meanwhile: look again.")
        detail = f"{booking.reference}: {', '.join(quote.labels)}, {quote.amount_cents} ({reason})"
        staff_audit.record_in(s, "refunded booking", detail, booking.event_id)
    outbox.kick()
    refund_at_provider(booking)  # Stripe's money back (the test provider's is at once)
    freed = [bs.seat_id for bs in booking.seats if bs.id in set(quote.ticket_ids)]
    giveback.settle_seats(booking, "unsell", freed)
    session().refresh(booking)
    return booking


def _refund_some(s, booking: Booking, quote: RefundQuote, reason: str) -> int:
    """Inside the refunding transaction: these tickets stop admitting and their price
    goes back; the booking stays confirmed. Returns how many were still active."""
    ended = s.execute(
        update(BookingSeat)
        .where(BookingSeat.id.in_(quote.ticket_ids), BookingSeat.active)
        .values(active=False)
    ).rowcount
    add_refund(s, booking, quote.amount_cents)
    note = f"Refunded {', '.join(quote.labels)} ({quote.amount_cents}): {reason}"
    audit.record(s, booking.id, "confirmed", "confirmed", note)
    booking_mail.seats_refunded(s, booking, quote.labels, quote.amount_cents, reason)
    return ended


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


def release_holds_of_seats(event_id: int, labels: list[str]) -> list[str]:
    """Release every live hold that has any of these seats (chosen on the staff map);
    returns the labels freed.

    Raises:
        BookingError: invalid_input for unknown labels or when none of them is held."""
    seats = _seats_by_label(event_id, labels)
    wanted = {s.id for s in seats}
    now_ms = int(time.time() * 1000)
    holds = [h for h in store().live_holds(event_id, now_ms) if wanted & set(h["seat_ids"])]
    if not holds:
        raise BookingError("invalid_input", "None of those seats is held now.")
    freed = []
    for hold in holds:
        try:
            freed += release_any_hold(hold["hold_id"], event_id)
        except BookingError:
            continue  # it lapsed or was checked out meanwhile
    layout = geometry.layout_of(event_id)  # cached: the labels need no query
    return [layout.seat(i).label for i in freed]


def _seats_by_label(event_id: int, labels: list[str]) -> list[Seat]:
    """The event's seats of these labels (any case).

    Raises:
        BookingError: invalid_input when none is given or one is unknown."""
    wanted = [label.strip().upper() for label in labels if label.strip()]
    seats = list(
        session().scalars(select(Seat).where(Seat.event_id == event_id, Seat.label.in_(wanted)))
    )
    unknown = sorted(set(wanted) - {s.label for s in seats})
    if not wanted or unknown:
        raise BookingError("invalid_input", f"Unknown seats: {', '.join(unknown) or 'none given'}.")
    return seats


def set_blocked(event_id: int, labels: list[str], blocked: bool) -> list[Seat]:
    """Take seats off sale (blocked) or put them back; a held or sold seat refuses.

    Redis marks the seats first, atomically against concurrent holds, then the
    database flag follows (what the maps and the hold checks read).

    Raises:
        BookingError: invalid_input for unknown labels, seats_unavailable when
            any seat is held or sold (nothing changes then).
    """
    seats = _seats_by_label(event_id, labels)
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
