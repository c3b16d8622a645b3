"""Holding seats: take, release and extend holds (Redis decides, the database is checked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.booking import expiry, inventory, keys, layouts
from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.holdstore import TakeResult, store
from webapp.booking.models import Booking, Seat, utcnow

CHUNK_GROUPS = 128  # candidate groups sent to Redis per attempt


@dataclass
class Hold:
    """A successful hold, as callers see it."""

    hold_id: str
    event_id: int
    seat_ids: list[int]
    fence: int
    expires_at: datetime
    ttl_seconds: int

    def to_dict(self) -> dict:
        return {
            "hold_id": self.hold_id,
            "event_id": self.event_id,
            "seat_ids": self.seat_ids,
            "fence": self.fence,
            "expires_at": self.expires_at.isoformat() + "Z",
            "ttl_seconds": self.ttl_seconds,
        }


def ms_to_datetime(ms: int) -> datetime:
    """Redis milliseconds since the epoch as a naive UTC datetime."""
    return datetime(1970, 1, 1) + timedelta(milliseconds=ms)


def hold_seats(
    event_id: int,
    customer: str,
    seat_ids: list[int],
    add_to: str | None = None,
    client: str | None = None,
) -> Hold:
    """Hold exactly these seats for `customer`, all or nothing.

    Args:
        event_id: the event.
        customer: the customer id from the session.
        seat_ids: seats of this event, each at most once.
        add_to: a live hold of this customer to add the seats to (a basket); they
            then share its deadline. A new hold is made when omitted.
        client: the network address the request came from; at most
            MAX_SEATS_PER_ADDRESS seats may be held from one address per event.

    Returns:
        The new or grown Hold (the seats taken by this call in `seat_ids`).

    Raises:
        BookingError: invalid_input, event_not_found, foreign_seats, seats_blocked,
            seats_unavailable, seat_limit, address_limit, hold_expired (add_to
            lapsed) or hold_checked_out (add_to is in checkout); nothing is held then.
    """
    seat_ids = _validate_seat_ids(seat_ids)
    _require_event(event_id)
    stmt = select(Seat).where(Seat.event_id == event_id, Seat.id.in_(seat_ids))
    seats = {s.id: s for s in session().scalars(stmt)}
    foreign = [s for s in seat_ids if s not in seats]
    if foreign:
        raise BookingError("foreign_seats", ids=foreign)
    blocked = [seats[s].label for s in seat_ids if seats[s].blocked]
    if blocked:
        raise BookingError("seats_blocked", labels=blocked)
    booked = inventory.active_seats(session(), event_id, utcnow(), seat_ids)
    if booked:
        _refuse_taken(seats, list(booked))
    hold_id = add_to or keys.new_hold_id(event_id)
    if add_to is not None:
        _refuse_checked_out(add_to)
        if keys.event_of_hold(add_to) != event_id:
            raise BookingError("hold_not_found")
    result = _take(event_id, hold_id, customer, seat_ids, len(seat_ids), "groups", client)
    if result.status == "gone":
        raise BookingError("hold_expired")
    if result.status != "ok":
        _refuse_taken(seats, result.seat_ids)
    return _made(event_id, hold_id, result, schedule=add_to is None)


def hold_best_available(
    event_id: int,
    customer: str,
    quantity: int,
    section: str | None = None,
    add_to: str | None = None,
    client: str | None = None,
) -> Hold:
    """Hold the best `quantity` seats: side by side in one row if possible, else apart.

    Seats others take while we look are skipped inside the Lua script, so a
    caller is refused only when fewer than `quantity` seats are left.

    Args:
        event_id: the event.
        customer: the customer id from the session.
        quantity: how many seats, 1..MAX_SEATS_PER_CUSTOMER.
        section: only seats of this section, when given.
        add_to: a live hold of this customer to add the seats to (see hold_seats).
        client: the network address of the request (see hold_seats).

    Returns:
        The new or grown Hold (the seats taken by this call in `seat_ids`).

    Raises:
        BookingError: invalid_input, event_not_found, seat_limit, sold_out,
            hold_expired or hold_checked_out.
    """
    quantity = _validate_quantity(quantity)
    layout = layouts.layout_of(event_id)
    if section is not None and section not in layout.sections:
        raise BookingError("section_not_found", section=section)
    hold_id = add_to or keys.new_hold_id(event_id)
    if add_to is not None:
        _refuse_checked_out(add_to)
    # Redis knows held, sold and blocked seats, so candidates need no database read;
    # the seats it picks are checked against the database afterwards (see _verified).
    for repaired in (False, True):
        result = _take_best(event_id, hold_id, customer, layout, quantity, section, client)
        if result is None:
            raise BookingError("sold_out")
        if _verified(event_id, hold_id, customer, result, repaired):
            return _made(event_id, hold_id, result, schedule=add_to is None)
    raise BookingError("sold_out")


def _take_best(
    event_id: int,
    hold_id: str,
    customer: str,
    layout,
    quantity: int,
    section: str | None,
    client: str | None,
) -> TakeResult | None:
    """Adjacent seats if any run is free, else the best scattered ones; None if sold out."""
    bought = inventory.seats_bought(session(), event_id, customer)  # once, not per attempt

    def attempts():  # built lazily: the first chunk usually succeeds
        for groups in _chunks(layout.groups(quantity, section)):
            yield "groups", [s for g in groups for s in g]
        if quantity > 1:
            yield "scatter", layout.best_first(section)

    for mode, candidates in attempts():
        result = _take(event_id, hold_id, customer, candidates, quantity, mode, client, bought)
        if result.status == "gone":
            raise BookingError("hold_expired")
        if result.status == "ok":
            return result
    return None


def _verified(
    event_id: int, hold_id: str, customer: str, result: TakeResult, repaired: bool
) -> bool:
    """True if the database agrees the picked seats are free and sellable.

    Otherwise Redis lost marks (a restart or FLUSHALL): give the seats back,
    rebuild the event's marks from the database once, and let the caller retry.
    If the database cannot answer, the seats go back too: no hold nobody knows of.
    """
    try:
        bad = inventory.unsellable(session(), event_id, result.seat_ids, utcnow())
    except Exception:
        store().finish(event_id, hold_id, customer, result.seat_ids, "drop")
        raise
    if not bad:
        return True
    store().finish(event_id, hold_id, customer, result.seat_ids, "drop")
    if not repaired:
        restore_marks(event_id)
    return False


def restore_marks(event_id: int) -> int:
    """Rewrite Redis marks from the database: sold, blocked, and pending bookings' holds."""
    marks = inventory.database_marks(session(), event_id, utcnow())
    return store().restore(event_id, marks)


