"""What text the register accepts, from forms and from files alike: one set of rules, one place.

A single-line field (a name, a title, an e-mail subject in the making) holds no control
characters and no line or paragraph separators; a multi-line field (notes, substances) may hold
line breaks and tabs but no other control characters. Lengths are capped so that one record
cannot make a page, a map or a PDF take minutes to lay out.
"""

from __future__ import annotations

import re
import unicodedata

from resilience.errors import InputError

SINGLE_LINE_MAX = 300
MULTI_LINE_MAX = 10_000
IDENTIFIER_MAX = 80
# Letters, digits and . _ : / - (so "E05000001", "PLAN-MAHP-ETHYLENE", "HSE:1234/5").
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]*")
IDENTIFIER_RULE = "use letters, digits and . _ : / - only, starting with a letter or digit"
_ALLOWED_IN_MULTI_LINE = frozenset("\n\r\t")


def text_problem(value: str, multi_line: bool = False) -> str | None:
    """Return what is wrong with ``value`` as a field's text, or None when it is acceptable."""
    limit = MULTI_LINE_MAX if multi_line else SINGLE_LINE_MAX
    if len(value) > limit:
        return f"is {len(value):,} characters long: at most {limit:,} are allowed"
    for position, character in enumerate(value, start=1):
        if multi_line and character in _ALLOWED_IN_MULTI_LINE:
            continue
        if unicodedata.category(character) in ("Cc", "Zl", "Zp"):
            kind = "a line break" if character in "\r\n\u2028\u2029" else "a control character"
            return f"contains {kind} (U+{ord(character):04X}) at character {position}: " + (
                "remove it" if multi_line else "this field must be a single line of text"
            )
    return None


def checked_text(value: str, field: str, multi_line: bool = False) -> str:
    """Return ``value`` when it is acceptable text; raise InputError naming ``field``."""
    problem = text_problem(value, multi_line)
    if problem is not None:
        raise InputError(problem, field=field)
    return value


def identifier_problem(value: str) -> str | None:
    """Return what is wrong with ``value`` as a record's identifier, or None."""
    if len(value) > IDENTIFIER_MAX:
        return f"is {len(value):,} characters long: at most {IDENTIFIER_MAX} are allowed"
    if not IDENTIFIER.fullmatch(value):
        return f"{value[:40]!r} is not an identifier: {IDENTIFIER_RULE}"
    return None
