"""Who is asking: anonymous customers carry a random id in the signed session cookie."""

from __future__ import annotations

import secrets

from flask import request, session


def customer_id() -> str:
    """Return this browser's customer id, creating one on first use."""
    cid = session.get("cid")
    if not cid:
        cid = secrets.token_urlsafe(16)
        session["cid"] = cid
        session.permanent = True
        request.environ[NEW_CUSTOMER] = True
    return cid


NEW_CUSTOMER = "holdfast.new_customer"  # in the request's environ (g outlives a request in tests)


def is_new_customer() -> bool:
    """True when this request made the customer id: nobody with it holds anything yet."""
    return bool(request.environ.get(NEW_CUSTOMER))


def known_customer_id() -> str | None:
    """This browser's customer id if it has one; never creates one (nor a cookie), for
    read-only requests such as the live-map poll."""
    return session.get("cid")


def rate_limit_key() -> str:
    """Rate limits count per customer session (created here on a first visit).

    A client that throws its cookie away gets a fresh allowance; limits per
    address come with the abuse-hardening work.
    """
    return customer_id() if request else "unknown"
