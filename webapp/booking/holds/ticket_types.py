"""Ticket types: each price zone (section) offers adult at the seat's price, and may offer
child, concession or others at their own prices. The customer chooses one per seat in
the basket; prices and totals are always computed here, never taken from the client.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from webapp.booking.context import redis, session
from webapp.booking.errors import BookingError
from webapp.booking.holds import checked_out, keys
from webapp.booking.holds.holdstore import store
from webapp.booking.models import Seat, TicketType
from webapp.booking.venues import geometry

ADULT = "adult"


@dataclass(frozen=True)
class TicketOption:
    code: str
    name: str
    price_cents: int


def _offered(seat: Seat | geometry.Geo, extra: dict[str, list[TicketOption]]) -> list[TicketOption]:
    """The ticket types offered for this seat, adult (the seat's own price) first."""
    return [TicketOption(ADULT, "Adult", seat.price_cents), *extra.get(seat.section, [])]


def _extra(event_id: int) -> dict[str, list[TicketOption]]:
    """The event's further ticket types per section (one query the first time in this
    process: they are created with the event, like its seats, and kept with its layout)."""
    layout = geometry.layout_of(event_id)
    if layout.ticket_types is None:
        layout.ticket_types = _read_extra(event_id)
    return layout.ticket_types


def _read_extra(event_id: int) -> dict[str, list[TicketOption]]:
    rows = session().scalars(
        select(TicketType)
        .where(TicketType.event_id == event_id)
        .order_by(TicketType.section, TicketType.position)
    )
    found: dict[str, list[TicketOption]] = {}
    for t in rows:
        found.setdefault(t.section, []).append(TicketOption(t.code, t.name, t.price_cents))
    return found


@dataclass(frozen=True)
class Line:
    """One seat of a basket or booking with its ticket type and price."""

    seat: Seat | geometry.Geo
    ticket_type: str
    price_cents: int
    choices: list[TicketOption]

    @property
    def ticket_name(self) -> str:
        return next((o.name for o in self.choices if o.code == self.ticket_type), "Adult")


@dataclass(frozen=True)
class Priced:
    """A basket's seats priced by their ticket types, and the total: the one pricing that
    the basket, the checkout page, the API and the booking's amount all show."""

    lines: list[Line]

    @property
    def total_cents(self) -> int:
        return sum(line.price_cents for line in self.lines)


def choices(event_id: int, hold_id: str) -> dict[int, str]:
    """The ticket type chosen per seat of a hold (seats not listed are adult)."""
    raw = redis().hgetall(keys.hold_info(event_id, hold_id))
    return {int(k[5:]): v for k, v in raw.items() if k.startswith("type:")}


def price_hold(event_id: int, hold_id: str, seat_ids: list[int]) -> Priced:
    """A hold's seats priced with the ticket types chosen in it."""
    return price(event_id, seat_ids, choices(event_id, hold_id))


def price(
    event_id: int,
    seat_ids: list[int],
    chosen: dict[int, str],
    extra: dict[str, list[TicketOption]] | None = None,
) -> Priced:
    """Each seat with the price of its chosen ticket type (adult if the choice is gone),
    front to back; seats come from the cached layout (no query).

    `extra` is the event's further ticket types, read here when not given.
    """
    layout = geometry.layout_of(event_id)
    found = (layout.seat(s) for s in seat_ids)
    seats = sorted((g for g in found if g is not None), key=lambda g: (g.y, g.x))
    extra = _extra(event_id) if extra is None else extra
    lines = []
    for seat in seats:
        offered = _offered(seat, extra)
        pick = next((o for o in offered if o.code == chosen.get(seat.id)), offered[0])
        lines.append(Line(seat, pick.code, pick.price_cents, offered))
    return Priced(lines)


def choose(hold_id: str, customer: str, seat_id: object, code: object) -> Priced:
    """Set the ticket type of one seat in the customer's live hold; returns the priced basket.

    Raises:
        BookingError: hold_not_found (not the customer's), hold_expired, hold_checked_out,
            invalid_input (a seat not in the hold) or ticket_type_unknown.
    """
    if not isinstance(seat_id, int) or isinstance(seat_id, bool):
        raise BookingError("invalid_input", "Seat must be a seat id (a whole number).")
    if not isinstance(code, str):
        raise BookingError("invalid_input", 'Ticket type must be a code such as "adult".')
    event_id = keys.event_of_hold(hold_id) if isinstance(hold_id, str) else None
    info, live = store().info_if_live(event_id, hold_id) if event_id is not None else (None, False)
    if info is None or info["customer"] != customer:
        raise BookingError("hold_not_found")
    if not live:
        raise BookingError("hold_expired")
    checked_out.refuse_checked_out(hold_id)
    if seat_id not in info["seat_ids"]:
        raise BookingError("invalid_input", "That seat is not in this basket.")
    seat = session().get(Seat, seat_id)
    extra = _extra(event_id)
    offered = {o.code: o for o in _offered(seat, extra)}
    if code not in offered:
        names = [o.name for o in offered.values()]
        raise BookingError("ticket_type_unknown", label=seat.label, offered=names)
    redis().hset(keys.hold_info(event_id, hold_id), f"type:{seat_id}", code)
    return price(event_id, info["seat_ids"], choices(event_id, hold_id), extra)
