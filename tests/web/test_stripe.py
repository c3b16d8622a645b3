"""Card payments through Stripe, against localstripe (a stateful Stripe fake): intents,
cards, 3-D Secure, real signed webhooks, refunds and no charge after the hold lapses."""

from __future__ import annotations

import json

import pytest
from rq import Queue
from sqlalchemy import func, select

from tests.factories import make_event, seat_ids
from tests.stripe_fake import authenticate, card_token, signed, stripe_event, stripe_settings
from tests.unit.test_checkout import lapse
from webapp import create_app
from webapp.booking import BookingError, expire_hold, hold_seats, start_checkout
from webapp.booking.models import BookingEvent, OutboxMessage, Payment, PaymentEvent
from webapp.booking.money import money
from webapp.booking.orders import card_payments, charge_closing
from webapp.booking.orders.boxoffice import cancel_and_refund
from webapp.booking.orders.payment_events import process_payment_event
from webapp.booking.orders.stripe_provider import client as stripe_api
from webapp.extensions import db
from webapp.queues import QUEUE_NAME
from webapp.staff.users import create_staff

DECLINED_CARD = "4000000000000341"  # localstripe: attaches, then the charge fails
THREE_D_SECURE_CARD = "4000002500003155"


@pytest.fixture
def app_config(localstripe):
    return stripe_settings(localstripe)


def checkout(event, customer="alice", seats=1):
    hold = hold_seats(event.id, customer, seat_ids(event)[:seats])
    status, body = start_checkout(hold.hold_id, customer, "Ann", "ann@example.com", "k")
    assert status == 201 and body["payment_url"].startswith("/pay/card/pay_")
    return hold, body["payment_url"].rsplit("/", 1)[1]


def charge_of(payment_id) -> Payment:
    db.session.commit()
    return db.session.scalar(select(Payment).where(Payment.public_id == payment_id))


