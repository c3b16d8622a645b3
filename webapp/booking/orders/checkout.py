"""Checkout: turn a live hold into a pending booking, exactly once."""

from __future__ import annotations

import secrets
import unicodedata

import redis
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.booking import audit
from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.holds import checked_out, keys, ticket_types
from webapp.booking.holds.holdreads import HoldReads
from webapp.booking.holds.holds import ms_to_datetime
from webapp.booking.holds.holdstore import store
from webapp.booking.models import Seat, utcnow
from webapp.booking.orders import expiry, idempotency, pending, pending_rows, providers
from webapp.booking.venues import inventory
from webapp.booking.venues.serialize import new_booking_dict
from webapp.database import write_transaction

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def start_checkout(
    hold_id: str, customer: str, name: str, email: str, idempotency_key: str | None
) -> tuple[int, dict]:
    """Create the pending booking for a live hold; retries replay the first answer.

    The booking and its active seat rows are inserted in one transaction; the
    partial unique index refuses a seat that is already in an active booking,
    even if Redis forgot the hold (ARCHITECTURE invariant 7).

    Args:
        hold_id: the customer's hold.
        customer: the customer id from the session.
        name, email: who the booking is for.
        idempotency_key: the client's Idempotency-Key header.

    Returns:
        (HTTP status, body): 201 with {"booking", "payment_url"}, or the stored
        error of the first attempt.

    Raises:
        BookingError: a missing or bad key, invalid contact details, a key
            reused with another body, or a key still in flight.
    """
    key = idempotency.check_key(idempotency_key)
    name, email = validate_contact(name, email)
    if not isinstance(hold_id, str):
        raise BookingError("hold_not_found")
    print_ = idempotency.fingerprint(hold_id, name, email)
    event_id = keys.event_of_hold(hold_id)

    def read_hold(pipe) -> None:  # in the claim's round trip
        if event_id is not None:
            HoldReads.queue_info_if_live(pipe, event_id, hold_id)

    return idempotency.run_idempotent(
        f"checkout:{customer}",
        key,
        print_,
        lambda claim: (201, _create_pending(event_id, hold_id, customer, name, email, claim)),
        read=read_hold,
    )


def submit_checkout_form(
    hold_id: str | None, customer: str, name: object, email: object, idempotency_key: object
) -> tuple[int, dict]:
    """The checkout form sent: start_checkout's answer, refusals included, as (status, body).

    A refusal comes back as the API's error body rather than raised, so the form can show
    it beside what was typed (as a replayed refusal already comes back). With no live
    basket (`hold_id` None) this is the form sent again after it succeeded: the first
    answer is given again and no second booking is made.

    Raises:
        BookingError: basket_empty, when there is no basket and no earlier success.
    """
    if hold_id is None:
        earlier = idempotency.stored_outcome(f"checkout:{customer}", idempotency_key)
        if earlier is None or earlier[0] != 201:
            raise BookingError("basket_empty")
        return earlier
    try:
        return start_checkout(hold_id, customer, name, email, idempotency_key)
    except BookingError as exc:
        return exc.status, exc.to_dict()


def validate_contact(name: object, email: object) -> tuple[str, str]:
    """Clean name and email, or refuse them with a message a person understands."""
    if isinstance(name, str) and any(unicodedata.category(c) == "Cc" for c in name):
        raise BookingError("invalid_input", "The name cannot contain control characters.")
    if not isinstance(name, str) or not name.strip():
        raise BookingError("invalid_input", "Please give the name the booking is for.")
    if len(name.strip()) > 200:
        raise BookingError("invalid_input", "The name can be at most 200 characters.")
    return name.strip(), validate_email_address(email)


