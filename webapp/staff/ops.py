"""Ops panel: RQ queue depth, failed jobs (with retry), worker, scheduler and listener heartbeats.

A small page rather than rq-dashboard: rq-dashboard's releases track older RQ
versions, and the few figures staff need fit on one screen behind staff login.
"""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, url_for
from rq import Worker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from webapp.booking import staff_audit
from webapp.booking.holds.keys import LISTENER_HEARTBEAT
from webapp.queues import scheduler_alive
from webapp.staff import bp
from webapp.staff.access import needs


@bp.get("/ops")
@needs("ops")
def ops():
    """Queues, workers, failed jobs and the expiry listener at a glance."""
    queue = current_app.extensions["holdfast_queue"]
    scheduler = current_app.extensions["holdfast_scheduler"]
    failed = FailedJobRegistry(queue=queue)
    beat = current_app.extensions["holdfast_redis"].get(LISTENER_HEARTBEAT)
    jobs = [j for j in (queue.fetch_job(i) for i in failed.get_job_ids(0, 49)) if j]
    return render_template(
        "staff/ops.html",
        queue_depth=len(queue),
        failed=jobs,
        failed_count=failed.count,
        started=StartedJobRegistry(queue=queue).count,
        scheduled=ScheduledJobRegistry(queue=queue).count,
        delayed=scheduler.count(),
        workers=Worker.all(connection=queue.connection),
        scheduler_alive=scheduler_alive(queue.connection),
        listener_age=int(time.time()) - int(beat) if beat else None,
    )


@bp.post("/ops/failed/<job_id>/retry")
@needs("ops")
def retry_job(job_id: str):
    """Run a failed job again."""
    queue = current_app.extensions["holdfast_queue"]
    registry = FailedJobRegistry(queue=queue)
    if job_id not in registry.get_job_ids():
        abort(404, f"No failed job {job_id!r}: it may have been retried or removed already.")
    registry.requeue(job_id)
    staff_audit.record("retried job", job_id)
    flash(f"Job {job_id} queued again.")
    return redirect(url_for("staff.ops"), 303)
