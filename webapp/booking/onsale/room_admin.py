"""Staff control of an event's sale opening and waiting room; each change is written to
the staff audit trail (StaffAction) in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from webapp.booking import staff_audit
from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.models import Event, StaffAction, utcnow
from webapp.booking.onsale import room
from webapp.database import write_transaction

LIMITS = {
    "admit_per_minute": (0, 100_000, "People let in a minute"),
    "max_shoppers": (0, 1_000_000, "Active shoppers at most"),
    "pass_minutes": (1, 240, "Minutes to shop once admitted"),
    "early_minutes": (0, 1440, "Minutes before opening that the room gathers"),
}


@dataclass(frozen=True)
class RoomForm:
    """What staff set for an event's sale (parsed from a form by `read_form`)."""

    sale_opens_at: datetime | None
    waiting_room: bool
    admit_per_minute: int
    max_shoppers: int
    pass_minutes: int
    early_minutes: int


DEFAULTS = RoomForm(None, False, 200, 0, 15, 30)  # what a new event gets (the model's)


def read_form(form, opens_at: datetime | None) -> RoomForm:
    """Room settings from a staff form, or invalid_input naming the field to fix."""
    values = {}
    for name, (low, high, words) in LIMITS.items():
        if form.get(name) is None:  # a form without the room's fields: the defaults
            values[name] = getattr(DEFAULTS, name)
            continue
        text = form.get(name).strip()
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise BookingError("invalid_input", f"{words}: a whole number from {low} to {high}.")
        values[name] = int(text)
    on = form.get("waiting_room") == "1"
    if on and not values["admit_per_minute"] and not values["max_shoppers"]:
        raise BookingError(
            "invalid_input", "A waiting room needs a rate, a cap on active shoppers, or both."
        )
    return RoomForm(opens_at, on, **values)


def configure(event_id: int, settings: RoomForm) -> None:
    """Apply the settings (audited); the room's admitter picks them up within 2 s."""
    with write_transaction(session()) as s:
        event = s.get(Event, event_id)
        if event is None:
            raise BookingError("event_not_found")
        changed = []
        moved = event.sale_opens_at != settings.sale_opens_at
        for name, value in vars(settings).items():
            if getattr(event, name) != value:
                changed.append(f"{name}: {getattr(event, name)} -> {value}")
                setattr(event, name, value)
        if changed:
            _record(s, event_id, "room settings", "; ".join(changed))
    if moved:
        room.rearm(event_id)  # the next opening draws again (issue 27.2)
    room.forget(event_id)


def set_rate(event_id: int, rate: object) -> None:
    """Change the admission rate now (audited)."""
    low, high, words = LIMITS["admit_per_minute"]
    if (
        not isinstance(rate, str)
        or not (rate.strip().isascii() and rate.strip().isdigit())
        or not low <= int(rate) <= high
    ):
        raise BookingError("invalid_input", f"{words}: a whole number from {low} to {high}.")
    with write_transaction(session()) as s:
        event = s.get(Event, event_id)
        if event is None:
            raise BookingError("event_not_found")
        if not int(rate) and not event.max_shoppers:
            raise BookingError("invalid_input", "With no cap on shoppers the rate must be above 0.")
        _record(s, event_id, "rate", f"{event.admit_per_minute} -> {int(rate)} a minute")
        event.admit_per_minute = int(rate)
    room.forget(event_id)


def pause(event_id: int, paused: bool) -> None:
    """Pause or resume admission (audited); the line keeps its order."""
    with write_transaction(session()) as s:
        event = s.get(Event, event_id)
        if event is None:
            raise BookingError("event_not_found")
        event.room_paused = paused  # the truth, which outlives Redis's data
        _record(s, event_id, "paused" if paused else "resumed", None)
    room.set_paused(event_id, paused)  # at once, before the settings cache moves on
    room.forget(event_id)


def open_now(event_id: int) -> None:
    """Open the sale now (audited): the room starts admitting at its rate."""
    with write_transaction(session()) as s:
        event = s.get(Event, event_id)
        if event is None:
            raise BookingError("event_not_found")
        _record(s, event_id, "opened now", f"was {event.sale_opens_at or 'open'}")
        event.sale_opens_at = utcnow()
    room.rearm(event_id)
    room.forget(event_id)


def actions(event_id: int, limit: int = 20) -> list[StaffAction]:
    """The event's latest staff actions, newest first."""
    return staff_audit.latest(event_id, limit)


def _record(s, event_id: int, action: str, detail: str | None) -> None:
    staff_audit.record_in(s, action, detail, event_id)
