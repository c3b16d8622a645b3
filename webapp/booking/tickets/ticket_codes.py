"""Ticket codes: what a ticket's QR code carries.

`HF2.<event id>.<ticket id>.<signature>` (tickets sold now): the ticket id is the booked
seat's row id and the signature an Ed25519 signature (base32, 103 characters) of
`HF2.<event id>.<ticket id>` under a key of the event's own, derived from SECRET_KEY and
never sent anywhere. A door is given only the event's public key: it can tell a genuine
code from a forgery offline, but a stolen door device cannot make a valid ticket (the
way pretix's signed ticket secrets work). The code stays in QR's alphanumeric mode
(digits, capitals, "."), about 120 characters: a version 7 symbol a phone shows well.

`HF1.<event id>.<ticket id>.<signature>` (tickets sold before): an HMAC-SHA256 (80 bits,
base32) under the event's secret key. The server still reads them; a door's offline
list carries only a hash of each such code (booking_seats.code_form says which a
ticket has), so the device can recognise the genuine ones without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from webapp.booking.context import setting
from webapp.booking.venues.venues import ticket_type_name

VERSION = "HF2"
LEGACY = re.compile(r"^HF1\.(\d{1,10})\.(\d{1,12})\.([A-Z2-7]{16})$")
SIGNED = re.compile(r"^HF2\.(\d{1,10})\.(\d{1,12})\.([A-Z2-7]{103})$")


def event_key(event_id: int) -> bytes:
    """The secret key that signs (and checks) this event's HF1 tickets."""
    secret = setting("SECRET_KEY").encode()
    return hmac.new(secret, f"holdfast-tickets:{event_id}".encode(), hashlib.sha256).digest()


@lru_cache(maxsize=256)
def _signing_key(secret: str, event_id: int) -> Ed25519PrivateKey:
    seed = hmac.new(secret.encode(), f"holdfast-ticket-ed25519:{event_id}".encode(), "sha256")
    return Ed25519PrivateKey.from_private_bytes(seed.digest())


def signing_key(event_id: int) -> Ed25519PrivateKey:
    """The private key of this event's HF2 tickets (server side only)."""
    return _signing_key(setting("SECRET_KEY"), event_id)


def public_key(event_id: int) -> bytes:
    """This event's public key, raw (32 bytes): what a door verifies HF2 codes with."""
    return signing_key(event_id).public_key().public_bytes_raw()


def _legacy_signature(key: bytes, event_id: int, ticket_id: int) -> str:
    digest = hmac.new(key, f"{event_id}.{ticket_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode()


def _signed_part(event_id: int, ticket_id: int) -> bytes:
    return f"{VERSION}.{event_id}.{ticket_id}".encode()


def code_for(event_id: int, ticket_id: int, form: int = 2) -> str:
    """The signed code of one ticket: HF2, or HF1 for a ticket sold before HF2."""
    if form == 1:
        signature = _legacy_signature(event_key(event_id), event_id, ticket_id)
        return f"HF1.{event_id}.{ticket_id}.{signature}"
    signature = signing_key(event_id).sign(_signed_part(event_id, ticket_id))
    return f"{VERSION}.{event_id}.{ticket_id}.{base64.b32encode(signature).decode().rstrip('=')}"


def legacy_digest(code: str) -> str:
    """What a door's list holds of an HF1 code: its SHA-256, hex (not the code itself)."""
    return hashlib.sha256(code.encode()).hexdigest()


def read(code: object) -> tuple[int, int] | None:
    """(event id, ticket id) of a genuine code, HF2 or HF1; None for anything else."""
    if not isinstance(code, str):
        return None
    code = code.strip().upper()
    if match := SIGNED.match(code):
        event_id, ticket_id = int(match[1]), int(match[2])
        signature = base64.b32decode(match[3] + "=")
        if base64.b32encode(signature).decode().rstrip("=") != match[3]:
            return None  # spare low bits set: one ticket, one code
        key = Ed25519PublicKey.from_public_bytes(public_key(event_id))
        try:
            key.verify(signature, _signed_part(event_id, ticket_id))
        except InvalidSignature:
            return None
        return event_id, ticket_id
    if match := LEGACY.match(code):
        event_id, ticket_id = int(match[1]), int(match[2])
        expected = _legacy_signature(event_key(event_id), event_id, ticket_id)
        return (event_id, ticket_id) if hmac.compare_digest(expected, match[3]) else None
    return None


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
    time_zone: str | None = None  # the venue's (local_time shows starts_at on its clock)


def details(booking) -> BookingDetails:
    """The event, the tickets with their codes, and the status in words (a Booking)."""

    event = booking.event
    tickets = [
        Ticket(
            code_for(booking.event_id, bs.id, bs.code_form),
            bs.seat.label,
            bs.seat.section,
            bs.seat.row,
            bs.seat.number,
            bs.seat.kind == "standing",
            ticket_type_name(bs.ticket_type),
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
        event.venue.time_zone,
    )
