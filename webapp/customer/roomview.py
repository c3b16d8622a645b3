"""Words and times for the waiting room and the sale's opening, for the templates."""

from __future__ import annotations

from datetime import UTC, datetime

from webapp.booking.onsale import room
from webapp.booking.venues import local_time


def clock_time(ms: int | None, where=None, seconds: bool = False) -> str:
    """A moment on the venue's clock: "20:15 GMT" today there, else "Tue 1 Dec, 20:15
    GMT". `where` is the event or venue (None: the TIME_ZONE setting)."""
    if ms is None:
        return ""
    moment = datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)
    now = datetime.now(UTC).replace(tzinfo=None)
    if local_time.local(moment, where).date() != local_time.local(now, where).date():
        return local_time.shown(moment, where, "short")
    return local_time.shown(moment, where, "time" if seconds else "clock")


def wait_words(seconds: int | None) -> str:
    """An estimated wait in words a person reads at a glance."""
    if seconds is None:
        return "we will let you know"
    if seconds < 60:
        return "less than a minute"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    return f"about {minutes // 60} h {minutes % 60:02d} min"


def sale_opens(event_id: int) -> int | None:
    """When general sale opens (ms), if that is still to come; else None."""
    opens = room.settings(event_id).opens_ms
    return opens if opens is not None and opens > room.now_ms() else None
