"""Three ways to give a customer "the first free seat", as found in write-ups and tutorials."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from bench.strategies.tables import seats


def _first_free(event_id: int):
    return (
        select(seats.c.id, seats.c.version)
        .where(seats.c.event_id == event_id, seats.c.status == "free")
        .order_by(seats.c.id)
        .limit(1)
    )


def naive(engine: Engine, event_id: int, customer: str) -> int | None:
    """Read the first free seat, then mark it taken: two buyers can read the same seat."""
    with engine.begin() as conn:
        row = conn.execute(_first_free(event_id)).first()
    if row is None:
        return None
    with engine.begin() as conn:
        conn.execute(
            update(seats).where(seats.c.id == row.id).values(status="taken", holder=customer)
        )
    return row.id


def occ(engine: Engine, event_id: int, customer: str) -> int | None | bool:
    """Compare-and-set on a version column, no retry: correct, but refuses under contention.

    Returns the seat id, None when sold out, or False when the write lost the race.
    """
    with engine.begin() as conn:
        row = conn.execute(_first_free(event_id)).first()
    if row is None:
        return None
    with engine.begin() as conn:
        won = conn.execute(
            update(seats)
            .where(seats.c.id == row.id, seats.c.version == row.version)
            .values(status="taken", holder=customer, version=row.version + 1)
        ).rowcount
    return row.id if won else False


def pessimistic(engine: Engine, event_id: int, customer: str) -> int | None:
    """SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL): each buyer locks a different free row."""
    with engine.begin() as conn:
        row = conn.execute(_first_free(event_id).with_for_update(skip_locked=True)).first()
        if row is None:
            return None
        conn.execute(
            update(seats).where(seats.c.id == row.id).values(status="taken", holder=customer)
        )
    return row.id


ALLOCATORS = {"naive": naive, "occ": occ, "pessimistic": pessimistic}
