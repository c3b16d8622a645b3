"""Times as the venue's clock shows them. Everything is stored in naive UTC; a venue's
time zone (Venue.time_zone, else the TIME_ZONE setting) says how a time is shown to
customers and staff, and how what staff type in a form is read.

A show at 19:30 in London is 19:30 on every screen that shows it, with the zone's name
("19:30 GMT"), whatever the clock of the server or the buyer's phone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_datetime
from sqlalchemy import select

from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.models import Event, Venue

STYLES = {
    "long": "EEEE d MMMM y, HH:mm",  # Tuesday 2 December 2031, 19:30
    "short": "EEE d MMM, HH:mm",  # Tue 2 Dec, 19:30
    "date": "d MMM y",  # 2 Dec 2031
    "time": "HH:mm:ss",  # 19:30:05
    "clock": "HH:mm",  # 19:30
}


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_name(where=None) -> str:
    """The zone of `where`: an event id (its venue's, from a per-process cache: the
    waiting room's poll answers from Redis alone), anything carrying `time_zone` (a
    venue, an event summary, booking details), an event (its venue's); else, and for
    None, TIME_ZONE."""
    if isinstance(where, int) and not isinstance(where, bool):
        own = _event_zone(where)
    elif hasattr(where, "time_zone"):
        own = where.time_zone
    else:
        own = getattr(getattr(where, "venue", None), "time_zone", None)
    return (own or setting("TIME_ZONE")).strip()


_event_zones: dict[int, tuple[str | None, float]] = {}
EVENT_ZONE_SECONDS = 60  # a venue's zone is set when it is made; a change shows within this


def _event_zone(event_id: int) -> str | None:
    found = _event_zones.get(event_id)
    if found is None or found[1] < time.monotonic():
        name = session().scalar(
            select(Venue.time_zone)
            .join(Event, Event.venue_id == Venue.id)
            .where(Event.id == event_id)
        )
        found = (name, time.monotonic() + EVENT_ZONE_SECONDS)
        if len(_event_zones) > 10_000:
            _event_zones.clear()
        _event_zones[event_id] = found
    return found[0]


def clear() -> None:
    """Forget the cached zones of events (tests reuse event ids)."""
    _event_zones.clear()


def local(moment: datetime, where=None) -> datetime:
    """A naive UTC time as an aware time on the venue's clock."""
    return moment.replace(tzinfo=UTC).astimezone(_zone(zone_name(where)))


def shown(moment: datetime | None, where=None, style: str = "long") -> str:
    """A UTC time as the venue's clock shows it, with the zone's abbreviation:
    "Tuesday 2 December 2031, 19:30 GMT". `where` as for zone_name."""
    if moment is None:
        return ""
    there = local(moment, where)
    text = format_datetime(there, STYLES[style], locale=setting("LOCALE"))
    return text if style == "date" else f"{text} {there.tzname()}"


def from_local(typed: datetime | None, where=None) -> datetime | None:
    """What staff typed (the venue's wall-clock time, naive) as naive UTC. A time the
    clocks skip (spring forward) reads as the hour after; one they repeat, the first."""
    if typed is None:
        return None
    zone = _zone(zone_name(where))
    return typed.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def to_local_input(moment: datetime | None, where=None) -> str:
    """A UTC time as a datetime-local field's value in the venue's zone."""
    if moment is None:
        return ""
    return local(moment, where).strftime("%Y-%m-%dT%H:%M:%S")


def check_zone(name: str | None) -> str | None:
    """A venue's zone as staff typed it: an IANA name, or None (blank: the default).

    Raises:
        BookingError: invalid_input for a name that is not a time zone.
    """
    name = (name or "").strip()
    if not name:
        return None
    if name not in _names():
        raise BookingError(
            "invalid_input", f"{name!r} is not a time zone: give a name such as Europe/London."
        )
    return name


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    return frozenset(available_timezones())


def check_default(name: str) -> None:
    """At start: TIME_ZONE must name a zone (a typo would show every time wrongly)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(
            f"TIME_ZONE must be a time zone name such as Europe/London, not {name!r}."
        ) from exc
