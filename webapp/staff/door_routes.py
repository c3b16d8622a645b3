"""Staff at the door: type (or scan with a keyboard-wedge scanner) a ticket's code; green
"admitted" or red with the reason. Each ticket admits once (booking/doors.py)."""

from __future__ import annotations

from flask import render_template, request, session

from webapp.booking import doors, get_event
from webapp.booking.audit import current_actor
from webapp.customer.render import is_htmx
from webapp.staff import bp


@bp.get("/events/<int:event_id>/door")
def door_page(event_id: int):
    """The door page: the code field, the last result, and the counts."""
    return render_template(
        "staff/door.html",
        event=get_event(event_id),
        counts=doors.counts(event_id),
        door=session.get("door", ""),
        scan=None,
    )


@bp.post("/events/<int:event_id>/door")
def door_scan(event_id: int):
    """Check one code in: the result (HTMX: just the result and counts)."""
    door = (request.form.get("door") or "").strip()[:60]
    session["door"] = door
    scan = doors.check_in(event_id, request.form.get("code"), door, current_actor())
    context = {
        "event": get_event(event_id),
        "counts": doors.counts(event_id),
        "door": door,
        "scan": scan,
    }
    if is_htmx():
        return render_template("staff/partials/door_result.html", **context)
    return render_template("staff/door.html", **context), 200 if scan.admitted else 409
