"""The venue plan: where each seated section sits around the stage, for the overview.

Sizes come from the event's seat geometry (seats across, rows deep); places come
from the venue's layout text (`at X Y, turned D`). Sections without a place are set
out in rows below the stage, so every venue gets a plan. Units are seat widths with
the stage's centre at (0, 0) and y growing away from it. Worked out once per event
layout and kept, like the geometry it comes from.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from sqlalchemy import select

from webapp.booking.context import session
from webapp.booking.models import Event, Venue
from webapp.booking.venues import geometry
from webapp.booking.venues.layout_text import parse_layout

STAGE = (80.0, 24.0)  # width and depth of the stage drawn at the origin
GAP = 8.0  # between sections set out automatically
MAX_PLANS = 128

_cache: dict[tuple[int, int], Plan] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Placed:
    name: str
    x: float  # centre
    y: float
    width: float  # seats across
    depth: float  # rows
    turned: float  # degrees clockwise

    def corners(self) -> list[tuple[float, float]]:
        """The four corners on the plan, after turning."""
        a = math.radians(self.turned)
        cos, sin = math.cos(a), math.sin(a)
        half_w, half_d = self.width / 2, self.depth / 2
        return [
            (self.x + dx * cos - dy * sin, self.y + dx * sin + dy * cos)
            for dx, dy in (
                (-half_w, -half_d),
                (half_w, -half_d),
                (half_w, half_d),
                (-half_w, half_d),
            )
        ]


@dataclass(frozen=True)
class Plan:
    sections: list[Placed]
    view_box: tuple[float, float, float, float]  # min x, min y, width, height
    stage: tuple[float, float, float, float]  # x, y, width, depth


def plan_of(event_id: int) -> Plan:
    """The event's plan (the venue's layout text is read once per event layout)."""
    layout = geometry.layout_of(event_id)
    key = (event_id, layout.serial)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    plan = _draw(layout, _places(event_id))
    with _lock:
        if len(_cache) >= MAX_PLANS:
            _cache.pop(next(iter(_cache)))
        _cache[key] = plan
    return plan


def _places(event_id: int) -> dict[str, tuple[tuple[float, float], float]]:
    """Section name -> (centre, turn) from the venue's layout text, where it gives one."""
    text = session().scalar(
        select(Venue.layout).join(Event, Event.venue_id == Venue.id).where(Event.id == event_id)
    )
    sections = parse_layout(text or "").sections
    return {s.name: (s.at, s.turned) for s in sections if s.at is not None}


def _draw(layout: geometry.EventLayout, places: dict) -> Plan:
    sizes = {}
    for name in layout.section_order():
        seats = layout.section_seats(name)
        if seats[0].kind == "standing":
            continue
        xs = [s.x for s in seats]
        sizes[name] = (max(xs) - min(xs) + 1.0, float(len({s.row for s in seats})))
    placed = [
        Placed(name, *places[name][0], *sizes[name], places[name][1])
        for name in sizes
        if name in places
    ]
    placed += _set_out([n for n in sizes if n not in places], sizes, placed)
    stage = (-STAGE[0] / 2, -STAGE[1] / 2, *STAGE)
    points = [p for s in placed for p in s.corners()]
    points += [(stage[0], stage[1]), (stage[0] + stage[2], stage[1] + stage[3])]
    lo_x, lo_y = min(x for x, _ in points) - 4, min(y for _, y in points) - 4
    hi_x, hi_y = max(x for x, _ in points) + 4, max(y for _, y in points) + 4
    return Plan(placed, (lo_x, lo_y, hi_x - lo_x, hi_y - lo_y), stage)


def _set_out(names: list[str], sizes: dict, placed: list[Placed]) -> list[Placed]:
    """Sections with no place: rows of them below the stage and anything placed,
    front to back in the map's order, each row centred, as wide as the widest four."""
    if not names:
        return []
    top = max([STAGE[1] / 2] + [y for s in placed for _, y in s.corners()]) + GAP
    per_row = 4
    out = []
    for start in range(0, len(names), per_row):
        row = names[start : start + per_row]
        width = sum(sizes[n][0] for n in row) + GAP * (len(row) - 1)
        depth = max(sizes[n][1] for n in row)
        x = -width / 2
        for name in row:
            w, d = sizes[name]
            out.append(Placed(name, x + w / 2, top + d / 2, w, d, 0.0))
            x += w + GAP
        top += depth + GAP
    return out


def clear() -> None:
    """Forget every plan (tests recreate databases, reusing event ids)."""
    with _lock:
        _cache.clear()
