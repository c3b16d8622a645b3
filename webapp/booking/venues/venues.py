"""Venue layouts: sections of rows of seats, turned into an event's seats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert

from webapp.booking.context import session
from webapp.booking.models import Event, Seat, TicketType, Venue
from webapp.database import write_transaction


@dataclass
class SectionLayout:
    """A block of seats: `rows` front to back, `seats_per_row` numbered from 1.

    `aisles_after` lists seat numbers followed by an aisle (a gap on the map, and
    seats across it are not neighbours). `price_cents` may be one price or one per row.
    `wheelchair`, `companion` and `restricted` list seat labels with those attributes.
    `ticket_types` prices further ticket types ({"child": 1000}); adult is the seat's price.
    A standing area has `standing` places (its capacity) and no rows.
    `at` places the section's centre on the venue plan (seat widths from the stage's
    centre) and `turned` turns it, in degrees clockwise; both only draw the plan.
    """

    name: str
    rows: list[str]
    seats_per_row: int
    price_cents: int | list[int]
    aisles_after: list[int] = field(default_factory=list)
    x_offset: int = 0
    wheelchair: list[str] = field(default_factory=list)
    companion: list[str] = field(default_factory=list)
    restricted: list[str] = field(default_factory=list)
    ticket_types: dict[str, int] = field(default_factory=dict)
    standing: int = 0
    at: tuple[float, float] | None = None
    turned: float = 0.0

    def price_for(self, row_index: int) -> int:
        if isinstance(self.price_cents, int):
            return self.price_cents
        return self.price_cents[row_index]


def seat_label(row: str, number: int) -> str:
    """ "C12"; with a dash when the row name ends in a digit ("A11-1", not "A111")."""
    return f"{row}-{number}" if row[-1:].isdigit() else f"{row}{number}"


TICKET_TYPE_NAMES = {"adult": "Adult", "child": "Child", "concession": "Concession"}


def ticket_type_name(code: str) -> str:
    """A ticket type's name for people: "Child" for "child"; others title-cased."""
    return TICKET_TYPE_NAMES.get(code, code.title())


def place_label(area: str, number: int) -> str:
    """A standing place's label, e.g. "Floor 17" (places are not chosen by label)."""
    return f"{area[:20]} {number}"


def seat_rows(event_id: int, sections: list[SectionLayout]) -> list[dict]:
    """Seat rows for bulk insert; sections are stacked front to back, one blank row apart.

    Standing areas come after the seated sections, one numbered place per unit of capacity.
    """
    rows, y = [], 0
    for section in sorted(sections, key=lambda s: bool(s.standing)):
        if section.standing:
            for number in range(1, section.standing + 1):
                label = place_label(section.name, number)
                rows.append(_seat(event_id, section, "", number, label, 0, number, y, "standing"))
            y += 2
            continue
        for r, row in enumerate(section.rows):
            x = section.x_offset
            for number in range(1, section.seats_per_row + 1):
                label = seat_label(row, number)
                kind = (
                    "wheelchair"
                    if label in section.wheelchair
                    else "companion"
                    if label in section.companion
                    else "seat"
                )
                rows.append(_seat(event_id, section, row, number, label, r, x, y, kind))
                x += 2 if number in section.aisles_after else 1
            y += 1
        y += 1
    return rows


def _seat(event_id, section, row, number, label, row_index, x, y, kind) -> dict:
    return {
        "event_id": event_id,
        "section": section.name,
        "row": row,
        "number": number,
        "label": label,
        "price_cents": section.price_for(row_index),
        "blocked": False,
        "x": x,
        "y": y,
        "kind": kind,
        "restricted": label in section.restricted,
    }


def ticket_type_rows(event_id: int, sections: list[SectionLayout]) -> list[dict]:
    """The event's extra ticket types per price zone (adult is always the seat's price)."""
    return [
        {
            "event_id": event_id,
            "section": section.name,
            "code": code,
            "name": ticket_type_name(code),
            "price_cents": price,
            "position": position,
        }
        for section in sections
        for position, (code, price) in enumerate(section.ticket_types.items(), start=1)
    ]


def create_event(
    venue_name: str,
    name: str,
    starts_at: datetime,
    sections: list[SectionLayout],
    no_orphans: bool = True,
) -> Event:
    """Create a venue (if new) and an event with one seat per layout position.

    `no_orphans` turns on the rule that no hold may leave a single seat on its own.
    """
    with write_transaction(session()) as s:
        venue = s.query(Venue).filter_by(name=venue_name).first() or Venue(name=venue_name)
        if venue.layout is None:
            venue.layout = describe(sections)
        event = Event(venue=venue, name=name, starts_at=starts_at, no_orphans=no_orphans)
        s.add(event)
        s.flush()
        s.execute(insert(Seat), seat_rows(event.id, sections))
        types = ticket_type_rows(event.id, sections)
        if types:
            s.execute(insert(TicketType), types)
    return event


def describe(sections: list[SectionLayout]) -> str:
    """The text form of a layout (see layout_text.py), so staff can reuse it."""
    lines = []
    for section in sections:
        if section.standing:
            parts = [f"standing {section.standing}"]
        else:
            parts = [f"rows {section.rows[0]}-{section.rows[-1]}", f"{section.seats_per_row} seats"]
        if section.aisles_after:
            parts.append("aisle after " + " and ".join(map(str, section.aisles_after)))
        parts.append(f"£{section.price_for(0) / 100:.2f}")
        for attribute in ("wheelchair", "companion", "restricted"):
            labels = getattr(section, attribute)
            if labels:
                word = "restricted view" if attribute == "restricted" else attribute
                parts.append(f"{word} " + " ".join(labels))
        parts += [f"{code} £{price / 100:.2f}" for code, price in section.ticket_types.items()]
        if section.at is not None:
            parts.append(f"at {section.at[0]:g} {section.at[1]:g}")
        if section.turned:
            parts.append(f"turned {section.turned:g}")
        lines.append(f"{section.name}: " + ", ".join(parts))
    return "\n".join(lines)
