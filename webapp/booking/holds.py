"""Holding seats: take, release and extend holds (Redis decides, the database is checked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.booking import expiry, inventory, keys, layouts, orphans
from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.holdstore import Part, TakeResult, store
from webapp.booking.models import Booking, Seat, utcnow
from webapp.booking.returned import seats_returned

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
    standing = _validate_standing(standing)
    seat_ids = _validate_seat_ids(seat_ids, allow_empty=bool(standing))
    if len(seat_ids) + sum(standing.values()) > setting("MAX_SEATS_PER_CUSTOMER"):
        raise BookingError("seat_limit", limit=setting("MAX_SEATS_PER_CUSTOMER"))
    _require_event(event_id)
    layout = layouts.layout_of(event_id)
    seats = _sellable_seats(event_id, seat_ids)
    unknown = [area for area in standing if area not in layout.standing_areas()]
    if unknown:
        raise BookingError("section_not_found", section=unknown[0])
    hold_id = add_to or keys.new_hold_id(event_id)
    if add_to is not None:
        _refuse_checked_out(add_to)
        if keys.event_of_hold(add_to) != event_id:
            raise BookingError("hold_not_found")
    parts = [Part("exact", len(seat_ids), seat_ids)] if seat_ids else []
    parts += [Part("scatter", qty, layout.places(area)) for area, qty in standing.items()]
    for repaired in (False, True):
        result = _take(event_id, hold_id, customer, parts, layout, client, ttl_seconds=ttl_seconds)
        if result.status == "orphan" and _steer(event_id, layout, seat_ids, result.seat_ids[0]):
            parts[0] = Part("exact", len(seat_ids), seat_ids, lenient=True)
            result = _take(event_id, hold_id, customer, parts, layout, client, None, ttl_seconds)
        if result.status != "ok":
            _refuse(event_id, layout, seats, standing, result)
        # Places were picked by Redis alone: the database confirms them (see _verified).
        if not standing or _verified(event_id, hold_id, customer, result, repaired):
            return _made(event_id, hold_id, result, add_to is None, ttl_seconds)
    _refuse_standing(event_id, layout, standing)


def hold_best_available(
    event_id: int,
    customer: str,
    quantity: int,
    section: str | None = None,
    add_to: str | None = None,
    client: str | None = None,
    wheelchair: bool = False,
    ttl_seconds: int | None = None,
) -> Hold:
    """Hold the best `quantity` seats: side by side in one row if possible, else apart.

    Seats others take while we look are skipped inside the Lua script, so a
    caller is refused only when fewer than `quantity` seats are left. With the
    event's no-orphan rule, no pick leaves a seat on its own.

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

    Returns:
        The new or grown Hold (the seats taken by this call in `seat_ids`).

    Raises:
        BookingError: invalid_input, event_not_found, section_not_found, seat_limit,
            sold_out, hold_expired or hold_checked_out.
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
        result = _take_best(
            event_id, hold_id, customer, layout, quantity, section, client, wheelchair, ttl_seconds
        )
        if result is None:
            raise BookingError("sold_out")
        if _verified(event_id, hold_id, customer, result, repaired):
            return _made(event_id, hold_id, result, add_to is None, ttl_seconds)
    raise BookingError("sold_out")


def _sellable_seats(event_id: int, seat_ids: list[int]) -> dict[int, Seat]:
    """The seats by id, once the database says each is this event's, on sale and unsold."""
    stmt = select(Seat).where(Seat.event_id == event_id, Seat.id.in_(seat_ids))
    seats = {s.id: s for s in session().scalars(stmt)}
    foreign = [s for s in seat_ids if s not in seats]
    if foreign:
        raise BookingError("foreign_seats", ids=foreign)
    if any(seats[s].kind == "standing" for s in seat_ids):
        raise BookingError("invalid_input", "Standing places are chosen by number, not by id.")
    blocked = [seats[s].label for s in seat_ids if seats[s].blocked]
    if blocked:
        raise BookingError("seats_blocked", labels=blocked)
    booked = inventory.active_seats(session(), event_id, utcnow(), seat_ids)
    if booked:
        _refuse_taken(seats, list(booked))
    return seats


