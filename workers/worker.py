"""The RQ worker process: builds the app once, then runs jobs inside its context.

Run: `python -m workers.worker`. Jobs run in this process (SimpleWorker), not in
a fork per job: a fork would inherit pooled database connections, and the jobs
are short. If this process dies mid-job, RQ notices the missing heartbeat and
moves the job from the started registry to failed, where Retry re-queues it.
"""

from __future__ import annotations

import logging
import os
import time

from rq import SimpleWorker

from webapp import create_app
from webapp.extensions import db
from webapp.ops.logs import configure_logging
from webapp.queues import (
    ADMIT_JOB_ID,
    DUE_JOB_ID,
    QUEUE_NAME,
    rq_connection,
    schedule_admission,
    schedule_due_releases,
    schedule_sweep,
)


class AppWorker(SimpleWorker):
    """Runs each job with a fresh database session, so no job sees an older snapshot."""

    # While Redis is away RQ retries with a doubling wait; capped at 2 s so the worker is
    # back within 2 s of Redis's return rather than up to a minute.
    max_connection_wait_time = 2.0

    def execute_job(self, job, queue):
        db.session.remove()
        try:
            return super().execute_job(job, queue)
        finally:
            db.session.remove()


log = logging.getLogger("holdfast.worker")


class QuietPeriodicJobs(logging.Filter):
    """RQ logs three INFO lines per job; the per-second jobs (due releases, admission)
    made ~13,600 lines in 25 minutes and buried an email's. Their lines are DEBUG."""

    PERIODIC = (DUE_JOB_ID, ADMIT_JOB_ID)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and any(
            str(a) in self.PERIODIC for a in (record.args or ())
        ):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


logging.getLogger("rq.worker").addFilter(QuietPeriodicJobs())


def work(app) -> None:
    """Register the periodic jobs and work until told to stop."""
    with app.app_context():
        scheduler = app.extensions["holdfast_scheduler"]
        schedule_sweep(scheduler, app.config["SWEEP_INTERVAL_SECONDS"])
        if app.config["EXPIRY_FALLBACK"]:
            schedule_due_releases(scheduler)
        schedule_admission(scheduler)
        # Registries are cleaned (abandoned jobs retried) every 30 s instead of 10 min.
        worker = AppWorker([QUEUE_NAME], connection=rq_connection(app), maintenance_interval=30)
        worker.work(with_scheduler=True)


def main() -> None:
    """RQ retries lost connections while it waits for jobs, but not everywhere (start-up,
    heartbeats, registry maintenance): any error here starts a fresh worker after a
    back-off instead of exiting, since under honcho one exit stops every process."""
    configure_logging(os.environ.get("LOG_FORMAT", "text"), "worker")
    app = create_app()
    backoff = 0.5
    while True:
        started = time.monotonic()
        try:
            work(app)
            return  # a warm shutdown (SIGTERM, SIGINT)
        except Exception:
            if time.monotonic() - started > 30:
                backoff = 0.5
            log.exception("worker stopped; starting again in %.1fs", backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 2)


if __name__ == "__main__":
    main()