def _chunks(groups: list[list[int]]) -> list[list[list[int]]]:
    """The best CHUNK_GROUPS first (usually enough), then four times as many, then the rest,
    so a nearly sold-out event costs at most three round trips."""
    small, large = CHUNK_GROUPS, CHUNK_GROUPS * 5
    return [chunk for chunk in (groups[:small], groups[small:large], groups[large:]) if chunk]


def release_hold(hold_id: str, customer: str) -> list[int]:
    """Give the hold's seats back, for its holder only; a pending booking is cancelled.

    Returns:
        The seat ids that became available.

    Raises:
        BookingError: hold_not_found when the hold is gone or belongs to someone else.
    """
    event_id, info = _own_hold(hold_id, customer)
    booking = session().scalar(select(Booking).where(Booking.hold_id == hold_id))
    if booking is not None and booking.status == "confirmed":
        raise BookingError("hold_checked_out")
    if booking is not None:
        expiry.end_pending(booking, "cancelled", "Released by the customer.")
    return store().finish(event_id, hold_id, customer, info["seat_ids"], "release")


def release_seats(hold_id: str, customer: str, seat_ids: list[int]) -> list[int]:
    """Take some seats out of the customer's hold; the hold ends when none are left.

    Returns:
        The seat ids that became available.

    Raises:
        BookingError: hold_not_found, or hold_checked_out once the hold is in checkout.
    """
    event_id, info = _own_hold(hold_id, customer)
    _refuse_checked_out(hold_id)
    mine = [s for s in seat_ids if s in info["seat_ids"]]
    return store().finish(event_id, hold_id, customer, mine, "drop") if mine else []


def get_hold(hold_id: str | None, customer: str) -> Hold | None:
    """The customer's hold while it is live, else None."""
    if not hold_id:
        return None
    try:
        event_id, info = _own_hold(hold_id, customer)
    except BookingError:
        return None
    if not store().is_live(event_id, hold_id):
        return None
    return Hold(
        hold_id,
        event_id,
        info["seat_ids"],
        info["fence"],
        ms_to_datetime(info["expires_ms"]),
        setting("HOLD_TTL_SECONDS"),
    )


