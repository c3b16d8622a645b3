"""Why hold.lua said no, in words a customer understands.

Only refused holds come here, so these may read the database and Redis again.
"""

from __future__ import annotations

from sqlalchemy import select

from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.holds import orphans
from webapp.booking.holds.takes import TakeResult
from webapp.booking.models import Seat


def refuse(req, seat_ids: list[int], standing: dict[str, int], result: TakeResult) -> None:
    """Raise the BookingError that explains `result` (hold.lua's answer)."""
    if result.status == "gone":
        raise BookingError("hold_expired")
    if result.status == "orphan":
        _refuse_orphan(req, seat_ids, result.seat_ids[0], result.seat_ids[1:])
    if result.seat_ids:
        _refuse_taken(req.event_id, result.seat_ids)
    refuse_standing(req, standing)


def _refuse_orphan(req, seat_ids: list[int], lone: int, elsewhere: list[int]) -> None:
    """orphan_seat: the seat the pick strands, and what to pick instead (hold.lua found
    `elsewhere`, a pick of the same size that strands nobody)."""
    layout = req.layout
    run = layout.row_run(lone)
    free = orphans.free_seats(req.event_id, run, seat_ids)
    first, last = layout.seat(elsewhere[0]), layout.seat(elsewhere[-1])
    label = first.label if len(elsewhere) == 1 else f"{first.label}–{last.label}"
    advice = orphans.advice(run, free, seat_ids, lone, label)
    raise BookingError("orphan_seat", seat=layout.seat(lone).label, advice=advice, seat_id=lone)


def _refuse_taken(event_id: int, taken: list[int]) -> None:
    """Blocked seats are named as such; any other taken seat is someone else's."""
    rows = session().execute(
        select(Seat.id, Seat.label, Seat.blocked).where(
            Seat.event_id == event_id, Seat.id.in_(taken)
        )
    )
    seats = {row.id: row for row in rows}
    blocked = [seats[s].label for s in taken if s in seats and seats[s].blocked]
    if blocked:
        raise BookingError("seats_blocked", labels=blocked)
    raise BookingError(
        "seats_unavailable",
        labels=[seats[s].label for s in taken if s in seats],
        seat_ids=sorted(taken),
    )


def refuse_standing(req, standing: dict[str, int]) -> None:
    """Not enough places left in one of the areas asked for: say how many there are."""
    if not standing:  # nothing named: Redis changed under us (e.g. lost its data again)
        raise BookingError("seats_unavailable", labels="those seats", seat_ids=[])
    for area, wanted in standing.items():
        left = orphans.free_count(req.event_id, req.layout.places(area))
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
