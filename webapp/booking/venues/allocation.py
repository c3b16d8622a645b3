"""Best available: which seats to offer, best first.

Best means front rows first, then closest to the centre line of the stage. A
group is a run of `n` seats side by side in one row (no aisle between them).
Redis decides which candidate is still free, atomically, inside hold.lua.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

from webapp.booking.models import Seat


def _centre(seats: list[Seat]) -> float:
    xs = [s.x for s in seats]
    return (min(xs) + max(xs)) / 2 if xs else 0.0


def runs(seats: Iterable[Seat]) -> Iterator[list[Seat]]:
    """Split seats into runs of neighbours: same section and row, x one apart."""

    def row_key(s: Seat) -> tuple:
        return (s.section, s.row)

    for _, row in groupby(sorted(seats, key=lambda s: (row_key(s), s.x)), key=row_key):
        run: list[Seat] = []
        for seat in row:
            if run and seat.x != run[-1].x + 1:
                yield run
                run = []
            run.append(seat)
        if run:
            yield run


def adjacent_groups(seats: list[Seat], n: int, centre: float | None = None) -> list[list[int]]:
    """Every window of `n` neighbouring seats, best first, as lists of seat ids."""
    centre = _centre(seats) if centre is None else centre
    if n == 1:
        return [[seat_id] for seat_id in best_first(seats, centre)]
    scored = []
    for run in runs(seats):
        for i in range(len(run) - n + 1):
            window = run[i : i + n]
            mid = (window[0].x + window[-1].x) / 2
            scored.append(((window[0].y, abs(mid - centre), window[0].x), [s.id for s in window]))
    scored.sort(key=lambda item: item[0])
    return [ids for _, ids in scored]


def best_first(seats: list[Seat], centre: float | None = None) -> list[int]:
    """Seat ids ordered best first, for scattered picks."""
    centre = _centre(seats) if centre is None else centre
    return [s.id for s in sorted(seats, key=lambda s: (s.y, abs(s.x - centre), s.x))]
