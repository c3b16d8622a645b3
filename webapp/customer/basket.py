"""The customer's basket per event: one hold, whose id lives in the session cookie."""

from __future__ import annotations

from flask import g, session

from webapp import booking
from webapp.booking.holds import ticket_types
from webapp.booking.holds.holds import Hold
from webapp.identity import customer_id, is_new_customer, known_customer_id


def basket_hold_id(event_id: int) -> str | None:
    return session.get("baskets", {}).get(str(event_id))


def current_basket(
    event_id: int, forget: bool = True, holds_here: bool | None = None
) -> Hold | None:
    """The live hold behind this browser's basket for the event, if any.

    A basket the cookie does not name, or names after its hold ended, is looked for in
    Redis (booking.live_hold_in): the cookie can miss the answer that named a hold (a
    page left before a click's answer came), and a poll carries the cookie it was sent
    with, from before a click that replaced the basket. A customer made by this request
    holds nothing, and `holds_here` False (the page's seat map shows none of theirs)
    says so too: neither is looked for.

    A lapsed basket is forgotten (the template says so) unless `forget` is False: the
    live-update poll must not write the session cookie, or its answer, computed from the
    cookie it was sent with, could arrive after a click's and undo the click's basket.
    The poll looks in Redis only for a basket its cookie names (it shows no other).
    """
    who = customer_id() if forget else known_customer_id()
    named = basket_hold_id(event_id)
    hold = booking.get_hold(named, who) if who and named else None
    look = (forget or named) and holds_here is not False and not is_new_customer()
    if hold is None and who and look:
        hold = booking.live_hold_in(event_id, who)
        if hold is not None and forget:
            remember_basket(event_id, hold.hold_id)
    if hold is None and named:
        if forget:
            forget_basket(event_id)
        g.basket_lapsed = True
    return hold


def priced_basket(hold: Hold | None) -> ticket_types.Priced | None:
    """The basket's seats with their ticket types, prices and total (the template's)."""
    return ticket_types.price_hold(hold.event_id, hold.hold_id, hold.seat_ids) if hold else None


def remember_basket(event_id: int, hold_id: str) -> None:
    session["baskets"] = {**session.get("baskets", {}), str(event_id): hold_id}


def forget_basket(event_id: int) -> None:
    baskets = dict(session.get("baskets", {}))
    baskets.pop(str(event_id), None)
    session["baskets"] = baskets
