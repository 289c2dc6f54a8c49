"""What a paged, searchable list page reads from its address: ``?page=N`` and ``?q=words``."""

from __future__ import annotations

from flask import abort, request

SEARCH_LIMIT = 200  # characters of a search kept: a name or a reference is far shorter


def page_number() -> int:
    """Return the page asked for (1 when none); a 400 when it is not a whole number."""
    text = request.args.get("page", "1")
    try:
        return int(text)
    except ValueError:
        abort(400, f"'page' must be a whole number, not {text!r}.")


def search_text() -> str:
    """Return the search words asked for, trimmed ("" when none)."""
    return (request.args.get("q") or "").strip()[:SEARCH_LIMIT]
