"""Customer pages. Each route gathers input, makes one domain call and renders.

HTMX requests get fragments (seat cells, basket and messages as out-of-band
swaps); plain form posts get a redirect, so the essentials work without JavaScript.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from webapp import booking
from webapp.booking.errors import BookingError
from webapp.booking.holds import ticket_types
from webapp.booking.onsale import room
from webapp.booking.orders.best_instead import best_instead
from webapp.booking.reports.catalog import list_events
from webapp.customer import bp, pagecache
from webapp.customer.basket import (
    basket_hold_id,
    current_basket,
    forget_basket,
    priced_basket,
    remember_basket,
)
from webapp.customer.render import map_update
from webapp.errors import returns_to
from webapp.gate import pass_token, require_pass
from webapp.htmx import is_htmx
from webapp.identity import customer_id, known_customer_id
from webapp.limits import limit_holds


@bp.get("/")
def index():
    """Upcoming events with how many seats are left."""
    return render_template("customer/index.html", events=list_events(upcoming_only=True))


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    """The seat map (or list) of an event; the waiting room first when it has one."""
    if room.needs_queue(event_id, known_customer_id() or "", pass_token(event_id)):
        return redirect(url_for("customer.queue", event_id=event_id), 303)
    if _large(event_id):
        return large_event(booking.get_event(event_id), request.args.get("section"))
    seat_map = booking.seat_states(event_id, customer_id())
    view = "list" if request.args.get("view") == "list" else "map"
    template = f"partials/seat{view}.html" if is_htmx() else "customer/event.html"
    hold = current_basket(event_id, holds_here=seat_map.holds_mine)

    def draw(**context) -> str:
        return render_template(
            template,
            seat_map=seat_map,
            event=booking.get_event(event_id),  # a shared page's viewers need not load it
            hold=hold,
            priced=None if is_htmx() else priced_basket(hold),  # the fragments show no basket
            version=seat_map.version,
            sections=None,
            section=None,
            view=view,
            **context,
        )

    if not is_htmx() and pagecache.shareable(event_id, hold):
        return pagecache.page((event_id, view), seat_map, draw)
    return draw()


@bp.get("/events/<int:event_id>/sections/<path:section>")
def section_map(event_id: int, section: str):
    """One section's seats, loaded into a large venue's page (HTMX), or the page itself."""
    if not is_htmx():
        return redirect(url_for("customer.event", event_id=event_id, section=section), 303)
    seat_map = booking.section_states(event_id, section, customer_id())
    return render_template("partials/section_loaded.html", seat_map=seat_map, section=section)


def large_event(event, section: str | None):
    """A large venue: the section overview first, one section's seats when chosen."""
    overview = booking.section_summaries(event.id, customer_id())
    seat_map = booking.section_states(event.id, section, customer_id()) if section else None
    hold = current_basket(event.id, holds_here=overview.holds_mine)
    return render_template(
        "customer/event.html",
        event=event,
        seat_map=seat_map,
        hold=hold,
        priced=priced_basket(hold),
        version=overview.version,
        sections=overview.sections,
        section=section,
    )


def _large(event_id: int) -> bool:
    return booking.seat_count(event_id) > current_app.config["LARGE_VENUE_SEATS"]


@bp.post("/events/<int:event_id>/toggle")
@returns_to("customer.event")
@limit_holds
@require_pass
def toggle_seat(event_id: int):
    """Click on a seat: into the basket when free, out of it when it is already there."""
    seat_id = request.form.get("seat", type=int)
    hold = current_basket(event_id)
    if hold is not None and seat_id in hold.seat_ids:
        booking.release_seats(hold.hold_id, customer_id(), [seat_id])
    else:
        add_to = hold.hold_id if hold else None
        grown = booking.hold_seats(
            event_id, customer_id(), [seat_id], add_to=add_to, client=request.remote_addr
        )
        remember_basket(event_id, grown.hold_id)
    return respond(event_id, [seat_id])


@bp.post("/events/<int:event_id>/best")
@returns_to("customer.event")
@limit_holds
@require_pass
def best_available(event_id: int):
    """Best available: the best `quantity` seats (in a section, or wheelchair spaces),
    in place of the basket, or added to it with `mode=add`."""
    quantity = request.form.get("quantity", type=int)
    section = request.form.get("section") or None
    wheelchair = request.form.get("wheelchair") == "1"
    max_price = _max_price(request.form.get("max_price"))
    hold = current_basket(event_id)
    if hold is not None and request.form.get("mode") == "add":
        grown = booking.hold_best_available(
            event_id, customer_id(), quantity, section, add_to=hold.hold_id,
            client=request.remote_addr, wheelchair=wheelchair, max_price_cents=max_price,
        )  # fmt: skip
        remember_basket(event_id, grown.hold_id)
        return respond_found(event_id, grown.seat_ids, f"We added {_seats(quantity)}.")
    found = best_instead(
        event_id, customer_id(), quantity, section, hold.hold_id if hold else None,
        request.remote_addr, wheelchair, max_price,
    )  # fmt: skip
    if found.hold is None:
        forget_basket(event_id)
    else:
        remember_basket(event_id, found.hold.hold_id)
    if found.refusal is not None:
        raise found.refusal  # the basket is as it was (see best_instead)
    instead = " in place of your basket" if hold is not None else ""
    return respond_found(
        event_id, found.hold.seat_ids, f"We found you {_seats(quantity)}{instead}."
    )


