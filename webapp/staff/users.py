"""Staff identity: the staff account table and how Flask-Login finds a session's user.

Kept out of the booking domain: the domain records who acted (audit) as text, and only
the staff area needs a logged-in user object.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_login import UserMixin
from sqlalchemy import DateTime, String, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import generate_password_hash

from webapp.booking.models import utcnow
from webapp.extensions import db, login_manager


class StaffUser(UserMixin, db.Model):
    """A box-office or door account; passwords are stored hashed."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def create_staff(email: str, password: str) -> StaffUser:
    """A new staff account (email stored lower-case, password hashed), committed."""
    user = StaffUser(email=email.strip().lower(), password_hash=generate_password_hash(password))
    db.session.add(user)
    db.session.commit()
    return user


def staff_by_email(email: str) -> StaffUser | None:
    """The account of this email address (stored lower-case), if any."""
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def load_staff(user_id: str) -> StaffUser | None:
    """Flask-Login: the staff user behind a session, or None."""
    numeric = user_id.isascii() and user_id.isdigit()
    return db.session.get(StaffUser, int(user_id)) if numeric else None


def init_login(app: Flask) -> None:
    """Sessions of staff users; anonymous visitors of staff pages go to the login page."""
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.user_loader(load_staff)
