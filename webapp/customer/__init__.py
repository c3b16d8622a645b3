"""Customer pages: browse events, pick seats, check out."""

from flask import Blueprint

bp = Blueprint("customer", __name__)

from webapp.customer import routes  # noqa: E402,F401  (registers the routes)
