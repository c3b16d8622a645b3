"""Setting up venues and events from what staff typed: every mistake reported at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.models import Event, Venue
from webapp.booking.onsale import room_admin
from webapp.booking.venues import local_time, staff_input
from webapp.booking.venues.layout_text import parse_layout
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.database import write_transaction


def create_venue(
    name: str, layout_text: str, time_zone: str | None = None
) -> tuple[Venue | None, list[str]]:
    """Create a venue from a layout description; returns (venue, errors).
    `time_zone`: an IANA name; blank for the TIME_ZONE setting."""
    errors = [] if (name or "").strip() else ["Give the venue a name."]
    parsed = parse_layout(layout_text)
    errors += parsed.errors
    try:
        zone = local_time.check_zone(time_zone)
    except BookingError as exc:
        errors.append(exc.message)
    if errors:
        return None, errors
    with write_transaction(session()) as s:
        venue = Venue(name=name.strip(), layout=layout_text.strip(), time_zone=zone)
        s.add(venue)
    return venue, []


def venue_sections(venue: Venue) -> list[SectionLayout]:
    return parse_layout(venue.layout or "").sections


def create_event_at(
    venue_id: int,
    name: str,
    starts_at: datetime | None,
    prices: dict[str, str | None],
    no_orphans: bool = True,
    check_only: bool = False,
) -> tuple[Event | None, list[str]]:
    """Create an event at a venue with a price per section; returns (event, errors).

    `prices`: what staff typed per section ("12.50", "£12.50"; blank keeps the layout's).
    `no_orphans`: refuse holds that leave a single seat on its own (fixed for the event).
    `check_only`: report what is wrong without creating anything (another part of the
    form was refused, and every mistake is shown at once).
    """
    venue = session().get(Venue, venue_id)
    errors = []
    if venue is None or not venue.layout:
        errors.append("Choose a venue that has a layout.")
    if not (name or "").strip():
        errors.append("Give the event a name.")
    if starts_at is None:
        errors.append("Give the start date and time.")
    sections = venue_sections(venue) if venue is not None else []
    for section in sections:
        text = (prices.get(section.name) or "").strip()
        price = staff_input.pence(text)
        if text and price is None:
            errors.append(
                f"Give the price for {section.name} as an amount such as 12.50 "
                f"(0 to {staff_input.MAX_PRICE:,})."
            )
        elif price is None and not section.price_cents:
            errors.append(f"Give a price for {section.name}.")
        elif price is not None:
            section.price_cents = price
    if errors or check_only:
        return None, errors
    return create_event(venue.name, name.strip(), starts_at, sections, no_orphans), []


def create_event_from_form(venue_id: int, form) -> tuple[Event | None, list[str]]:
    """The staff "new event" form: the event with its sale and waiting-room settings.

    Returns:
        (event, []) when created; (None, every mistake) otherwise.
    """
    errors, settings = [], None
    venue = session().get(Venue, venue_id) if venue_id else None
    try:  # times as the venue's clock reads them (local_time)
        opens = staff_input.parse_datetime(form.get("sale_opens_at"), "Sales open at", venue)
        settings = room_admin.read_form(form, opens)
    except BookingError as exc:  # collected: every mistake of the form is shown at once
        errors.append(exc.message)
    sections = venue_sections(venue) if venue is not None else []
    event, more = create_event_at(
        venue_id,
        form.get("name", ""),
        staff_input.optional_datetime(form.get("starts_at"), venue),
        {s.name: form.get(f"price_{s.name}") for s in sections},
        no_orphans=form.get("no_orphans") == "1",
        check_only=bool(errors),
    )
    errors += more
    if event is None or errors:
        return None, errors
    room_admin.configure(event.id, settings)
    return event, []


def venues_with_layout() -> list[Venue]:
    """Venues an event can be created at, by name."""
    return list(
        session().scalars(select(Venue).where(Venue.layout.is_not(None)).order_by(Venue.name))
    )
