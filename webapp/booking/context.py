"""Where the domain gets its database session, Redis client and settings.

The domain runs inside a Flask app context (web requests, RQ jobs built with
the app, the CLI and benchmarks all provide one) but never touches the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis as redis_lib
from flask import current_app, g, has_request_context
from sqlalchemy.orm import Session

from webapp.extensions import db


def session() -> Session:
    """The current database session."""
    return db.session


def redis() -> redis_lib.Redis:
    """The shared Redis client of this app."""
    return current_app.extensions["holdfast_redis"]


def app_extension(name: str) -> Any:
    """An object create_app keeps for the domain (the HoldStore)."""
    return current_app.extensions[name]


def setting(name: str) -> Any:
    """A configuration value (see webapp/config.py)."""
    return current_app.config[name]


def seat_limit() -> int:
    """Seats a customer may hold and buy per event: MAX_SEATS_PER_CUSTOMER, or fewer when
    the request's pass carries a lower cap (a presale code's; see webapp/gate.py)."""
    limit = current_app.config["MAX_SEATS_PER_CUSTOMER"]
    cap = g.get("seat_cap", 0) if has_request_context() else 0
    return min(limit, cap) if cap else limit


def enqueue(job: str, *args: Any, **options: Any) -> bool:
    """Run `workers.jobs.<job>` in the background; False when no queue is configured."""
    submit = current_app.extensions.get("holdfast_enqueue")
    if submit is None:
        return False
    submit(f"workers.jobs.{job}", *args, **options)
    return True


def shared(name: str, make: Callable[[], Any]) -> Any:
    """An object made once per app and kept for the domain (a provider's API client)."""
    extensions = current_app.extensions
    if name not in extensions:
        extensions[name] = make()
    return extensions[name]


def public_url(path: str) -> str:
    """A link for emails, calendar files and providers: PUBLIC_BASE_URL + path, never
    built from a request's Host header (a forged one would steer customers elsewhere)."""
    return setting("PUBLIC_BASE_URL").rstrip("/") + path
