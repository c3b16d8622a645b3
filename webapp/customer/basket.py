"""The customer's basket per event: one hold, whose id lives in the session cookie."""

from __future__ import annotations

from flask import g, session

from webapp import booking
from webapp.booking.holds import Hold
from webapp.identity import customer_id


def basket_hold_id(event_id: int) -> str | None:
    return session.get("baskets", {}).get(str(event_id))


def current_basket(event_id: int) -> Hold | None:
    """The live hold behind this browser's basket for the event, if any."""
    hold = booking.get_hold(basket_hold_id(event_id), customer_id())
    if hold is None and basket_hold_id(event_id):
        forget_basket(event_id)
        g.basket_lapsed = True  # the basket template says so, once
    return hold


def remember_basket(event_id: int, hold_id: str) -> None:
    session["baskets"] = {**session.get("baskets", {}), str(event_id): hold_id}


def forget_basket(event_id: int) -> None:
    baskets = dict(session.get("baskets", {}))
    baskets.pop(str(event_id), None)
    session["baskets"] = baskets
