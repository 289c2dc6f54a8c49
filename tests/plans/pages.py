"""Form and page helpers for the plan page tests, over the shared element tree."""

from __future__ import annotations

from tests.support.html import Node


def field_error(page: Node, field_id: str) -> str:
    """Return the error shown beside a field, checking it sits in the field's own form group."""
    error = page.by_id(f"{field_id}-error")
    group = error.closest("govuk-form-group")
    assert "govuk-form-group--error" in group.classes
    assert group.contains(page.by_id(field_id)), f"the error of {field_id} is not beside it"
    return error.text.removeprefix("Error:").strip()


def error_summary_links(page: Node) -> dict[str, str]:
    """Return the error summary's links: target -> message."""
    summary = page.one("div", "govuk-error-summary")
    return {a.attrs["href"]: a.text for a in summary.find_all("a")}


def summary_target(page: Node, field_id: str) -> str:
    """Return where the error summary should link for a field: the field itself, or for a date
    (day, month and year boxes) its first box marked wrong."""
    for part in ("day", "month", "year"):
        box = page.find_all(id=f"{field_id}-{part}")
        if box and "govuk-input--error" in box[0].classes:
            return f"#{field_id}-{part}"
    return f"#{field_id}"


def marking(page: Node) -> list[str]:
    """Return the security marking banners of a page (top and bottom)."""
    return [
        p.text.removeprefix("Security marking:").strip()
        for p in page.find_all("p")
        if p.text.startswith("Security marking:")
    ]
