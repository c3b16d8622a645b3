"""Redis key names. Every key of an event shares the hash tag `{evt:<id>}`, so one
Lua script can touch them all, also on Redis Cluster (ARCHITECTURE invariant 2).

A hold id starts with its event id ("42-Xy..."), so a key name or a hold id alone
is enough to find everything else (the expiry listener only gets the key name).
"""

from __future__ import annotations

import re
import secrets

PREFIX = "hf"
# Set every 5 s (for 30 s) by the expiry listener while it runs: the ops page and
# /readyz read it.
LISTENER_HEARTBEAT = "hf:listener:heartbeat"
# Set on every loop (for the interval + 10 s) by workers/scheduler.py while it runs.
SCHEDULER_HEARTBEAT = "hf:scheduler:heartbeat"
_TIMER_RE = re.compile(r"^hf:\{evt:(\d+)\}:hold:(\d+-[\w-]+)$")


def tag(event_id: int) -> str:
    """The common prefix of one event's keys."""
    return f"{PREFIX}:{{evt:{event_id}}}"


def new_hold_id(event_id: int) -> str:
    """An unguessable hold id that names its event."""
    return f"{event_id}-{secrets.token_urlsafe(18)}"


def event_of_hold(hold_id: str) -> int | None:
    """The event id encoded in `hold_id`, or None if it is not a hold id."""
    head, sep, rest = hold_id.partition("-")
    # isascii: "²".isdigit() is true and int("²") raises.
    return int(head) if sep and head.isascii() and head.isdigit() and rest else None


def seat(event_id: int, seat_id: int) -> str:
    return f"{tag(event_id)}:seat:{seat_id}"


def hold_timer(event_id: int, hold_id: str) -> str:
    """Expires exactly when the hold lapses; its `expired` event ends the hold."""
    return f"{tag(event_id)}:hold:{hold_id}"


def hold_info(event_id: int, hold_id: str) -> str:
    """Hash describing the hold; outlives the timer so expiry can still read it."""
    return f"{tag(event_id)}:holdinfo:{hold_id}"


def customer(event_id: int, customer_id: str) -> str:
    """Sorted set of the customer's held seats, scored by expiry (ms)."""
    return f"{tag(event_id)}:cust:{customer_id}"


def client(event_id: int, address: str | None) -> str:
    """Sorted set of seats held from one network address (same slot as the event)."""
    return f"{tag(event_id)}:ip:{address or '-'}"


def held(event_id: int) -> str:
    """Sorted set of every held seat of the event, scored by expiry (ms)."""
    return f"{tag(event_id)}:held"


def fence(event_id: int) -> str:
    return f"{tag(event_id)}:fence"


def seat_fences(event_id: int) -> str:
    """Hash seat id -> fencing number of the latest hold that took it."""
    return f"{tag(event_id)}:seatfence"


def version(event_id: int) -> str:
    """Counter bumped on every change to the event's seat states."""
    return f"{tag(event_id)}:version"


def changelog(event_id: int) -> str:
    """Sorted set seat id -> version of its latest change (versioned polling reads it)."""
    return f"{tag(event_id)}:changelog"


def hold_stat(event_id: int, kind: str, minute: int) -> str:
    """Counter of holds created or expired in one minute (kept two hours)."""
    return f"{tag(event_id)}:stat:{kind}:{minute}"


def channel(event_id: int) -> str:
    """Pub/sub channel announcing changed seats."""
    return f"{tag(event_id)}:changes"


def parse_timer(key: str) -> tuple[int, str] | None:
    """(event id, hold id) for a hold timer key name, else None."""
    match = _TIMER_RE.match(key)
    return (int(match.group(1)), match.group(2)) if match else None


def pool(event_id: int, section: str | None) -> str:
    """Sorted set of seats best available may offer, for the event or one section,
    scored y * 2^20 + x; a hint (taken seats are dropped when hold.lua meets them)."""
    return f"{tag(event_id)}:pool:{'*' if section is None else section}"


# hold.lua and finish.lua build the names below from tag() themselves (same slot).


def primed(event_id: int) -> str:
    """Set once the event's Redis state was rebuilt from the database (see priming.py).

    The suffix names the shape of that state: 2 added the pools' row index, so an
    event primed by an older release is primed again by its next hold."""
    return f"{tag(event_id)}:primed:2"


def pool_rows(event_id: int, section: str | None) -> str:
    """A pool's row index: members "n:y" scored n * 2^32 + y, the rows that may still
    offer best available a pick of n seats that strands nobody (see pools.py)."""
    return f"{tag(event_id)}:poolrows:{'*' if section is None else section}"


def row_table(event_id: int) -> str:
    """Hash seat id -> "y:section" of every seated place: the row a change touches."""
    return f"{tag(event_id)}:rowof"


def neighbour_table(event_id: int) -> str:
    """Hash seat id -> "left,left of left,right,right of right" ("0": row end or aisle)."""
    return f"{tag(event_id)}:neighbours"


def bought(event_id: int) -> str:
    """Hash customer id -> seats in the customer's confirmed bookings (the seat limit)."""
    return f"{tag(event_id)}:bought"


def due(event_id: int) -> str:
    """Sorted set hold id -> deadline (ms) of every live hold: the fallback job's list."""
    return f"{tag(event_id)}:due"


def room_queue(event_id: int) -> str:
    """Waiting room: sorted set of waiting customers, scored by place in line."""
    return f"{tag(event_id)}:room:q"


def room_admitted(event_id: int) -> str:
    """Waiting room: sorted set of admitted customers, scored by admission time (ms)."""
    return f"{tag(event_id)}:room:in"


def room_state(event_id: int) -> str:
    """Waiting room: hash of the admitter's token bucket and counters."""
    return f"{tag(event_id)}:room:state"


def room_seq(event_id: int) -> str:
    """Waiting room: arrival counter for places after opening."""
    return f"{tag(event_id)}:room:seq"


def presale_failures(event_id: int) -> str:
    """Presale codes: hash of network address -> wrong codes tried (kept a week), and
    `total`, for staff to see someone guessing."""
    return f"{tag(event_id)}:presale:failed"


def room_seen(event_id: int) -> str:
    """Waiting room: sorted set of customers in line, scored by when they last asked
    (ms); the admitter skips those gone quiet (a closed tab, a bot's discarded cookie)."""
    return f"{tag(event_id)}:room:seen"


def room_addresses(event_id: int) -> str:
    """Waiting room: hash of network address -> places in line taken from it."""
    return f"{tag(event_id)}:room:addr"
