"""Request ids and JSON logs.

Every response carries X-Request-ID: the caller's (a proxy's), when it is a sane token,
else a new one, so a customer's report, the access log and the app's log lines meet.
LOG_FORMAT=json writes one JSON object per line (python-json-logger) with the request
id, for log shippers; anything else keeps plain text.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the current request's, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(fmt: str, process: str, stream=None) -> logging.Handler:
    """Send this process's log records to stderr (or `stream`) as JSON or plain text."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                static_fields={"process": process},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter(f"%(asctime)s {process} %(levelname)s %(name)s %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    return handler


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def _request_id():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def _echo(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
