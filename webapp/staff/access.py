"""The server-side check of every staff view: the permission it names, on its event.

A view says what it needs with `@needs("refunds")`; the staff blueprint (and
rq-dashboard's, and /metrics) call `check` before any view runs. A view that names no
permission is refused to everyone: a new route is closed until someone decides who may
use it (tests/web/test_roles.py walks the URL map for that).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, request
from flask_login import current_user

from webapp.staff.roles import PERMISSIONS, ROLE_NAMES

EventOf = Callable[[dict], int | None]


def needs(permission: str, event_of: EventOf | None = None) -> Callable:
    """Mark a view as needing `permission`; on the event in its URL (`event_id`), or
    the one `event_of(view_args)` finds (a booking's, for a reference)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}")

    def mark(view: Callable) -> Callable:
        view.staff_permission = permission
        view.staff_event_of = event_of
        return view

    return mark


def required_permission(endpoint: str) -> str | None:
    """The permission a staff endpoint names, or None if it names none."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "staff_permission", None)


def check(permission: str | None = None) -> None:
    """Refuse (403, naming what is missing) unless the logged-in account may use the
    current view; `permission` for views that cannot be marked (rq-dashboard's)."""
    view = current_app.view_functions.get(request.endpoint or "")
    permission = permission or getattr(view, "staff_permission", None)
    if permission is None:
        abort(403, "This staff page names no permission, so nobody may use it yet.")
    args = request.view_args or {}
    event_of = getattr(view, "staff_event_of", None)
    event_id = event_of(args) if event_of else args.get("event_id")
    if current_user.may(permission, event_id):
        return
    role = ROLE_NAMES.get(current_user.role, current_user.role)
    if current_user.may(permission):
        abort(403, f"Your account ({role}) may {PERMISSIONS[permission]} for its own events only.")
    abort(
        403,
        f"Your account ({role}) lacks the “{permission}” permission: "
        f"it may not {PERMISSIONS[permission]}.",
    )


def may(permission: str, event_id: int | None = None) -> bool:
    """For templates and views: whether the current account may do this."""
    return current_user.is_authenticated and current_user.may(permission, event_id)


def event_scope() -> set[int] | None:
    """The events the current account reaches (None: all), for lists and searches."""
    return current_user.event_ids
