"""GET /metrics for Prometheus: to a bearer token (METRICS_TOKEN) or an admin's login only."""

from __future__ import annotations

import hmac

from flask import current_app, request
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from webapp.extensions import limiter
from webapp.ops import bp
from webapp.ops.metrics import exposition
from webapp.staff.access import may


@bp.get("/metrics")
@limiter.exempt
def metrics():
    """The metrics in the Prometheus text format."""
    if not (_token_matches() or may("ops")):
        raise Unauthorized(
            "Metrics need an admin's login or the scrape token (Authorization: Bearer ...).",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "holdfast metrics"}),
        )
    body = exposition(current_app.extensions["holdfast_queue"])
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}


def _token_matches() -> bool:
    expected = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    return bool(expected) and hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())
