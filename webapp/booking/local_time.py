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


def zone_name(venue) -> str:
    """The venue's zone, or the app's default (a venue may be None)."""
    return (getattr(venue, "time_zone", None) or setting("TIME_ZONE")).strip()


class _EventZone:
    """A venue stand-in for an event id: pages that answer from Redis alone (the
    waiting room's poll) get the zone from a per-process cache, not a query each."""

    def __init__(self, event_id: int) -> None:
        self.time_zone = _event_zone(event_id)


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


def venue_of(thing):
    """The venue of an event (or of an event id), or the thing itself if it is a venue."""
    if isinstance(thing, int) and not isinstance(thing, bool):
        return _EventZone(thing)
    if hasattr(thing, "time_zone"):  # a venue, or a summary that carries its zone
        return thing
    return getattr(thing, "venue", None)


def shown(moment: datetime | None, where=None, style: str = "long") -> str:
    """A UTC time as the venue's clock shows it, with the zone's abbreviation:
    "Tuesday 2 December 2031, 19:30 GMT". `where` is an event or a venue."""
    if moment is None:
        return ""
    zone = _zone(zone_name(venue_of(where)))
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    text = format_datetime(local, STYLES[style], locale=setting("LOCALE"))
    return text if style == "date" else f"{text} {local.tzname()}"


def shown_ms(ms: int | None, where=None, style: str = "short") -> str:
    """shown() of Redis milliseconds since the epoch."""
    if ms is None:
        return ""
    return shown(datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None), where, style)


def from_local(local: datetime | None, where=None) -> datetime | None:
    """What staff typed (the venue's wall-clock time, naive) as naive UTC. A time the
    clocks skip (spring forward) reads as the hour after; one they repeat, the first."""
    if local is None:
        return None
    zone = _zone(zone_name(venue_of(where)))
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def to_local_input(moment: datetime | None, where=None) -> str:
    """A UTC time as a datetime-local field's value in the venue's zone."""
    if moment is None:
        return ""
    zone = _zone(zone_name(venue_of(where)))
    return moment.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")


def zone_label(where=None) -> str:
    """The zone's name for a form's label: "Europe/London"."""
    return zone_name(venue_of(where))


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
