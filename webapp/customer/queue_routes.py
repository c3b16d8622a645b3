"""The waiting room's pages and the presale code form."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from webapp import booking
from webapp.booking.onsale import presale, room
from webapp.customer import bp
from webapp.errors import returns_to
from webapp.gate import keep_pass, keep_place, queue_ticket
from webapp.htmx import is_htmx
from webapp.identity import customer_id
from webapp.limits import client_address, limit_presale, limit_queue


@bp.get("/events/<int:event_id>/queue")
@limit_queue
def queue(event_id: int):
    """Join the waiting room (a refresh keeps the place) and show where one stands."""
    event = booking.get_event(event_id)
    place = room.join(event_id, customer_id(), address=client_address())
    keep_place(event_id, place)
    if place.state in ("admitted", "open"):
        return _in(event_id, place)
    return render_template("customer/queue.html", event=event, place=place)


@bp.get("/events/<int:event_id>/queue/status")
def queue_status(event_id: int):
    """The queue page's live part, polled by htmx; admitted customers go to the seats.
    Answered from the session's place and the room's admitted count (see room.peek)."""
    place = room.peek(event_id, customer_id(), *queue_ticket(event_id), address=client_address())
    keep_place(event_id, place)
    if place.state in ("admitted", "open"):
        return _in(event_id, place)
    # No database read: the crowd polls this every few seconds (room.peek raised
    # event_not_found already for an unknown event).
    return render_template("partials/queue_status.html", event_id=event_id, place=place)


def _in(event_id: int, place: room.Place):
    if place.token:
        flash("It is your turn: choose your seats.")
    target = url_for("customer.event", event_id=event_id)
    if is_htmx():
        return "", 200, {"HX-Redirect": target}
    return redirect(target, 303)


@bp.post("/events/<int:event_id>/presale")
@returns_to("customer.event")
@limit_presale
def redeem_presale(event_id: int):
    """A presale code: a pass to buy before general sale or without queueing."""
    token = presale.redeem(event_id, customer_id(), request.form.get("code"), client_address())
    keep_pass(event_id, token)
    flash("Presale code accepted: you can choose seats now.")
    return redirect(url_for("customer.event", event_id=event_id), 303)
