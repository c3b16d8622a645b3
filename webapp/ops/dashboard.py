"""rq-dashboard at /staff/rq, for staff only (the queue, jobs, workers and failures).

rq-dashboard has no login of its own and its pages post with jQuery and no CSRF token,
so: every request needs a staff login; its posts are exempt from CSRFProtect and must
come from this site instead (the Origin header, which browsers send on every POST);
its pages use inline scripts, eval and inline styles, which only its own pages' policy
allows (every other page keeps the strict one).
"""

from __future__ import annotations

import rq_dashboard
from flask import Flask, abort, request
from flask_login import current_user
from rq_dashboard.web import setup_rq_connection

from webapp.booking import staff_audit
from webapp.extensions import CONTENT_SECURITY_POLICY, csrf, talisman
from webapp.staff import access, require_staff

PREFIX = "/staff/rq"
# rq-dashboard's endpoints that change the queues (the rest only read).
CHANGES = {
    "rq_dashboard.delete_job_view",
    "rq_dashboard.requeue_job_view",
    "rq_dashboard.requeue_all",
    "rq_dashboard.empty_queue",
    "rq_dashboard.compact_queue",
}
DASHBOARD_CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,
    # Its bundled templating compiles with eval: without it the pages stay "Loading...".
    "script-src": "'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src": "'self' 'unsafe-inline'",
}


def mount_dashboard(app: Flask) -> None:
    app.config["RQ_DASHBOARD_REDIS_URL"] = [app.config["REDIS_URL"]]
    app.register_blueprint(rq_dashboard.blueprint, url_prefix=PREFIX)
    csrf.exempt(rq_dashboard.blueprint)
    setup_rq_connection(app)
    allow_inline = talisman(content_security_policy=DASHBOARD_CONTENT_SECURITY_POLICY)
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith("rq_dashboard.") and endpoint != "rq_dashboard.static":
            allow_inline(view)

    app.before_request(_staff_only)


def _staff_only():
    """Staff only; instance 0 only; changes only by a same-site POST, audited."""
    if request.blueprint != "rq_dashboard":
        return None
    if not current_user.is_authenticated:
        return require_staff()  # the staff pages' answer: to the login page
    access.check("ops")  # admins only: it can empty and requeue the queues
    if (request.view_args or {}).get("instance_number", 0) != 0:
        abort(404, "The dashboard has one Redis: instance 0.")  # it would raise: a 500
    if request.endpoint in CHANGES:
        # Only a POST from this site's own dashboard: a top-level cross-site GET
        # carries the Lax cookie and has no Origin (requeue_all answered GET too).
        if request.method != "POST":
            abort(405, "Queue changes are made with the dashboard's buttons (POST).")
        if request.origin != request.host_url.rstrip("/"):
            abort(403, "Queue changes must come from this site's dashboard.")
        staff_audit.record(f"rq-dashboard {request.endpoint.split('.', 1)[1]}", request.path)
    elif request.method == "POST":
        abort(405, "Only the dashboard's buttons change anything.")
    return None
