"""What the hold path announces, for whoever counts it (webapp/ops/metrics.py).

blinker signals keep the domain free of any metrics library: with no receiver
connected, sending costs a dictionary lookup.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from blinker import Namespace

from webapp.booking.errors import BookingError

_signals = Namespace()
hold_taken = _signals.signal("hold-taken")  # sender: event id; seats=, places=
hold_refused = _signals.signal("hold-refused")  # sender: event id; reason= (error code)

F = TypeVar("F", bound=Callable)


def reports_hold(take: F) -> F:
    """Announce each call of a hold function: taken (with how many seats and places) or
    refused (with the BookingError's code)."""

    @functools.wraps(take)
    def announced(event_id, *args, **kwargs):
        try:
            hold = take(event_id, *args, **kwargs)
        except BookingError as exc:
            hold_refused.send(event_id, reason=exc.code)
            raise
        hold_taken.send(event_id, seats=len(hold.seat_ids))
        return hold

    return announced  # type: ignore[return-value]
