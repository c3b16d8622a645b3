"""Venues, events, seats and the ticket types an event offers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db


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
