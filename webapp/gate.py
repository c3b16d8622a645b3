"""The waiting room's gate on every way to hold or buy (pages and API).

The decorated route runs only with a valid pass when the event's room is on, or before
general sale (a presale pass). Passes travel in the session (the pages) or in the
`X-Queue-Pass` header (API clients that keep no cookies). The API answers 403
`queue_required` with the queue's URL; the pages send the customer to the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import flash, g, redirect, request, session, url_for

from webapp.booking import get_hold
from webapp.booking.errors import BookingError
from webapp.booking.holds import keys
from webapp.booking.onsale import room
from webapp.htmx import is_htmx
from webapp.identity import customer_id

HEADER = "X-Queue-Pass"


def pass_token(event_id: int) -> str | None:
    """This request's pass for the event, from the header or the session."""
    return request.headers.get(HEADER) or session.get("passes", {}).get(str(event_id))


def _remember(name: str, event_id: int, value) -> None:
    """Keep a per-event value in the session, for the last 8 events at most (the cookie
    stays small)."""
    kept = dict(session.get(name, {}))
    kept[str(event_id)] = value
    session[name] = dict(list(kept.items())[-8:])


def keep_pass(event_id: int, token: str) -> None:
    """Remember a pass in the session."""
    _remember("passes", event_id, token)


def queue_ticket(event_id: int) -> tuple[int, str]:
    """(place, epoch) of this session in the event's line, as the last join gave them."""
    found = session.get("queue", {}).get(str(event_id))
    return (found[0], found[1]) if isinstance(found, list) and len(found) == 2 else (0, "")


def keep_place(event_id: int, place: room.Place) -> None:
    """After a join or a poll: keep the pass, or the place in line (the session changes,
    and so its cookie, only when they do)."""
    if place.token:
        keep_pass(event_id, place.token)
    if place.state == "waiting" and queue_ticket(event_id) != (place.place, place.epoch):
        _remember("queue", event_id, [place.place, place.epoch])


def require_pass(view: Callable, or_live_hold: bool = False) -> Callable:
    """Refuse the route without a valid pass where the event needs one; else note the
    pass's seat cap for the domain (context.seat_limit). With `or_live_hold`, a refused
    customer who holds seats of the event goes on (see require_pass_or_hold)."""

    @wraps(view)
    def gated(*args, **kwargs):
        event_id = kwargs.get("event_id")
        if event_id is None and isinstance(kwargs.get("hold_id"), str):
            event_id = keys.event_of_hold(kwargs["hold_id"])
        if event_id is None:
            return view(*args, **kwargs)
        try:
            g.seat_cap = room.gate(event_id, customer_id(), pass_token(event_id))
        except BookingError as exc:
            if or_live_hold and _own_live_hold(kwargs.get("hold_id") or _basket(event_id)):
                return view(*args, **kwargs)
            if request.blueprint == "api" or exc.code == "event_not_found":
                raise
            return _send_away(event_id, exc)
        return view(*args, **kwargs)

    return gated


def require_pass_or_hold(view: Callable) -> Callable:
    """Checkout: as require_pass, but a customer who holds seats of the event may check
    them out after their pass lapses, until the hold itself does (a pass lasts 15
    minutes, a hold 10 plus a 2-minute extension). Holds are taken only through the
    gate, so a live hold of one's own proves one was let in, and its seat cap was
    applied when it was taken. The hold is looked up only when the pass fails."""
    return require_pass(view, or_live_hold=True)


def _basket(event_id: int) -> str | None:
    return session.get("baskets", {}).get(str(event_id))


def _own_live_hold(hold_id: object) -> bool:
    return isinstance(hold_id, str) and get_hold(hold_id, customer_id()) is not None


def _send_away(event_id: int, exc: BookingError):
    """A page's form without a pass: to the queue (or back to the event page before
    the sale opens), as a redirect htmx follows too."""
    if exc.code == "queue_required":
        target = url_for("customer.queue", event_id=event_id)
    else:
        flash(exc.message)
        target = url_for("customer.event", event_id=event_id)
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, 303)
