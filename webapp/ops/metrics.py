"""Prometheus metrics, names starting holdfast_.

Counted in the web processes (prometheus_client; under gunicorn in multiprocess mode,
PROMETHEUS_MULTIPROC_DIR, set up by webapp/gunicorn_conf.py): request latency by
endpoint and status, holds taken and refused by reason. Read at scrape time (so right
however many processes and machines there are): bookings by status, payments and
refunds, live holds per event, RQ queue depth, and the expiry lag the background
processes counted in Redis (booking/holds/tallies.py).
"""

from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from webapp.booking import signals
from webapp.booking.holds import tallies
from webapp.booking.reports import counts

REQUEST_SECONDS = Histogram(
    "holdfast_http_request_duration_seconds",
    "Time to answer a request, by endpoint, method and status.",
    ["endpoint", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HOLDS_TAKEN = Counter("holdfast_holds_taken", "Hold requests that took seats or places.")
SEATS_HELD = Counter("holdfast_seats_held", "Seats and places taken by hold requests.")
HOLDS_REFUSED = Counter(
    "holdfast_holds_refused", "Hold requests refused, by reason (the error code).", ["reason"]
)


def init_metrics(app: Flask) -> None:
    """Time every request and count every hold of this process."""

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            REQUEST_SECONDS.labels(
                request.endpoint or "unmatched", request.method, str(response.status_code)
            ).observe(time.perf_counter() - started)
        return response

    signals.hold_taken.connect(_taken, weak=False)
    signals.hold_refused.connect(_refused, weak=False)


def _taken(_event_id, seats: int = 0, **_):
    HOLDS_TAKEN.inc()
    SEATS_HELD.inc(seats)


def _refused(_event_id, reason: str = "unknown", **_):
    HOLDS_REFUSED.labels(reason).inc()


def exposition(queue) -> bytes:
    """Everything above in the Prometheus text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        counted = generate_latest(processes)
    else:
        counted = generate_latest(REGISTRY)
    state = CollectorRegistry(auto_describe=False)
    state.register(StateCollector(queue))
    return counted + generate_latest(state)


class StateCollector:
    """Figures read from the database and Redis at scrape time."""

    def __init__(self, queue):
        self.queue = queue

    def collect(self):
        bookings = GaugeMetricFamily("holdfast_bookings", "Bookings by status.", labels=["status"])
        for status, n in sorted(counts.bookings_by_status().items()):
            bookings.add_metric([status], n)
        yield bookings
        payments = GaugeMetricFamily(
            "holdfast_payments", "Charges and refunds by status.", labels=["kind", "status"]
        )
        amounts = GaugeMetricFamily(
            "holdfast_payments_amount_pence",
            "Money in charges and refunds by status, in pence.",
            labels=["kind", "status"],
        )
        for kind, status, n, amount in counts.payments_by_kind():
            payments.add_metric([kind, status], n)
            amounts.add_metric([kind, status], amount)
        yield payments
        yield amounts
        holds = GaugeMetricFamily(
            "holdfast_live_holds", "Seats held now, per event.", labels=["event"]
        )
        for event_id, n in counts.live_holds_by_event().items():
            holds.add_metric([str(event_id)], n)
        yield holds
        yield from self._queue()
        yield from self._lag()

    def _queue(self):
        depth = GaugeMetricFamily(
            "holdfast_rq_jobs",
            "RQ jobs by state (queued, started, scheduled, failed).",
            labels=["queue", "state"],
        )
        q = self.queue
        depth.add_metric([q.name, "queued"], q.count)
        depth.add_metric([q.name, "started"], StartedJobRegistry(queue=q).count)
        depth.add_metric([q.name, "scheduled"], ScheduledJobRegistry(queue=q).count)
        depth.add_metric([q.name, "failed"], FailedJobRegistry(queue=q).count)
        yield depth

    def _lag(self):
        found = tallies.read_lag()
        lag = HistogramMetricFamily(
            "holdfast_expiry_lag_seconds",
            "From a hold's deadline to its release, by the path that released it.",
            labels=["path"],
        )
        total = CounterMetricFamily(
            "holdfast_holds_released_on_expiry",
            "Holds released on expiry, by path.",
            labels=["path"],
        )
        for path, tally in found.items():
            lag.add_metric([path], tally["buckets"], tally["sum"])
            total.add_metric([path], tally["count"])
        yield lag
        yield total
