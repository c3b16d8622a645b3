"""Demo data: a 12-row theatre with three events (one an on-sale behind a waiting room),
and optionally a 20,000-seat arena."""

from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from webapp.booking.holds import keys
from webapp.booking.models import Event, utcnow
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.extensions import db

THEATRE = "The Holdfast Theatre"
ARENA = "Holdfast Arena"


def theatre_layout() -> list[SectionLayout]:
    """Stalls A-H (front rows dearer, wheelchair spaces in H) and Circle J-M (restricted
    view at the ends of M), 20 seats a row with a centre aisle; child and concession tickets."""
    return [
        SectionLayout(
            "Stalls",
            list("ABCDEFGH"),
            20,
            [4500] * 4 + [3500] * 4,
            aisles_after=[10],
            wheelchair=["H1", "H2", "H19", "H20"],
            companion=["H3", "H18"],
            ticket_types={"child": 2000, "concession": 3000},
        ),
        SectionLayout(
            "Circle",
            list("JKLM"),
            20,
            2500,
            aisles_after=[10],
            restricted=["M1", "M2", "M19", "M20"],
            ticket_types={"child": 1200, "concession": 1800},
        ),
    ]


def arena_layout() -> list[SectionLayout]:
    """20 blocks of 25 rows x 40 seats (20,000 seats) in two tiers fanned around an end
    stage: A-J in the inner tier, K-T behind them, left to right, each facing the stage."""
    blocks = []
    for b in range(20):
        rows = [f"{chr(65 + b)}{r}" for r in range(1, 26)]
        price = 9000 - 300 * b
        tier, i = divmod(b, 10)
        angle = -81 + 18 * i  # degrees from straight ahead of the stage, left to right
        radius = 150 + 40 * tier
        at = (
            round(radius * math.sin(math.radians(angle)), 1),
            round(radius * math.cos(math.radians(angle)), 1),
        )
        blocks.append(
            SectionLayout(
                f"Block {chr(65 + b)}",
                rows,
                40,
                price,
                aisles_after=[20],
                at=at,
                turned=-angle % 360,
            )
        )
    return blocks


ONSALE = "Macbeth (on-sale demo)"
ONSALE_OPENS_IN = timedelta(minutes=3)


def seed_demo(arena: bool = False) -> list[Event]:
    """Create the demo events that do not exist yet (by name); returns those created.
    Run again, or with --arena on a seeded database, it only adds what is missing."""
    soon = utcnow().replace(hour=19, minute=30, second=0, microsecond=0)
    wanted = [
        (THEATRE, "Hamlet", 7, theatre_layout),
        (THEATRE, "The Tempest", 14, theatre_layout),
        (THEATRE, ONSALE, 21, theatre_layout),
    ]
    if arena:
        wanted.append((ARENA, "Arena Spectacular", 30, arena_layout))
    have = set(db.session.scalars(select(Event.name)))
    events = [
        create_event(venue, name, soon + timedelta(days=days), layout())
        for venue, name, days, layout in wanted
        if name not in have
    ]
    restart_demo_onsale()
    return events


def restart_demo_onsale() -> Event | None:
    """The on-sale demo's sale opens a few minutes from now behind a waiting room (make run
    calls this on every start, so a newcomer sees the room gather, shuffle and admit)."""
    event = db.session.scalar(select(Event).where(Event.name == ONSALE))
    if event is None:
        return None
    event.sale_opens_at = utcnow().replace(microsecond=0) + ONSALE_OPENS_IN
    event.waiting_room = True
    event.admit_per_minute, event.max_shoppers = 30, 0
    event.pass_minutes, event.early_minutes = 10, 30
    db.session.commit()
    client = current_app.extensions["holdfast_holdstore"].client
    client.delete(*(key(event.id) for key in (keys.room_queue, keys.room_admitted,
                                              keys.room_state, keys.room_seq)))  # fmt: skip
    return event
