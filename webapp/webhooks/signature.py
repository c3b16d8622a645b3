"""Stripe-style webhook signatures: `Holdfast-Signature: t=<unix>,v1=<hex>`.

v1 is HMAC-SHA256 over "<t>.<raw body>" with the shared secret. A signature is
accepted within a tolerance window (300 s) to stop replays of old deliveries,
and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Holdfast-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The signature is missing, malformed, stale or wrong."""


def compute(secret: str, body: bytes, timestamp: int) -> str:
    payload = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value for `body`, signed now (or at `timestamp`)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={compute(secret, body, ts)}"


def verify(secret: str, body: bytes, header: str | None, now: float | None = None) -> None:
    """Raise SignatureError unless `header` is a fresh, valid signature of `body`."""
    if not header:
        raise SignatureError("The Holdfast-Signature header is missing.")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        ts = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        raise SignatureError("The Holdfast-Signature header is malformed.") from None
    if abs((now or time.time()) - ts) > TOLERANCE_SECONDS:
        raise SignatureError("The signature timestamp is outside the 300 s tolerance.")
    if not hmac.compare_digest(compute(secret, body, ts), given):
        raise SignatureError("The signature does not match the body.")
