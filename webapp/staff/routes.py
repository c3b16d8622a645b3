"""Staff pages: overview, event, bookings, actions, venues and events."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from webapp.booking import get_event, section_summaries, staff_audit
from webapp.booking.models import BOOKING_STATUSES
from webapp.booking.onsale import event_setup, onsale, room_admin
from webapp.booking.orders import boxoffice
from webapp.booking.reports import reports
from webapp.booking.reports.catalog import booking_event_id, get_any_booking
from webapp.booking.tickets import doors
from webapp.errors import returns_to
from webapp.htmx import is_htmx
from webapp.staff import bp
from webapp.staff.access import event_scope, needs
from webapp.staff.charts import occupancy_svg, velocity_svg


def booking_event(args: dict) -> int | None:
    """The event of the booking in the URL (a role limited to events reaches only theirs)."""
    return booking_event_id(args.get("reference"))


@bp.get("/")
@needs("dashboard")
def overview():
    """Every event's live figures (the page, or its table for the live refresh)."""
    template = "staff/partials/overview_table.html" if is_htmx() else "staff/overview.html"
    return render_template(template, events=reports.event_overview(event_scope()))


@bp.get("/events/<int:event_id>")
@needs("dashboard")
def event(event_id: int):
    """An event mid on-sale: occupancy, sales velocity, live holds (summary and a page),
    the seat map (a large venue's as its plan, then the chosen `section`'s seats)."""
    seats = reports.staff_seat_map(event_id)
    event = get_event(event_id)
    search = request.args.get("q", "")
    page = request.args.get("page", 1, type=int)
    large = len(seats) > current_app.config["LARGE_VENUE_SEATS"]
    section = request.args.get("section", "") if large else ""
    context = {
        "event": event,
        "seats": [s for s in seats if s.section == section] if large else seats,
        "large": large,
        "section": section,
        "sections": section_summaries(event_id).sections if large else None,
        "chart": occupancy_svg(reports.occupancy_by_section(seats)),
        "velocity": velocity_svg(onsale.velocity(event_id)),
        "holds": onsale.holds_view(event_id, search, page),
        "door": doors.counts(event_id),
    }
    template = "staff/partials/event_live.html" if is_htmx() else "staff/event.html"
    return render_template(template, **context)


@bp.post("/events/<int:event_id>/holds/<hold_id>/release")
@returns_to("staff.event")
@needs("seats")
def release_hold(event_id: int, hold_id: str):
    """Release a customer's hold now: its seats go back on sale."""
    boxoffice.release_any_hold(hold_id, event_id)  # only this event's: its role's scope
    flash("Hold released; its seats are back on sale.")
    return redirect(url_for("staff.event", event_id=event_id), 303)


@bp.post("/events/<int:event_id>/holds/release")
@returns_to("staff.event")
@needs("seats")
def release_seat_holds(event_id: int):
    """Release the holds of the seats chosen on the staff map."""
    labels = request.form.get("labels", "").replace(",", " ").split()
    freed = boxoffice.release_holds_of_seats(event_id, labels)
    flash(f"Released the holds of {', '.join(freed)}; those seats are back on sale.")
    return redirect(url_for("staff.event", event_id=event_id), 303)


@bp.post("/events/<int:event_id>/blocks")
@returns_to("staff.event")
@needs("seats")
def block_seats(event_id: int):
    """Block seats (house seats, broken seats) or unblock them, by label."""
    labels = request.form.get("labels", "").replace(",", " ").split()
    blocked = request.form.get("action") != "unblock"
    seats = boxoffice.set_blocked(event_id, labels, blocked)
    flash(f"{'Blocked' if blocked else 'Unblocked'} {', '.join(s.label for s in seats)}.")
    return redirect(url_for("staff.event", event_id=event_id), 303)


