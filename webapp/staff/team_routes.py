"""Staff pages for the team (admins) and the door's list of events, plus the public
page an invitation link opens."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from webapp.booking.reports import reports
from webapp.errors import returns_to
from webapp.staff import PUBLIC_ENDPOINTS, bp, team
from webapp.staff.access import event_scope, needs
from webapp.staff.roles import PERMISSIONS, ROLE_NAMES, ROLES

PUBLIC_ENDPOINTS.add("staff.accept_invite")


@bp.get("/door")
@needs("door")
def door_events():
    """The events this account checks tickets in for."""
    return render_template("staff/door_events.html", events=reports.events_by_date(event_scope()))


@bp.get("/team")
@needs("team")
def team_page():
    """Every staff account, its role and events; the invite form."""
    return render_template(
        "staff/team.html",
        accounts=team.accounts(),
        events=reports.events_by_date(),
        roles=ROLE_NAMES,
        grants={role: sorted(ROLES[role]) for role in ROLES},
        permissions=PERMISSIONS,
    )


@bp.post("/team/invite")
@returns_to("staff.team_page")
@needs("team")
def invite():
    """Invite someone: their account waits for the emailed link to set a password."""
    form = request.form
    user = team.invite(form.get("email", ""), form.get("role", ""), _event_ids(form))
    flash(f"Invitation emailed to {user.email}.")
    return redirect(url_for("staff.team_page"), 303)


@bp.post("/team/<int:user_id>")
@returns_to("staff.team_page")
@needs("team")
def change_account(user_id: int):
    """Change an account's role and events, or disable (enable) it."""
    form = request.form
    user = team.change(user_id, form.get("role", ""), _event_ids(form), form.get("active") == "1")
    flash(f"{user.email} is now {ROLE_NAMES[user.role]}{'' if user.active else ', disabled'}.")
    return redirect(url_for("staff.team_page"), 303)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """The invitation link: choose a password, then log in with it."""
    user = team.invited(token)
    if request.method == "POST":
        if request.form.get("password") != request.form.get("confirm"):
            flash("The two passwords differ.")
            return redirect(url_for("staff.accept_invite", token=token), 303)
        team.accept(token, request.form.get("password", ""))
        if current_user.is_authenticated:
            logout_user()  # whoever was logged in on this browser is not the invitee
        flash("Your password is set: log in with it.")
        return redirect(url_for("staff.login"), 303)
    return render_template("staff/invite.html", user=user, minimum=team.MIN_PASSWORD)


def _event_ids(form) -> list[int] | None:
    """The events chosen on a form; None for every event."""
    if form.get("events") == "all":
        return None
    ids = []
    for value in form.getlist("event_id"):
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            return [0]  # no such event: the domain refuses it with a message
        ids.append(int(value))
    return ids
