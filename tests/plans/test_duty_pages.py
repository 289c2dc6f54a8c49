"""The duties dashboard, its CSV, the calendar and the policy page, as a reader sees them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.http import parse_options_header

from resilience.clock import SettableClock
from resilience.storage.models import Exercise, Plan, PolicySetting
from tests.plans.pages import error_summary_links, field_error, summary_target
from tests.support.date_boxes import boxes
from tests.support.html import Node, parse
from tests.support.requests import url


def rows(page: Node) -> list[tuple[str, str, str, str]]:
    """Return the dashboard's rows: (plan, duty, due on, status)."""
    return [
        (
            row.attrs["data-plan"],
            row.attrs["data-duty"],
            row.find_all("td")[2].attrs["data-due-on"],
            row.attrs["data-status"],
        )
        for row in page.by_id("duties").find_all("tr")
        if "data-plan" in row.attrs
    ]


@pytest.fixture
def plans(stored_plan: Callable[..., Plan]) -> None:
    stored_plan("PLAN-A", adopted_on=date(2021, 6, 30), last_exercised_on=date(2022, 1, 31))
    stored_plan(
        "PLAN-B",
        regime="pipeline",
        owner="Highways",
        adopted_on=date(2020, 1, 1),
        last_reviewed_on=date(2024, 1, 15),
        last_exercised_on=date(2026, 5, 1),
    )
    stored_plan("PLAN-C", adopted_on=None, status="in preparation", notified_on=date(2026, 8, 3))


@pytest.mark.usefixtures("plans")
def test_the_dashboard_lists_every_duty_most_urgent_first(client: FlaskClient, app: Flask) -> None:
    response = client.get(url(app, "plans.duties", as_of="2026-12-01"))
    assert response.status_code == 200
    page = parse(response.text)

    assert rows(page) == [
        ("PLAN-A", "review", "2024-06-30", "overdue"),
        ("PLAN-A", "exercise", "2025-01-31", "overdue"),
        ("PLAN-B", "review", "2027-01-15", "due_soon"),
        ("PLAN-C", "prepare", "2027-02-03", "due_soon"),
        ("PLAN-B", "exercise", "2029-05-01", "ok"),
    ]
    first = page.by_id("duties").find_all("tr")[1]
    assert "statutory, COMAH 2015 reg. 14" in first.text
    assert "884 days late" in first.text
    assert page.by_id("duty-counts").text == (
        "On 1 December 2026: 2 overdue, 2 due within 90 days, 1 on track."
    )
    last = page.by_id("duties").find_all("tr")[-1]
    assert "local policy (good practice)" in last.text


@pytest.mark.usefixtures("plans")
def test_the_dashboard_filters_by_regime_and_owner(client: FlaskClient, app: Flask) -> None:
    by_regime = parse(
        client.get(url(app, "plans.duties", regime="pipeline", as_of="2026-12-01")).text
    )
    by_owner = parse(client.get(url(app, "plans.duties", owner="Emergency Planning Team")).text)
    nothing = parse(client.get(url(app, "plans.duties", regime="reppir")).text)

    assert [(r[0], r[1]) for r in rows(by_regime)] == [("PLAN-B", "review"), ("PLAN-B", "exercise")]
    assert {r[0] for r in rows(by_owner)} == {"PLAN-A", "PLAN-C"}
    assert nothing.find_all(id="duties") == []
    assert "No plan matches these filters." in nothing.text
    selected = [
        o.text for o in by_regime.by_id("regime").find_all("option") if "selected" in o.attrs
    ]
    assert selected == ["Major accident hazard pipeline plan"]


@pytest.mark.usefixtures("plans")
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"regime": "seveso"}, "regime", "Choose a regime from the list"),
        ({"owner": "Nobody"}, "owner", "Choose an owner from the list"),
        (
            boxes("as_of", "2026-02-30"),
            "as_of",
            "The date to show the duties on must be a real date",
        ),
    ],
)
def test_bad_filters_are_a_400_with_the_error_beside_the_filter(
    client: FlaskClient, app: Flask, query: dict[str, str], field: str, message: str
) -> None:
    for endpoint in ("plans.duties", "plans.duties_csv"):
        response = client.get(url(app, endpoint, **query))
        assert response.status_code == 400
        page = parse(response.text)
        assert field_error(page, field).startswith(message)
        assert list(error_summary_links(page)) == [summary_target(page, field)]


@pytest.mark.usefixtures("plans")
def test_the_csv_download_holds_the_filtered_duties_in_order(
    client: FlaskClient, app: Flask
) -> None:
    page = parse(
        client.get(url(app, "plans.duties", regime="comah_external", as_of="2026-12-01")).text
    )
    link = next(a for a in page.find_all("a") if a.text == "Download these duties (CSV)")
    response = client.get(link.attrs["href"])

    assert response.status_code == 200
    assert parse_options_header(response.headers["Content-Disposition"]) == (
        "attachment",
        {"filename": "duties-2026-12-01.csv"},
    )
    assert response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["plan_id"], r["duty"], r["status"], r["days_left"]) for r in table] == [
        ("PLAN-A", "review", "overdue", "-884"),
        ("PLAN-A", "exercise", "overdue", "-669"),
        ("PLAN-C", "prepare", "due_soon", "64"),
    ]


