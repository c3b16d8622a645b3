"""Paying by card in a browser, through the card page and localstripe's Stripe.js, with
the whole stack running (gunicorn, RQ worker settling localstripe's signed webhooks).

localstripe's Stripe.js offers createToken and confirmCardPayment (3-D Secure only), so
the page uses those, which the real Stripe.js has too. What this cannot reach: the real
Stripe.js card iframe, and real Stripe confirming a token through payment_method_data
(localstripe takes the token's card as the intent's payment method instead)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_event, seat
from tests.factories import make_event
from tests.stripe_fake import stripe_settings
from webapp.devtools.localstripe_server import register_webhook


@pytest.fixture
def e2e_env(localstripe):
    return {k: str(v) for k, v in stripe_settings(localstripe).items()}


@pytest.fixture
def card_server(server, localstripe):
    register_webhook(localstripe, "e2e", f"{server}/webhooks/stripe", "whsec_tests")
    return server


def fill_card(page, number):
    form = page.locator("#card-element")
    form.get_by_placeholder("number").fill(number)
    form.get_by_placeholder("exp_month").fill("12")
    form.get_by_placeholder("exp_year").fill("30")
    form.get_by_placeholder("cvc").fill("123")
    form.get_by_placeholder("postal_code").fill("12345")


def to_card_page(page, server, event):
    open_event(page, server, event.id)
    seat(page, "A2").click()
    expect(seat(page, "A2")).to_have_class(re.compile(r"\bmine\b"))
    page.locator("#basket > a", has_text="Check out").click()
    page.get_by_label("Name").fill("Cara Card")
    page.get_by_label("Email").fill("cara@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page).to_have_url(re.compile(r"/pay/card/pay_"))


def test_pay_by_card_declined_card_and_3d_secure(card_server, new_page, app):
    event = make_event(rows=2, seats_per_row=6, price_cents=2500)
    paying = new_page()
    to_card_page(paying, card_server, event)
    fill_card(paying, "4242424242424242")
    paying.get_by_role("button", name="Pay £25").click()
    expect(paying.locator("#booking-status")).to_contain_text("Payment received", timeout=20000)
    assert paying.locator(".ticket-code").count() == 1

    declined = new_page()
    to_card_page(declined, card_server, make_event(rows=1, seats_per_row=4, price_cents=2500))
    fill_card(declined, "4000000000000341")
    declined.get_by_role("button", name="Pay £25").click()
    expect(declined.locator("#card-message")).to_contain_text("Your card was declined")
    declined.get_by_role("link", name="Back to the booking").click()
    expect(declined.locator("#booking-status")).to_contain_text("Your seats are held until")

    secure = new_page()
    to_card_page(secure, card_server, make_event(rows=1, seats_per_row=4, price_cents=2500))
    fill_card(secure, "4000002500003155")
    secure.get_by_role("button", name="Pay £25").click()
    secure.get_by_role("button", name="Complete authentication").click()
    # Settled by the worker from localstripe's signed payment_intent.succeeded.
    expect(secure.locator("#booking-status")).to_contain_text("Payment received", timeout=20000)
