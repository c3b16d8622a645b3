"""The waiting list when seats are sold out: joining it, and the offer email's link."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from webapp.booking.onsale import waitlist
from webapp.customer import bp
from webapp.customer.basket import remember_basket
from webapp.errors import returns_to
from webapp.identity import customer_id
from webapp.limits import limit_holds


@bp.post("/events/<int:event_id>/waitlist")
@returns_to("customer.event")
@limit_holds
def join_waitlist(event_id: int):
    """Sold out: join the waiting list with an email and how many seats the group needs."""
    joined = waitlist.join(
        event_id,
        customer_id(),
        request.form.get("email", ""),
        request.form.get("quantity", type=int),
        request.form.get("section") or None,
    )
    flash(
        f"You are number {joined.position} on the waiting list. When seats come back we "
        f"hold them for you and email {joined.entry.email}."
    )
    return redirect(url_for("customer.event", event_id=event_id), 303)


@bp.get("/waitlist/<token>")
def claim_offer(token: str):
    """The link in an offer email: the held seats move into this browser's own basket,
    once; the browser keeps its own identity."""
    entry = waitlist.claim(token, customer_id())
    remember_basket(entry.event_id, entry.hold_id)
    flash("Your seats are held for you: check out before the countdown ends.")
    return redirect(url_for("customer.event", event_id=entry.event_id), 303)