def extend_hold(hold_id: str, customer: str) -> Hold:
    """Add HOLD_EXTEND_SECONDS to a live hold, once; the countdown cannot be reset forever.

    Raises:
        BookingError: hold_not_found, hold_expired or already_extended.
    """
    event_id, info = _own_hold(hold_id, customer)
    status, expires_ms = store().extend(
        event_id, hold_id, customer, info["seat_ids"], setting("HOLD_EXTEND_SECONDS") * 1000
    )
    if status == "gone":
        raise BookingError("hold_expired")
    if status == "again":
        raise BookingError("already_extended")
    if status != "ok":
        raise BookingError("hold_not_found")
    expires_at = ms_to_datetime(expires_ms)
    expiry.move_pending_expiry(hold_id, expires_at)
    hold = Hold(
        hold_id, event_id, info["seat_ids"], info["fence"], expires_at, setting("HOLD_TTL_SECONDS")
    )
    expiry.schedule_fallback(hold)
    return hold


def _own_hold(hold_id: str, customer: str) -> tuple[int, dict]:
    """(event id, hold info) when `customer` holds `hold_id`; else hold_not_found."""
    event_id = keys.event_of_hold(hold_id) if isinstance(hold_id, str) else None
    info = store().info(event_id, hold_id) if event_id is not None else None
    if info is None or info["customer"] != customer:
        raise BookingError("hold_not_found")
    return event_id, info


def _require_event(event_id: int) -> None:
    if inventory.get_event(session(), event_id) is None:
        raise BookingError("event_not_found")


def _validate_seat_ids(seat_ids: object) -> list[int]:
    if not isinstance(seat_ids, list) or not seat_ids:
        raise BookingError("invalid_input", "Choose at least one seat.")
    if not all(
        isinstance(s, int) and not isinstance(s, bool) and 0 < s <= inventory.MAX_ID
        for s in seat_ids
    ):
        raise BookingError("invalid_input", "Seat ids must be positive whole numbers.")
    if len(set(seat_ids)) != len(seat_ids):
        raise BookingError("invalid_input", "Each seat can be chosen only once.")
    limit = setting("MAX_SEATS_PER_CUSTOMER")
    if len(seat_ids) > limit:
        raise BookingError("seat_limit", limit=limit)
    return seat_ids


def _validate_quantity(quantity: object) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise BookingError("invalid_input", "Quantity must be a whole number of at least 1.")
    limit = setting("MAX_SEATS_PER_CUSTOMER")
    if quantity > limit:
        raise BookingError("seat_limit", limit=limit)
    return quantity


def _refuse_taken(seats: dict[int, Seat], taken: list[int]) -> None:
    raise BookingError(
        "seats_unavailable", labels=[seats[s].label for s in taken], seat_ids=sorted(taken)
    )


def _take(
    event_id: int,
    hold_id: str,
    customer: str,
    candidates: list[int],
    n: int,
    mode: str,
    client: str | None = None,
    bought: int | None = None,
) -> TakeResult:
    """Run hold.lua; `bought` (the customer's sold seats) is read when not given."""
    if bought is None:
        bought = inventory.seats_bought(session(), event_id, customer)
    result = store().take(
        event_id,
        hold_id,
        customer,
        candidates,
        n=n,
        mode=mode,
        ttl_ms=setting("HOLD_TTL_SECONDS") * 1000,
        max_seats=setting("MAX_SEATS_PER_CUSTOMER"),
        bought=bought,
        client=client,
        max_per_client=setting("MAX_SEATS_PER_ADDRESS"),
    )
    if result.status == "limit":
        raise BookingError("seat_limit", limit=setting("MAX_SEATS_PER_CUSTOMER"))
    if result.status == "iplimit":
        raise BookingError("address_limit", limit=setting("MAX_SEATS_PER_ADDRESS"))
    return result


def _refuse_checked_out(hold_id: str) -> None:
    if session().scalar(select(Booking.id).where(Booking.hold_id == hold_id)) is not None:
        raise BookingError("hold_checked_out")


def _made(event_id: int, hold_id: str, result: TakeResult, schedule: bool = True) -> Hold:
    hold = Hold(
        hold_id,
        event_id,
        result.seat_ids,
        result.fence,
        ms_to_datetime(result.expires_ms),
        setting("HOLD_TTL_SECONDS"),
    )
    if schedule:
        expiry.schedule_fallback(hold)
    return hold
