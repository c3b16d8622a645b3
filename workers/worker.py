"""The RQ worker process: builds the app once, then runs jobs inside its context.

Run: `python -m workers.worker`. Jobs run in this process (SimpleWorker), not in
a fork per job: a fork would inherit pooled database connections, and the jobs
are short. If this process dies mid-job, RQ notices the missing heartbeat and
moves the job from the started registry to failed, where Retry re-queues it.
"""

from __future__ import annotations

import logging

from rq import SimpleWorker

from webapp import create_app
from webapp.extensions import db
from webapp.queues import QUEUE_NAME, rq_connection, schedule_due_releases, schedule_sweep


class AppWorker(SimpleWorker):
    """Runs each job with a fresh database session, so no job sees an older snapshot."""

    def execute_job(self, job, queue):
        db.session.remove()
        try:
            return super().execute_job(job, queue)
        finally:
            db.session.remove()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(message)s")
    app = create_app()
    with app.app_context():
        scheduler = app.extensions["holdfast_scheduler"]
        schedule_sweep(scheduler, app.config["SWEEP_INTERVAL_SECONDS"])
        if app.config["EXPIRY_FALLBACK"]:
            schedule_due_releases(scheduler)
        # Registries are cleaned (abandoned jobs retried) every 30 s instead of 10 min.
        worker = AppWorker([QUEUE_NAME], connection=rq_connection(app), maintenance_interval=30)
        worker.work(with_scheduler=True)


if __name__ == "__main__":
    main()
