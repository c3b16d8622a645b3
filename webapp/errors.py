"""One place that turns refusals and HTTP errors into answers people understand.

JSON under /api/, an HTMX fragment for HTMX requests, a page otherwise.
"""

from __future__ import annotations

import redis
from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from webapp.booking.errors import BookingError


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/"))


def error_response(status: int, code: str, message: str, extra: dict | None = None):
    """Render an error the way the caller can read it."""
    if wants_json():
        return jsonify({"error": code, "message": message, **(extra or {})}), status
    if request.headers.get("HX-Request"):
        return render_template("partials/error.html", message=message), status
    return render_template("error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Attach handlers for domain errors, CSRF failures, HTTP errors and database outages."""

    @app.errorhandler(BookingError)
    def _booking_error(exc: BookingError):
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return error_response(
            400,
            "csrf_failed",
            "Your session expired or the form was tampered with. Reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        response, status = error_response(exc.code or 500, code, exc.description or exc.name)
        # Keep the headers the exception carries (Allow on 405, Retry-After on 429).
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return response, status, headers

    @app.errorhandler(OperationalError)
    @app.errorhandler(redis.ConnectionError)
    @app.errorhandler(redis.TimeoutError)
    def _backend_down(exc: Exception):
        # The database or Redis is briefly unreachable: nothing was half-written (each
        # write is one transaction or one script), so the client may simply retry.
        app.logger.warning("backend unavailable: %s", exc)
        response, status = error_response(
            503, "unavailable", "We are busy right now; please retry in a moment."
        )
        return response, status, {"Retry-After": "2"}