def post_webhook(client_, body, header):
    return client_.post(
        "/webhooks/stripe",
        data=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def deliver(client_, webhooks, type_, intent):
    """The genuine signed event localstripe sent, handed to the app and settled (the job)."""
    body, header = webhooks.of(type_, intent)
    answer = post_webhook(client_, body, header)
    assert answer.status_code == 200, answer.data
    event_id = json.loads(body)["id"]
    return answer.get_json(), process_payment_event(event_id)


def notes(booking_id) -> list[str]:
    return list(
        db.session.scalars(select(BookingEvent.note).where(BookingEvent.booking_id == booking_id))
    )


def test_card_page_makes_one_intent_for_the_priced_booking(app, client, localstripe):
    event = make_event(price_cents=2500)
    _, payment_id = checkout(event, seats=2)
    first = card_payments.card_page(payment_id, "alice")
    again = card_payments.card_page(payment_id, "alice")  # a reload, a second tab
    charge = charge_of(payment_id)
    assert first.client_secret == again.client_secret and charge.provider == "stripe"
    intent = stripe_api().v1.payment_intents.retrieve(charge.provider_ref)
    assert (intent.amount, intent.currency) == (5000, "gbp")
    assert intent.metadata["booking"] == charge.booking.reference
    with pytest.raises(BookingError) as refused:
        card_payments.card_page(payment_id, "mallory")
    assert refused.value.status == 404


def test_the_card_page_loads_stripe_js_and_allows_only_its_origin(app, client, localstripe):
    event = make_event(price_cents=2500)
    client.get(f"/events/{event.id}")
    with client.session_transaction() as sess:
        customer = sess["cid"]
    hold = hold_seats(event.id, customer, seat_ids(event)[:1])
    _, body = start_checkout(hold.hold_id, customer, "Ann", "ann@example.com", "k")
    page = client.get(body["payment_url"])
    html = page.data.decode()
    assert page.status_code == 200 and "Pay £25" in html
    assert f'src="{localstripe}/js.stripe.com/v3/"' in html
    policy = page.headers["Content-Security-Policy"]
    assert f"script-src 'self' {localstripe}" in policy
    assert f"connect-src 'self' {localstripe}" in policy
    assert localstripe not in client.get(f"/events/{event.id}").headers["Content-Security-Policy"]


def test_pay_by_card_confirms_once_however_often_stripe_tells(app, client, localstripe, webhooks):
    event = make_event(price_cents=2500)
    _, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    outcome = card_payments.pay_with_card(payment_id, "alice", card_token(localstripe))
    assert outcome == {"status": "succeeded"}
    charge = charge_of(payment_id)
    assert charge.booking.status == "confirmed" and charge.status == "succeeded"
    answers = [deliver(client, webhooks, "payment_intent.succeeded", charge.provider_ref)]
    body, header = webhooks.of("payment_intent.succeeded", charge.provider_ref)
    answers += [post_webhook(client, body, header).get_json() for _ in range(4)]  # replays
    assert answers[0] == ({"received": True, "outcome": "new"}, "confirmed")
    assert all(a["outcome"] == "duplicate" for a in answers[1:])
    assert db.session.scalar(select(func.count()).select_from(PaymentEvent)) == 1
    assert notes(charge.booking_id).count("Payment received") == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # tickets


def test_a_declined_card_keeps_the_seats_held(app, client, localstripe, webhooks, rds):
    event = make_event(price_cents=2500)
    hold, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    token = card_token(localstripe, DECLINED_CARD)
    outcome = card_payments.pay_with_card(payment_id, "alice", token)
    assert outcome == {"status": "declined", "message": "Your card was declined."}
    charge = charge_of(payment_id)
    _, settled = deliver(client, webhooks, "payment_intent.payment_failed", charge.provider_ref)
    charge = charge_of(payment_id)
    assert settled == "pending" and charge.status == "failed"
    assert "pay again" in charge.booking.status_reason
    with pytest.raises(BookingError):
        hold_seats(event.id, "bob", hold.seat_ids)  # still alice's


def test_three_d_secure_is_finished_in_the_browser(app, client, localstripe, webhooks):
    event = make_event(price_cents=2500)
    _, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    token = card_token(localstripe, THREE_D_SECURE_CARD)
    outcome = card_payments.pay_with_card(payment_id, "alice", token)
    assert outcome["status"] == "requires_action"
    charge = charge_of(payment_id)
    assert charge.booking.status == "pending"
    authenticate(localstripe, charge.provider_ref, outcome["client_secret"])
    _, settled = deliver(client, webhooks, "payment_intent.succeeded", charge.provider_ref)
    assert settled == "confirmed"


def test_forged_and_stale_signatures_are_refused_and_change_nothing(app, client, localstripe):
    event = make_event(price_cents=2500)
    _, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    charge = charge_of(payment_id)
    payload = stripe_event(
        "evt_forged",
        "payment_intent.succeeded",
        {"id": charge.provider_ref, "object": "payment_intent"},
    )
    forged, stale = signed(payload, "whsec_wrong"), signed(payload, age=301)
    for header in (forged, stale, "", "t=x,v1=y"):
        answer = post_webhook(client, payload, header)
        assert answer.status_code == 400 and answer.get_json()["error"] == "bad_signature"
    assert db.session.scalar(select(func.count()).select_from(PaymentEvent)) == 0
    assert charge_of(payment_id).booking.status == "pending"


def test_a_success_stripe_does_not_confirm_is_refused(app, client, localstripe):
    """Signed with the real secret (a leaked key, a bug at the sender): the webhook says
    succeeded, Stripe's own intent says otherwise, so nothing is confirmed."""
    event = make_event(price_cents=2500)
    _, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    charge = charge_of(payment_id)
    payload = stripe_event(
        "evt_lies",
        "payment_intent.succeeded",
        {
            "id": charge.provider_ref,
            "object": "payment_intent",
            "amount": 2500,
            "status": "succeeded",
        },
    )
    assert post_webhook(client, payload, signed(payload)).status_code == 200
    outcome = process_payment_event("evt_lies")
    assert outcome.startswith("refused: Stripe says the intent is requires_payment_method")
    assert charge_of(payment_id).booking.status == "pending"


def test_an_intent_whose_amount_changed_at_stripe_is_refused(app, client, localstripe, webhooks):
    event = make_event(price_cents=2500)
    _, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    charge = charge_of(payment_id)
    stripe_api().v1.payment_intents.update(charge.provider_ref, params={"amount": 100})
    intents = stripe_api().v1.payment_intents
    intents.update(
        charge.provider_ref,
        params={"payment_method": stripe_api().v1.tokens.retrieve(card_token(localstripe)).card.id},
    )
    intents.confirm(charge.provider_ref)
    _, outcome = deliver(client, webhooks, "payment_intent.succeeded", charge.provider_ref)
    assert outcome.startswith("refused: Stripe's intent is for 100 gbp")
    booking = charge_of(payment_id).booking
    assert booking.status == "pending"
    assert any("refused" in (n or "") for n in notes(booking.id))


def test_the_hold_lapsing_cancels_the_intent(app, client, localstripe, rds):
    event = make_event(price_cents=2500)
    hold, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    lapse(rds, hold)
    assert expire_hold(hold.hold_id) == "expired"
    queued = Queue(QUEUE_NAME, connection=app.extensions["holdfast_queue"].connection)
    jobs = [j for j in queued.jobs if j.func_name == "workers.jobs.close_charges"]
    booking_id = charge_of(payment_id).booking_id
    assert [j.args for j in jobs] == [([booking_id],)]
    assert charge_closing.close_charges([booking_id]) == 1  # what the job does
    charge = charge_of(payment_id)
    assert stripe_api().v1.payment_intents.retrieve(charge.provider_ref).status == "canceled"
    with pytest.raises(BookingError) as closed:
        card_payments.pay_with_card(payment_id, "alice", card_token(localstripe))
    assert closed.value.code == "payment_closed"


def test_a_payment_that_beats_the_cancel_onto_sold_seats_is_refunded(
    app, client, localstripe, webhooks, rds
):
    """Alice's bank finished after her hold lapsed and Bob bought the seat: Stripe gives
    her money back (Refund, idempotency key), she is emailed, Bob keeps the seat."""
    event = make_event(price_cents=2500)
    hold, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    charge = charge_of(payment_id)
    intents = stripe_api().v1.payment_intents
    card = stripe_api().v1.tokens.retrieve(card_token(localstripe)).card.id
    intents.update(charge.provider_ref, params={"payment_method": card})
    lapse(rds, hold)
    assert expire_hold(hold.hold_id) == "expired"
    _, bob_payment = checkout(event, customer="bob")
    intents.confirm(charge.provider_ref)  # in flight before the cancel reached Stripe
    _, outcome = deliver(client, webhooks, "payment_intent.succeeded", charge.provider_ref)
    assert outcome == "refunded"
    refunds = stripe_api().v1.refunds.list(params={"payment_intent": charge.provider_ref})
    assert [(r.amount, r.status) for r in refunds.data] == [(2500, "succeeded")]
    db.session.commit()
    refund = db.session.scalar(select(Payment).where(Payment.kind == "refund"))
    assert (refund.status, refund.provider_ref) == ("succeeded", refunds.data[0].id)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == "ann@example.com"))
    assert mail is not None and "refunded" in mail.body
    assert charge_of(bob_payment).booking.status == "pending"


