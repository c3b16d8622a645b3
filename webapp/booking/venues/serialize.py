"""Plain-dict views of domain objects, shared by the JSON API and stored replies."""

from __future__ import annotations

from datetime import UTC, datetime

from webapp.booking.models import Booking


def iso(value: datetime | None) -> str | None:
    """Naive UTC datetime as ISO 8601 with a Z."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def booking_dict(booking: Booking, labels: dict[int, str] | None = None) -> dict:
    """A booking as its owner may see it; `labels` (seat id -> label) saves loading
    each seat when the caller has them."""
    label = (lambda bs: labels[bs.seat_id]) if labels else (lambda bs: bs.seat.label)
    seats = [(bs.seat_id, label(bs), bs.ticket_type, bs.price_cents) for bs in booking.seats]
    return _booking_body(lambda name: getattr(booking, name), seats)


def new_booking_dict(booking: dict, lines: list) -> dict:
    """booking_dict of a booking just inserted from these values and priced lines (in
    the order its seat rows were inserted), without loading it back."""
    seats = [(ln.seat.id, ln.seat.label, ln.ticket_type, ln.price_cents) for ln in lines]
    return _booking_body(booking.__getitem__, seats)


def _booking_body(field, seats: list[tuple[int, str, str, int]]) -> dict:
    """The one shape of a booking for its owner: `field(name)` reads the booking's
    columns, `seats` are (seat id, label, ticket type, price) in booking order."""
    return {
        "reference": field("reference"),
        "event_id": field("event_id"),
        "status": field("status"),
        "status_reason": field("status_reason"),
        "amount_cents": field("amount_cents"),
        "seat_ids": [seat_id for seat_id, _, _, _ in seats],
        "seats": [label for _, label, _, _ in seats],
        "lines": [
            {"seat": label, "ticket_type": kind, "price_cents": price}
            for _, label, kind, price in seats
        ],
        "name": field("name"),
        "email": field("email"),
        "expires_at": iso(field("expires_at")),
        "created_at": iso(field("created_at")),
    }


def queue_dict(event_id: int, place) -> dict:
    """A waiting-room place for the API (a room.Place)."""
    found = {
        "event_id": event_id,
        "state": place.state,
        "poll_seconds": place.poll_seconds,
        "sale_opens_at": _ms_iso(place.opens_ms),
    }
    if place.state == "waiting":
        found |= {
            "position": None if place.ahead is None else place.ahead + 1,
            "ahead": place.ahead,
            "in_line": place.in_line,
            "eta_seconds": place.eta_seconds,
        }
    if place.token:
        found |= {"pass": place.token, "pass_expires_at": _ms_iso(place.expires_ms)}
    return found


def _ms_iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None).isoformat() + "Z"


def details_dict(found) -> dict:
    """A booking's event and tickets for the API (a ticket_codes.BookingDetails); the
    codes only once paid, when they admit."""
    return {
        "status_text": found.status_words,
        "event": {
            "id": found.event_id,
            "name": found.event,
            "starts_at": iso(found.starts_at),
            "venue": found.venue,
        },
        "tickets": [
            {
                "seat": t.label,
                "section": t.section,
                "row": t.row or None,
                "number": None if t.standing else t.number,
                "standing": t.standing,
                "ticket_type": t.ticket_type,
                "price_cents": t.price_cents,
                "code": t.code if found.status == "confirmed" else None,
            }
            for t in found.tickets
        ],
    }
