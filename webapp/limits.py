"""Rate limits shared by the JSON API and the pages.

A hold, best-available, standing or waiting-list request counts against one allowance
per customer session and one per network address, whether it came from the API or a
page's form; checkouts have their own. Shared scopes, so switching between the API and
the pages does not double the allowance.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request

from webapp.extensions import limiter


def _hold_limit() -> str:
    return current_app.config["HOLD_RATE_LIMIT"]


def _hold_limit_per_address() -> str:
    return current_app.config["HOLD_RATE_LIMIT_PER_ADDRESS"]


def _checkout_limit() -> str:
    return current_app.config["CHECKOUT_RATE_LIMIT"]


def _presale_limit() -> str:
    return current_app.config["PRESALE_RATE_LIMIT"]


def _presale_limit_per_address() -> str:
    return current_app.config["PRESALE_RATE_LIMIT_PER_ADDRESS"]


def client_address() -> str:
    return request.remote_addr or "unknown"


def limit_holds(view: Callable) -> Callable:
    """Holds and everything that takes seats: per session and per address."""
    view = limiter.shared_limit(_hold_limit, scope="holds")(view)
    return limiter.shared_limit(
        _hold_limit_per_address, scope="holds-address", key_func=client_address
    )(view)


def _refused(response) -> bool:
    return response.status_code >= 400 or g.get("refusal") is not None


def limit_presale(view: Callable) -> Callable:
    """Presale codes: wrong codes only count (a right one costs nothing), per session
    and per address, shared by the page and the API: guessing meets a 429."""
    view = limiter.shared_limit(_presale_limit, scope="presale", deduct_when=_refused)(view)
    return limiter.shared_limit(
        _presale_limit_per_address,
        scope="presale-address",
        key_func=client_address,
        deduct_when=_refused,
    )(view)


def _queue_limit_per_address() -> str:
    return current_app.config["QUEUE_RATE_LIMIT_PER_ADDRESS"]


def limit_queue(view: Callable) -> Callable:
    """Joining a waiting room (the page and the API share it), per address. Polls of
    one's place are not counted: they are what a waiting page does."""
    return limiter.shared_limit(
        _queue_limit_per_address, scope="queue-address", key_func=client_address
    )(view)


def limit_find_booking(view: Callable) -> Callable:
    """ "Find my booking" posts, per session and per address: each may email a link."""
    view = limiter.shared_limit(_find_limit, scope="find-booking", methods=["POST"])(view)
    return limiter.shared_limit(
        _find_limit, scope="find-booking-address", key_func=client_address, methods=["POST"]
    )(view)


def _find_limit() -> str:
    return current_app.config["FIND_BOOKING_RATE_LIMIT"]


def limit_checkout(view: Callable) -> Callable:
    """Checkout submissions (a GET of the checkout page is not counted)."""
    return limiter.shared_limit(_checkout_limit, scope="checkout", methods=["POST"])(view)
