"""The waiting list: when an event (or a section) is sold out, groups queue for seats.

When seats come back (a hold lapses or is released, a booking is cancelled), a job
offers them to the first group in line as a hold of the group's own, lasting
WAITLIST_OFFER_SECONDS, and emails a link (through the outbox). Because an offer is an
ordinary hold, offered seats are not on sale to anyone else. An offer that lapses puts
its seats back, which runs the job again for the next group. Groups are served strictly
in the order they joined: a group waits until enough seats come back for all of it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.booking.context import public_url, redis, session, setting
from webapp.booking.errors import BookingError
from webapp.booking.holds import checked_out, holds, seatmap
from webapp.booking.holds.holdstore import store
from webapp.booking.models import ACTIVE_STATUSES, Event, WaitlistEntry
from webapp.booking.orders import checkout, outbox
from webapp.booking.orders.giveback import OPEN
from webapp.booking.venues import geometry, inventory
from webapp.database import write_transaction


@dataclass(frozen=True)
class Joined:
    entry: WaitlistEntry
    position: int  # 1 = next in line


def join(
    event_id: int, customer: str, email: object, quantity: object, section: object = None
) -> Joined:
    """Put a group on the event's waiting list (again joining returns the same place).

    Raises:
        BookingError: event_not_found, section_not_found, invalid_input (email,
            quantity), seat_limit (a group larger than MAX_SEATS_PER_CUSTOMER) or
            not_sold_out (enough seats are on sale: pick them instead).
    """
    event = inventory.get_event(session(), event_id)
    if event is None:
        raise BookingError("event_not_found")
    limit = setting("MAX_SEATS_PER_CUSTOMER")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise BookingError("invalid_input", f"Choose between 1 and {limit} seats.")
    if quantity > limit:
        raise BookingError("seat_limit", limit=limit)
    if section is not None and (
        not isinstance(section, str) or section not in geometry.layout_of(event_id).sections
    ):
        raise BookingError("section_not_found", section=str(section))
    left = available(event_id, section)
    if left >= quantity:
        raise BookingError("not_sold_out", left=left)
    email = checkout.validate_email_address(email)
    existing = session().scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.event_id == event_id,
            WaitlistEntry.customer_id == customer,
            WaitlistEntry.status.in_(OPEN),
        )
    )
    if existing is None:
        with write_transaction(session()) as s:
            existing = WaitlistEntry(
                event_id=event_id,
                section=section,
                email=email,
                quantity=quantity,
                customer_id=customer,
                token=secrets.token_urlsafe(24),
                status="waiting",
            )
            s.add(existing)
    return Joined(existing, position(existing))


def available(event_id: int, section: str | None) -> int:
    """Seats (or places) on sale now in the section, or in the whole event."""
    return sum(
        s.available
        for s in seatmap.section_summaries(event_id).sections
        if s.name == section or (section is None and not s.standing)
    )


def position(entry: WaitlistEntry) -> int:
    """1 for the next group in line; 0 once the entry is no longer waiting."""
    if entry.status != "waiting":
        return 0
    ahead = session().scalar(
        select(func.count(WaitlistEntry.id)).where(
            WaitlistEntry.event_id == entry.event_id,
            WaitlistEntry.status == "waiting",
            WaitlistEntry.id < entry.id,
        )
    )
    return 1 + ahead


def offer_next(event_id: int) -> list[int]:
    """Settle lapsed offers, then offer free seats to the groups in line; returns the
    ids of the entries offered. One run per event at a time (a Redis lock)."""
    with redis().lock(f"hf:waitlist:lock:{event_id}", timeout=60, blocking_timeout=60):
        _settle_offers(event_id)
        offered = []
        for entry in _waiting(event_id):
            if not _offer(entry):
                break  # strictly in order: the head group waits for enough seats
            offered.append(entry.id)
    if offered:
        outbox.kick()
    return offered


def _waiting(event_id: int) -> list[WaitlistEntry]:
    return list(
        session().scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.event_id == event_id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.id)
        )
    )


def _settle_offers(event_id: int) -> None:
    """Offers whose hold was checked out are booked; offers whose hold lapsed are over."""
    offers = session().scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.event_id == event_id, WaitlistEntry.status == "offered"
        )
    )
    for entry in list(offers):
        booking = checked_out.booking_of_hold(entry.hold_id)
        if booking is not None and booking.status in ACTIVE_STATUSES:
            status = "booked"
        elif not store().is_live(entry.event_id, entry.hold_id):
            status = "lapsed"
        else:
            continue
        with write_transaction(session()) as s:
            s.get(WaitlistEntry, entry.id).status = status


def _offer(entry: WaitlistEntry) -> bool:
    """Hold seats for the group and email it; False when not enough seats are free."""
    ttl = setting("WAITLIST_OFFER_SECONDS")
    layout = geometry.layout_of(entry.event_id)
    try:
        if entry.section in layout.standing_areas():
            hold = holds.hold_seats(
                entry.event_id,
                entry.customer_id,
                [],
                standing={entry.section: entry.quantity},
                ttl_seconds=ttl,
            )
        else:
            hold = holds.hold_best_available(
                entry.event_id, entry.customer_id, entry.quantity, entry.section, ttl_seconds=ttl
            )
    except BookingError as exc:
        if exc.code in ("sold_out", "standing_full"):
            return False
        with write_transaction(session()) as s:  # e.g. the group has since bought seats
            s.get(WaitlistEntry, entry.id).status = "lapsed"
        return True
    event = session().get(Event, entry.event_id)
    link = public_url(f"/waitlist/{entry.token}")
    minutes = max(1, ttl // 60)
    with write_transaction(session()) as s:
        row = s.get(WaitlistEntry, entry.id)
        row.status, row.hold_id, row.offer_expires_at = "offered", hold.hold_id, hold.expires_at
        outbox.add(
            s,
            entry.email,
            f"Seats for {event.name} are held for you",
            f"Good news: {entry.quantity} seat(s) for {event.name} came back and are held "
            f"for you for {minutes} minutes.\n\nComplete your booking here:\n{link}\n\n"
            "If you do not want them, do nothing: they go to the next person in line.",
        )
    return True


def claim(token: object, opener: str) -> WaitlistEntry:
    """Move the seats an offer link holds into the opener's own basket, once.

    The opener keeps who they are: the hold becomes theirs (counted against their
    seat limit), and from then on only they can open the link. The customer who
    joined opening their own link changes nothing.

    Raises:
        BookingError: offer_not_found (unknown link), offer_lapsed, offer_claimed
            (someone else opened it first) or seat_limit.
    """
    entry = (
        session().scalar(select(WaitlistEntry).where(WaitlistEntry.token == token))
        if isinstance(token, str)
        else None
    )
    if entry is None:
        raise BookingError("offer_not_found")
    if entry.status != "offered":
        raise BookingError("offer_lapsed")
    limit = setting("MAX_SEATS_PER_CUSTOMER")
    status, _ = store().hand_over(entry.event_id, entry.hold_id, entry.customer_id, opener, limit)
    if status == "gone":
        raise BookingError("offer_lapsed")
    if status == "claimed":
        raise BookingError("offer_claimed")
    if status == "limit":
        raise BookingError("seat_limit", limit=limit)
    if entry.customer_id != opener:
        with write_transaction(session()) as s:
            s.get(WaitlistEntry, entry.id).customer_id = opener
        session().refresh(entry)
    return entry


def entries(event_id: int) -> list[WaitlistEntry]:
    """Everyone who joined the event's waiting list, in order (for staff)."""
    return list(
        session().scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.event_id == event_id)
            .order_by(WaitlistEntry.id)
        )
    )
