"""What hold.lua is asked to take (a TakeRequest of Parts) and what it answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Part:
    """One part of a hold request: `n` seats out of `candidates` (preference order).

    `mode` is "exact" (all of them), "groups" (n side by side, windows of n),
    "scatter" (any n) or "best" (no candidates: hold.lua searches the sorted set
    `pool`, measuring from the centre line `centre`); see hold.lua. A `lenient` part
    may leave a seat on its own when no pick that strands nobody is left (exact: the
    caller found none).
    """

    mode: str
    n: int
    candidates: list[int] = field(default_factory=list)
    lenient: bool = False
    pool: str = ""
    centre: float = 0.0


@dataclass
class TakeResult:
    """What hold.lua answered: `status` is ok, taken, orphan, limit, iplimit, gone or
    cold (the event's pools are not built yet).

    For "taken" `seat_ids` are the picked seats someone else has (exact parts); for
    "orphan" the one seat the pick would have left on its own, then the seats of a
    pick of the same size that strands nobody.
    """

    status: str
    seat_ids: list[int]
    fence: int = 0
    expires_ms: int = 0
    held: int = 0


@dataclass(frozen=True)
class TakeRequest:
    """One call of hold.lua: `parts` for `customer` into hold `hold_id`.

    `neighbours(seat_id)` gives (left, left of left, right, right of right), 0 for a
    row end or aisle; when given, no pick may leave a seat on its own (unless its part
    is lenient). At most `max_per_client` seats may be held from the address `client`
    (0: no limit).
    """

    event_id: int
    hold_id: str
    customer: str
    parts: list[Part]
    ttl_ms: int
    max_seats: int
    client: str | None = None
    max_per_client: int = 0
    neighbours: Callable[[int], tuple[int, int, int, int]] | None = None
    grows: bool = False  # adding to the live hold `hold_id` (a basket)