def test_a_payment_that_beats_the_cancel_confirms_while_the_seats_are_free(
    app, client, localstripe, webhooks, rds
):
    event = make_event(price_cents=2500)
    hold, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    charge = charge_of(payment_id)
    intents = stripe_api().v1.payment_intents
    card = stripe_api().v1.tokens.retrieve(card_token(localstripe)).card.id
    intents.update(charge.provider_ref, params={"payment_method": card})
    lapse(rds, hold)
    assert expire_hold(hold.hold_id) == "expired"
    intents.confirm(charge.provider_ref)
    _, outcome = deliver(client, webhooks, "payment_intent.succeeded", charge.provider_ref)
    assert outcome == "confirmed"
    assert stripe_api().v1.refunds.list(params={"payment_intent": charge.provider_ref}).data == []


def test_box_office_refund_goes_through_stripe(app, client, localstripe):
    event = make_event(price_cents=2500)
    _, payment_id = checkout(event, seats=2)
    card_payments.card_page(payment_id, "alice")
    card_payments.pay_with_card(payment_id, "alice", card_token(localstripe))
    charge = charge_of(payment_id)
    booking = cancel_and_refund(charge.booking.reference, "Show moved")
    assert booking.status == "refunded"
    refunds = stripe_api().v1.refunds.list(params={"payment_intent": charge.provider_ref})
    assert [r.amount for r in refunds.data] == [5000]
    create_staff("boss@example.com", "correct horse battery")
    client.post(
        "/staff/login", data={"email": "boss@example.com", "password": "correct horse battery"}
    )
    page = client.get(f"/staff/bookings/{booking.reference}").data.decode()
    assert f"<code>{charge.provider_ref}</code> · succeeded" in page
    assert f"<code>{refunds.data[0].id}</code> · succeeded" in page


