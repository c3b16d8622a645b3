"""Issue 29 (also): the RQ worker logged the per-second jobs at INFO, ~13,600 lines in
25 minutes; they are DEBUG now, and every other job's lines stay at INFO."""

from __future__ import annotations

import logging

from webapp.queues import ADMIT_JOB_ID, DUE_JOB_ID
from workers.worker import QuietPeriodicJobs


def record(*args) -> logging.LogRecord:
    return logging.LogRecord(
        "rq.worker", logging.INFO, __file__, 1, "Worker %s: %s (%s)", args, None
    )


def test_the_per_second_jobs_lines_are_debug_and_others_stay(caplog):
    quiet = QuietPeriodicJobs()
    logging.getLogger("rq.worker").setLevel(logging.INFO)
    for job_id in (DUE_JOB_ID, ADMIT_JOB_ID):
        line = record("w1", "Job OK", job_id)
        assert quiet.filter(line) is False and line.levelno == logging.DEBUG
    email = record("w1", "Job OK", "3f2a-send-outbox")
    assert quiet.filter(email) is True and email.levelno == logging.INFO
    logging.getLogger("rq.worker").setLevel(logging.DEBUG)
    try:
        assert quiet.filter(record("w1", "Job OK", DUE_JOB_ID)) is True  # shown when asked
    finally:
        logging.getLogger("rq.worker").setLevel(logging.NOTSET)
    assert any(isinstance(f, QuietPeriodicJobs) for f in logging.getLogger("rq.worker").filters)
