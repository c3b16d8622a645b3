"""What each staff role may do: named permissions, and the roles that hold them.

Kept apart from the views so the team page, the checks and the tests read one table.
A role limited to some events (StaffUser.all_events False) holds its permissions on
those events only.
"""

from __future__ import annotations

PERMISSIONS = {
    "dashboard": "see the live dashboards of events",
    "bookings": "look up bookings and their customers",
    "refunds": "cancel and refund bookings",
    "seats": "block seats and release customers' holds",
    "export": "export bookings as CSV",
    "door": "check tickets in at the door",
    "onsale": "run the waiting room and presale codes",
    "setup": "create venues and events",
    "ops": "see queues, jobs, email and metrics",
    "audit": "read the staff audit trail",
    "team": "manage staff accounts",
}

ROLES = {
    "admin": set(PERMISSIONS),
    "box_office": {"dashboard", "bookings", "refunds", "seats", "export"},
    "door": {"door"},
    "read_only": {"dashboard"},
}

ROLE_NAMES = {
    "admin": "Admin",
    "box_office": "Box office",
    "door": "Door",
    "read_only": "Read-only",
}