@bp.get("/bookings")
@needs("bookings")
def bookings():
    """Search bookings by reference, email or seat label, by status and event."""
    page = request.args.get("page", default=1, type=int)
    event_id = request.args.get("event_id", type=int)
    found, total = reports.search_bookings(
        request.args.get("q", ""), request.args.get("status", ""), event_id, page, event_scope()
    )
    return render_template(
        "staff/bookings.html",
        bookings=found,
        total=total,
        page=page,
        pages=max(1, -(-total // reports.PAGE_SIZE)),
        statuses=BOOKING_STATUSES,
        events=reports.events_by_date(event_scope()),
    )


@bp.get("/bookings/<reference>")
@needs("bookings", event_of=booking_event)
def booking(reference: str):
    """One booking: seats, payments and its audit trail."""
    return render_template("staff/booking.html", booking=get_any_booking(reference))


@bp.post("/bookings/<reference>/refund")
@returns_to("staff.booking")
@needs("refunds", event_of=booking_event)
def refund(reference: str):
    """Refund chosen tickets (all: the booking is cancelled); their seats go back on
    sale. The first post shows what it would give back and asks; `confirm=1` does it."""
    form = request.form
    ticket_ids = [int(t) for t in form.getlist("ticket") if t.isascii() and t.isdigit()]
    if form.getlist("ticket") and len(ticket_ids) != len(form.getlist("ticket")):
        ticket_ids = [0]  # not a ticket: the domain refuses it with a message
    quote = boxoffice.refund_quote(reference, ticket_ids or None)
    if form.get("confirm") != "1":
        return render_template("staff/refund_confirm.html", quote=quote, reason=form.get("reason"))
    boxoffice.cancel_and_refund(reference, form.get("reason", ""), quote.ticket_ids)
    if quote.whole:
        flash("Booking cancelled and refunded; its seats are back on sale.")
    else:
        flash(f"Refunded {', '.join(quote.labels)}; those seats are back on sale.")
    return redirect(url_for("staff.booking", reference=reference), 303)


@bp.get("/audit")
@needs("audit")
def audit_trail():
    """The staff audit trail: the latest actions of every staff account."""
    return render_template("staff/audit.html", actions=staff_audit.latest())


@bp.get("/events/<int:event_id>/bookings.csv")
@needs("export")
def export_csv(event_id: int):
    """An event's bookings as CSV, streamed."""
    event = get_event(event_id)
    staff_audit.record("exported bookings (CSV)", f"event {event.id}", event.id)
    body = stream_with_context(reports.bookings_csv(event_id))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="bookings-event-{event.id}.csv"'},
    )


@bp.route("/venues/new", methods=["GET", "POST"])
@needs("setup")
def new_venue():
    """A new venue from a layout written as text."""
    errors, form = [], request.form
    if request.method == "POST":
        venue, errors = event_setup.create_venue(
            form.get("name", ""), form.get("layout", ""), form.get("time_zone")
        )
        if venue is not None:
            flash(f"Venue {venue.name} created.")
            return redirect(url_for("staff.new_event", venue_id=venue.id), 303)
    return render_template("staff/venue_new.html", errors=errors, form=form), 422 if errors else 200


@bp.route("/events/new", methods=["GET", "POST"])
@needs("setup")
def new_event():
    """A new event at a venue: prices per section, sale opening and waiting room."""
    venues = event_setup.venues_with_layout()
    venue_id = request.values.get("venue_id", type=int) or (venues[0].id if venues else None)
    venue = next((v for v in venues if v.id == venue_id), None)
    errors, form = [], request.form
    if request.method == "POST":
        event, errors = event_setup.create_event_from_form(venue_id or 0, form)
        if event is not None:
            flash(f"Event {event.name} created.")
            return redirect(url_for("staff.event", event_id=event.id), 303)
    return render_template(
        "staff/event_new.html",
        venues=venues,
        venue=venue,
        sections=event_setup.venue_sections(venue) if venue else [],
        errors=errors,
        form=form,
        form_room=form if errors else room_admin.DEFAULTS,
    ), 422 if errors else 200
