"""Accounts: signing in with throttling, e-mail addresses, passwords, and the roles' permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from resilience.domain.accounts.password_rules import (  # noqa: F401 (read from here by the views)
    MIN_PASSWORD_LENGTH,
    password_problem,
)
from resilience.domain.accounts.sign_in_sessions import end_sessions_of
from resilience.domain.accounts.sign_in_throttle import (
    LOCKOUT,  # noqa: F401 (read from here by the tests)
    MAX_FAILURES,
    claim_attempt,
    forget_failures,
    record_lock,
)
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
WRONG = "Enter a correct e-mail address and password"
LOCKED = (
    "Too many failed attempts with this e-mail address: it is locked for 15 minutes. "
    "Try again later, or ask an administrator to unlock it"
)
# Addresses at .invalid (RFC 6761) can never receive mail; the demo and test accounts use it.
NEVER_DELIVERED = ".invalid"


@cache
def _dummy_hash() -> str:
    # Checked when there is no password to check, so that every answer takes one scrypt check.
    return generate_password_hash("not a real password, only for timing", method="scrypt")


def can(role: str, permission: str) -> bool:
    """Return whether `role` has `permission`."""
    return permission in PERMISSIONS.get(role, frozenset())


@dataclass
class SignInResult:
    user: User | None
    problem: str = ""


def normalise_email(text: str) -> str:
    """Return the e-mail address in `text`, normalised and lower-cased; raises InputError."""
    address = text.strip()
    local, _, domain = address.rpartition("@")
    never_delivered = domain.lower().endswith(NEVER_DELIVERED)
    checked = f"{local}@{domain[: -len(NEVER_DELIVERED)]}.example" if never_delivered else address
    try:
        normalised = validate_email(checked, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InputError(f"{address!r} is not an e-mail address: {error}", field="email") from None
    if never_delivered:
        normalised = normalised.removesuffix(".example") + NEVER_DELIVERED
    return normalised.lower()


def sign_in_key(email: str) -> str:
    """Return the address that failed sign-ins are counted under (any text, normalised)."""
    try:
        return normalise_email(email)
    except InputError:
        return " ".join(email.split()).lower()[:254]


def find_user(session: Session, email: str) -> User | None:
    """Return the user with this e-mail address (case-insensitive), or None."""
    return session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).one_or_none()


def sign_in(
    session: Session, email: str, password: str, now: datetime | None = None
) -> SignInResult:
    """Return the user if the password is right and the address is not locked.

    The guess is counted (and committed, in a transaction of its own) before the password is
    checked; `session` itself is not committed. Every answer costs exactly one scrypt check, and
    known and unknown addresses get the same answers, so neither words nor time tell them apart.
    """
    now = now or utcnow()
    key = sign_in_key(email)
    bind = session.get_bind()
    claim = claim_attempt(bind, key, now)
    user = find_user(session, key)
    checkable = claim.may_check and user is not None and user.active
    stored = user.password_hash if checkable and user is not None else _dummy_hash()
    right = check_password_hash(stored, password)
    if not claim.may_check:
        return SignInResult(None, LOCKED)
    if right and checkable:
        forget_failures(bind, key)
        return SignInResult(user)
    if claim.attempts == MAX_FAILURES:
        record_lock(bind, key, claim.locked_until, now)
    return SignInResult(None, WRONG)


def check_new_password(password: str, email: str = "") -> None:
    """Raise InputError unless the password is a fit new password for `email`."""
    if problem := password_problem(password, email):
        raise InputError(problem, field="password")


def set_password(user: User, password: str) -> None:
    """Store a new password for `user`, hashed with scrypt (never the password itself)."""
    check_new_password(password, user.email)
    user.password_hash = generate_password_hash(password, method="scrypt")


def add_or_update_user(
    session: Session, email: str, role: str, password: str | None, display_name: str = ""
) -> User:
    """Return the user with `email`, created or changed; raises InputError on bad values."""
    email = normalise_email(email)
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
    if password is not None:
        end_sessions_of(session, user.id)  # a password set for someone ends all their sessions
    return user
