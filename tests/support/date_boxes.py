"""Form data for a date as GOV.UK's day, month and year boxes (resilience.web.date_input)."""

from __future__ import annotations


def boxes(
    name: str, value: str, month: str | None = None, year: str | None = None
) -> dict[str, str]:
    """Return the three boxes of the date field `name`: from "YYYY-MM-DD" (each part as typed,
    even an impossible one such as 2024-02-30), "" for three empty boxes, or day, month, year."""
    if month is not None or year is not None:
        day = value
    elif value == "":
        day = month = year = ""
    else:
        year, month, day = value.split("-")
    return {f"{name}-day": day, f"{name}-month": month or "", f"{name}-year": year or ""}
