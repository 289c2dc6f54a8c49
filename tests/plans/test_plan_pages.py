"""Plan, review, exercise and lesson pages: what they show, what they record, and bad input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.storage.models import Exercise, Lesson, Plan, PlanReview
from tests.plans.pages import error_summary_links, field_error, marking, summary_target
from tests.support.builders import make_establishment
from tests.support.date_boxes import boxes
from tests.support.html import Node, parse
from tests.support.requests import url

TODAY = date(2026, 12, 1)


@pytest.fixture
def frozen() -> Iterator[None]:
    """Make today 1 December 2026 for the app (due dates' statuses depend on it)."""
    with time_machine.travel(TODAY, tick=False):
        yield


def get(client: FlaskClient, app: Flask, endpoint: str, **values: Any) -> Node:
    response = client.get(url(app, endpoint, **values))
    assert response.status_code == 200, response.text
    return parse(response.text)


def duty_cell(page: Node, duty: str) -> tuple[str, str]:
    """Return (due on, status) of a duty in a plan page's duties table."""
    row = page.one("tr", data_duty=duty)
    due = row.find_all("td")[0].attrs["data-due-on"]
    return due, row.one("strong", "govuk-tag").text


def count(session: Session, model: type[Any]) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.usefixtures("frozen")
def test_recording_a_review_moves_the_due_date_and_status_on_the_plan_page(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan], session: Session
) -> None:
    stored_plan("PLAN-R", adopted_on=date(2021, 6, 30), marking="OFFICIAL-SENSITIVE")
    before = get(editor, app, "plans.plan_detail", ref="PLAN-R")
    assert duty_cell(before, "review") == ("2024-06-30", "Overdue")
    assert marking(before) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]

    response = editor.post(
        url(app, "plans.review_new", ref="PLAN-R"),
        data={
            **boxes("reviewed_on", "2024-02-29"),
            "reviewer": "Sam Jones",
            "outcome": "minor_changes",
            "changes_made": "Contacts updated",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url(app, "plans.plan_detail", ref="PLAN-R")

    after = get(editor, app, "plans.plan_detail", ref="PLAN-R")
    assert duty_cell(after, "review") == ("2027-02-28", "Due soon")
    assert duty_cell(after, "exercise") == ("2024-06-30", "Overdue")
    assert "Last review recorded 29 February 2024" in after.text
    reviews = after.by_id("reviews").parent
    assert reviews is not None and "Sam Jones Minor changes made Contacts updated" in reviews.text

    review_id = session.scalars(select(PlanReview.id)).one()
    delete = url(app, "plans.review_delete", ref="PLAN-R", review_id=review_id)
    assert after.one("a", href=delete).text == "Delete the review of 29 February 2024"
    confirm = parse(editor.get(delete).text)
    assert confirm.one("h1").text == "Delete the review of 29 February 2024?"
    assert editor.post(delete).status_code == 302
    page = get(editor, app, "plans.plan_detail", ref="PLAN-R")
    assert duty_cell(page, "review") == ("2024-06-30", "Overdue")
    assert count(session, PlanReview) == 0


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            boxes("reviewed_on", "2024-02-30"),
            "reviewed_on",
            "Date of the review must be a real date",
        ),
        (boxes("reviewed_on", ""), "reviewed_on", "Enter the date of the review"),
        (boxes("reviewed_on", "2027-01-05"), "reviewed_on", "The date cannot be in the future"),
        (boxes("reviewed_on", "2020-01-05"), "reviewed_on", "The review cannot be before the plan"),
        ({"reviewer": "  "}, "reviewer", "Enter who reviewed the plan"),
        ({"outcome": "fine"}, "outcome", "Choose the outcome of the review"),
    ],
)
def test_a_bad_review_is_a_400_with_the_error_beside_the_field_and_no_change(
    editor: FlaskClient,
    app: Flask,
    stored_plan: Callable[..., Plan],
    session: Session,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    stored_plan("PLAN-R", adopted_on=date(2021, 6, 30), marking="OFFICIAL-SENSITIVE")
    form = {**boxes("reviewed_on", "2024-05-01"), "reviewer": "Sam", "outcome": "no_change", **data}

    response = editor.post(url(app, "plans.review_new", ref="PLAN-R"), data=form)

    assert response.status_code == 400
    page = parse(response.text)
    assert field_error(page, field).startswith(message)
    assert list(error_summary_links(page)) == [summary_target(page, field)]
    assert page.one("title").text.startswith("Error: Record a review")
    assert marking(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    assert count(session, PlanReview) == 0
    plan = session.scalars(select(Plan)).one()
    assert plan.last_reviewed_on is None


def test_an_unknown_plan_is_a_404(editor: FlaskClient, app: Flask) -> None:
    assert editor.get(url(app, "plans.plan_detail", ref="PLAN-NOPE")).status_code == 404
    response = editor.post(
        url(app, "plans.review_new", ref="PLAN-NOPE"),
        data={**boxes("reviewed_on", "2024-05-01"), "reviewer": "Sam", "outcome": "no_change"},
    )
    assert response.status_code == 404


def exercise_form(**values: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": "Exercise Halton",
        "exercise_type": "command_post",
        "status": "held",
        **boxes("held_on", "2025-10-20"),
        "plan_refs": ["PLAN-E"],
        "organisations": "Cheshire Police",
    }
    form.update(values)
    return form


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize("kind", ["discussion_based", "table_top", "command_post", "live"])
def test_an_exercise_of_any_type_moves_the_exercise_duty(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan], session: Session, kind: str
) -> None:
    stored_plan("PLAN-E", regime="cca_local", adopted_on=date(2020, 1, 31))
    response = editor.post(url(app, "plans.exercise_new"), data=exercise_form(exercise_type=kind))
    assert response.status_code == 302

    page = get(editor, app, "plans.plan_detail", ref="PLAN-E")
    assert duty_cell(page, "exercise") == ("2028-10-20", "OK")
    assert duty_cell(page, "review") == ("2023-01-31", "Overdue")
    exercise = session.scalars(select(Exercise)).one()
    assert exercise.exercise_type == kind
    assert response.headers["Location"] == url(
        app, "plans.exercise_detail", exercise_id=exercise.id
    )


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"plan_refs": ["PLAN-E", "PLAN-NOPE"]}, "plan_refs", "Unknown plan: PLAN-NOPE"),
        ({"hazard_refs": ["HAL-NOPE"]}, "hazard_refs", "HAL-NOPE is not a site or pipeline"),
        (
            boxes("held_on", "20", "10", "25"),
            "held_on",
            "The date the exercise was held must have a 4",
        ),
        (
            boxes("held_on", "20", "", "2025"),
            "held_on",
            "The date the exercise was held must include a month",
        ),
        (
            boxes("held_on", "20", "Oct", "2025"),
            "held_on",
            "The date the exercise was held must be a real date",
        ),
        (boxes("held_on", ""), "held_on", "Enter the date the exercise was held"),
        (
            {"status": "planned", **boxes("planned_on", "")},
            "planned_on",
            "Enter the date the exercise is",
        ),
        ({"exercise_type": "tabletop"}, "exercise_type", "Choose the type of exercise"),
        ({"title": ""}, "title", "Enter the name of the exercise"),
    ],
)
def test_a_bad_exercise_is_a_400_with_the_error_beside_the_field_and_no_change(
    editor: FlaskClient,
    app: Flask,
    stored_plan: Callable[..., Plan],
    session: Session,
    values: dict[str, Any],
    field: str,
    message: str,
) -> None:
    stored_plan("PLAN-E")
    session.add(make_establishment("HAL-COMAH-01"))
    session.commit()

    response = editor.post(url(app, "plans.exercise_new"), data=exercise_form(**values))

    assert response.status_code == 400
    page = parse(response.text)
    assert field_error(page, field).startswith(message)
    assert count(session, Exercise) == 0


