"""localstripe for the payment tests: the server, its settings for the app, and a catcher
for the signed webhooks it sends (so a test can hand the genuine bytes to the app)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import stripe

from webapp.devtools.localstripe_server import register_webhook, start_localstripe

WEBHOOK_SECRET = "whsec_tests"


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory) -> str:
    proc, url = start_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log")
    yield url
    proc.terminate()
    proc.wait(10)


def stripe_settings(base: str, **extra) -> dict:
    return {
        "PAYMENT_PROVIDER": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_holdfast",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_holdfast",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": base,
        "STRIPE_JS_URL": f"{base}/js.stripe.com/v3/",
        **extra,
    }


class Deliveries:
    """What localstripe POSTed to the catcher: (event type, raw body, Stripe-Signature)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, bytes, str]] = []
        self.lock = threading.Lock()

    def of(self, type_: str, intent: str, timeout: float = 10) -> tuple[bytes, str]:
        """The first delivery of `type_` about `intent` (localstripe sends after ~1 s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for kind, body, header in self.items:
                    if kind == type_ and intent.encode() in body:
                        return body, header
            time.sleep(0.05)
        raise AssertionError(f"localstripe sent no {type_} for {intent}")


@pytest.fixture
def webhooks(localstripe) -> Deliveries:
    """A catcher on loopback registered as localstripe's one webhook for this test."""
    caught = Deliveries()

    class Catch(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with caught.lock:
                caught.items.append(
                    (json.loads(body)["type"], body, self.headers["Stripe-Signature"])
                )
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Catch)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    register_webhook(localstripe, "tests", url, WEBHOOK_SECRET)
    yield caught
    server.shutdown()
    server.server_close()
    thread.join(5)


def stripe_event(event_id: str, type_: str, obj: dict) -> str:
    """An event's body as Stripe sends it, about `obj`."""
    return json.dumps({"id": event_id, "object": "event", "type": type_, "data": {"object": obj}})


def signed(payload: str, secret: str = WEBHOOK_SECRET, age: int = 0) -> str:
    """A Stripe-Signature header for `payload`, made `age` seconds ago (stripe's helper),
    for events localstripe never sends or that a forger would."""
    at = int(time.time()) - age
    return f"t={at},v1={stripe.WebhookSignature._compute_signature(f'{at}.{payload}', secret)}"


def card_token(base: str, number: str = "4242424242424242") -> str:
    """What Stripe.js's createToken makes from a card form."""
    made = requests.post(
        f"{base}/v1/tokens",
        data={
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
            "key": "pk_test_holdfast",
        },
        timeout=10,
    )
    made.raise_for_status()
    return made.json()["id"]


def authenticate(base: str, intent: str, client_secret: str, success: bool = True) -> dict:
    """What localstripe's Stripe.js does for confirmCardPayment (3-D Secure)."""
    done = requests.post(
        f"{base}/v1/payment_intents/{intent}/_authenticate?success={str(success).lower()}",
        json={"key": "pk_test_holdfast", "client_secret": client_secret},
        timeout=10,
    )
    done.raise_for_status()
    return done.json()
