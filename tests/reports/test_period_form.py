"""The annual report's period: day, month and year boxes, or a whole date from a link."""

from __future__ import annotations

from collections.abc import Callable

import time_machine
from flask.testing import FlaskClient

from tests.plans.pages import error_summary_links, field_error
from tests.support.date_boxes import boxes
from tests.support.html import Node, parse


def _box_values(page: Node, name: str) -> list[str]:
    return [page.by_id(f"{name}-{part}").attrs["value"] for part in ("day", "month", "year")]


@time_machine.travel("2026-06-15 12:00", tick=False)
def test_the_period_boxes_hold_the_last_reporting_year_and_a_typed_period_shows_the_report(
    client_as: Callable[[str], FlaskClient],
) -> None:
    member = client_as("member")
    page = parse(member.get("/reports/").text)
    assert page.find_all("input", type="date") == []
    assert _box_values(page, "start") == ["1", "6", "2025"]  # 1 June to 31 May
    assert _box_values(page, "end") == ["31", "5", "2026"]

    period = {**boxes("start", "2025-04-01"), **boxes("end", "2026-03-31")}
    report = member.get("/reports/annual", query_string=period)
    assert report.status_code == 200
    page = parse(report.text)
    pdf = [a.attrs["href"] for a in page.find_all("a") if "annual.pdf" in a.attrs.get("href", "")]
    assert pdf == ["/reports/annual.pdf?start=2025-04-01&end=2026-03-31"]
    # The link's whole dates are read as the boxes would be.
    assert member.get("/reports/annual?start=2025-04-01&end=2026-03-31").status_code == 200


def test_an_impossible_day_is_named_and_what_was_typed_is_shown_again(
    client_as: Callable[[str], FlaskClient],
) -> None:
    member = client_as("member")
    period = {**boxes("start", "2025-04-31"), **boxes("end", "31", "3", "26")}
    response = member.get("/reports/annual", query_string=period)

    assert response.status_code == 400
    page = parse(response.text)
    assert error_summary_links(page) == {
        "#start-day": "The first day must be a real date",
        "#end-year": "The last day must have a 4-digit year, for example 2027",
    }
    assert field_error(page, "start") == "The first day must be a real date"
    assert _box_values(page, "start") == ["31", "04", "2025"]
    assert _box_values(page, "end") == ["31", "3", "26"]
    assert page.one("title").text.startswith("Error: ")