def validate_email_address(email: object) -> str:
    """A normalised email address, or a refusal a person understands."""
    if not isinstance(email, str) or len(email) > 254:
        raise BookingError("invalid_input", "Please give a valid email address.")
    try:
        # No DNS lookups at checkout; ".test" addresses are allowed for test bookings.
        email = validate_email(email, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as exc:
        raise BookingError("invalid_input", f"That email address is not valid: {exc}") from exc
    return email


def _create_pending(
    event_id: int | None,
    hold_id: str,
    customer: str,
    name: str,
    email: str,
    claim: idempotency.Claim,
) -> dict:
    """The booking of a live hold, in one transaction on the way that almost every
    checkout takes. A second checkout of the hold and a seat held by a lapsed pending
    booking are found only when the insert fails (bookings.hold_id is unique, and so is
    an active seat), not looked for first: two queries and a transaction less for
    everyone else. `event_id` is the hold's (keys.event_of_hold), None for no hold id."""
    if event_id is None:
        raise BookingError("hold_not_found")
    info, live = HoldReads.parse_info_if_live(*claim.reads)  # read with the key's claim
    if info is None or not live:
        _refuse_second_checkout(hold_id, customer)  # checked out, then lapsed: say so
        raise BookingError("hold_expired")
    if info["customer"] != customer:
        raise BookingError("hold_not_found")
    for attempt in (1, 2):
        try:
            reply = _insert_booking(event_id, hold_id, customer, name, email, info, claim)
            break
        except IntegrityError:
            _refuse_second_checkout(hold_id, customer)
            # Once more only if lapsed pending bookings held the seats and are ended now.
            if attempt == 2 or not _free_lapsed_pendings(event_id, info["seat_ids"]):
                _refuse_taken(event_id, info["seat_ids"])
    _undo_if_released(event_id, hold_id)
    return reply


def _free_lapsed_pendings(event_id: int, seat_ids: list[int]) -> bool:
    """Expire lapsed pending bookings on these seats (their holds lapsed, the listener has
    not ended them yet), so the seats sell again at once; True if there were any."""
    with write_transaction(session()) as s:
        return bool(expiry.expire_lapsed_on_seats(s, event_id, seat_ids, utcnow()))


def _refuse_taken(event_id: int, seat_ids: list[int]) -> None:
    """Refuse a checkout whose seats are in someone else's active booking (the database
    decided: Redis had forgotten the hold, or a late payment took the seats)."""
    taken = inventory.active_seats(session(), event_id, utcnow(), seat_ids)
    labels = [s.label for s in session().scalars(select(Seat).where(Seat.id.in_(taken)))]
    raise BookingError("seats_unavailable", labels=labels or ["your seats"], seat_ids=sorted(taken))


def _undo_if_released(event_id: int, hold_id: str) -> None:
    """After the commit, look at the hold again: a release (the box office's, or the holder's
    in another tab) between the liveness check and the commit would otherwise be silently
    undone, the seats free in Redis and booked in the database. Releases end the hold in
    Redis first and look for its booking after, so one of the two always sees the other.
    If Redis cannot be reached the booking stands: it is committed with its idempotency
    answer, a release cannot run either, and a 503 here would leave the customer a
    booking they were told failed."""
    try:
        if store().info(event_id, hold_id) is not None:
            return
    except (redis.ConnectionError, redis.TimeoutError):
        return
    booking = checked_out.booking_of_hold(hold_id)
    pending.end_pending(booking, "cancelled", "The hold was released before checkout completed.")
    raise BookingError("hold_expired")


def _refuse_second_checkout(hold_id: str, customer: str) -> None:
    existing = checked_out.booking_of_hold(hold_id)
    if existing is not None:
        if existing.customer_id != customer:
            raise BookingError("hold_not_found")
        raise BookingError("hold_checked_out", reference=existing.reference)


def _insert_booking(
    event_id: int,
    hold_id: str,
    customer: str,
    name: str,
    email: str,
    info: dict,
    claim: idempotency.Claim,
) -> dict:
    """Write the booking, its seats, its charge, the audit entry and the idempotency
    record's answer (built before from what is at hand) together: pending_rows."""
    priced = ticket_types.price(event_id, info["seat_ids"], info["types"])
    now = utcnow()
    booking = _booking_row(event_id, hold_id, customer, name, email, info, priced, now)
    payment = f"pay_{secrets.token_urlsafe(16)}"
    reply = {
        "booking": new_booking_dict(booking, priced.lines),
        "payment_url": providers.pay_url(payment),
    }
    seats = [
        {"seat_id": ln.seat.id, "price_cents": ln.price_cents, "ticket_type": ln.ticket_type}
        for ln in priced.lines
    ]
    entry = audit.entry(None, None, "pending", f"Checkout of hold {hold_id}")
    rows = pending_rows.PendingRows(
        booking, seats, _payment_row(payment, priced.total_cents, now), entry, claim.row(201, reply)
    )
    pending_rows.write(session(), rows)
    claim.stored = True
    return reply


def _booking_row(event_id, hold_id, customer, name, email, info, priced, now) -> dict:
    """The pending booking's row."""
    return {
        "reference": new_reference(),
        "event_id": event_id,
        "customer_id": customer,
        "name": name,
        "email": email,
        "status": "pending",
        "amount_cents": priced.total_cents,
        "hold_id": hold_id,
        "fence": info["fence"],
        "expires_at": ms_to_datetime(info["expires_ms"]),
        "status_reason": None,
        "created_at": now,
        "updated_at": now,
    }


def _payment_row(public_id: str, amount_cents: int, now) -> dict:
    """The pending charge, taken by the deployment's provider in its currency."""
    return {
        "public_id": public_id,
        "kind": "charge",
        "status": "pending",
        "amount_cents": amount_cents,
        "currency": setting("CURRENCY"),
        "provider": setting("PAYMENT_PROVIDER"),
        "created_at": now,
        "updated_at": now,
    }


def new_reference() -> str:
    """A short booking reference people can read out on the phone."""
    return "HF" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
