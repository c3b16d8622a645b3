"""Totals for the metrics scrape: bookings by status, payments and refunds, live holds
per upcoming event. Each is one query or one pipeline, whatever the number of seats."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from webapp.booking.context import redis, session
from webapp.booking.holds import keys
from webapp.booking.models import Booking, Event, Payment, utcnow


def bookings_by_status() -> dict[str, int]:
    rows = session().execute(select(Booking.status, func.count()).group_by(Booking.status))
    return {status: n for status, n in rows}


def payments_by_kind() -> list[tuple[str, str, int, int]]:
    """(kind: charge or refund, status, how many, amount in pence)."""
    rows = session().execute(
        select(
            Payment.kind,
            Payment.status,
            func.count(),
            func.coalesce(func.sum(Payment.amount_cents), 0),
        ).group_by(Payment.kind, Payment.status)
    )
    return [(kind, status, n, int(amount)) for kind, status, n, amount in rows]


def live_holds_by_event() -> dict[int, int]:
    """Seats held now per event that has not started more than a day ago (entries of
    lapsed holds not yet released are left out, as the staff overview does)."""
    since = utcnow() - timedelta(days=1)
    event_ids = list(session().scalars(select(Event.id).where(Event.starts_at >= since)))
    if not event_ids:
        return {}
    now_ms = int(time.time() * 1000)
    pipe = redis().pipeline(transaction=False)
    for event_id in event_ids:
        pipe.zcount(keys.held(event_id), now_ms, "+inf")
    return dict(zip(event_ids, pipe.execute(), strict=True))
