"""What staff did (the staff audit trail) and tickets scanned at the door."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from webapp.booking.models.clock import utcnow
from webapp.extensions import db


class StaffAction(db.Model):
    """The staff audit trail (webapp/booking/staff_audit.py); event_id is None for an
    action on no one event (a job retry, an rq-dashboard action)."""

    __tablename__ = "staff_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True, nullable=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CheckIn(db.Model):
    """A ticket (one booked seat or place) admitted at the door: unique per ticket, so
    two doors scanning it at once admit it once (the second insert is refused)."""

    __tablename__ = "check_ins"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_seat_id: Mapped[int] = mapped_column(ForeignKey("booking_seats.id"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    door: Mapped[str] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
