"""Administration: people and roles, and the audit trail."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from resilience.domain.accounts.audit_trail import (
    AuditFilter,
    audit_choices,
    audit_csv,
    audit_page,
    entity_label,
    field_label,
)
from resilience.domain.accounts.sign_in_sessions import end_sessions_of
from resilience.domain.accounts.sign_in_throttle import locked_addresses, unlock
from resilience.domain.accounts.users import ROLES, add_or_update_user
from resilience.errors import InputError
from resilience.scheduling.claims import failing_claims
from resilience.storage.models import User
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.downloads import download, file_name
from resilience.web.forms import Form
from resilience.web.paging import page_number
from resilience.web.saving import commit, saving

bp = Blueprint("admin", __name__, url_prefix="/admin")
ROLE_CHOICES = [SelectChoice(value, label) for value, label in ROLES.items()]


class UserForm(Form):
    email = EmailField("E-mail address", validators=[DataRequired("Enter an e-mail address")])
    display_name = StringField("Name", validators=[Optional()])
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[DataRequired()])
    active = BooleanField("Can sign in", default=True)
    password = PasswordField(
        "Password",
        validators=[Optional()],
        description=(
            "At least 12 characters, not a common password, not the app's name or the person's "
            "e-mail address. Leave empty to keep the current password. A new password signs "
            "the person out everywhere."
        ),
    )


@bp.get("/users")
def users() -> str:
    session = db_session()
    people = session.scalars(select(User).order_by(User.email)).all()
    return render_template(
        "admin/users.html", users=people, roles=ROLES, locked=locked_addresses(session)
    )


@bp.post("/users/<int:user_id>/unlock")
def user_unlock(user_id: int) -> WerkzeugResponse:
    session = db_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    if unlock(session, user.email):
        commit()
        flash(f"{user.email} can sign in again.", "success")
    else:
        flash(f"{user.email} was not locked.", "info")
    return redirect(url_for(".users"))


def _save_user(form: UserForm, user: User | None) -> str | WerkzeugResponse | tuple[str, int]:
    if form.validate_on_submit():
        with saving(form, "email") as attempt:
            saved = add_or_update_user(
                attempt.session,
                form.email.data or "",
                form.role.data or "",
                form.password.data or None,
                display_name=form.display_name.data or "",
            )
            if user is not None and saved is not user:
                raise InputError("another user already has this e-mail address", field="email")
            saved.active = bool(form.active.data)
            if not saved.active:
                # A deactivated person is signed out at once.
                end_sessions_of(attempt.session, saved.id)
        if attempt.saved:
            flash(f"{saved.email} saved as {ROLES[saved.role].lower()}.", "success")
            return redirect(url_for(".users"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_form.html", form=form, user=user), status


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> str | WerkzeugResponse | tuple[str, int]:
    return _save_user(UserForm(), None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int) -> str | WerkzeugResponse | tuple[str, int]:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    return _save_user(form, user)


def _criteria() -> AuditFilter:
    def day(name: str) -> date | None:
        text = request.args.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            abort(400, f"'{name}' must be a date in the form YYYY-MM-DD, not {text!r}.")

    return AuditFilter(
        actor=request.args.get("actor", ""),
        entity=request.args.get("entity", ""),
        action=request.args.get("action", ""),
        ref=request.args.get("ref", "").strip(),
        since=day("since"),
        until=day("until"),
    )


@bp.get("/audit")
def audit() -> str:
    criteria = _criteria()
    session = db_session()
    page = audit_page(session, criteria, page_number())
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html",
        page=page,
        events=page.items,
        criteria=criteria,
        choices=audit_choices(session),
        query=urlencode(filters),
        page_url=lambda n: url_for("admin.audit") + "?" + urlencode({**filters, "page": n}),
        entity_label=entity_label,
        field_label=field_label,
    )


@bp.get("/reminders")
def reminders() -> str:
    """Reminders that could not be sent yet: why, how often tried, and when they are tried next."""
    return render_template("admin/reminders.html", claims=failing_claims(db_session()))


@bp.get("/audit.csv")
def audit_csv_download() -> Response:
    data = audit_csv(db_session(), _criteria())
    return download(data, "text/csv", file_name("audit-trail", clock.today(), ext="csv"))
