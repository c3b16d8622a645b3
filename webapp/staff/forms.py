"""Small parsers for staff forms."""

from __future__ import annotations

from datetime import datetime

from webapp.booking.errors import BookingError


def parse_datetime(text: str | None, field: str = "The date") -> datetime | None:
    """A datetime-local field (UTC) or None when left empty; a clear refusal when it
    cannot be read, so a typo never silently means "no date"."""
    if not text or not text.strip():
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise BookingError("invalid_input", f"{field} must look like 2026-12-01T19:30.") from None
