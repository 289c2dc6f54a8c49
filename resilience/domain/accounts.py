"""Accounts: signing in with throttling, changing passwords, and the four roles' permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from resilience.errors import InputError
from resilience.storage.models import User, utcnow

ROLES = {
    "admin": "Administrator",
    "officer": "Emergency planning officer",
    "planner": "Planner",
    "member": "Elected member",
}
# What each role may do. Every role may view maps, briefings and the register.
# "edit_plans": create and edit plans, upload versions, change a marking (officers, admins);
# "record_reviews": record reviews, exercises and lessons (planners too).
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "view",
            "edit_register",
            "edit_plans",
            "record_reviews",
            "view_sensitive",
            "manage_users",
            "edit_policy",
            "view_audit",
            "manage_training",
        }
    ),
    "officer": frozenset(
        {
            "view",
            "edit_register",
            "edit_plans",
            "record_reviews",
            "view_sensitive",
            "manage_training",
        }
    ),
    "planner": frozenset({"view", "record_reviews", "view_sensitive", "manage_training"}),
    "member": frozenset({"view"}),
}
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12


@cache
def _dummy_hash() -> str:
    # Checked when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
    return generate_password_hash("not a real password, only for timing", method="scrypt")


def can(role: str, permission: str) -> bool:
    """Return whether `role` has `permission`."""
    return permission in PERMISSIONS.get(role, frozenset())


@dataclass
class SignInResult:
    user: User | None
    problem: str = ""


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def find_user(session: Session, email: str) -> User | None:
    """Return the user with this e-mail address (case-insensitive), or None."""
    return session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).one_or_none()


def sign_in(
    session: Session, email: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Return the user if the password is right and the account is not locked; nothing commits."""
    now = now or utcnow()
    user = find_user(session, email)
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return SignInResult(None, "Enter a correct e-mail address and password")
    if user.locked_until is not None and _aware(user.locked_until) > now:
        return SignInResult(
            None, "Too many failed attempts: this account is locked for 15 minutes. Try again later"
        )
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        return SignInResult(None, "Enter a correct e-mail address and password")
    user.failed_logins = 0
    user.locked_until = None
    return SignInResult(user)


def check_new_password(password: str) -> None:
    """Raise InputError unless the password is long enough to be a passphrase."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"must have at least {MIN_PASSWORD_LENGTH} characters", field="password")


def set_password(user: User, password: str) -> None:
    """Store a new password for `user`, hashed with scrypt (never the password itself)."""
    check_new_password(password)
    user.password_hash = generate_password_hash(password, method="scrypt")


def add_or_update_user(
    session: Session, email: str, role: str, password: str | None, display_name: str = ""
) -> User:
    """Return the user with `email`, created or changed; raises InputError on bad values."""
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise InputError(f"{email!r} is not an e-mail address", field="email")
    if role not in ROLES:
        raise InputError(f"{role!r} is not one of: {', '.join(ROLES)}", field="role")
    user = find_user(session, email)
    if user is None:
        if password is None:
            raise InputError("a new user needs a password", field="password")
        user = User(email=email, role=role, display_name=display_name, password_hash="")
        session.add(user)
    user.role = role
    if display_name:
        user.display_name = display_name
    if password is not None:
        set_password(user, password)
    session.flush()
    return user
