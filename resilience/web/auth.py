"""Who is signed in, and what each role may reach: one table, checked before every request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, Request, abort, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user

from resilience.domain.accounts import ROLES, can
from resilience.storage.audit import set_actor
from resilience.storage.models import User
from resilience.web.db import db_session

SESSION_LIFETIME = timedelta(hours=8)
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
    "admin.audit": "view_audit",
    "admin.audit_csv_download": "view_audit",
    # Plans themselves (and their versions and marking): officers. Reviews, exercises and
    # lessons: officers and planners. Who may download a plan's documents depends on its
    # marking, checked in the view.
    **{f"plans.{name}": "edit_plans" for name in ("plan_new", "plan_edit", "version_index")},
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
        )
    },
    "plans.version_download": "view",
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
    session_key: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        # Changing the password changes the key, which signs out every other session.
        return f"{self.id}:{self.session_key}"

    def can(self, permission: str) -> bool:
        """Return whether this user's role has `permission`."""
        return can(self.role, permission)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @classmethod
    def from_user(cls, user: User) -> SignedInUser:
        return cls(
            id=user.id,
            email=user.email,
            role=user.role,
            display_name=user.display_name,
            session_key=user.password_hash[-12:],
        )


def _load_user(user_key: str) -> SignedInUser | None:
    user_id, _, session_key = user_key.partition(":")
    if not user_id.isdigit():
        return None
    user = db_session().get(User, int(user_id))
    if user is None or not user.active or user.password_hash[-12:] != session_key:
        return None
    return SignedInUser.from_user(user)


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


def register(app: Flask) -> None:
    """Set up sign-in, session cookies and the access check on every request."""
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Sign in to see this page."
    manager.login_message_category = "info"
    manager.session_protection = "strong"
    manager.user_loader(_load_user)
    app.session_interface = _SessionInterface()
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", SESSION_LIFETIME)
    app.config.setdefault("SESSION_COOKIE_SECURE", False)

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
