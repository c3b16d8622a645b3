"""Ticket codes: what a ticket's QR code carries.

`HF1.<event id>.<ticket id>.<signature>`: the ticket id is the booked seat's row id, and
the signature is an HMAC-SHA256 (80 bits, base32) under a key of the event's own,
derived from SECRET_KEY. So a code cannot be guessed or altered, and a door given the
event's key (and only that event's) can tell a genuine code from a forgery without
asking the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from webapp.booking.context import setting
from webapp.booking.venues import TICKET_TYPE_NAMES

VERSION = "HF1"
CODE = re.compile(r"^HF1\.(\d{1,10})\.(\d{1,12})\.([A-Z2-7]{16})$")


def event_key(event_id: int) -> bytes:
    """The key that signs (and checks) this event's tickets."""
    secret = setting("SECRET_KEY").encode()
    return hmac.new(secret, f"holdfast-tickets:{event_id}".encode(), hashlib.sha256).digest()


def _signature(key: bytes, event_id: int, ticket_id: int) -> str:
    digest = hmac.new(key, f"{event_id}.{ticket_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode()


def code_for(event_id: int, ticket_id: int) -> str:
    """The signed code of one ticket."""
    return (
        f"{VERSION}.{event_id}.{ticket_id}.{_signature(event_key(event_id), event_id, ticket_id)}"
    )


def read(code: object) -> tuple[int, int] | None:
    """(event id, ticket id) of a genuine code; None for anything else."""
    if not isinstance(code, str):
        return None
    match = CODE.match(code.strip().upper())
    if not match:
        return None
    event_id, ticket_id = int(match[1]), int(match[2])
    expected = _signature(event_key(event_id), event_id, ticket_id)
    return (event_id, ticket_id) if hmac.compare_digest(expected, match[3]) else None


STATUS_WORDS = {
    "pending": "Waiting for payment",
    "confirmed": "Payment received — seats confirmed. Your tickets are below.",
    "refunded": "Refunded: these tickets no longer admit",
    "cancelled": "Cancelled: these tickets do not admit",
    "expired": "Not paid in time: the seats went back on sale",
}


@dataclass(frozen=True)
class Ticket:
    """One ticket of a booking (a seat or a standing place), with its signed code."""

    code: str
    label: str
    section: str
    row: str
    number: int
    standing: bool
    ticket_type: str  # its name: "Adult", "Child", ...
    price_cents: int

    def place(self) -> str:
        """Where it admits to, in words."""
        if self.standing:
            return f"{self.section}, standing"
        return f"{self.section}, row {self.row}, seat {self.number}"


@dataclass(frozen=True)
class BookingDetails:
    """What a booking's page, its files and the API show of it."""

    event_id: int
    event: str
    starts_at: datetime
    venue: str
    status: str
    status_words: str
    tickets: list[Ticket]


def details(booking) -> BookingDetails:
    """The event, the tickets with their codes, and the status in words (a Booking)."""

    event = booking.event
    tickets = [
        Ticket(
            code_for(booking.event_id, bs.id),
            bs.seat.label,
            bs.seat.section,
            bs.seat.row,
            bs.seat.number,
            bs.seat.kind == "standing",
            TICKET_TYPE_NAMES.get(bs.ticket_type, bs.ticket_type.title()),
            bs.price_cents,
        )
        for bs in booking.seats
        if bs.active or booking.status != "confirmed"
    ]
    return BookingDetails(
        event.id,
        event.name,
        event.starts_at,
        event.venue.name,
        booking.status,
        STATUS_WORDS.get(booking.status, booking.status),
        tickets,
    )
