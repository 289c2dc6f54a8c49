"""Signing in and out, and changing one's own password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from resilience.domain.accounts.sign_in_sessions import end_session, end_sessions_of, start_session
from resilience.domain.accounts.users import MIN_PASSWORD_LENGTH, set_password, sign_in
from resilience.errors import InputError
from resilience.storage.audit import set_actor
from resilience.storage.models import User
from resilience.web.account.access import SignedInUser
from resilience.web.db import db_session
from resilience.web.forms import Form
from resilience.web.saving import commit, saving

bp = Blueprint("auth", __name__)


class SignInForm(Form):
    email = EmailField(
        "E-mail address",
        validators=[
            DataRequired("Enter your e-mail address"),
            Length(max=254, message="An e-mail address has at most 254 characters"),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(max=1024, message="A password has at most 1024 characters"),
        ],
    )


class PasswordForm(Form):
    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password")]
    )
    password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password")],
        description=(
            f"At least {MIN_PASSWORD_LENGTH} characters; a few unrelated words work well. Not a "
            "common password, the app's name or your e-mail address"
        ),
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo("password", "The passwords do not match"),
        ],
    )


def _safe_next(target: str | None) -> str:
    # Only a path on this site: an absolute URL here would be an open redirect.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = SignInForm()
    status = 200
    if form.validate_on_submit():
        database = db_session()
        # The guess is counted and committed inside sign_in, before the password is checked.
        result = sign_in(database, form.email.data or "", form.password.data or "")
        if result.user is not None:
            token = start_session(database, result.user)
            commit()
            session.clear()  # a new session for the signed-in user: no fixation
            session.permanent = True
            login_user(SignedInUser.from_user(result.user, token))
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors = [result.problem]
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> str | Response:
    if request.method == "POST":
        database = db_session()
        end_session(database, current_user.session_token)  # a copy of the cookie stops working
        commit()
        logout_user()
        session.clear()
        flash("You have signed out.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> str | Response | tuple[str, int]:
    form = PasswordForm()
    if form.validate_on_submit():
        database = db_session()
        set_actor(database, current_user.email)
        user = database.get(User, current_user.id)
        if user is None or not check_password_hash(user.password_hash, form.current.data or ""):
            form.current.errors = ["Your current password is not right"]
        else:
            with saving(form, "password") as attempt:
                try:
                    set_password(user, form.password.data or "")
                except InputError as error:
                    raise InputError(f"your new password {error.problem}") from None
                end_sessions_of(attempt.session, user.id, keep_token=current_user.session_token)
            if attempt.saved:
                flash("Your password has been changed.", "success")
                return redirect(url_for("home.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status
