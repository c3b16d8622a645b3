"""Check-in at the door: each ticket admits once, atomically.

The check-in row is unique per ticket, so two doors scanning one ticket at the same
moment admit it once on SQLite and PostgreSQL alike: the second insert is refused and
that door is told when and where the ticket went in.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from webapp.booking.context import session
from webapp.booking.models import Booking, BookingSeat, CheckIn, Event, Seat, utcnow
from webapp.booking.tickets import ticket_codes
from webapp.booking.venues.venues import ticket_type_name
from webapp.database import write_transaction

REFUSED_STATUS = {
    "refunded": "This booking was refunded: the ticket no longer admits.",
    "cancelled": "This booking was cancelled: the ticket no longer admits.",
    "expired": "This booking was never paid: the ticket does not admit.",
    "pending": "This booking is not paid yet: the ticket does not admit.",
}


@dataclass(frozen=True)
class Scan:
    """What the door shows: green (`admitted`) or red with the reason in words."""

    admitted: bool
    reason: (
        str  # admitted | already | refunded | cancelled | expired | pending | other_event | forged
    )
    message: str
    seat: str = ""
    name: str = ""
    when: datetime | None = None
    door: str = ""
    ticket: str = ""  # its type and what staff check: "Child · wheelchair space"


KIND_WORDS = {"wheelchair": "wheelchair space", "companion": "companion seat"}


def ticket_words(ticket_type: str, kind: str, restricted: bool) -> str:
    """A ticket's type and attributes in words, for the door to check (a child ticket,
    a wheelchair space): "Child · wheelchair space · restricted view"."""
    words = [ticket_type_name(ticket_type)]
    if kind in KIND_WORDS:
        words.append(KIND_WORDS[kind])
    if restricted:
        words.append("restricted view")
    return " · ".join(words)


def check_in(event_id: int, code: object, door: str, actor: str) -> Scan:
    """Admit the ticket with this code at this event's door, once."""
    found = ticket_codes.read(code)
    if found is None:
        return Scan(False, "forged", "Not a genuine ticket: the code does not verify.")
    ticket_event, ticket_id = found
    if ticket_event != event_id:
        name = session().scalar(select(Event.name).where(Event.id == ticket_event)) or "?"
        return Scan(False, "other_event", f"This ticket is for another event: {name}.")
    row = (
        session()
        .execute(
            select(BookingSeat, Booking)
            .join(Booking, Booking.id == BookingSeat.booking_id)
            .where(BookingSeat.id == ticket_id)
        )
        .one_or_none()
    )
    if row is None:
        return Scan(False, "forged", "Not a genuine ticket: no such ticket was sold.")
    ticket, booking = row
    seat, name = ticket.seat.label, booking.name
    words = ticket_words(ticket.ticket_type, ticket.seat.kind, ticket.seat.restricted)
    if booking.status != "confirmed" or not ticket.active:
        reason = booking.status if booking.status in REFUSED_STATUS else "cancelled"
        return Scan(False, reason, REFUSED_STATUS[reason], seat, name, ticket=words)
    door = (door or "").strip()[:60] or "door"
    try:
        with write_transaction(session()) as s:
            s.add(CheckIn(booking_seat_id=ticket_id, event_id=event_id, door=door, actor=actor))
    except IntegrityError:
        earlier = session().scalar(select(CheckIn).where(CheckIn.booking_seat_id == ticket_id))
        return Scan(
            False,
            "already",
            f"Already admitted at {earlier.created_at:%H:%M:%S} at {earlier.door}.",
            seat,
            name,
            earlier.created_at,
            earlier.door,
            words,
        )
    return Scan(True, "admitted", "Admitted.", seat, name, utcnow(), door, words)


@dataclass(frozen=True)
class DoorCounts:
    checked_in: int
    to_come: int


def counts(event_id: int) -> DoorCounts:
    """Tickets admitted so far and still to come (active seats of confirmed bookings)."""
    sold = session().scalar(
        select(func.count(BookingSeat.id))
        .join(Booking, Booking.id == BookingSeat.booking_id)
        .where(Booking.event_id == event_id, Booking.status == "confirmed", BookingSeat.active)
    )
    inside = session().scalar(select(func.count(CheckIn.id)).where(CheckIn.event_id == event_id))
    return DoorCounts(inside or 0, max(0, (sold or 0) - (inside or 0)))


