"""One place that turns refusals and HTTP errors into answers people understand.

JSON under /api/, an HTMX fragment for HTMX requests, a flash message and a redirect
for a view marked with `returns_to` (plain form posts), a page otherwise. Routes
therefore never catch BookingError themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from webapp.booking.errors import BookingError
from webapp.extensions import db, limiter
from webapp.htmx import is_htmx


def wants_json() -> bool:
    # A page's own fetch() sending JSON (the card page) reads JSON back.
    return request.path.startswith(("/api/", "/webhooks/")) or request.is_json


def returns_to(endpoint: str) -> Callable:
    """Mark a view whose refusals a plain browser sees on `endpoint`'s page.

    The message is flashed and the browser sent there (303), with the URL values the
    two views share; put it right under the route decorator.
    """

    def mark(view: Callable) -> Callable:
        view.refusals_return_to = endpoint
        return view

    return mark


def return_url() -> str | None:
    """Where the current view sends a refused browser, if it is marked (see returns_to)."""
    view = current_app.view_functions.get(request.endpoint or "")
    endpoint = getattr(view, "refusals_return_to", None)
    if endpoint is None:
        return None
    wanted = set().union(*(r.arguments for r in current_app.url_map.iter_rules(endpoint)))
    values = {k: v for k, v in (request.view_args or {}).items() if k in wanted}
    return url_for(endpoint, **values)


def error_response(
    status: int, code: str, message: str, extra: dict | None = None, title: str | None = None
):
    """Render an error the way the caller can read it (`title`: the page's heading)."""
    if wants_json():
        return jsonify({"error": code, "message": message, **(extra or {})}), status
    if is_htmx():
        return render_template("partials/error.html", message=message), status
    return render_template("error.html", status=title or status, message=message), status


def refusal_response(exc: BookingError):
    """A domain refusal: a plain browser on a marked view goes back with a flash message."""
    g.refusal = exc.code  # for rate limits that count refusals only (a page's is a 303)
    back = None if wants_json() or is_htmx() else return_url()
    if back is not None:
        flash(exc.message)
        return redirect(back, 303)
    return error_response(exc.status, exc.code, exc.message, exc.details, exc.title)


def register_error_handlers(app: Flask) -> None:
    """Attach handlers for domain errors, CSRF failures, HTTP errors and database outages."""

    @app.errorhandler(BookingError)
    def _booking_error(exc: BookingError):
        return refusal_response(exc)

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
        message = exc.description or exc.name
        if exc.code == 413:
            limit = request.max_content_length
            message = f"The request body is too large (at most {limit} bytes)."
        if exc.code == 429:  # Flask-Limiter's description is the bare limit ("120 per 1 minute")
            message = (
                f"You are going too fast (at most {exc.description}). "
                "Wait a moment, then try again."
            )
        response, status = error_response(exc.code or 500, code, message)
        # Keep the headers the exception carries (Allow on 405, Retry-After on 429).
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        if exc.code == 429 and "Retry-After" not in headers:
            headers["Retry-After"] = retry_after()
        return response, status, headers

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _out_of_range(exc: Exception):
        # The safety net for numbers no column can hold (an id or page of 2**70): the
        # database driver refuses them (SQLite: OverflowError, PostgreSQL: DataError)
        # before anything is written.
        app.logger.info("number out of range: %s", exc)
        db.session.rollback()  # PostgreSQL aborted the transaction; the page may read more
        return error_response(422, "invalid_input", "A number in the request is out of range.")

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


def retry_after() -> str:
    """Seconds until the refused request's rate-limit window resets, counted as
    Flask-Limiter counts them (one Redis call, paid only by a refusal), at least 1."""
    current = limiter.current_limit
    if current is None:
        return "1"
    return str(max(1, int(current.reset_at - time.time())))
