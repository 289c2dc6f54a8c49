"""What a new password may not be: too short, a common password, the app's name or one's address."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

MIN_PASSWORD_LENGTH = 12
APP_NAME = "resilience"
# Django's list of 19,640 common passwords (BSD licence; see common_passwords.LICENSE.txt).
COMMON_PASSWORDS_FILE = "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped common passwords, lower-cased."""
    text = files(__package__).joinpath(COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def password_problem(password: str, email: str = "") -> str | None:
    """Return what is wrong with `password` as a new password for `email`, or None if nothing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must have at least {MIN_PASSWORD_LENGTH} characters"
    lowered = password.lower()
    if lowered in common_passwords() or "".join(lowered.split()) in common_passwords():
        return "is one of the most common passwords: choose another"
    plain = _letters_and_digits(password)
    if APP_NAME in plain:
        return f"must not contain the name of this app ({APP_NAME!r})"
    local_part = _letters_and_digits(email.rpartition("@")[0])
    whole = email.strip().lower()
    if whole and (whole in lowered or (len(local_part) >= 3 and local_part in plain)):
        return "must not contain your e-mail address or the part before the @"
    return None