@pytest.mark.usefixtures("frozen")
def test_lessons_are_added_and_closed_on_the_exercise_page(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan], session: Session
) -> None:
    stored_plan("PLAN-E", marking="OFFICIAL-SENSITIVE")
    editor.post(url(app, "plans.exercise_new"), data=exercise_form())
    exercise_id = session.scalar(select(Exercise.id))
    lesson = {
        "description": "Update the call-out list",
        "owner": "EPO",
        **boxes("due_on", "2026-01-31"),
    }

    added = editor.post(url(app, "plans.lesson_add", exercise_id=exercise_id), data=lesson)
    assert added.status_code == 302
    page = get(editor, app, "plans.exercise_detail", exercise_id=exercise_id)
    assert marking(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    card = page.one("div", "govuk-summary-card")
    assert card.one("strong", "govuk-tag").text == "Overdue"
    lesson_id = session.scalar(select(Lesson.id))

    closed = editor.post(
        url(app, "plans.lesson_close", exercise_id=exercise_id, lesson_id=lesson_id),
        data={
            **boxes(f"close-{lesson_id}-closed_on", "2026-02-03"),
            f"close-{lesson_id}-closure_note": "Done",
        },
    )
    assert closed.status_code == 302
    card = get(editor, app, "plans.exercise_detail", exercise_id=exercise_id).one(
        "div", "govuk-summary-card"
    )
    assert card.one("strong", "govuk-tag").text == "Closed"
    assert "3 February 2026: Done" in card.text


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("lesson", "field", "message"),
    [
        (
            boxes("due_on", "2025-10-19"),
            "due_on",
            "The due date cannot be before the exercise was held (20 October 2025)",
        ),
        (
            boxes("due_on", "2026-13-01"),
            "due_on",
            "The date the action is due by must be a real date",
        ),
        ({"owner": ""}, "owner", "Enter who owns the action"),
    ],
)
def test_a_bad_lesson_is_a_400_with_the_error_beside_the_field_and_no_change(
    editor: FlaskClient,
    app: Flask,
    stored_plan: Callable[..., Plan],
    session: Session,
    lesson: dict[str, str],
    field: str,
    message: str,
) -> None:
    stored_plan("PLAN-E")
    editor.post(url(app, "plans.exercise_new"), data=exercise_form())
    exercise_id = session.scalar(select(Exercise.id))
    form = {
        "description": "Call-out list",
        "owner": "EPO",
        **boxes("due_on", "2026-01-31"),
        **lesson,
    }

    response = editor.post(url(app, "plans.lesson_add", exercise_id=exercise_id), data=form)

    assert response.status_code == 400
    page = parse(response.text)
    assert field_error(page, field) == message
    assert page.one("h1").text == "Exercise Halton"
    assert count(session, Lesson) == 0


