"""A customer's live hold (the basket): read it, take seats out, release it, extend it.

Only the holder may touch a hold: every function compares the customer first.
"""

from __future__ import annotations

import time

from webapp.booking.context import setting
from webapp.booking.errors import BookingError
from webapp.booking.holds import checked_out, keys
from webapp.booking.holds.holds import Hold, ms_to_datetime
from webapp.booking.holds.holdstore import store
from webapp.booking.orders import expiry, giveback


def release_hold(hold_id: str, customer: str) -> list[int]:
    """Give the hold's seats back, for its holder only; a pending booking is cancelled.

    Returns:
        The seat ids that became available.

    Raises:
        BookingError: hold_not_found when the hold is gone or belongs to someone else.
    """
    event_id, info = _own_hold(hold_id, customer)
    booking = checked_out.booking_of_hold(hold_id)
    if booking is not None and booking.status == "confirmed":
        raise BookingError("hold_checked_out")
    return giveback.end_hold(
        event_id,
        hold_id,
        customer,
        info["seat_ids"],
        ip_key=info["ipkey"],
        pending_reason="Released by the customer.",
    )


def release_seats(hold_id: str, customer: str, seat_ids: list[int]) -> list[int]:
    """Take some seats out of the customer's hold; the hold ends when none are left.

    Returns:
        The seat ids that became available.

    Raises:
        BookingError: hold_not_found, or hold_checked_out once the hold is in checkout.
    """
    event_id, info = _own_hold(hold_id, customer)
    checked_out.refuse_checked_out(hold_id)
    mine = [s for s in seat_ids if s in info["seat_ids"]]
    if not mine:
        return []
    return giveback.end_hold(event_id, hold_id, customer, mine, "drop", info["ipkey"])


def get_hold(hold_id: str | None, customer: str) -> Hold | None:
    """The customer's hold while it is live, else None."""
    event_id = keys.event_of_hold(hold_id) if isinstance(hold_id, str) else None
    if event_id is None:
        return None
    info, live = store().info_if_live(event_id, hold_id)  # one round trip
    if info is None or info["customer"] != customer or not live:
        return None
    return Hold(
        hold_id,
        event_id,
        info["seat_ids"],
        info["fence"],
        ms_to_datetime(info["expires_ms"]),
        setting("HOLD_TTL_SECONDS"),
        info["extended"],
    )


def live_hold_in(event_id: int, customer: str) -> Hold | None:
    """The customer's live hold in the event that has not gone to checkout, found from
    Redis (their held seats name it), or None.

    The basket's cookie can miss the answer that named its hold: a page left before the
    click's answer came, or a poll sent with the cookie of before a click answered after
    it. Redis knows whose seats are whose, so the basket is found again from there.
    """
    for hold_id in store().holds_of_customer(event_id, customer, int(time.time() * 1000)):
        if checked_out.booking_of_hold(hold_id) is None:
            return get_hold(hold_id, customer)
    return None


def extend_hold(hold_id: str, customer: str) -> Hold:
    """Add HOLD_EXTEND_SECONDS to a live hold, once; the countdown cannot be reset forever.

    Raises:
        BookingError: hold_not_found, hold_expired or already_extended.
    """
    event_id, info = _own_hold(hold_id, customer)
    status, expires_ms = store().extend(
        event_id, hold_id, customer, info["seat_ids"], setting("HOLD_EXTEND_SECONDS") * 1000
    )
    if status == "gone":
        raise BookingError("hold_expired")
    if status == "again":
        raise BookingError("already_extended")
    if status != "ok":
        raise BookingError("hold_not_found")
    expires_at = ms_to_datetime(expires_ms)
    expiry.move_pending_expiry(hold_id, expires_at)  # extend.lua moved the due set's entry
    return Hold(
        hold_id,
        event_id,
        info["seat_ids"],
        info["fence"],
        expires_at,
        setting("HOLD_TTL_SECONDS"),
        True,
    )


def _own_hold(hold_id: str, customer: str) -> tuple[int, dict]:
    """(event id, hold info) when `customer` holds `hold_id`; else hold_not_found."""
    event_id = keys.event_of_hold(hold_id) if isinstance(hold_id, str) else None
    info = store().info(event_id, hold_id) if event_id is not None else None
    if info is None or info["customer"] != customer:
        raise BookingError("hold_not_found")
    return event_id, info
