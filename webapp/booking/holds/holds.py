"""Taking holds: hand-picked seats, standing places and best available (Redis decides).

A new hold reads nothing from the database: the seat geometry is cached per process
(layouts), and Redis knows held, sold and blocked seats and what each customer bought
once the event is primed (priming.py). hold.lua takes the seats, schedules the
fallback (the event's due set) and announces the change in one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from webapp.booking.context import seat_limit, setting
from webapp.booking.errors import BookingError
from webapp.booking.holds import checked_out, hold_input, keys, priming, refusals
from webapp.booking.holds.holdstore import store
from webapp.booking.holds.takes import Part, TakeRequest, TakeResult
from webapp.booking.money import money
from webapp.booking.signals import reports_hold
from webapp.booking.venues import geometry

CHUNK_GROUPS = 128  # candidate groups sent to Redis per attempt (wheelchair spaces)


@dataclass
class Hold:
    """A successful hold, as callers see it."""

    hold_id: str
    event_id: int
    seat_ids: list[int]
    fence: int
    expires_at: datetime
    ttl_seconds: int
    extended: bool = False  # its one extension (HOLD_EXTEND_SECONDS) is used

    def to_dict(self) -> dict:
        return {
            "hold_id": self.hold_id,
            "event_id": self.event_id,
            "seat_ids": self.seat_ids,
            "fence": self.fence,
            "expires_at": self.expires_at.isoformat() + "Z",
            "ttl_seconds": self.ttl_seconds,
        }


@dataclass(frozen=True)
class HoldRequest:
    """Who asks for a hold on which event, and into which hold the seats go."""

    event_id: int
    customer: str
    layout: geometry.EventLayout
    hold_id: str  # a new id, or the live hold (basket) the seats are added to
    grows: bool  # True when adding to an existing hold
    client: str | None  # network address, for MAX_SEATS_PER_ADDRESS
    ttl_seconds: int

    @classmethod
    def make(
        cls,
        event_id: int,
        customer: str,
        add_to: str | None,
        client: str | None,
        ttl_seconds: int | None,
    ) -> HoldRequest:
        """Check the event and the hold to add to; event_not_found, hold_not_found or
        hold_checked_out otherwise."""
        layout = geometry.layout_of(event_id)
        if add_to is not None:
            if keys.event_of_hold(add_to) != event_id:
                raise BookingError("hold_not_found")
            checked_out.refuse_checked_out(add_to)
        return cls(
            event_id,
            customer,
            layout,
            add_to or keys.new_hold_id(event_id),
            add_to is not None,
            client,
            ttl_seconds or setting("HOLD_TTL_SECONDS"),
        )


def ms_to_datetime(ms: int) -> datetime:
    """Redis milliseconds since the epoch as a naive UTC datetime."""
    return datetime(1970, 1, 1) + timedelta(milliseconds=ms)


@reports_hold
def hold_seats(
    event_id: int,
    customer: str,
    seat_ids: list[int],
    add_to: str | None = None,
    client: str | None = None,
    standing: dict[str, int] | None = None,
    ttl_seconds: int | None = None,
) -> Hold:
    """Hold exactly these seats (and standing places) for `customer`, all or nothing.

    Args:
        event_id: the event.
        customer: the customer id from the session.
        seat_ids: seats of this event, each at most once (may be empty with `standing`).
        add_to: a live hold of this customer to add the seats to (a basket); they
            then share its deadline. A new hold is made when omitted.
        client: the network address the request came from; at most
            MAX_SEATS_PER_ADDRESS seats may be held from one address per event.
        standing: places wanted per general-admission area, {"Floor": 2}; they are
            taken in the same atomic step as the seats.
        ttl_seconds: how long a new hold lasts (HOLD_TTL_SECONDS when omitted).

    Returns:
        The new or grown Hold (the seats and places taken by this call in `seat_ids`).

    Raises:
        BookingError: invalid_input, event_not_found, section_not_found, foreign_seats,
            seats_blocked, seats_unavailable, orphan_seat, standing_full, seat_limit,
            address_limit, hold_expired (add_to lapsed) or hold_checked_out (add_to is
            in checkout); nothing is held then.
    """
    standing = hold_input.standing(standing)
    seat_ids = hold_input.seat_ids(seat_ids, allow_empty=bool(standing))
    if len(seat_ids) + sum(standing.values()) > seat_limit():
        raise BookingError("seat_limit", limit=seat_limit())
    req = HoldRequest.make(event_id, customer, add_to, client, ttl_seconds)
    hold_input.check_seats(req.layout, seat_ids, standing)
    parts = [Part("scatter", qty, req.layout.places(area)) for area, qty in standing.items()]
    if seat_ids:
        # The section's pool lets hold.lua look for a pick that strands nobody.
        section = req.layout.seat(seat_ids[0]).section
        pool, centre = keys.pool(event_id, section), req.layout.centre(section)
        parts.insert(0, Part("exact", len(seat_ids), seat_ids, pool=pool, centre=centre))
    result = _take(req, parts)
    if result.status != "ok":
        refusals.refuse(req, seat_ids, standing, result)
    return _made(req, result)


@reports_hold
def hold_best_available(
    event_id: int,
    customer: str,
    quantity: int,
    section: str | None = None,
    add_to: str | None = None,
    client: str | None = None,
    wheelchair: bool = False,
    ttl_seconds: int | None = None,
    max_price_cents: int | None = None,
) -> Hold:
    """Hold the best `quantity` seats: side by side in one row if possible, else apart.

    hold.lua searches the event's pool itself (see pools.py), skipping seats others
    take while it looks, so a caller is refused only when fewer than `quantity` seats
    are left. With the event's no-orphan rule, a pick strands a seat only when no pick
    of that size strands nobody: the rule steers, it never refuses the last seats.

    Args:
        event_id: the event.
        customer: the customer id from the session.
        quantity: how many seats, 1..MAX_SEATS_PER_CUSTOMER.
        section: only seats of this section, when given.
        add_to: a live hold of this customer to add the seats to (see hold_seats).
        client: the network address of the request (see hold_seats).
        wheelchair: wheelchair spaces (with companion seats beside them) instead of
            ordinary seats, which best available otherwise never offers.
        ttl_seconds: how long the new hold lasts (HOLD_TTL_SECONDS when omitted; a
            waiting-list offer lasts WAITLIST_OFFER_SECONDS).
        max_price_cents: only seats costing at most this (a buyer's budget).

    Returns:
        The new or grown Hold (the seats taken by this call in `seat_ids`).

    Raises:
        BookingError: invalid_input, event_not_found, section_not_found, seat_limit,
            sold_out, sold_out_at_price, hold_expired or hold_checked_out.
    """
    quantity = hold_input.quantity(quantity)
    section, wheelchair = hold_input.section(section), hold_input.wheelchair(wheelchair)
    max_price_cents = hold_input.max_price(max_price_cents)
    req = HoldRequest.make(event_id, customer, add_to, client, ttl_seconds)
    if section is not None and section not in req.layout.sections:
        raise BookingError("section_not_found", section=section)
    for part in _attempts(req, quantity, section, wheelchair, max_price_cents):
        result = _take(req, [part])
        if result.status == "gone":
            raise BookingError("hold_expired")
        if result.status == "ok":
            return _made(req, result)
    if max_price_cents is not None:
        raise BookingError("sold_out_at_price", price=money(max_price_cents))
    raise BookingError("sold_out")


def _attempts(req: HoldRequest, quantity: int, section, wheelchair: bool, max_price):
    """What to try, in order: the section's pool (searched by hold.lua) for the plain
    "best n" of the on-sale rush; for the rarer asks (windows must hold a wheelchair
    space, or keep to a budget) candidate lists Python builds from the layout."""
    if wheelchair or max_price is not None:
        return _listed_attempts(req.layout, quantity, section, wheelchair, max_price)
    pool = keys.pool(req.event_id, section)
    centre = req.layout.centre(section)
    return [Part("best", quantity, lenient=True, pool=pool, centre=centre)]


def _listed_attempts(
    layout: geometry.EventLayout,
    quantity: int,
    section: str | None,
    wheelchair: bool,
    max_price: int | None,
):
    """Candidate lists for wheelchair spaces or seats within a budget, built lazily
    (the first chunk usually does)."""
    groups = layout.groups(quantity, section, wheelchair, max_price)
    small, large = CHUNK_GROUPS, CHUNK_GROUPS * 5
    for chunk in (groups[:small], groups[small:large], groups[large:]):
        if chunk:
            yield Part("groups", quantity, [s for g in chunk for s in g])
    # Apart, and only then stranding a seat: the rule never refuses the last seats.
    apart = layout.best_first(section, wheelchair, max_price)
    if len(apart) >= quantity:
        yield Part("scatter", quantity, apart, lenient=True)


def _take(req: HoldRequest, parts: list[Part]) -> TakeResult:
    """Run hold.lua; an event Redis knows nothing of yet (or forgot) is primed first."""
    take = TakeRequest(
        req.event_id,
        req.hold_id,
        req.customer,
        parts,
        ttl_ms=req.ttl_seconds * 1000,
        max_seats=seat_limit(),
        client=req.client,
        max_per_client=setting("MAX_SEATS_PER_ADDRESS"),
        neighbours=req.layout.neighbours if req.layout.no_orphans else None,
        grows=req.grows,
    )
    result = store().take(take)
    if result.status == "cold":
        priming.prime(req.event_id)
        result = store().take(take)
    if result.status == "limit":
        raise BookingError("seat_limit", limit=seat_limit())
    if result.status == "iplimit":
        raise BookingError("address_limit", limit=setting("MAX_SEATS_PER_ADDRESS"))
    return result


def _made(req: HoldRequest, result: TakeResult) -> Hold:
    return Hold(
        req.hold_id,
        req.event_id,
        result.seat_ids,
        result.fence,
        ms_to_datetime(result.expires_ms),
        req.ttl_seconds,
    )
