"""RQ queue and rq-scheduler wiring: the domain schedules through app.extensions."""

from __future__ import annotations

from datetime import datetime, timedelta

import redis
from flask import Flask
from rq import Queue, Retry
from rq_scheduler import Scheduler

from webapp.booking.models import utcnow

QUEUE_NAME = "holdfast"
SWEEP_JOB_ID = "holdfast-sweep"


def rq_connection(app: Flask) -> redis.Redis:
    """RQ stores pickled bytes, so it needs a client without decode_responses."""
    return redis.Redis.from_url(app.config["REDIS_URL"])


def register_queues(app: Flask) -> None:
    """Attach the queue, the scheduler and the expiry-fallback hook to the app."""
    conn = rq_connection(app)
    queue = Queue(QUEUE_NAME, connection=conn)
    scheduler = Scheduler(queue=queue, connection=conn)
    app.extensions["holdfast_queue"] = queue
    app.extensions["holdfast_scheduler"] = scheduler
    # The domain asks for background work by job name (webapp.booking.context.enqueue).
    app.extensions["holdfast_enqueue"] = lambda name, *args, **options: queue.enqueue(
        name, *args, result_ttl=600, **options
    )
    if app.config.get("EXPIRY_FALLBACK", True):
        app.extensions["holdfast_schedule_expiry"] = lambda hold_id, when: schedule_expiry(
            scheduler, hold_id, when
        )


def schedule_expiry(scheduler: Scheduler, hold_id: str, when: datetime) -> None:
    """Run workers.jobs.expire_hold(hold_id) at `when` (naive UTC); one job per hold."""
    # rq-scheduler keeps whole seconds (it truncates); round up so it never runs early.
    if when.microsecond:
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    scheduler.enqueue_at(
        when, "workers.jobs.expire_hold", hold_id, job_id=f"expire-{hold_id}", job_result_ttl=600
    )


def schedule_sweep(scheduler: Scheduler, every_seconds: int) -> None:
    """(Re)register the periodic sweep under a fixed id so restarts do not duplicate it."""
    if SWEEP_JOB_ID in scheduler:
        scheduler.cancel(SWEEP_JOB_ID)
    scheduler.schedule(
        utcnow(),
        "workers.jobs.sweep_expired",
        interval=every_seconds,
        repeat=None,
        id=SWEEP_JOB_ID,
        result_ttl=600,
    )


def enqueue_payment_event(queue: Queue, event_id: str, attempt: str = "") -> None:
    """Settle a stored provider event in the background, retrying on failure."""
    queue.enqueue(
        "workers.jobs.process_payment_event",
        event_id,
        retry=Retry(max=3, interval=[1, 5, 15]),
        job_timeout=30,
        result_ttl=600,
        job_id=f"payment-event-{event_id}{attempt}",
    )


def enqueue_delivery(app: Flask, url: str, payload: dict, delay: float = 0.0) -> None:
    """Have the test provider deliver a webhook from a job, now or after `delay` seconds."""
    args = ("workers.jobs.deliver_webhook", url, payload)
    if delay > 0:
        app.extensions["holdfast_scheduler"].enqueue_in(
            timedelta(seconds=delay), *args, job_result_ttl=600
        )
    else:
        app.extensions["holdfast_queue"].enqueue(
            *args, retry=Retry(max=5, interval=[1, 2, 5]), result_ttl=600
        )
