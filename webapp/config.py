"""Configuration read from the environment, with safe defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _int(name: str, default: int) -> int:
    """Read an integer environment variable, falling back to `default`."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _secret(name: str, instance_path: Path) -> str:
    """A secret from the environment, else a random one kept under instance/.

    Every process (gunicorn workers, RQ workers) must use the same value, so a
    generated secret is written once and reused rather than created per process.
    """
    if os.environ.get(name):
        return os.environ[name]
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / name.lower()
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# While `make run` runs its private Redis, its URL is here (webapp/devtools/run.py), so
# `flask ...` commands run beside it reach the same Redis.
RUNNING_REDIS = "redis_url"


def _stack_redis(instance_path: Path) -> str:
    try:
        found = (instance_path / RUNNING_REDIS).read_text().strip()
    except OSError:
        found = ""
    return found if found.startswith("redis://127.0.0.1:") else "redis://127.0.0.1:6379/0"


def load_config(instance_path: Path) -> dict:
    """Build the Flask config mapping from environment variables."""
    return {
        **_secrets(instance_path),
        **_payments(),
        **_stores(instance_path),
        **_holds(),
        **_limits(),
        **_site(),
        **_mail(),
        **_sessions_and_ops(),
    }


def _secrets(instance_path: Path) -> dict:
    """Secrets every process shares (generated once under instance/ when unset)."""
    return {
        "SECRET_KEY": _secret("SECRET_KEY", instance_path),
        "PAYMENT_WEBHOOK_SECRET": _secret("PAYMENT_WEBHOOK_SECRET", instance_path),
    }


def _payments() -> dict:
    """Who takes the money and in what currency, locale and time zone."""
    return {
        # "test": the built-in test provider (make run, the tests); "stripe": real cards
        # through Stripe, with the three STRIPE_* keys (webapp/payment_setup.py refuses
        # to start without them rather than fall back to the test provider).
        "PAYMENT_PROVIDER": os.environ.get("PAYMENT_PROVIDER", "test"),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_PUBLISHABLE_KEY": os.environ.get("STRIPE_PUBLISHABLE_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        # Only for tests against localstripe: where the API and Stripe.js are served.
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "STRIPE_JS_URL": os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
        # Prices are kept in the currency's minor unit (pence, cents), as Stripe wants them.
        "CURRENCY": os.environ.get("CURRENCY", "GBP").upper(),
        "LOCALE": os.environ.get("LOCALE", "en_GB"),
        # Venues without a zone of their own show times in this one (an IANA name).
        "TIME_ZONE": os.environ.get("TIME_ZONE", "Europe/London"),
        "PAYMENT_EVENT_STALE_SECONDS": _int("PAYMENT_EVENT_STALE_SECONDS", 30),
        # The pretend payment page takes "payments" with no money: off unless asked for
        # (make run and the tests turn it on).
        "TEST_PAYMENT_PROVIDER": os.environ.get("TEST_PAYMENT_PROVIDER", "0") == "1",
        "TEST_PROVIDER_DELAY_SECONDS": float(os.environ.get("TEST_PROVIDER_DELAY_SECONDS", "1")),
    }


def _stores(instance_path: Path) -> dict:
    """Where data lives: the database, Redis, and how big a request may be."""
    db_default = f"sqlite:///{instance_path / 'holdfast.sqlite3'}"
    return {
        # Largest request body accepted (bytes): anything bigger is refused with 413
        # before it is read. Venue layouts are the largest legitimate bodies.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", db_default),
        "REDIS_URL": os.environ.get("REDIS_URL") or _stack_redis(instance_path),
        # Optional: holds on a Redis Cluster (any node's URL); queues stay on REDIS_URL.
        "REDIS_CLUSTER_URL": os.environ.get("REDIS_CLUSTER_URL", ""),
    }


def _holds() -> dict:
    """How long holds last and when lapsed ones are ended."""
    return {
        "HOLD_TTL_SECONDS": _int("HOLD_TTL_SECONDS", 600),
        "HOLD_EXTEND_SECONDS": _int("HOLD_EXTEND_SECONDS", 120),
        "HOLD_GRACE_SECONDS": _int("HOLD_GRACE_SECONDS", 5),
        "SWEEP_INTERVAL_SECONDS": _int("SWEEP_INTERVAL_SECONDS", 60),
        "EXPIRY_FALLBACK": os.environ.get("EXPIRY_FALLBACK", "1") != "0",
    }


