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

from webapp.booking import keys, room
from webapp.booking.errors import BookingError
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


def require_pass(view: Callable) -> Callable:
    """Refuse the route without a valid pass where the event needs one; else note the
    pass's seat cap for the domain (context.seat_limit)."""

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
            if request.blueprint == "api" or exc.code == "event_not_found":
                raise
            return _send_away(event_id, exc)
        return view(*args, **kwargs)

    return gated


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
