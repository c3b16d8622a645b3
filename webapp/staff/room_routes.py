"""Staff: an event's sale opening, waiting room (live, with its controls) and presale
codes. Every change goes through room_admin or presale, which audit it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from webapp.booking import get_event
from webapp.booking.audit import current_actor
from webapp.booking.onsale import presale, room_admin, room_figures
from webapp.booking.venues.staff_input import parse_datetime
from webapp.errors import returns_to
from webapp.htmx import is_htmx
from webapp.staff import bp
from webapp.staff.access import needs


@bp.get("/events/<int:event_id>/room")
@needs("onsale")
def room_page(event_id: int):
    """The waiting room live (polled), its settings, controls and presale codes."""
    event = get_event(event_id)
    figures = room_figures.figures(event_id)
    if is_htmx():
        return render_template("staff/partials/room_live.html", event=event, figures=figures)
    return render_template(
        "staff/room.html",
        event=event,
        figures=figures,
        codes=presale.codes(event_id),
        failures=presale.failed_attempts(event_id),
        actions=room_admin.actions(event_id),
    )


@bp.post("/events/<int:event_id>/room/settings")
@returns_to("staff.room_page")
@needs("onsale")
def room_settings(event_id: int):
    """Save the sale opening time and the room's settings."""

    def save():
        opens = parse_datetime(request.form.get("sale_opens_at"), "Sales open at", event_id)
        room_admin.configure(event_id, room_admin.read_form(request.form, opens))

    return _act(event_id, save, "Settings saved.")


@bp.post("/events/<int:event_id>/room/rate")
@returns_to("staff.room_page")
@needs("onsale")
def room_rate(event_id: int):
    """Change the admission rate now."""
    rate = request.form.get("admit_per_minute")
    return _act(event_id, lambda: room_admin.set_rate(event_id, rate), "Rate changed.")


@bp.post("/events/<int:event_id>/room/pause")
@returns_to("staff.room_page")
@needs("onsale")
def room_pause(event_id: int):
    """Pause admission, or resume it (`resume=1`)."""
    resume = request.form.get("resume") == "1"
    done = "Admission resumed." if resume else "Admission paused."
    return _act(event_id, lambda: room_admin.pause(event_id, not resume), done)


@bp.post("/events/<int:event_id>/room/open")
@returns_to("staff.room_page")
@needs("onsale")
def room_open(event_id: int):
    """Open the sale now: the room starts letting people in. The first post asks
    (it cannot be undone for those let in); `confirm=1` does it."""
    if request.form.get("confirm") != "1":
        return render_template("staff/open_confirm.html", event=get_event(event_id))
    return _act(event_id, lambda: room_admin.open_now(event_id), "The sale is open.")


@bp.post("/events/<int:event_id>/presale-codes")
@returns_to("staff.room_page")
@needs("onsale")
def create_presale_code(event_id: int):
    """A new presale code."""
    form = request.form

    def create():
        presale.create_code(
            event_id,
            form.get("code"),
            form.get("max_uses", type=int) or 0,
            form.get("seat_cap", type=int) or 0,
            parse_datetime(form.get("valid_from"), "Valid from", event_id),
            parse_datetime(form.get("valid_until"), "Valid until", event_id),
            actor=current_actor(),
        )

    return _act(event_id, create, "Presale code created.")


def _act(event_id: int, change, done: str):
    change()
    flash(done)
    return redirect(url_for("staff.room_page", event_id=event_id), 303)
