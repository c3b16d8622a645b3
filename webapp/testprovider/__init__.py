"""TEST PAYMENT PROVIDER: a stand-in for a hosted payment page. No real money moves.

It plays the provider's part end to end: the customer pays or declines on
/pay/<payment id>, and the "provider" then delivers a signed webhook to
/webhooks/payments from an RQ job. For tests it can deliver late, twice, or
out of order. Off unless TEST_PAYMENT_PROVIDER=1 (make run and the tests set it).
"""

from flask import Blueprint

bp = Blueprint("testprovider", __name__)

from webapp.testprovider import routes  # noqa: E402,F401  (registers the routes)
