"""Staff login and logout (Flask-Login, hashed passwords, throttled, session rotated)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from webapp.extensions import limiter
from webapp.staff import bp
from webapp.staff.users import staff_by_email


class LoginForm(FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            # Flask-WTF reads a JSON body as the form's data; a JSON list or number
            # there raised (a 500). The login is a form: only form posts fill it.
            if request.is_json and not isinstance(request.get_json(silent=True), dict):
                return None
            return super().wrap_formdata(form, formdata)

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def _login_limit() -> str:
    return current_app.config.get("STAFF_LOGIN_RATE_LIMIT", "10 per minute")


def _client_address() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, key_func=_client_address, methods=["POST"])
def login():
    """The staff login form (throttled per address)."""
    form = LoginForm()
    if form.validate_on_submit():
        user = staff_by_email(form.email.data)
        # A disabled account is refused like a wrong password (nothing to learn from it).
        password_ok = user is not None and check_password_hash(
            user.password_hash, form.password.data
        )
        if password_ok and user.active:
            session.clear()  # a fresh session at login: nothing carried over from before
            login_user(user)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/staff") else home_of(user), 303)
        flash("That email and password do not match a staff account.")
    return render_template("staff/login.html", form=form), 200 if request.method == "GET" else 401


def home_of(user) -> str:
    """Where an account lands after login: the first page its role may open."""
    if user.may("dashboard"):
        return url_for("staff.overview")
    if user.may("door"):
        return url_for("staff.door_events")
    return url_for("staff.team_page")


@bp.post("/logout")
def logout():
    """Log out and drop the session."""
    logout_user()
    session.clear()
    answer = redirect(url_for("staff.login"), 303)
    # The door's offline list (the event's ticket key, every holder's name) lives in
    # localStorage: the browser drops it with this (Chromium, Firefox); the login page
    # wipes it too where the header is not honoured (static/js/doorwipe.js).
    answer.headers["Clear-Site-Data"] = '"storage"'
    return answer