def _take_best(
    event_id: int,
    hold_id: str,
    customer: str,
    layout,
    quantity: int,
    section: str | None,
    client: str | None,
    wheelchair: bool = False,
    ttl_seconds: int | None = None,
) -> TakeResult | None:
    """Adjacent seats if any run is free, else the best scattered ones; None if sold out."""
    bought = inventory.seats_bought(session(), event_id, customer)  # once, not per attempt

    def attempts():  # built lazily: the first chunk usually succeeds
        for groups in _chunks(layout.groups(quantity, section, wheelchair)):
            yield Part("groups", quantity, [s for g in groups for s in g])
        # Apart, and only then stranding a seat: the rule never refuses the last seats.
        yield Part("scatter", quantity, layout.best_first(section, wheelchair), lenient=True)

    for part in attempts():
        result = _take(event_id, hold_id, customer, [part], layout, client, bought, ttl_seconds)
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
    freed = store().finish(event_id, hold_id, customer, info["seat_ids"], "release")
    seats_returned(event_id)
    return freed


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
    if not mine:
        return []
    freed = store().finish(event_id, hold_id, customer, mine, "drop")
    seats_returned(event_id)
    return freed


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


def _validate_seat_ids(seat_ids: object, allow_empty: bool = False) -> list[int]:
    if not isinstance(seat_ids, list) or not (seat_ids or allow_empty):
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


def _validate_standing(standing: object) -> dict[str, int]:
    if standing is None:
        return {}
    if (
        not isinstance(standing, dict)
        or not standing
        or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v > 0
            for k, v in standing.items()
        )
    ):
        raise BookingError(
            "invalid_input", "Standing places must be given as {area name: number of places}."
        )
    return standing


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
    parts: list[Part],
    layout: layouts.EventLayout,
    client: str | None = None,
    bought: int | None = None,
    ttl_seconds: int | None = None,
) -> TakeResult:
    """Run hold.lua; `bought` (the customer's sold seats) is read when not given."""
    if bought is None:
        bought = inventory.seats_bought(session(), event_id, customer)
    result = store().take(
        event_id,
        hold_id,
        customer,
        parts,
        ttl_ms=(ttl_seconds or setting("HOLD_TTL_SECONDS")) * 1000,
        max_seats=setting("MAX_SEATS_PER_CUSTOMER"),
        bought=bought,
        client=client,
        max_per_client=setting("MAX_SEATS_PER_ADDRESS"),
        neighbours=layout.neighbours if layout.no_orphans else None,
    )
    if result.status == "limit":
        raise BookingError("seat_limit", limit=setting("MAX_SEATS_PER_CUSTOMER"))
    if result.status == "iplimit":
        raise BookingError("address_limit", limit=setting("MAX_SEATS_PER_ADDRESS"))
    return result


def _refuse(event_id, layout, seats: dict, standing: dict, result: TakeResult) -> None:
    """Explain why hold.lua said no."""
    if result.status == "gone":
        raise BookingError("hold_expired")
    if result.seat_ids:
        _refuse_taken(seats, result.seat_ids)
    _refuse_standing(event_id, layout, standing)


def _steer(event_id: int, layout: layouts.EventLayout, seat_ids: list[int], lone: int) -> bool:
    """True when the pick may strand `lone` after all: no pick of the same size in its
    section strands nobody. Otherwise refuse, naming such a pick."""
    section = layout.seat(lone).section
    elsewhere = orphans.alternative(event_id, layout, section, len(seat_ids), seat_ids)
    if elsewhere is None:
        return True
    run = layout.row_run(lone)
    free = orphans.free_seats(event_id, run, seat_ids)
    advice = orphans.advice(run, free, seat_ids, lone, elsewhere)
    raise BookingError(
        "orphan_seat",
        seat=layout.seat(lone).label,
        advice=advice,
        seat_id=lone,
    )


def _refuse_standing(event_id: int, layout: layouts.EventLayout, standing: dict) -> None:
    """Not enough places left in one of the areas asked for: say how many there are."""
    for area, wanted in standing.items():
        left = orphans.free_count(event_id, layout.places(area))
        if left < wanted:
            message = (
                f"Sorry, {area} is full."
                if not left
                else f"Sorry, only 1 standing place is left in {area}."
                if left == 1
                else None
            )
            raise BookingError("standing_full", message, area=area, left=left)
    area = next(iter(standing))
    raise BookingError("standing_full", f"Sorry, {area} is full.", area=area, left=0)


def _refuse_checked_out(hold_id: str) -> None:
    if session().scalar(select(Booking.id).where(Booking.hold_id == hold_id)) is not None:
        raise BookingError("hold_checked_out")


def _made(
    event_id: int,
    hold_id: str,
    result: TakeResult,
    schedule: bool = True,
    ttl_seconds: int | None = None,
) -> Hold:
    hold = Hold(
        hold_id,
        event_id,
        result.seat_ids,
        result.fence,
        ms_to_datetime(result.expires_ms),
        ttl_seconds or setting("HOLD_TTL_SECONDS"),
    )
    if schedule:
        expiry.schedule_fallback(hold)
    return hold
