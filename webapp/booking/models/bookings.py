"""Bookings and what guards them: their seats, payments, history, idempotent answers,
payment events and the outbox.

The state of a seat is derived, never stored on the seat: booked comes from the
active `booking_seats` rows, held from Redis. The partial unique index on
`booking_seats` is the last line of defence against selling a seat twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.booking.models.clock import utcnow
from webapp.booking.models.venues import Event, Seat
from webapp.extensions import db

ACTIVE_STATUSES = ("pending", "confirmed")
BOOKING_STATUSES = ("pending", "confirmed", "expired", "cancelled", "refunded")


class Booking(db.Model):
    __tablename__ = "bookings"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    # One booking per hold, whatever the client retries.
    hold_id: Mapped[str] = mapped_column(String(64), unique=True)
    fence: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    event: Mapped[Event] = relationship()
    seats: Mapped[list[BookingSeat]] = relationship(
        back_populates="booking", order_by="BookingSeat.id"
    )
    payments: Mapped[list[Payment]] = relationship(back_populates="booking", order_by="Payment.id")
    history: Mapped[list[BookingEvent]] = relationship(order_by="BookingEvent.id")


class BookingSeat(db.Model):
    """A seat in a booking; `active` while the booking is pending or confirmed."""

    __tablename__ = "booking_seats"
    __table_args__ = (
        # Invariant 1: at most one active booking per (event, seat).
        Index(
            "uq_booking_seats_active",
            "event_id",
            "seat_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id"), index=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    ticket_type: Mapped[str] = mapped_column(String(20), default="adult", server_default="adult")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The form of its ticket code (ticket_codes.py): 2 (Ed25519) since migration 0011,
    # 1 (HMAC) for tickets sold before, whose codes keep working.
    code_form: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    booking: Mapped[Booking] = relationship(back_populates="seats")
    seat: Mapped[Seat] = relationship()


class Payment(db.Model):
    """A charge (or its refund) for a booking, as the payment provider reports it."""

    __tablename__ = "payments"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="charge")  # charge | refund
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|succeeded|failed
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="GBP", server_default="GBP")
    # Who takes the money (webapp/booking/orders/providers.py), and its id for it (a Stripe
    # PaymentIntent pi_... for a charge, re_... for a refund) and what it last said.
    provider: Mapped[str] = mapped_column(String(10), default="test", server_default="test")
    provider_ref: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    provider_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    booking: Mapped[Booking] = relationship(back_populates="payments")


class IdempotencyRecord(db.Model):
    """The stored outcome of a request made with an Idempotency-Key (Stripe semantics)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotency_scope_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class BookingEvent(db.Model):
    """Audit trail: every status change of a booking, and who or what made it."""

    __tablename__ = "booking_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PaymentEvent(db.Model):
    """A webhook event from the payment provider, stored once by its event id."""

    __tablename__ = "payment_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(50))
    payment_id: Mapped[str] = mapped_column(String(40), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)


class OutboxMessage(db.Model):
    """An email to send: written in the transaction that decided it, sent by a job."""

    __tablename__ = "outbox_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # queued | sent | failed
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    # The booking whose tickets (PDF) and calendar file go with the message, drawn when
    # it is sent (a confirmation); None for plain messages.
    tickets_of: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
