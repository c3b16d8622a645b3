"""Shaping seat states for the templates: sections of rows with aisles, prices, labels."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby

from markupsafe import Markup, escape

from webapp.booking.holds.seatmap import SeatMap, SeatState
from webapp.booking.models import utcnow
from webapp.booking.money import money
from webapp.booking.venues import geometry, price_zones

STATUS_TEXT = {
    "available": "available",
    "mine": "in your basket",
    "held": "held by someone",
    "booked": "sold",
    "blocked": "not for sale",
}


KIND_TEXT = {"wheelchair": "wheelchair space", "companion": "companion seat"}


def aria_label(seat: SeatState) -> str:
    """What a screen reader says, e.g. "Row C seat 12, £45, restricted view, available"."""
    parts = [f"Row {seat.row} seat {seat.number}", money(seat.price_cents)]
    if seat.kind in KIND_TEXT:
        parts.append(KIND_TEXT[seat.kind])
    if seat.restricted:
        parts.append("restricted view")
    return ", ".join([*parts, STATUS_TEXT[seat.status]])


def seat_classes(seat: SeatState) -> str:
    """CSS classes of a seat cell: its status, plus its attributes."""
    classes = ["seat", seat.status]
    if seat.kind in KIND_TEXT:
        classes.append(seat.kind)
    if seat.restricted:
        classes.append("restricted")
    return " ".join(classes)


@dataclass
class MapRow:
    name: str
    cells: list[tuple[int, SeatState]] = field(default_factory=list)  # (gap before, seat)


@dataclass
class MapSection:
    name: str
    rows: list[MapRow] = field(default_factory=list)


def layout(seats: list[SeatState]) -> list[MapSection]:
    """Group seats (already sorted front to back) into sections and rows, with aisle gaps."""
    sections: list[MapSection] = []
    seats = [s for s in seats if s.kind != "standing"]  # areas are shown as boxes
    for name, in_section in groupby(seats, key=lambda s: s.section):
        section = MapSection(name)
        for row_name, in_row in groupby(in_section, key=lambda s: s.row):
            row, last_x = MapRow(row_name), None
            for seat in sorted(in_row, key=lambda s: s.x):
                gap = 0 if last_x is None else seat.x - last_x - 1
                row.cells.append((gap, seat))
                last_x = seat.x
            section.rows.append(row)
        sections.append(section)
    return sections


OOB = ' hx-swap-oob="true"'


@lru_cache(maxsize=200_000)
def seat_html(seat: SeatState, oob: bool = False) -> Markup:
    """One seat cell. Cached per seat and status (a SeatState is immutable and so is the
    layout), so drawing a map is mostly lookups, not template work per seat."""
    pressed = "true" if seat.status == "mine" else "false"
    price = f"{seat.label} · {money(seat.price_cents)}"
    return Markup(
        f'<button type="submit" name="seat" value="{seat.id}" id="seat-{seat.id}" '
        f'class="{escape(seat_classes(seat))}" data-x="{seat.x}" '
        f'data-zone="{price_zones.zone_number(seat.zone)}" '
        f'aria-label="{escape(aria_label(seat))}" aria-pressed="{pressed}" '
        f'data-price="{escape(price)}"{OOB if oob else ""}>{seat.number}</button>'
    )


@dataclass(frozen=True)
class SectionHtml:
    name: str
    html: Markup


_grids: dict[tuple, list] = {}
_rows: dict[tuple, Markup] = {}
# The last map drawn per shape, with the list of seat states it was drawn from: a map of
# the very same list (seatmap hands one to every viewer with no seat of their own in
# it) is the same drawing.
_drawn: dict[tuple, tuple[list, list]] = {}
_lock = threading.Lock()
MAX_ROWS = 50_000  # cached row renderings; the cache starts over when full
MAX_GRIDS = 1_024  # map shapes (whole maps and sections of the cached layouts)


def map_sections(seat_map: SeatMap) -> list[SectionHtml]:
    """The seat map's sections with their rows drawn. The grid (sections, rows, aisles)
    is worked out once per map shape; a row is drawn once per combination of its
    seats' states, so a page mid on-sale redraws only rows that changed."""
    seats = seat_map.seats
    serial = geometry.layout_of(seat_map.event_id).serial
    shape = (serial, len(seats), seats[0].id if seats else 0)
    last = _drawn.get(shape)
    if last is not None and last[0] is seats:  # the same states (seatmap shares them)
        return last[1]
    grid = _grids.get(shape)
    if grid is None:
        index = {seat.id: i for i, seat in enumerate(seats)}
        grid = [
            (
                section.name,
                [(row.name, [(gap, index[s.id]) for gap, s in row.cells]) for row in section.rows],
            )
            for section in layout(seats)
        ]
        with _lock:
            if len(_grids) >= MAX_GRIDS:  # layouts reloaded (new serials) leave old shapes
                _grids.clear()
            _grids[shape] = grid
    out = []
    for name, rows in grid:
        drawn = []
        for row_name, cells in rows:
            key = (serial, seats[cells[0][1]].id, *(seats[i].status for _, i in cells))
            html = _rows.get(key)
            if html is None:
                html = _row_html(row_name, [(gap, seats[i]) for gap, i in cells])
                with _lock:
                    if len(_rows) >= MAX_ROWS:
                        _rows.clear()
                    _rows[key] = html
            drawn.append(html)
        out.append(SectionHtml(name, Markup("\n").join(drawn)))
    if not seat_map.holds_mine:  # only a map shared by viewers who hold none is kept
        with _lock:
            if shape not in _drawn and len(_drawn) >= MAX_GRIDS:
                _drawn.clear()
            _drawn[shape] = (seats, out)
    return out


def _row_html(name: str, cells: list[tuple[int, SeatState]]) -> Markup:
    aisle = Markup('<span class="aisle" aria-hidden="true"></span>')
    inner = Markup("").join((aisle if gap else Markup("")) + seat_html(s) for gap, s in cells)
    return Markup(
        f'    <div class="row" data-row="{escape(name)}">\n'
        f'      <span class="row-label" aria-hidden="true">{escape(name)}</span>\n'
        f"      {inner}\n    </div>"
    )


def seated_sections(event_id: int) -> list[str]:
    """Names of the sections with seats (not standing areas), front to back."""
    layout = geometry.layout_of(event_id)
    standing = set(layout.standing_areas())
    return [name for name in layout.section_order() if name not in standing]


def now_iso() -> str:
    """Server time, so the countdown can correct for a wrong client clock."""
    return utcnow().isoformat(timespec="milliseconds") + "Z"


def hold_remaining(hold) -> str:
    """Time left on a hold as m:ss, for the first paint before JavaScript runs."""
    left = hold_seconds_left(hold)
    return f"{left // 60}:{left % 60:02d}"


# From this many seconds left the basket warns (and offers the one extension).
WARN_SECONDS = 120


def hold_seconds_left(hold) -> int:
    """Whole seconds left on a hold (0 once it lapsed)."""
    return max(0, int((hold.expires_at - utcnow()).total_seconds()))


def waitlist_sections(seat_map, sections) -> list[str] | None:
    """Sold-out sections a group may wait for; None while the event still has seats on
    sale (the waiting-list form is shown only when sold out). Uses what the page already
    loaded (the large-venue overview, else the seat map): no extra queries."""
    summaries = sections or seat_map.summaries()
    if any(s.available for s in summaries if not s.standing):
        return None
    return [s.name for s in summaries if not s.available]


def standing_boxes(seat_map, sections) -> list:
    """The event's standing areas with places left, from what the page already loaded."""
    return [s for s in (sections or seat_map.summaries()) if s.standing]
