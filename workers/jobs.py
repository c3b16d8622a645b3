"""RQ jobs: thin, idempotent, each calls one domain function.

The worker process builds the app once and pushes its context (workers/worker.py),
so these functions run with the database and Redis wired up.
"""

from __future__ import annotations

from webapp import booking


def expire_hold(hold_id: str) -> str:
    """Fallback for a lost keyspace notification: end the hold if it lapsed."""
    return booking.expire_hold(hold_id)


def sweep_expired() -> int:
    """Periodic safety net: expire every pending booking past its deadline."""
    return booking.sweep_expired()


def confirm_payment(payment_id: str, succeeded: bool) -> str:
    """Settle a payment the provider reported; returns the booking's final status."""
    return booking.confirm_payment(payment_id, succeeded).status