# A change is looked for from a little before the cursor a door was given: a check-in
# or refund committing while the previous answer was read is not missed.
DELTA_OVERLAP = timedelta(seconds=5)


def manifest(event_id: int, since: str | None = None) -> dict:
    """What a door needs to check tickets while the network is down: the event's public
    key (to verify HF2 codes; it cannot sign one) and every sold ticket with whether it
    admits and whether it is in already, with a hash of its code for an HF1 ticket (the
    device compares it; the code itself is not given away). No secret key is in it; it
    holds the holders' names, so: door staff only.

    With `since` (the `cursor` of an earlier answer) only the tickets changed since then
    (checked in at any door, refunded, cancelled, newly sold): what a door polls while
    online to keep its list current. An unreadable cursor gets the whole list.
    """
    started = utcnow()
    query = (
        select(
            BookingSeat.id,
            BookingSeat.active,
            BookingSeat.code_form,
            BookingSeat.ticket_type,
            Seat.label,
            Seat.kind,
            Seat.restricted,
            Booking.status,
            Booking.name,
            CheckIn.id.label("check_in"),
        )
        .join(Booking, Booking.id == BookingSeat.booking_id)
        .join(Seat, Seat.id == BookingSeat.seat_id)
        .outerjoin(CheckIn, CheckIn.booking_seat_id == BookingSeat.id)
        .where(Booking.event_id == event_id)
    )
    cutoff = _cursor(since)
    if cutoff is not None:
        query = query.where(
            or_(
                Booking.updated_at >= cutoff - DELTA_OVERLAP,
                Booking.created_at >= cutoff - DELTA_OVERLAP,
                CheckIn.created_at >= cutoff - DELTA_OVERLAP,
            )
        )
    tickets = {str(row.id): _listed(event_id, row) for row in session().execute(query)}
    return {
        "event_id": event_id,
        "public_key": base64.b64encode(ticket_codes.public_key(event_id)).decode(),
        "tickets": tickets,
        "messages": REFUSED_STATUS,
        "cursor": started.isoformat(),
        "delta": cutoff is not None,
    }


def _listed(event_id: int, row) -> dict:
    """One ticket of a door's list: whether it admits (and why not), whether it is in,
    whose it is and what it is; an HF1 ticket's code as its hash."""
    admits = row.status == "confirmed" and row.active
    reason = "admits" if admits else (row.status if row.status in REFUSED_STATUS else "cancelled")
    listed = {
        "admits": admits,
        "reason": reason,
        "name": row.name,
        "inside": row.check_in is not None,
        "seat": row.label,
        "ticket": ticket_words(row.ticket_type, row.kind, row.restricted),
    }
    if row.code_form == 1:
        listed["hf1"] = ticket_codes.legacy_digest(ticket_codes.code_for(event_id, row.id, 1))
    return listed


def _cursor(since: str | None) -> datetime | None:
    if not since:
        return None
    try:
        found = datetime.fromisoformat(since)
    except ValueError:
        return None
    return None if found.tzinfo else found


def sync(event_id: int, scans: object, actor: str) -> list[dict]:
    """Scans a door made offline, sent when it is back: each is checked in now. One the
    door admitted that the server refuses as already in was admitted at two doors (a
    conflict the door shows)."""
    if not isinstance(scans, list) or len(scans) > 5000:
        return []
    results = []
    for scan in scans:
        if not isinstance(scan, dict):
            continue
        code, door = scan.get("code"), scan.get("door")
        door = door if isinstance(door, str) else ""
        found = check_in(event_id, code, f"{door} (offline)", actor)
        results.append(
            {
                "code": code if isinstance(code, str) else "",
                "admitted": found.admitted,
                "reason": found.reason,
                "message": found.message,
                # Admitted here offline, refused by the server for any reason (in at
                # another door, refunded, cancelled meanwhile): someone to go and see.
                "conflict": bool(scan.get("admitted_offline")) and not found.admitted,
            }
        )
    return results
