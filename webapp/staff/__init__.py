"""Staff dashboard: run an on-sale. Every route needs a logged-in staff user whose
role holds the permission the route names (access.py)."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from webapp.htmx import vary_on_htmx
from webapp.staff import access, seatgrid

bp = Blueprint("staff", __name__)
bp.after_request(vary_on_htmx)  # the overview, event, room and door pages answer both ways

PUBLIC_ENDPOINTS = {"staff.login", "staff.logout"}


@bp.before_request
def require_staff():
    """Refuse anonymous users everywhere under /staff except the login page, and any
    account whose role lacks the permission the route names."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("staff.login", next=request.full_path), 303)
    access.check()
    return None


@bp.context_processor
def _helpers():
    # money and venue_plan come app-wide from the customer blueprint's helpers.
    return {"may": access.may, "sections_of": seatgrid.sections_of}


from webapp.staff import (  # noqa: E402,F401  (registers the routes)
    auth,
    door_routes,
    messages,
    ops,
    room_routes,
    routes,
    team_routes,
)