def test_stripe_without_its_keys_refuses_to_start(database_url, redis_url):
    from tests.conftest import base_config

    settings = base_config(database_url, redis_url, PAYMENT_PROVIDER="stripe")
    with pytest.raises(RuntimeError, match="STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY"):
        create_app(settings)
    with pytest.raises(RuntimeError, match="PAYMENT_PROVIDER must be one of"):
        create_app({**settings, "PAYMENT_PROVIDER": "paypal"})


def test_money_follows_the_deployments_currency_and_locale(app):
    app.config.update(CURRENCY="EUR", LOCALE="de_DE")
    assert (money(1500), money(1550)) == ("15\xa0€", "15,50\xa0€")
    app.config.update(CURRENCY="JPY", LOCALE="ja_JP")
    assert money(1500) == "￥1,500"
    app.config.update(CURRENCY="GBP", LOCALE="en_GB")
    assert (money(1500), money(1550), money(123456)) == ("£15", "£15.50", "£1,234.56")


def test_bad_card_posts_get_a_clear_4xx(app, client):
    r = client.post("/pay/card/pay_nope", json={"token": "tok_x"})
    assert r.status_code == 404
    r = client.post("/pay/card/pay_nope", json={"token": "<script>"})
    assert r.status_code == 422 and "card details" in r.get_json()["message"]


def test_the_test_providers_page_and_webhook_cannot_pay_a_card_charge(app, client, localstripe):
    from webapp.webhooks import signature

    event = make_event(price_cents=2500)
    client.get(f"/events/{event.id}")
    with client.session_transaction() as sess:
        customer = sess["cid"]
    hold = hold_seats(event.id, customer, seat_ids(event)[:1])
    _, body = start_checkout(hold.hold_id, customer, "Ann", "ann@example.com", "k")
    payment_id = body["payment_url"].rsplit("/", 1)[1]
    assert client.get(f"/pay/{payment_id}").status_code == 404
    assert client.post(f"/pay/{payment_id}", data={"action": "pay"}).status_code == 404
    event_body = json.dumps(
        {"id": "evt_t", "type": "payment.succeeded", "data": {"payment_id": payment_id}}
    ).encode()
    header = signature.sign(app.config["PAYMENT_WEBHOOK_SECRET"], event_body)
    r = client.post(
        "/webhooks/payments",
        data=event_body,
        headers={signature.HEADER: header, "Content-Type": "application/json"},
    )
    assert r.status_code == 404
    assert charge_of(payment_id).booking.status == "pending"


def test_disputes_and_refunds_reported_by_stripe_are_on_the_booking(app, client, localstripe):
    """localstripe sends no dispute or refund events: a payload as Stripe sends it,
    signed with stripe's own helper."""
    event = make_event(price_cents=2500)
    _, payment_id = checkout(event)
    card_payments.card_page(payment_id, "alice")
    card_payments.pay_with_card(payment_id, "alice", card_token(localstripe))
    charge = charge_of(payment_id)
    for n, (type_, obj) in enumerate(
        [
            (
                "charge.dispute.created",
                {"object": "dispute", "payment_intent": charge.provider_ref},
            ),
            ("charge.refunded", {"object": "charge", "payment_intent": charge.provider_ref}),
        ]
    ):
        payload = stripe_event(f"evt_{n}", type_, obj)
        assert post_webhook(client, payload, signed(payload)).get_json()["outcome"] == "new"
        assert process_payment_event(f"evt_{n}") == "confirmed"
    booking_notes = notes(charge.booking_id)
    assert "Stripe: the customer disputed the charge." in booking_notes
    assert "Stripe: the charge was refunded." in booking_notes
    assert charge_of(payment_id).provider_status == "refunded"
