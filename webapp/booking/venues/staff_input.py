"""What staff type into forms (dates, prices), read or refused with a message to fix it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from webapp.booking.errors import BookingError
from webapp.booking.venues import local_time


def parse_datetime(text: str | None, field: str = "The date", where=None) -> datetime | None:
    """A datetime-local field, on the clock of `where` (an event, event id or venue;
    local_time), as naive UTC; None when left empty; a clear refusal when it cannot be
    read, so a typo never silently means "no date"."""
    if not text or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BookingError("invalid_input", f"{field} must look like 2026-12-01T19:30.") from None
    # Times are kept as naive UTC: one given with an offset is converted, so it can be
    # compared with one given without (comparing the two raised a TypeError).
    if value.tzinfo:
        return value.astimezone(UTC).replace(tzinfo=None)
    return local_time.from_local(value, where)


def optional_datetime(text: str | None, where=None) -> datetime | None:
    """A datetime-local field, or None when empty or unreadable (the caller then asks
    for it in its own words, beside the form's other mistakes)."""
    try:
        return parse_datetime(text, where=where)
    except BookingError:
        return None


MAX_PRICE = 100_000  # pounds


def pence(text: str) -> int | None:
    """Pence from "12.50" or "£12.50"; None for anything else (blank, inf, nan, 1e400, -1)."""
    try:
        value = Decimal(text.replace("£", "").replace(",", "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= MAX_PRICE:
        return None
    return int((value * 100).to_integral_value())