def _max_price(raw: str | None) -> object:
    """The form's price ceiling: "" for any price, else cents (a non-number is passed on
    as it came, for the domain to refuse with its message)."""
    if not raw:
        return None
    return int(raw) if raw.isdigit() else raw


def _seats(n: int) -> str:
    return f"{n} seat{'s' if n > 1 else ''}"


def respond_found(event_id: int, seat_ids: list[int], message: str):
    """Seats found by best available: on a large venue whose page shows another section,
    the page moves to the section that holds them (HX-Location), else as respond()."""
    if is_htmx() and _large(event_id):
        shown = request.form.get("shown_section") or ""
        where = booking.section_of_seats(event_id, seat_ids)
        if where and where != shown:
            flash(message)
            answer = current_app.response_class("", 200)
            answer.headers["HX-Location"] = url_for(
                "customer.event", event_id=event_id, section=where
            )
            return answer
    return respond(event_id, seat_ids, message=message)


@bp.post("/events/<int:event_id>/standing")
@returns_to("customer.event")
@limit_holds
@require_pass
def take_standing(event_id: int):
    """Places in a general-admission area, added to the basket by number."""
    area = request.form.get("area", "")
    quantity = request.form.get("quantity", type=int)
    hold = current_basket(event_id)
    grown = booking.hold_seats(
        event_id,
        customer_id(),
        [],
        add_to=hold.hold_id if hold else None,
        client=request.remote_addr,
        standing={area: quantity if quantity is not None else 0},
    )
    remember_basket(event_id, grown.hold_id)
    places = f"{quantity} place{'s' if quantity > 1 else ''}"
    return respond(event_id, grown.seat_ids, message=f"{places} in {area} added to your basket.")


@bp.post("/events/<int:event_id>/basket/ticket-type")
@returns_to("customer.event")
def ticket_type(event_id: int):
    """Adult, child, concession...: chosen per seat; the basket total is recomputed here."""
    hold = current_basket(event_id)
    if hold is None:
        raise BookingError("hold_expired")
    ticket_types.choose(
        hold.hold_id,
        customer_id(),
        request.form.get("seat", type=int),
        request.form.get("ticket_type"),
    )
    return respond(event_id, [], message="Ticket type updated.")


@bp.post("/events/<int:event_id>/basket/extend")
@returns_to("customer.event")
def extend_basket(event_id: int):
    """ "Add 2 minutes": the hold's one extension, offered when little time is left."""
    hold = current_basket(event_id)
    if hold is None:
        raise BookingError("basket_empty")
    booking.extend_hold(hold.hold_id, customer_id())
    minutes = current_app.config["HOLD_EXTEND_SECONDS"] // 60
    return respond(event_id, [], message=f"{minutes} more minutes added to your hold.")


@bp.post("/events/<int:event_id>/basket/clear")
def clear_basket(event_id: int):
    """Empty the basket: its seats go back on sale at once."""
    hold = current_basket(event_id)
    freed = booking.release_hold(hold.hold_id, customer_id()) if hold else []
    forget_basket(event_id)
    return respond(event_id, freed, message="Your basket is empty again.")


@bp.get("/events/<int:event_id>/changes")
def changes(event_id: int):
    """Versioned polling: only seats changed since `since`, or 204 when nothing did."""
    since = request.args.get("since", default=0, type=int)
    large = _large(event_id)
    # On a large venue's page only the loaded section's cells exist ("" = none yet).
    section = request.args.get("section", "") if large else None
    # Read-only: a poll never creates a customer (or writes the cookie, see current_basket).
    delta = booking.changes_since(event_id, known_customer_id(), since, section)
    if delta.version == since:
        return "", 204
    hold = current_basket(event_id, forget=False)  # read-only: see current_basket
    return render_template(
        "partials/changes.html",
        seats=delta.seats,
        version=delta.version,
        # A cookie that names no basket was sent before any click that made one: a poll
        # answering "empty" could land after that click's answer and blank its basket.
        with_basket=basket_hold_id(event_id) is not None,
        hold=hold,
        priced=priced_basket(hold),
        event_id=event_id,
        sections=booking.section_summaries(event_id).sections if large else None,
    )


def respond(event_id: int, seat_ids: list[int], message: str | None = None):
    """Fragments for HTMX; for a plain form post, a flash message and a redirect.
    Refusals are answered by customer.render.refused."""
    if not is_htmx():
        if message:
            flash(message)
        return redirect(url_for("customer.event", event_id=event_id), 303)
    return map_update(event_id, seat_ids, message, 200, current_basket(event_id))
