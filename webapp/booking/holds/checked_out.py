"""Whether a hold has gone to checkout: the booking row its checkout made. A hold has at
most one, and once it has one its seats may no longer change (they are being paid for).
It lives with the holds, not the orders, because taking seats must ask it."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.models import Booking

# Built once: making the statement and its cache key costs more than running it on
# SQLite (about 150 us against 80), and every release and checkout asks.
_OF_HOLD = select(Booking).where(Booking.hold_id == bindparam("hold_id"))


def booking_of_hold(hold_id: str) -> Booking | None:
    """The booking a checkout of this hold made, if any (a hold has at most one)."""
    return session().scalar(_OF_HOLD, {"hold_id": hold_id})


def refuse_checked_out(hold_id: str) -> None:
    """hold_checked_out once the hold has a booking (its seats are in checkout)."""
    if booking_of_hold(hold_id) is not None:
        raise BookingError("hold_checked_out")
