"""Venue layouts: sections of rows of seats, turned into an event's seats."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert

from webapp.booking.context import session
from webapp.booking.models import Event, Seat, Venue
from webapp.database import write_transaction


@dataclass
class SectionLayout:
    """A block of seats: `rows` front to back, `seats_per_row` numbered from 1.

    `aisles_after` lists seat numbers followed by an aisle (a gap on the map, and
    seats across it are not neighbours). `price_cents` may be one price or one per row.
    """

    name: str
    rows: list[str]
    seats_per_row: int
    price_cents: int | list[int]
    aisles_after: list[int] = field(default_factory=list)
    x_offset: int = 0

    def price_for(self, row_index: int) -> int:
        if isinstance(self.price_cents, int):
            return self.price_cents
        return self.price_cents[row_index]


def seat_label(row: str, number: int) -> str:
    """ "C12"; with a dash when the row name ends in a digit ("A11-1", not "A111")."""
    return f"{row}-{number}" if row[-1:].isdigit() else f"{row}{number}"


def seat_rows(event_id: int, sections: list[SectionLayout]) -> list[dict]:
    """Seat rows for bulk insert; sections are stacked front to back, one blank row apart."""
    rows, y = [], 0
    for section in sections:
        for r, row in enumerate(section.rows):
            x = section.x_offset
            for number in range(1, section.seats_per_row + 1):
                rows.append(
                    {
                        "event_id": event_id,
                        "section": section.name,
                        "row": row,
                        "number": number,
                        "label": seat_label(row, number),
                        "price_cents": section.price_for(r),
                        "blocked": False,
                        "x": x,
                        "y": y,
                    }
                )
                x += 2 if number in section.aisles_after else 1
            y += 1
        y += 1
    return rows


def create_event(
    venue_name: str, name: str, starts_at: datetime, sections: list[SectionLayout]
) -> Event:
    """Create a venue (if new) and an event with one seat per layout position."""
    with write_transaction(session()) as s:
        venue = s.query(Venue).filter_by(name=venue_name).first() or Venue(name=venue_name)
        if venue.layout is None:
            venue.layout = describe(sections)
        event = Event(venue=venue, name=name, starts_at=starts_at)
        s.add(event)
        s.flush()
        s.execute(insert(Seat), seat_rows(event.id, sections))
    return event


def describe(sections: list[SectionLayout]) -> str:
    """The text form of a layout (see layout_text.py), so staff can reuse it."""
    lines = []
    for section in sections:
        parts = [f"rows {section.rows[0]}-{section.rows[-1]}", f"{section.seats_per_row} seats"]
        if section.aisles_after:
            parts.append("aisle after " + " and ".join(map(str, section.aisles_after)))
        parts.append(f"£{section.price_for(0) / 100:.2f}")
        lines.append(f"{section.name}: " + ", ".join(parts))
    return "\n".join(lines)
