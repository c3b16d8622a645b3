"""JSON API v1; described in openapi.yaml, served at /api/v1/openapi.yaml."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from webapp.api import routes  # noqa: E402,F401  (registers the routes)
