"""Staff identity: the staff account table and how Flask-Login finds a session's user.

Kept out of the booking domain: the domain records who acted (audit) as text, and only
the staff area needs a logged-in user object. What each role may do is in roles.py.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, String, Table, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

from webapp.booking.models import Event, utcnow
from webapp.extensions import db, login_manager
from webapp.staff.roles import ROLES

# Never a valid werkzeug hash: an invited account cannot log in until its link is used.
NO_PASSWORD = "!invited"

staff_events = Table(
    "staff_events",
    db.metadata,
    Column("staff_user_id", ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
)


class StaffUser(UserMixin, db.Model):
    """A staff account: a role (roles.py), the events it reaches, hashed password."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    role: Mapped[str] = mapped_column(String(20), default="read_only")
    # False: only the events listed in staff_events (a door team for one night).
    all_events: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    events: Mapped[list[Event]] = relationship(secondary=staff_events, order_by=Event.starts_at)

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot log in
        return self.active

    @property
    def event_ids(self) -> set[int] | None:
        """The events this account reaches; None for every event."""
        return None if self.all_events else {e.id for e in self.events}

    def may(self, permission: str, event_id: int | None = None) -> bool:
        """Whether this account's role has `permission` (on `event_id`, when given)."""
        if permission not in ROLES.get(self.role, set()):
            return False
        ids = self.event_ids
        return event_id is None or ids is None or event_id in ids


def create_staff(
    email: str,
    password: str | None,
    role: str | None = None,
    event_ids: list[int] | None = None,
) -> StaffUser:
    """A new staff account (email stored lower-case, password hashed), committed.

    The first account is an admin whatever is asked (someone must manage the team);
    after that the role defaults to read-only. `event_ids` limits it to those events;
    no `password` makes an invited account (invites.py sets it)."""
    if role is not None and role not in ROLES:
        raise ValueError(f"Unknown role {role!r}: one of {', '.join(ROLES)}.")
    first = not db.session.scalar(select(func.count()).select_from(StaffUser))
    user = StaffUser(
        email=email.strip().lower(),
        password_hash=generate_password_hash(password) if password else NO_PASSWORD,
        role="admin" if first else (role or "read_only"),
        all_events=event_ids is None,
        active=True,
    )
    if event_ids is not None:
        user.events = list(db.session.scalars(select(Event).where(Event.id.in_(event_ids))))
    db.session.add(user)
    db.session.commit()
    return user


def staff_by_email(email: str) -> StaffUser | None:
    """The account of this email address (stored lower-case), if any."""
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def load_staff(user_id: str) -> StaffUser | None:
    """Flask-Login: the staff user behind a session, or None (a disabled account's
    sessions end at their next request)."""
    numeric = user_id.isascii() and user_id.isdigit()
    user = db.session.get(StaffUser, int(user_id)) if numeric else None
    return user if user is not None and user.active else None


def init_login(app: Flask) -> None:
    """Sessions of staff users; anonymous visitors of staff pages go to the login page."""
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.user_loader(load_staff)
