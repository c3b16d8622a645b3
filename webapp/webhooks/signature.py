"""Stripe-style webhook signatures: `Holdfast-Signature: t=<unix>,v1=<hex>`.

v1 is HMAC-SHA256 over "<t>.<raw body>" with the shared secret. A signature is
accepted within a tolerance window (300 s) to stop replays of old deliveries,
and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
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


def check_header(header: str | None, now: float | None = None) -> tuple[int, str]:
    """(timestamp, v1) of a well-formed, fresh header; raise SignatureError otherwise.
    Needs no body, so a request is refused before its body is read."""
    if not header:
        raise SignatureError("The Holdfast-Signature header is missing.")
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    ts, given = parts.get("t", ""), parts.get("v1", "")
    # Bounded shapes: a 400-digit t or a non-ASCII v1 is malformed, not a crash.
    if not re.fullmatch(r"[0-9]{1,12}", ts) or not re.fullmatch(r"[0-9a-f]{64}", given):
        raise SignatureError("The Holdfast-Signature header is malformed.")
    if abs((now or time.time()) - int(ts)) > TOLERANCE_SECONDS:
        raise SignatureError("The signature timestamp is outside the 300 s tolerance.")
    return int(ts), given


def verify(secret: str, body: bytes, header: str | None, now: float | None = None) -> None:
    """Raise SignatureError unless `header` is a fresh, valid signature of `body`."""
    ts, given = check_header(header, now)
    if not hmac.compare_digest(compute(secret, body, ts), given):
        raise SignatureError("The signature does not match the body.")
