"""HTMX requests: how to tell one, and the header that keeps caches honest about it."""

from __future__ import annotations

from flask import Response, request


def is_htmx() -> bool:
    """True for a request htmx made: it sends `HX-Request: true`."""
    return request.headers.get("HX-Request") == "true"


def vary_on_htmx(response: Response) -> Response:
    """The same URL answers a page or a fragment, so caches must key on HX-Request."""
    response.vary.add("HX-Request")
    return response
