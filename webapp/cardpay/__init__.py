"""The card payment page (PAYMENT_PROVIDER=stripe): Stripe.js takes the card in the
customer's browser, the server confirms the booking's PaymentIntent with it."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask

from webapp.extensions import CONTENT_SECURITY_POLICY, talisman

bp = Blueprint("cardpay", __name__)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def card_page_policy(config: dict) -> dict:
    """The site's policy plus exactly Stripe's origins: Stripe.js from STRIPE_JS_URL,
    its calls to the API, and its 3-D Secure frames (Stripe's CSP guidance)."""
    js = origin(config["STRIPE_JS_URL"])
    api = (
        origin(config["STRIPE_API_BASE"]) if config["STRIPE_API_BASE"] else "https://api.stripe.com"
    )
    frames = js if config["STRIPE_API_BASE"] else f"{js} https://hooks.stripe.com"
    return {
        **CONTENT_SECURITY_POLICY,
        "script-src": f"'self' {js}",
        "connect-src": f"'self' {api}",
        "frame-src": frames,
    }


def init_cardpay(app: Flask) -> None:
    """Register the page with a policy built from this app's settings."""
    app.register_blueprint(bp)
    policy = card_page_policy(app.config)
    endpoint = "cardpay.pay_page"
    app.view_functions[endpoint] = talisman(content_security_policy=policy)(
        app.view_functions[endpoint]
    )


from webapp.cardpay import routes  # noqa: E402,F401  (registers the routes)
