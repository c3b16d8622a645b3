"""The web process's entry point: `gunicorn -c python:webapp.gunicorn_conf wsgi:app`."""

from webapp import create_app
from webapp.ops.logs import configure_logging

app = create_app()
configure_logging(app.config["LOG_FORMAT"], "web")