@pytest.mark.usefixtures("frozen")
def test_closing_a_lesson_before_the_exercise_is_a_400_beside_its_date(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan], session: Session
) -> None:
    stored_plan("PLAN-E")
    editor.post(url(app, "plans.exercise_new"), data=exercise_form())
    exercise_id = session.scalar(select(Exercise.id))
    editor.post(
        url(app, "plans.lesson_add", exercise_id=exercise_id),
        data={"description": "x", "owner": "y", **boxes("due_on", "2026-01-31")},
    )
    lesson_id = session.scalar(select(Lesson.id))

    response = editor.post(
        url(app, "plans.lesson_close", exercise_id=exercise_id, lesson_id=lesson_id),
        data=boxes(f"close-{lesson_id}-closed_on", "2025-01-01"),
    )

    assert response.status_code == 400
    page = parse(response.text)
    assert field_error(page, f"close-{lesson_id}-closed_on").startswith(
        "A lesson cannot be closed before the exercise was held"
    )
    session.expire_all()
    assert session.scalars(select(Lesson)).one().closed_on is None


@pytest.mark.usefixtures("frozen")
def test_a_plan_is_added_and_changed_through_its_form(
    editor: FlaskClient, app: Flask, session: Session
) -> None:
    session.add(make_establishment("HAL-COMAH-01", name="Runcorn Site"))
    session.commit()
    form = {
        "ref": "PLAN-NEW",
        "title": "Runcorn external plan",
        "regime": "comah_external",
        "owner": "Emergency Planning Team",
        "marking": "OFFICIAL-SENSITIVE",
        "status": "in preparation",
        **boxes("notified_on", "2026-08-03"),
        "hazard_refs": ["HAL-COMAH-01"],
    }
    created = editor.post(url(app, "plans.plan_new"), data=form)
    assert created.status_code == 302

    page = get(editor, app, "plans.plan_detail", ref="PLAN-NEW")
    assert duty_cell(page, "prepare") == ("2027-02-03", "Due soon")
    # The competent authority agrees in writing to 3 May 2027 (within 9 months): due then.
    agreed = editor.post(
        url(app, "plans.plan_edit", ref="PLAN-NEW"),
        data={**form, **boxes("agreed_prepare_by", "2027-05-03")},
    )
    assert agreed.status_code == 302
    page = get(editor, app, "plans.plan_detail", ref="PLAN-NEW")
    assert duty_cell(page, "prepare") == ("2027-05-03", "OK")
    site = url(app, "layers.detail", layer="establishments", ref="HAL-COMAH-01")
    assert page.one("a", href=site).text == "Runcorn Site"

    edit = get(editor, app, "plans.plan_edit", ref="PLAN-NEW")
    boxes_shown = [edit.by_id(f"agreed_prepare_by-{p}") for p in ("day", "month", "year")]
    assert [b.attrs["value"] for b in boxes_shown] == ["3", "5", "2027"]  # the stored date
    # Emptying the three boxes takes the agreed date away: due 6 months after notification.
    emptied = editor.post(
        url(app, "plans.plan_edit", ref="PLAN-NEW"),
        data={**form, **boxes("agreed_prepare_by", "")},
    )
    assert emptied.status_code == 302
    page = get(editor, app, "plans.plan_detail", ref="PLAN-NEW")
    assert duty_cell(page, "prepare") == ("2027-02-03", "Due soon")

    assert edit.find_all("input", id="ref") == []  # the identifier cannot change
    changed = editor.post(
        url(app, "plans.plan_edit", ref="PLAN-NEW"),
        data={
            **form,
            "ref": "PLAN-OTHER",
            "status": "adopted",
            **boxes("adopted_on", "2026-11-02"),
        },
    )
    assert changed.status_code == 302
    page = get(editor, app, "plans.plan_detail", ref="PLAN-NEW")
    assert duty_cell(page, "review") == ("2029-11-02", "OK")


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"ref": "PLAN-1"}, "ref", "'PLAN-1' is already used by another plan"),
        ({"ref": "plan one"}, "ref", "Use letters, digits"),
        (
            boxes("adopted_on", "2026-02-30"),
            "adopted_on",
            "The date the plan was adopted must be a real date",
        ),
        (boxes("adopted_on", ""), "adopted_on", "Enter the date the plan was adopted"),
        (boxes("adopted_on", "2027-01-01"), "adopted_on", "The date cannot be in the future"),
        (
            {"hazard_refs": ["HAL-NOPE"]},
            "hazard_refs",
            "HAL-NOPE is not a site, pipeline or premises in the register",
        ),
        ({"regime": "seveso"}, "regime", "Choose the regime"),
        ({"marking": "SECRET"}, "marking", "Choose the security marking"),
        # COMAH 2015 reg. 13(2): an agreed period is of a plan not yet adopted, counted from
        # the operator's information, no shorter than 6 months and no longer than 9.
        (
            boxes("agreed_prepare_by", "2026-11-30"),
            "agreed_prepare_by",
            "An agreed date is for preparing",
        ),
        (
            {
                "status": "draft",
                **boxes("adopted_on", ""),
                **boxes("agreed_prepare_by", "2026-11-30"),
            },
            "agreed_prepare_by",
            "An agreed date needs notified_on",
        ),
        (
            {
                "status": "draft",
                **boxes("adopted_on", ""),
                **boxes("notified_on", "2026-08-31"),
                **boxes("agreed_prepare_by", "2027-02-27"),
            },
            "agreed_prepare_by",
            "2027-02-27 is earlier than notified_on + 6 months (2027-02-28)",
        ),
        (
            {
                "status": "draft",
                **boxes("adopted_on", ""),
                **boxes("notified_on", "2026-08-31"),
                **boxes("agreed_prepare_by", "2027-06-01"),
            },
            "agreed_prepare_by",
            "2027-06-01 is later than notified_on + 9 months (2027-05-31)",
        ),
    ],
)
def test_a_bad_plan_is_a_400_with_the_error_beside_the_field_and_no_change(
    editor: FlaskClient,
    app: Flask,
    stored_plan: Callable[..., Plan],
    session: Session,
    values: dict[str, Any],
    field: str,
    message: str,
) -> None:
    stored_plan("PLAN-1")
    session.add(make_establishment("HAL-COMAH-01"))
    session.commit()
    form = {
        "ref": "PLAN-2",
        "title": "Another plan",
        "regime": "comah_external",
        "owner": "EPT",
        "marking": "OFFICIAL",
        "status": "adopted",
        **boxes("adopted_on", "2024-01-01"),
        **values,
    }
    response = editor.post(url(app, "plans.plan_new"), data=form)

    assert response.status_code == 400
    assert field_error(parse(response.text), field).startswith(message)
    assert count(session, Plan) == 1


