"""RQ queue and rq-scheduler wiring: the domain schedules through app.extensions."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import redis
from flask import Flask
from rq import Queue, Retry
from rq_scheduler import Scheduler

from webapp.booking.holds import keys
from webapp.booking.models import utcnow

log = logging.getLogger(__name__)

QUEUE_NAME = "holdfast"
SWEEP_JOB_ID = "holdfast-sweep"
DUE_JOB_ID = "holdfast-release-due"
ADMIT_JOB_ID = "holdfast-admit-waiting"


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


def schedule_sweep(scheduler: Scheduler, every_seconds: int) -> None:
    """(Re)register the periodic sweep under a fixed id so restarts do not duplicate it."""
    _schedule_every(scheduler, SWEEP_JOB_ID, "workers.jobs.sweep_expired", every_seconds)


def schedule_due_releases(scheduler: Scheduler) -> None:
    """Every second, release the holds whose deadline + grace has passed: the fallback
    for lost keyspace notifications. hold.lua lists each hold in its event's due set, so
    taking a hold costs no scheduling round trip and one job serves every hold."""
    _schedule_every(scheduler, DUE_JOB_ID, "workers.jobs.release_due_holds", 1)


def schedule_admission(scheduler: Scheduler) -> None:
    """Every second, let the next people in from every waiting room that is on (one
    job for every event; room_admit.lua keeps concurrent runs from admitting twice)."""
    _schedule_every(scheduler, ADMIT_JOB_ID, "workers.jobs.admit_waiting", 1)


def _schedule_every(scheduler: Scheduler, job_id: str, func: str, every_seconds: int) -> None:
    if job_id in scheduler:
        scheduler.cancel(job_id)
    scheduler.schedule(
        utcnow(), func, interval=every_seconds, repeat=None, id=job_id, result_ttl=60
    )


def payment_job_id(event_id: str, attempt: str = "") -> str:
    """RQ allows only letters, digits, "_" and "-" in job ids, and a provider's event id
    may hold anything (dots, slashes): the id is a digest of it, the same every time."""
    digest = hashlib.sha256(event_id.encode()).hexdigest()[:32]
    return f"payment-event-{digest}{attempt}"


def enqueue_payment_event(queue: Queue, event_id: str, attempt: str = "") -> None:
    """Settle a stored provider event in the background, retrying on failure."""
    queue.enqueue(
        "workers.jobs.process_payment_event",
        event_id,
        retry=Retry(max=3, interval=[1, 5, 15]),
        job_timeout=30,
        result_ttl=600,
        job_id=payment_job_id(event_id, attempt),
    )


def requeue_payment_events(queue: Queue, event_ids: list[str]) -> int:
    """Enqueue each stored event again; one that fails is logged and the rest still go
    (one bad event must not stop the recovery of all the others). Returns how many went."""
    sent = 0
    for event_id in event_ids:
        try:
            enqueue_payment_event(queue, event_id, attempt="-recovered")
            sent += 1
        except Exception:
            log.exception("could not requeue payment event %r", event_id)
    return sent


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


def scheduler_alive(conn) -> bool:
    """Whether an rq-scheduler is running: workers/scheduler.py keeps a heartbeat key
    alive (one EXISTS, where scanning for rq-scheduler's own instance keys would walk the
    whole keyspace)."""
    return bool(conn.exists(keys.SCHEDULER_HEARTBEAT))
