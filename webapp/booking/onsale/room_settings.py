"""An event's sale opening and waiting-room settings, as every process reads them:
from the database at most every SETTINGS_SECONDS, or from the cached layout while the
database is away (holds read nothing else from it)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.models import Event
from webapp.booking.venues import geometry

SETTINGS_SECONDS = 2.0  # staff changes reach every process within this

_settings: dict[int, tuple[float, RoomSettings]] = {}
_lock = threading.Lock()


def now_ms() -> int:
    return int(time.time() * 1000)


def to_ms(moment: datetime | None) -> int | None:
    """Milliseconds since the epoch of a naive UTC datetime (how the database keeps them)."""
    return None if moment is None else int(moment.replace(tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True)
class RoomSettings:
    event_id: int
    opens_ms: int | None  # None: on sale now
    on: bool
    rate: int  # people a minute (0: no rate)
    cap: int  # active shoppers at most (0: no cap)
    pass_minutes: int
    early_minutes: int
    paused: bool = False  # staff paused admission (the database's word)

    @property
    def pass_ms(self) -> int:
        return self.pass_minutes * 60_000

    def is_open(self, now: int) -> bool:
        return self.opens_ms is None or now >= self.opens_ms

    def gathering(self, now: int) -> bool:
        """The room takes arrivals: from `early_minutes` before opening onwards."""
        return self.opens_ms is None or now >= self.opens_ms - self.early_minutes * 60_000


def settings(event_id: int) -> RoomSettings:
    """The event's sale and room settings (read at most every 2 s per process).

    Holds read nothing else from the database, so they go on while it is away: then the
    last settings read stand, or those read with the event's layout.

    Raises:
        BookingError: event_not_found.
    """
    cached = _settings.get(event_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    if not 0 < event_id < 2**31:
        raise BookingError("event_not_found")
    try:
        row = (
            session()
            .execute(select(*geometry.ROOM_COLUMNS).where(Event.id == event_id))
            .one_or_none()
        )
    except OperationalError:
        session().rollback()
        known = cached[1] if cached else _from_layout(event_id)
        if known is None:
            raise
        return known
    if row is None:
        raise BookingError("event_not_found")
    found = RoomSettings(event_id, to_ms(row[0]), *row[1:])
    with _lock:
        if len(_settings) > 1024:
            _settings.clear()
        _settings[event_id] = (time.monotonic() + SETTINGS_SECONDS, found)
    return found


def _from_layout(event_id: int) -> RoomSettings | None:
    """The settings read with the event's cached layout, if this process has it."""
    layout = geometry.cached(event_id)
    if layout is None or layout.room is None:
        return None
    return RoomSettings(event_id, to_ms(layout.room[0]), *layout.room[1:])


def forget(event_id: int) -> None:
    """Drop this process's copy of an event's settings."""
    _settings.pop(event_id, None)


def clear() -> None:
    """Forget every cached setting."""
    _settings.clear()
