"""Staff at the door: type (or scan with a keyboard-wedge scanner) a ticket's code; green
"admitted" or red with the reason. Each ticket admits once (booking/tickets/doors.py)."""

from __future__ import annotations

from flask import jsonify, render_template, request, session

from webapp.booking import get_event
from webapp.booking.audit import current_actor
from webapp.booking.tickets import doors
from webapp.extensions import DOOR_CONTENT_SECURITY_POLICY, talisman
from webapp.htmx import is_htmx
from webapp.request_json import json_body
from webapp.staff import bp
from webapp.staff.access import needs


@bp.get("/events/<int:event_id>/door")
@talisman(content_security_policy=DOOR_CONTENT_SECURITY_POLICY)
@needs("door")
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
@needs("door")
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


@bp.get("/events/<int:event_id>/door/manifest")
@needs("door")
def door_manifest(event_id: int):
    """The event's ticket key and tickets, kept by the door page for offline checks;
    with ?since=<cursor>, only what changed (the page polls it while online)."""
    get_event(event_id)
    answer = jsonify(doors.manifest(event_id, request.args.get("since")))
    answer.headers["Cache-Control"] = "no-store"  # the key and holders' names: never cached
    return answer


@bp.post("/events/<int:event_id>/door/sync")
@needs("door")
def door_sync(event_id: int):
    """Scans made offline, checked in now; conflicts (admitted at two doors) flagged."""
    get_event(event_id)
    body = json_body({"scans"})  # a list or a number for a body is a 422, not a 500
    results = doors.sync(event_id, body.get("scans"), current_actor())
    return jsonify({"results": results, "counts": vars(doors.counts(event_id))})
