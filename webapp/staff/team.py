"""The staff team: invite an account (an emailed, lapsing, single-use link to set its
password), change its role and events, disable it. Every change is in the staff audit
trail. Admins only (the routes need "team")."""

from __future__ import annotations

import hashlib

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from webapp.booking import staff_audit
from webapp.booking.context import public_url
from webapp.booking.errors import BookingError
from webapp.booking.models import Event
from webapp.booking.orders import outbox
from webapp.database import write_transaction
from webapp.extensions import db
from webapp.staff.roles import ROLE_NAMES, ROLES
from webapp.staff.users import StaffUser, create_staff, staff_by_email

MIN_PASSWORD = 12


def accounts() -> list[StaffUser]:
    """Every staff account, admins first, then by email."""
    rows = db.session.scalars(select(StaffUser).order_by(StaffUser.email))
    return sorted(rows, key=lambda u: (u.role != "admin", u.email))


def invite(email: str, role: str, event_ids: list[int] | None) -> StaffUser:
    """A new account that cannot log in until its emailed link sets a password.

    Raises:
        BookingError: invalid_input (address, role, events), or an account exists."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise BookingError("invalid_input", "Give the email address of the person to invite.")
    if staff_by_email(email) is not None:
        raise BookingError("invalid_input", f"{email} already has a staff account.")
    _check(role, event_ids)
    user = create_staff(email, None, role, event_ids)
    with write_transaction(db.session) as s:
        link = public_url(url_for("staff.accept_invite", token=invite_token(user)))
        hours = current_app.config["STAFF_INVITE_HOURS"]
        outbox.add(
            s,
            user.email,
            "You are invited to Holdfast's box office",
            f"You have a {ROLE_NAMES[user.role]} account at Holdfast.\n\n"
            f"Set your password within {hours} hours here (the link works once):\n{link}\n",
        )
        staff_audit.record_in(s, "invited staff", f"{user.email} as {user.role}{_scope(user)}")
    outbox.kick()
    return user


def change(user_id: int, role: str, event_ids: list[int] | None, active: bool) -> StaffUser:
    """Set an account's role, events and whether it may log in.

    Raises:
        BookingError: staff_not_found; invalid_input (role, events, the last admin)."""
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise BookingError("staff_not_found")
    _check(role, event_ids)
    admin_left = role == "admin" and active and event_ids is None
    if user.role == "admin" and user.active and user.all_events and not admin_left:
        others = [u for u in accounts() if u.id != user.id and u.role == "admin" and u.active]
        if not any(u.all_events for u in others):
            raise BookingError(
                "invalid_input", "This is the last admin of every event: make another first."
            )
    with write_transaction(db.session) as s:
        user.role, user.active, user.all_events = role, active, event_ids is None
        user.events = _events(event_ids) if event_ids is not None else []
        state = "active" if active else "disabled"
        staff_audit.record_in(s, "changed staff", f"{user.email}: {role}{_scope(user)}, {state}")
    return user


def _check(role: str, event_ids: list[int] | None) -> None:
    if role not in ROLES:
        raise BookingError("invalid_input", f"Choose a role: {', '.join(ROLE_NAMES.values())}.")
    if event_ids is not None:
        if not event_ids:
            raise BookingError("invalid_input", "Choose the events, or every event.")
        if len(_events(event_ids)) != len(set(event_ids)):
            raise BookingError("invalid_input", "One of those events does not exist.")


def _events(event_ids: list[int]) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.id.in_(event_ids))))


def _scope(user: StaffUser) -> str:
    return "" if user.all_events else " for events " + ", ".join(str(e.id) for e in user.events)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="staff-invite")


def _fingerprint(user: StaffUser) -> str:
    # Bound to the password as it is: once the link sets one, the link is spent.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def invite_token(user: StaffUser) -> str:
    """The signed token of an account's invitation link."""
    return _serializer().dumps({"id": user.id, "pw": _fingerprint(user)})


def invited(token: str) -> StaffUser:
    """The account an invitation link is for, while the link is good.

    Raises:
        BookingError: invite_invalid (forged, lapsed, already used, disabled)."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["STAFF_INVITE_HOURS"] * 3600)
    except SignatureExpired:
        raise BookingError(
            "invite_invalid", "This invitation has lapsed: ask an admin for a new one."
        ) from None
    except BadSignature:
        raise BookingError("invite_invalid") from None
    user = db.session.get(StaffUser, data.get("id")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("pw") != _fingerprint(user):
        raise BookingError("invite_invalid")
    return user


def accept(token: str, password: str) -> StaffUser:
    """Set the invited account's password (the link is then spent).

    Raises:
        BookingError: invite_invalid; invalid_input for a short password."""
    user = invited(token)
    if len(password or "") < MIN_PASSWORD:
        raise BookingError(
            "invalid_input", f"Choose a password of at least {MIN_PASSWORD} characters."
        )
    with write_transaction(db.session) as s:
        user.password_hash = generate_password_hash(password)
        staff_audit.record_in(s, "accepted invitation", user.email)
    return user
