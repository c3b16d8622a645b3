"""Tables: the seat layout, bookings and what guards them.

The state of a seat is derived, never stored on the seat: booked comes from the
active `booking_seats` rows, held from Redis. The partial unique index on
`booking_seats` is the last line of defence against selling a seat twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

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

from webapp.extensions import db

ACTIVE_STATUSES = ("pending", "confirmed")
BOOKING_STATUSES = ("pending", "confirmed", "expired", "cancelled", "refunded")


def utcnow() -> datetime:
    """Naive UTC now: both SQLite and PostgreSQL store and compare it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


class Venue(db.Model):
    __tablename__ = "venues"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The layout description it was created from (see webapp/booking/venues/layout_text.py).
    layout: Mapped[str | None] = mapped_column(Text, nullable=True)
    # An IANA zone ("Europe/London"); None: the app's TIME_ZONE. Times are stored in UTC.
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    events: Mapped[list[Event]] = relationship(back_populates="venue")


class Event(db.Model):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"))
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    # No-orphan rule: refuse holds that leave one empty seat stranded (on by default).
    no_orphans: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # When general sale opens (None: on sale now). Before it only presale codes buy.
    sale_opens_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The waiting room (webapp/booking/onsale/room.py): off, or on with an admission rate
    # (people a minute, 0 = no rate) and/or a cap on active shoppers (0 = no cap); an
    # admitted customer's pass lasts pass_minutes; arrivals in the last early_minutes
    # before opening wait and are put in a random order.
    waiting_room: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    admit_per_minute: Mapped[int] = mapped_column(Integer, default=200, server_default="200")
    max_shoppers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    pass_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    early_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # Staff paused admission: kept here, not only in Redis, so a restart that loses
    # Redis's data does not resume a room staff stopped.
    room_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    venue: Mapped[Venue] = relationship(back_populates="events")


SEAT_KINDS = ("seat", "wheelchair", "companion", "standing")


class Seat(db.Model):
    """One sellable seat of one event; `x`/`y` place it on the map (stage at y=0).

    `kind` "standing" marks a numbered place of a general-admission area: an area of
    capacity N is N places, so the unique index below caps its sales exactly as it
    does for seats. Wheelchair spaces and companion seats are kinds of their own;
    a restricted view can be any seat's.
    """

    __tablename__ = "seats"
    __table_args__ = (UniqueConstraint("event_id", "label", name="uq_seat_label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    section: Mapped[str] = mapped_column(String(50))
    row: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(30))
    price_cents: Mapped[int] = mapped_column(Integer)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    x: Mapped[int] = mapped_column(Integer, default=0)
    y: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(12), default="seat", server_default="seat")
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class TicketType(db.Model):
    """A ticket type offered in one price zone (section) of an event, e.g. Child at £10."""

    __tablename__ = "ticket_types"
    __table_args__ = (UniqueConstraint("event_id", "section", "code", name="uq_ticket_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    section: Mapped[str] = mapped_column(String(50))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(50))
    price_cents: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


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


WAITLIST_STATUSES = ("waiting", "offered", "booked", "lapsed", "left")


class WaitlistEntry(db.Model):
    """A group waiting for seats of a sold-out event (or section), first come first offered."""

    __tablename__ = "waitlist_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    section: Mapped[str | None] = mapped_column(String(50), nullable=True)
    email: Mapped[str] = mapped_column(String(254))
    quantity: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(String(64))
    # Secret of the offer link, so the offer can be claimed from another browser.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="waiting", index=True)
    hold_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


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


class PresaleCode(db.Model):
    """A code that lets its holder buy before general sale or skip the waiting room."""

    __tablename__ = "presale_codes"
    __table_args__ = (UniqueConstraint("event_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    seat_cap: Mapped[int] = mapped_column(Integer)  # seats each holder may buy
    valid_from: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PresaleRedemption(db.Model):
    """One customer's use of a code: unique, so redeeming again costs no second use."""

    __tablename__ = "presale_redemptions"
    __table_args__ = (UniqueConstraint("code_id", "customer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("presale_codes.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


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
