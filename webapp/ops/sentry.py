"""Error reporting: SENTRY_DSN turns on sentry-sdk with its Flask and RQ integrations
(unhandled errors in requests and jobs, with their request or job). Unset, sentry-sdk
is not imported at all. Install it with `pip install holdfast[sentry]`."""

from __future__ import annotations

import os


def init_sentry(dsn: str) -> bool:
    """Start reporting to `dsn`; False (and nothing imported) when it is empty."""
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations.flask import FlaskIntegration
        from sentry_sdk.integrations.rq import RqIntegration
    except ImportError as exc:  # a DSN without the library is a deployment mistake: say so
        raise RuntimeError(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'holdfast[sentry]'"
        ) from exc
    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration(), RqIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,  # no customer names, emails or addresses leave the site
    )
    return True
