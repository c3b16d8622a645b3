"""Request ids, JSON logs and error reporting (SENTRY_DSN, against a local HTTP server
standing in for Sentry; unset, sentry-sdk is not even imported)."""

from __future__ import annotations

import gzip
import io
import json
import logging
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webapp.ops.logs import configure_logging


def test_every_answer_carries_a_request_id(client):
    mine = client.get("/healthz", headers={"X-Request-ID": "lb-42.a_b"})
    assert mine.headers["X-Request-ID"] == "lb-42.a_b"
    made = client.get("/healthz", headers={"X-Request-ID": "no spaces or <tags> allowed"})
    assert len(made.headers["X-Request-ID"]) == 32
    assert made.headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


def test_json_logs_carry_the_request_id(app, client):
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("json", "web", stream)
    try:
        with app.test_request_context("/x", headers={"X-Request-ID": "req-7"}):
            app.preprocess_request()
            logging.getLogger("holdfast.test").warning("seat %s refused", "F5")
        logging.getLogger("holdfast.test").info("outside a request")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["message"] == "seat F5 refused" and inside["request_id"] == "req-7"
    assert inside["levelname"] == "WARNING" and inside["process"] == "web"
    assert outside["request_id"] == "-"


class FakeSentry(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802  (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        FakeSentry.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


SCRIPT = """
import sys
from tests.conftest import base_config
from webapp import create_app
config = base_config(sys.argv[1], sys.argv[2], TESTING=False, SENTRY_DSN=sys.argv[3])
app = create_app(config)
app.add_url_rule("/boom", "boom", lambda: 1 / 0)
print("answer", app.test_client().get("/boom").status_code)
print("imported", "sentry_sdk" in sys.modules)
if "sentry_sdk" in sys.modules:
    import sentry_sdk
    sentry_sdk.flush(5)
"""


def run_app(database_url: str, redis_url: str, dsn: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, database_url, redis_url, dsn],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


@pytest.fixture
def fake_sentry():
    FakeSentry.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://public@127.0.0.1:{server.server_port}/1"
    server.shutdown()
    server.server_close()


def test_sentry_reports_an_unhandled_error(app, database_url, redis_url, fake_sentry):
    out = run_app(database_url, redis_url, fake_sentry)
    assert "answer 500" in out and "imported True" in out
    sent = b"".join(FakeSentry.received)
    assert b"ZeroDivisionError" in sent and b"/boom" in sent


def test_without_a_dsn_sentry_is_not_imported(app, database_url, redis_url, fake_sentry):
    out = run_app(database_url, redis_url, "")
    assert "answer 500" in out and "imported False" in out
    assert FakeSentry.received == []
