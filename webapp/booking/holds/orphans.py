"""The no-orphan rule, as people read it: which seat a pick strands, and what to pick instead.

The rule itself is enforced inside hold.lua on the live state. It steers, never
refuses the last seats (ARCHITECTURE invariant 9): a hand-picked seat that strands
another is refused only while a pick of the same size that strands nobody exists in
its section (hold.lua finds it), and the refusal names one. This module words the
refusal; it reads Redis again, so its advice is a suggestion, not a hold.
"""

from __future__ import annotations

from webapp.booking.context import redis
from webapp.booking.holds import keys
from webapp.booking.venues.geometry import Geo


def free_seats(event_id: int, run: list[Geo], picked: list[int]) -> set[int]:
    """Seats of `run` nobody holds, has bought or blocked; `picked` (refused) count as free."""
    if not run:
        return set()
    marks = redis().mget([keys.seat(event_id, s.id) for s in run])
    return {s.id for s, mark in zip(run, marks, strict=True) if mark is None} | (
        set(picked) & {s.id for s in run}
    )


def free_count(event_id: int, ids: list[int]) -> int:
    """How many of these seats or places are free in Redis."""
    if not ids:
        return 0
    return len(ids) - redis().exists(*[keys.seat(event_id, i) for i in ids])


def strands(ids: list[int], free: set[int], chosen: set[int]) -> int | None:
    """The seat of the run `ids` (left to right) that taking `chosen` leaves on its own."""

    def taken(i: int) -> bool:
        return i < 0 or i >= len(ids) or ids[i] not in free or ids[i] in chosen

    for i, seat_id in enumerate(ids):
        if taken(i) or not (taken(i - 1) and taken(i + 1)):
            continue
        beside = [j for j in (i - 1, i + 1) if 0 <= j < len(ids)]
        if any(ids[j] in chosen for j in beside):
            return seat_id
    return None


def advice(run: list[Geo], free: set[int], picked: list[int], lone: int, elsewhere: str) -> str:
    """ "pick C13 too, or C11–C12": the seat added, or the same number of seats moved
    over (in the same row if possible, else `elsewhere`, a pick found in the section)."""
    ids = [s.id for s in run]
    mine = {s for s in picked if s in ids}
    options = []
    if strands(ids, free, mine | {lone}) is None:
        options.append(f"pick {_label(run, lone)} too")
    moved = _nearest_window(run, free, mine) or elsewhere
    if options and moved == _label(run, lone):
        return options[0]  # "pick C1 too, or C1 instead" named one seat twice
    options.append(f"{moved} instead" if options else f"try {moved} instead")
    return ", or ".join(options)


def _nearest_window(run: list[Geo], free: set[int], mine: set[int]) -> str | None:
    """The closest run of len(mine) free seats side by side that strands nobody."""
    k = len(mine)
    ids = [s.id for s in run]
    if not k:
        return None
    centre = sum(i for i, s in enumerate(ids) if s in mine) / k
    best = None
    for start in range(len(ids) - k + 1):
        window = set(ids[start : start + k])
        if window == mine or not window <= free or strands(ids, free, window) is not None:
            continue
        distance = abs(start + (k - 1) / 2 - centre)
        if best is None or distance < best[0]:
            best = (distance, start)
    if best is None:
        return None
    first, last = run[best[1]], run[best[1] + k - 1]
    return first.label if k == 1 else f"{first.label}–{last.label}"


def _label(run: list[Geo], seat_id: int) -> str:
    return next(s.label for s in run if s.id == seat_id)