def test_pages_of_the_plans_section_mark_it_in_the_navigation(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan()
    for endpoint, values, section in [
        ("plans.plan_index", {}, "Plans"),
        ("plans.plan_detail", {"ref": "PLAN-1"}, "Plans"),
        ("plans.exercise_index", {}, "Plans"),
        ("plans.duties", {}, "Duties"),
        ("plans.duties_calendar", {}, "Duties"),
        ("plans.policy", {}, "Duties"),
    ]:
        page = get(editor, app, endpoint, **values)
        nav = page.one("nav", "govuk-service-navigation__wrapper")
        active = [a.text for a in nav.find_all("a") if "aria-current" in a.attrs]
        assert active == ["Plans"], endpoint
        pages = page.one("nav", "app-section-navigation")
        active = [a.text for a in pages.find_all("a") if "aria-current" in a.attrs]
        assert active == [section], endpoint


@pytest.mark.usefixtures("frozen")
def test_organisations_entered_one_per_line_are_listed_one_per_line(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan], session: Session
) -> None:
    stored_plan("PLAN-E", regime="cca_local", adopted_on=date(2020, 1, 31))
    organisations = "Cheshire Fire and Rescue Service\r\nCheshire Police\r\n<b>Halton</b> Council"
    response = editor.post(
        url(app, "plans.exercise_new"), data=exercise_form(organisations=organisations)
    )
    assert response.status_code == 302
    page = editor.get(response.headers["Location"]).text
    assert "<li>Cheshire Fire and Rescue Service</li>" in page
    assert "<li>Cheshire Police</li>" in page
    assert "<li>&lt;b&gt;Halton&lt;/b&gt; Council</li>" in page  # text, never markup
    assert "Cheshire Fire and Rescue Service Cheshire Police" not in page
