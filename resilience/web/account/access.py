"""Who is signed in, and what each role may reach: one table, checked before every request."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, Request, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user

from resilience.domain.accounts.sign_in_sessions import (
    IDLE_TIMEOUT,
    SESSION_LIFETIME,
    live_session,
    touch_session,
)
from resilience.domain.accounts.users import ROLES, can
from resilience.storage.audit import set_actor
from resilience.storage.models import User
from resilience.web.db import db_session
from resilience.web.saving import commit

IDLE_MINUTES_VARIABLE = "RESILIENCE_IDLE_MINUTES"
# Reachable without signing in. The calendar feed's secret URL is its own credential.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "maps.static", "calendar.feed"})
# The permission an endpoint needs, whatever the method. An endpoint not listed here needs
# "view" to be read (GET/HEAD) and is refused to everyone but administrators for anything else,
# so a new view is closed until somebody decides who may change things through it.
ENDPOINT_PERMISSIONS: dict[str, str] = {
    "layers.new": "edit_register",
    "layers.edit": "edit_register",
    "layers.delete": "edit_register",
    "transfer.index": "edit_register",
    "transfer.export": "view_sensitive",
    "transfer.population": "edit_register",
    "auth.logout": "view",
    # Everyone's own notifications and calendar link.
    "notifications.read": "view",
    "notifications.read_all": "view",
    "calendar.new_link": "view",
    "auth.password": "view",
    "admin.users": "manage_users",
    "admin.user_new": "manage_users",
    "admin.user_edit": "manage_users",
    "admin.user_unlock": "manage_users",
    "admin.audit": "view_audit",
    "admin.reminders": "manage_users",
    "admin.audit_csv_download": "view_audit",
    # What if it leaks? Officers, planners and administrators: a footprint from a pipeline shows
    # its route, and the warn-and-inform list holds contact details. Saving changes nothing else.
    **{
        f"whatif.{name}": "view_sensitive"
        for name in ("run", "download", "save", "scenarios", "scenario", "scenario_download")
    },
    # Plans themselves (and their versions, letters, consultations and marking): officers.
    # Reviews, exercises and lessons: officers and planners. Who may download a plan's documents
    # depends on its marking, checked in the view.
    **{
        f"plans.{name}": "edit_plans"
        for name in (
            "plan_new",
            "plan_edit",
            "version_index",
            "letter_new",
            "extension_new",
            "consultation_new",
            "consultation_delete",
        )
    },
    **{
        f"plans.{name}": "record_reviews"
        for name in (
            "review_new",
            "review_delete",
            "exercise_new",
            "exercise_edit",
            "exercise_delete",
            "lesson_add",
            "lesson_close",
            "organisations",
        )
    },
    "plans.version_download": "view",
    "plans.letter_download": "view",
    "plans.policy": "edit_policy",
    # Training: everyone may read sessions; planning them and recording attendance is staff work.
    "training.index": "view",
    "training.detail": "view",
    "training.new": "manage_training",
    "training.edit": "manage_training",
    "training.invite_people": "manage_training",
    "training.withdraw": "manage_training",
    "training.attendance": "manage_training",
    "training.due": "manage_training",
    "training.policy": "edit_policy",
    # Members' briefing and the reports hold nothing above OFFICIAL: every role may read them.
    "members.home": "view",
    "members.card": "view",
    "members.overview_map": "view",
    # The wards in view of a national overview: as the overview itself, every signed-in role
    # (ward colours come only from the zones that reader's map shows).
    "maps.layer": "view",
    "members.site_map": "view",
    "reports.index": "view",
    "reports.annual": "view",
    "reports.annual_pdf": "view",
    "reports.annual_docx": "view",
    "reports.site_pack": "view",
    "reports.session_pack": "view",
}


@dataclass(frozen=True)
class SignedInUser:
    """The signed-in user as the web layer sees it: a plain value, detached from any session."""

    id: int
    email: str
    role: str
    display_name: str
    # The random token of this sign-in's row in sign_in_sessions: signing out revokes the row.
    session_token: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_token

    def can(self, permission: str) -> bool:
        """Return whether this user's role has `permission`."""
        return can(self.role, permission)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @classmethod
    def from_user(cls, user: User, session_token: str) -> SignedInUser:
        return cls(
            id=user.id,
            email=user.email,
            role=user.role,
            display_name=user.display_name,
            session_token=session_token,
        )


def _load_user(session_token: str) -> SignedInUser | None:
    database = db_session()
    found = live_session(database, session_token, current_app.config["IDLE_TIMEOUT"])
    if found is None:
        return None
    if found.stale:
        touch_session(database, found.row)
        commit()
    return SignedInUser.from_user(found.user, session_token)


def idle_timeout_from_environment() -> timedelta:
    """Return the idle timeout: RESILIENCE_IDLE_MINUTES (1 to 480), else 30 minutes."""
    text = os.environ.get(IDLE_MINUTES_VARIABLE, "").strip()
    if not text:
        return IDLE_TIMEOUT
    if not text.isdigit() or not 1 <= int(text) <= 480:
        raise ValueError(
            f"{IDLE_MINUTES_VARIABLE} must be a whole number of minutes from 1 to 480, not {text!r}"
        )
    return timedelta(minutes=int(text))


class _SessionInterface(SecureCookieSessionInterface):
    """Marks the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or _is_https(request)


def _is_https(req: Request) -> bool:
    return req.is_secure


def required_permission(endpoint: str, method: str) -> str | None:
    """Return the permission needed for `endpoint` by `method`; None for public endpoints."""
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    if endpoint in ENDPOINT_PERMISSIONS:
        return ENDPOINT_PERMISSIONS[endpoint]
    return "view" if method in ("GET", "HEAD", "OPTIONS") else "manage_users"


def may(endpoint: str, method: str = "GET") -> bool:
    """Return whether the signed-in person may reach ``endpoint`` (so pages offer only that)."""
    needed = required_permission(endpoint, method)
    if needed is None:
        return True
    return bool(current_user.is_authenticated and current_user.can(needed))


def register(app: Flask) -> None:
    """Set up sign-in, session cookies and the access check on every request."""
    app.jinja_env.globals["may"] = may
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Sign in to see this page."
    manager.login_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(_load_user)
    app.session_interface = _SessionInterface()
    # Flask always sets PERMANENT_SESSION_LIFETIME (31 days), so setdefault would do nothing.
    # The server-side session row is what ends a session; the cookie's expiry only matches it.
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    app.config.setdefault("IDLE_TIMEOUT", idle_timeout_from_environment())
    app.config.setdefault("SESSION_COOKIE_SECURE", False)
    # "Remember me" is never offered; if it were, its cookie would carry the same bounded token.
    app.config["REMEMBER_COOKIE_DURATION"] = SESSION_LIFETIME

    @app.before_request
    def _enforce_access() -> Any:
        if request.endpoint is None:
            return None  # no such page: the 404 handler answers
        needed = required_permission(request.endpoint, request.method)
        if needed is None:
            return None
        if not current_user.is_authenticated:
            return manager.unauthorized()
        if not current_user.can(needed):
            abort(403)
        set_actor(db_session(), current_user.email)  # whatever this request changes is theirs
        return None
