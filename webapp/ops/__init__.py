"""Running Holdfast in production: health checks, Prometheus metrics, request ids and
JSON logs, error reporting, and rq-dashboard for staff (README, "Production")."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ops", __name__)

from webapp.ops import health, metrics_route  # noqa: E402,F401  (routes on bp)
