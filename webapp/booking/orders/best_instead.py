"""Best available in place of the basket: what a buyer who asks for "the best 3" means
(2 picked + "best 3" made 5 scattered seats). The basket is given back first, so its
seats are candidates too and the customer's seat limit is not spent twice; if nothing
is found, its seats are taken back (they were free a moment ago) and the refusal stands.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.booking.errors import BookingError
from webapp.booking.holds import hold_input
from webapp.booking.holds.holds import Hold, hold_best_available, hold_seats
from webapp.booking.orders.baskets import get_hold, release_hold


@dataclass(frozen=True)
class Found:
    """The basket after the search: `hold` (None when it is empty) and, when the
    search was refused, why (`refusal`, the basket then as it was, if it could be)."""

    hold: Hold | None
    refusal: BookingError | None = None


def best_instead(
    event_id: int,
    customer: str,
    quantity: object,
    section: object,
    basket: str | None,
    client: str | None = None,
    wheelchair: bool = False,
    max_price_cents: int | None = None,
) -> Found:
    """The best `quantity` seats instead of the basket `basket` (a hold id, or None).

    Raises:
        BookingError: invalid_input or seat_limit for a bad quantity or section (nothing
        changes), and any refusal when the basket was empty."""
    hold_input.quantity(quantity)
    hold_input.section(section)
    hold_input.max_price(max_price_cents)
    ask = {"client": client, "wheelchair": wheelchair, "max_price_cents": max_price_cents}
    old = get_hold(basket, customer)
    if old is None:
        return Found(hold_best_available(event_id, customer, quantity, section, **ask))
    release_hold(old.hold_id, customer)
    try:
        found = hold_best_available(event_id, customer, quantity, section, **ask)
    except BookingError as refusal:
        try:
            back = hold_seats(event_id, customer, old.seat_ids, client=client)
        except BookingError:
            back = None  # taken meanwhile: the basket is empty, and the refusal says why
        return Found(back, refusal)
    return Found(found)
