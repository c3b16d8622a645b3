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

from webapp.booking import ticket_codes
from webapp.booking.context import session
from webapp.booking.models import Booking, BookingSeat, CheckIn, Event, utcnow
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
    if booking.status != "confirmed" or not ticket.active:
        reason = booking.status if booking.status in REFUSED_STATUS else "cancelled"
        return Scan(False, reason, REFUSED_STATUS[reason], seat, name)
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
        )
    return Scan(True, "admitted", "Admitted.", seat, name, utcnow(), door)


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
            Booking.status,
            Booking.name,
            CheckIn.id,
        )
        .join(Booking, Booking.id == BookingSeat.booking_id)
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
    rows = session().execute(query)
    tickets = {}
    for ticket_id, active, form, status, name, inside in rows:
        admits = status == "confirmed" and active
        reason = "admits" if admits else (status if status in REFUSED_STATUS else "cancelled")
        tickets[str(ticket_id)] = {"admits": admits, "reason": reason, "name": name,
                                   "inside": inside is not None}  # fmt: skip
        if form == 1:
            legacy = ticket_codes.code_for(event_id, ticket_id, 1)
            tickets[str(ticket_id)]["hf1"] = ticket_codes.legacy_digest(legacy)
    return {
        "event_id": event_id,
        "public_key": base64.b64encode(ticket_codes.public_key(event_id)).decode(),
        "tickets": tickets,
        "messages": REFUSED_STATUS,
        "cursor": started.isoformat(),
        "delta": cutoff is not None,
    }


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
