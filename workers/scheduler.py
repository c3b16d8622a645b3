"""The rq-scheduler process, kept alive through Redis outages.

`rqscheduler` exits on the first Redis error, and under honcho one exiting process
stops the whole stack. This runs the same Scheduler in a loop: on any error it logs,
backs off (0.5 s doubling to 2 s, so it is back within 2 s of Redis's return) and
starts again under a fresh name, so the "already an active scheduler" check does not
wait for the old name's key to lapse.

Run: `python -m workers.scheduler` (REDIS_URL; SCHEDULER_INTERVAL seconds, default 1).
"""

from __future__ import annotations

import logging
import os
import time
import uuid

import redis
from rq_scheduler import Scheduler

from webapp.booking.holds.keys import SCHEDULER_HEARTBEAT
from webapp.ops.logs import configure_logging

log = logging.getLogger("holdfast.scheduler")


class HeartbeatScheduler(Scheduler):
    """rq-scheduler that also keeps a fixed heartbeat key alive, so the ops page and
    /readyz see it with one EXISTS (its own key carries a random name)."""

    def heartbeat(self) -> None:
        super().heartbeat()
        self.connection.set(SCHEDULER_HEARTBEAT, self.name, ex=int(self._interval) + 10)


def main() -> None:
    configure_logging(os.environ.get("LOG_FORMAT", "text"), "scheduler")
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    interval = float(os.environ.get("SCHEDULER_INTERVAL", "1"))
    backoff = 0.5
    previous: Scheduler | None = None
    while True:
        scheduler = HeartbeatScheduler(
            connection=redis.Redis.from_url(url),
            interval=interval,
            name=f"holdfast-{uuid.uuid4().hex[:12]}",
        )
        started = time.monotonic()
        try:
            if previous is not None and previous._lock_acquired:
                previous.connection = scheduler.connection
                previous.remove_lock()  # ours, left when Redis went away mid-run
            previous = scheduler
            scheduler.run()
            return  # run() returns only in burst mode
        except Exception as exc:  # noqa: BLE001  (any error: log, back off, start again)
            if time.monotonic() - started > 30:
                backoff = 0.5  # it ran fine for a while: this is a new outage
            log.warning(
                "scheduler stopped (%s: %s); again in %.1fs", type(exc).__name__, exc, backoff
            )
            time.sleep(backoff)
            backoff = min(backoff * 2, 2)


if __name__ == "__main__":
    main()