def _limits() -> dict:
    """Per-customer and per-address limits, and Flask-Limiter's rates."""
    return {
        "MAX_SEATS_PER_CUSTOMER": _int("MAX_SEATS_PER_CUSTOMER", 8),
        # Seats held at once from one network address per event (0: no limit). Defaults to
        # the per-customer limit so opening many sessions does not help; raise it where
        # many buyers share an address (offices, carrier NAT).
        "MAX_SEATS_PER_ADDRESS": _int("MAX_SEATS_PER_ADDRESS", _int("MAX_SEATS_PER_CUSTOMER", 8)),
        "HOLD_RATE_LIMIT_PER_ADDRESS": os.environ.get(
            "HOLD_RATE_LIMIT_PER_ADDRESS", "600 per minute"
        ),
        "PROXY_FIX_X_FOR": _int("PROXY_FIX_X_FOR", 0),
        "HOLD_RATE_LIMIT": os.environ.get("HOLD_RATE_LIMIT", "120 per minute"),
        "CHECKOUT_RATE_LIMIT": os.environ.get("CHECKOUT_RATE_LIMIT", "60 per minute"),
        # Waiting room: places one network address may take per event (0: no limit;
        # raise it where many buyers share an address), joins an address may make a
        # minute, and how long a place may go unpolled before the admitter skips it (a
        # page polls every 5 s; a background tab at least once a minute).
        "QUEUE_PLACES_PER_ADDRESS": _int("QUEUE_PLACES_PER_ADDRESS", 10),
        "QUEUE_RATE_LIMIT_PER_ADDRESS": os.environ.get(
            "QUEUE_RATE_LIMIT_PER_ADDRESS", "60 per minute"
        ),
        "QUEUE_IDLE_SECONDS": _int("QUEUE_IDLE_SECONDS", 180),
        # The door page wipes its offline ticket list after this long with no scan.
        "DOOR_IDLE_MINUTES": _int("DOOR_IDLE_MINUTES", 30),
        # "Find my booking" requests (each may email a link), per session and per address.
        "FIND_BOOKING_RATE_LIMIT": os.environ.get("FIND_BOOKING_RATE_LIMIT", "5 per 10 minutes"),
        # Wrong presale codes tried, per session and per network address.
        "PRESALE_RATE_LIMIT": os.environ.get("PRESALE_RATE_LIMIT", "10 per 10 minutes"),
        "PRESALE_RATE_LIMIT_PER_ADDRESS": os.environ.get(
            "PRESALE_RATE_LIMIT_PER_ADDRESS", "30 per 10 minutes"
        ),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") != "0",
        # X-RateLimit-* on every answer costs a Redis round trip per request (the
        # window's reset time) on the on-sale's hottest routes; a refusal says when to
        # come back either way (Retry-After, errors.py).
        "RATELIMIT_HEADERS_ENABLED": os.environ.get("RATELIMIT_HEADERS_ENABLED", "0") == "1",
    }


def _site() -> dict:
    """Pages, the waiting list's offers, staff invitations and the site's public address."""
    return {
        # A staff invitation link (set your password) lapses after this many hours.
        "STAFF_INVITE_HOURS": _int("STAFF_INVITE_HOURS", 72),
        # Above this many seats the event page opens on a section overview and loads
        # one section's seats at a time.
        "LARGE_VENUE_SEATS": _int("LARGE_VENUE_SEATS", 2000),
        # A seat map's poll that brings the version another poll of the same process
        # read less than this long ago is answered "nothing new" without Redis (a
        # crowd waiting on an event page costs nothing); changes made by other
        # processes show this much later at most. 0: every poll reads Redis.
        "POLL_FRESH_MS": _int("POLL_FRESH_MS", 250),
        # An event page drawn for a viewer with nothing of their own on it (no basket,
        # no message) is handed to the next such viewer, with their own CSRF token,
        # while no seat has moved and for at most this long: the seats are as current
        # as the viewer's own read, the event's details and prices up to this much
        # older. 0: every page is drawn for its viewer.
        "PAGE_SHARE_MS": _int("PAGE_SHARE_MS", 1000),
        # Waiting list: how long seats offered to a waiting group stay held for it.
        "WAITLIST_OFFER_SECONDS": _int("WAITLIST_OFFER_SECONDS", 1800),
        # Links in emails and the test provider's webhooks point here (the site as
        # customers reach it); never built from a request's Host header.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
    }


def _mail() -> dict:
    """Outgoing email."""
    return {
        # Outgoing email: "console" logs each message; "smtp" sends through SMTP_HOST.
        "EMAIL_BACKEND": os.environ.get("EMAIL_BACKEND", "console"),
        "EMAIL_FROM": os.environ.get("EMAIL_FROM", "Holdfast <tickets@localhost>"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "0") == "1",
    }


def _sessions_and_ops() -> dict:
    """Session cookies, CSRF, metrics, error reporting and logs."""
    return {
        # Send the session cookie only when it changed: a background poll answering
        # with the cookie it was sent must not overwrite what a click just stored.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        # /metrics answers to "Authorization: Bearer <METRICS_TOKEN>" (for Prometheus) or
        # to a staff login; unset, only staff get it.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        # Error reporting: set to a Sentry DSN to send errors (web and RQ jobs) to Sentry;
        # unset, sentry-sdk is not even imported.
        "SENTRY_DSN": os.environ.get("SENTRY_DSN", ""),
        # "json": one JSON object per log line, with the request id; else plain text.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),  # read by wsgi.py and workers/
    }