def policy_form(page: Node) -> dict[str, str]:
    """Return the values the policy page's form would send as it is."""
    form = page.one("form", method="post")
    return {
        node.attrs["name"]: node.attrs.get("value", "")
        for node in form.find_all("input")
        if "name" in node.attrs and (node.attrs.get("type") != "radio" or "checked" in node.attrs)
    }


def test_the_policy_page_refuses_to_lengthen_a_statutory_interval(
    editor: FlaskClient, app: Flask, session: Session
) -> None:
    page = parse(editor.get(url(app, "plans.policy")).text)
    data = policy_form(page)
    field = "interval_months__comah_external__review"
    assert data[field] == "36"
    hint = page.by_id(f"{field}-hint").text
    assert hint == "Statutory, COMAH 2015 reg. 14: at most 36 months"

    response = editor.post(url(app, "plans.policy"), data={**data, field: "48"})

    assert response.status_code == 400
    assert field_error(parse(response.text), field) == (
        "Statutory, COMAH 2015 reg. 14 sets at most 36 months: "
        "a local policy may shorten it but not lengthen it"
    )
    assert session.scalar(select(func.count()).select_from(PolicySetting)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("interval_months__cca_local__exercise", "0", "Enter a whole number of months, 1 or more"),
        ("interval_months__cca_local__exercise", "two", "Enter a whole number"),
        ("interval_months__cca_local__exercise", "121", "Enter at most 120 months"),
        ("comah_prepare_extended_months", "12", "COMAH 2015 reg. 13(2) allows at most 9 months"),
        ("reminder_lead_days", "90, soon", "Enter whole numbers of days"),
        ("reminder_lead_days", "400", "Each lead time must be between 1 and 366 days"),
        ("overdue_reminder_every_days", "0", "Enter a number of days between 1 and 90"),
    ],
)
def test_other_bad_policy_values_are_a_400_beside_their_field(
    editor: FlaskClient, app: Flask, session: Session, field: str, value: str, message: str
) -> None:
    data = policy_form(parse(editor.get(url(app, "plans.policy")).text))
    response = editor.post(url(app, "plans.policy"), data={**data, field: value})
    assert response.status_code == 400
    assert field_error(parse(response.text), field).startswith(message)
    assert session.scalar(select(func.count()).select_from(PolicySetting)) == 0


def test_a_local_policy_change_moves_the_dashboard_due_dates(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan("PLAN-L", regime="cca_local", adopted_on=date(2025, 1, 31))
    dashboard = url(app, "plans.duties", as_of="2026-12-01")
    assert ("PLAN-L", "review", "2028-01-31", "ok") in rows(parse(editor.get(dashboard).text))

    data = policy_form(parse(editor.get(url(app, "plans.policy")).text))
    response = editor.post(
        url(app, "plans.policy"),
        data={
            **data,
            "interval_months__cca_local__review": "12",
            "interval_months__comah_external__exercise": "24",  # shortening statute is allowed
            "reminder_lead_days": "60, 14",
        },
    )
    assert response.status_code == 302

    after = rows(parse(editor.get(dashboard).text))
    assert ("PLAN-L", "review", "2026-01-31", "overdue") in after
    assert ("PLAN-L", "exercise", "2028-01-31", "ok") in after
    saved = policy_form(parse(editor.get(url(app, "plans.policy")).text))
    assert saved["interval_months__cca_local__review"] == "12"
    assert saved["reminder_lead_days"] == "60,14"


@pytest.mark.usefixtures("plans")
def test_the_calendar_shows_three_years_month_by_month(
    client: FlaskClient, app: Flask, session: Session
) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: the calendar starts in the UK's July.
    app.config["CLOCK"] = SettableClock(datetime(2027, 6, 30, 23, 30, tzinfo=UTC))
    today = date(2027, 7, 1)
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=12)
    plan = session.scalars(select(Plan).where(Plan.ref == "PLAN-B")).one()
    exercise = Exercise(
        title="Exercise Daresbury",
        exercise_type="live",
        status="planned",
        planned_on=next_month,
        plans=[plan],
    )
    session.add(exercise)
    session.commit()

    page = parse(client.get(url(app, "plans.duties_calendar")).text)
    months = [node for node in page.iter() if node.tag == "tr" and "data-month" in node.attrs]

    assert len(months) == 36
    assert months[0].attrs["data-month"] == f"{today:%Y-%m}"
    assert months[1].attrs["data-month"] == f"{next_month:%Y-%m}"
    link = url(app, "plans.exercise_detail", exercise_id=exercise.id)
    assert months[1].one("a", href=link).text == "Exercise Daresbury"
    assert "12 Exercise Exercise Daresbury tests PLAN-B" in months[1].text
    late = page.by_id("late").text
    assert "Review: Plan PLAN-A, due 30 June 2024 Overdue" in late
