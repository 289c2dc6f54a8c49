"""What a test was: what of the plan an exercise tested, who took part, its type, and whether a
discussion-based exercise discharges a statutory test duty (local policy, flagged either way)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.demo import DEMO_ROOT, load_plans
from resilience.domain.duties.dashboard import plan_duty_rows
from resilience.domain.duties.policy import DISCUSSION_KEY, PolicyChoice, save_policy
from resilience.domain.duties.rules import (
    DEFAULT_POLICY,
    DutyKind,
    DutyPolicy,
    PlanDates,
    Regime,
    plan_duties,
)
from resilience.domain.plans.exercises import ExerciseValues, delete_exercise, save_exercise
from resilience.domain.plans.organisations import add_organisation
from resilience.errors import InputError
from resilience.reports.annual.content import ReportPeriod, annual_report, overdue_reason
from resilience.storage.models import Exercise, Organisation, Plan, PolicySetting
from tests.plans.pages import field_error
from tests.support.date_boxes import boxes
from tests.support.html import Node, parse
from tests.support.requests import url

TODAY = date(2026, 12, 1)
NO_DISCUSSION = DutyPolicy(discussion_discharges_statutory_test=False)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def exercise_due(plan: PlanDates, policy: DutyPolicy = DEFAULT_POLICY) -> date:
    duty = next(d for d in plan_duties(plan, TODAY, policy) if d.duty is DutyKind.EXERCISE)
    return duty.due_on


def dates(regime: Regime = Regime.COMAH_EXTERNAL, **values: Any) -> PlanDates:
    return PlanDates(plan_id="P", regime=regime, adopted_on=date(2021, 1, 31), **values)


# --- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "beyond", "counted_due", "not_counted_due"),
    [
        # 29 February + 3 years is 28 February; a month's last day stays the last day.
        (date(2024, 2, 29), date(2023, 8, 31), date(2027, 2, 28), date(2026, 8, 31)),
        (date(2024, 8, 31), date(2024, 2, 29), date(2027, 8, 31), date(2027, 2, 28)),
        (date(2025, 1, 31), date(2022, 4, 30), date(2028, 1, 31), date(2025, 4, 30)),
        # Nothing beyond a discussion: the duty counts from the plan's adoption.
        (date(2024, 2, 29), None, date(2027, 2, 28), date(2024, 1, 31)),
    ],
)
def test_a_statutory_test_counts_from_a_discussion_only_where_local_policy_says_so(
    last: date, beyond: date | None, counted_due: date, not_counted_due: date
) -> None:
    plan = dates(
        last_exercised_on=last,
        last_exercise_type="discussion_based",
        last_non_discussion_exercise_on=beyond,
    )
    assert exercise_due(plan) == counted_due
    assert exercise_due(plan, NO_DISCUSSION) == not_counted_due


def test_a_shorter_interval_from_a_leap_day_ends_on_the_months_last_day() -> None:
    policy = DutyPolicy(
        interval_months={(Regime.REPPIR, DutyKind.EXERCISE): 30},
        discussion_discharges_statutory_test=False,
    )
    plan = dates(
        Regime.REPPIR,
        last_exercised_on=date(2025, 3, 31),
        last_exercise_type="discussion_based",
        last_non_discussion_exercise_on=date(2024, 2, 29),
    )
    assert exercise_due(plan, policy) == date(2026, 8, 29)
    assert exercise_due(plan, DutyPolicy(interval_months=policy.interval_months)) == date(
        2027, 9, 30
    )


@pytest.mark.parametrize("regime", [Regime.PIPELINE, Regime.CCA_LOCAL])
def test_a_local_policy_test_counts_a_discussion_whatever_the_setting(regime: Regime) -> None:
    plan = dates(
        regime,
        last_exercised_on=date(2024, 2, 29),
        last_exercise_type="discussion_based",
        last_non_discussion_exercise_on=None,
    )
    assert exercise_due(plan, NO_DISCUSSION) == date(2027, 2, 28)


@pytest.mark.parametrize("kind", [None, "table_top", "command_post", "live"])
def test_an_exercise_beyond_a_discussion_or_of_unknown_type_always_counts(
    kind: str | None,
) -> None:
    # Unknown: a date loaded from a file, or the duties command's input, which has no type.
    plan = dates(last_exercised_on=date(2024, 2, 29), last_exercise_type=kind)
    assert exercise_due(plan, NO_DISCUSSION) == exercise_due(plan) == date(2027, 2, 28)


# --- The stored record ------------------------------------------------------------------------


def held(title: str, kind: str, on: date, *plan_refs: str, **values: Any) -> ExerciseValues:
    return ExerciseValues(
        title=title,
        exercise_type=kind,
        status="held",
        planned_on=None,
        held_on=on,
        organisations="",
        plan_refs=plan_refs,
        hazard_refs=(),
        **values,
    )


def test_a_plan_keeps_its_last_exercise_type_and_its_last_test_beyond_a_discussion(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    plan = stored_plan("PLAN-T")
    live = save_exercise(session, held("Live", "live", date(2023, 8, 31), "PLAN-T"), TODAY)
    talk = save_exercise(
        session, held("Talk", "discussion_based", date(2024, 2, 29), "PLAN-T"), TODAY
    )
    assert (plan.last_exercised_on, plan.last_exercise_type) == (
        date(2024, 2, 29),
        "discussion_based",
    )
    assert plan.last_non_discussion_exercise_on == date(2023, 8, 31)

    # On one day, an exercise that was more than a discussion is the one that tested the plan.
    save_exercise(session, held("Table", "table_top", date(2024, 2, 29), "PLAN-T"), TODAY)
    assert plan.last_exercise_type == "table_top"
    assert plan.last_non_discussion_exercise_on == date(2024, 2, 29)

    delete_exercise(session, session.scalars(select(Exercise).filter_by(title="Table")).one())
    delete_exercise(session, live)
    assert (plan.last_exercise_type, plan.last_non_discussion_exercise_on) == (
        "discussion_based",
        None,
    )
    delete_exercise(session, talk)
    assert (plan.last_exercised_on, plan.last_exercise_type) == (None, None)


def test_the_policy_setting_is_stored_only_when_it_differs_from_the_default(
    session: Session,
) -> None:
    choice = PolicyChoice.of(DEFAULT_POLICY)
    assert choice.settings()[DISCUSSION_KEY] == "yes"
    no = PolicyChoice(**{**choice.__dict__, "discussion_discharges_statutory_test": False})
    policy = save_policy(session, no, by="admin@example.org")
    assert policy.discussion_discharges_statutory_test is False
    assert session.get(PolicySetting, DISCUSSION_KEY).value == "no"  # type: ignore[union-attr]
    save_policy(session, choice, by="admin@example.org")
    assert session.get(PolicySetting, DISCUSSION_KEY) is None


# --- The exercise form ------------------------------------------------------------------------


@pytest.fixture
def listed(session: Session) -> dict[str, int]:
    """Store an operator and two emergency services; return their ids by name."""
    names = {
        "Runcorn Chemicals Ltd": "operator",
        "Cheshire Police": "emergency_service",
        "Cheshire Fire and Rescue Service": "emergency_service",
    }
    ids = {name: add_organisation(session, name, kind).id for name, kind in names.items()}
    session.commit()
    return ids


def exercise_form(**values: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": "Exercise Halton",
        "exercise_type": "command_post",
        "status": "held",
        **boxes("held_on", "2025-10-20"),
        "plan_refs": ["PLAN-E"],
    }
    form.update(values)
    return form


def count(session: Session, model: type[Any]) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.usefixtures("frozen")
def test_an_exercise_records_what_it_tested_and_who_took_part(
    editor: FlaskClient,
    app: Flask,
    stored_plan: Callable[..., Plan],
    session: Session,
    listed: dict[str, int],
) -> None:
    stored_plan("PLAN-E")
    form_page = parse(editor.get(url(app, "plans.exercise_new")).text)
    offered = [n.attrs["value"] for n in form_page.find_all("input", name="participant_ids")]
    assert sorted(offered) == sorted(str(i) for i in listed.values())

    response = editor.post(
        url(app, "plans.exercise_new"),
        data=exercise_form(
            objectives="Activating the plan; warning and informing the public",
            participant_ids=[listed["Runcorn Chemicals Ltd"], listed["Cheshire Police"]],
        ),
    )
    assert response.status_code == 302

    exercise = session.scalars(select(Exercise)).one()
    assert exercise.objectives == "Activating the plan; warning and informing the public"
    assert [o.name for o in exercise.participants] == ["Cheshire Police", "Runcorn Chemicals Ltd"]
    page = parse(editor.get(response.headers["Location"]).text)
    assert "Activating the plan; warning and informing the public" in page.text
    assert "Cheshire Police" in page.text and "Runcorn Chemicals Ltd" in page.text
    edit = parse(editor.get(url(app, "plans.exercise_edit", exercise_id=exercise.id)).text)
    ticked = {
        n.attrs["value"]
        for n in edit.find_all("input", name="participant_ids")
        if "checked" in n.attrs
    }
    assert ticked == {str(listed["Runcorn Chemicals Ltd"]), str(listed["Cheshire Police"])}


@pytest.mark.usefixtures("frozen", "listed")
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"participant_ids": ["9999"]}, "participant_ids", "9999 is not in the organisations list"),
        ({"participant_ids": ["police"]}, "participant_ids", "Invalid choice"),
        ({"exercise_type": "seminar"}, "exercise_type", "Choose the type of exercise"),
        ({"objectives": "x" * 5001}, "objectives", "Field cannot be longer than 5000"),
    ],
)
def test_a_bad_exercise_record_is_a_400_beside_the_field_and_stores_nothing(
    editor: FlaskClient,
    app: Flask,
    stored_plan: Callable[..., Plan],
    session: Session,
    values: dict[str, Any],
    field: str,
    message: str,
) -> None:
    stored_plan("PLAN-E")
    response = editor.post(url(app, "plans.exercise_new"), data=exercise_form(**values))
    assert response.status_code == 400
    assert field_error(parse(response.text), field).startswith(message)
    assert count(session, Exercise) == 0


def test_a_participant_not_on_the_list_is_refused_by_the_domain_too(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan("PLAN-T")
    with pytest.raises(InputError, match="not in the organisations list") as caught:
        save_exercise(
            session,
            held("Live", "live", date(2025, 1, 31), "PLAN-T", participant_ids=(424242,)),
            TODAY,
        )
    assert caught.value.field == "participant_ids"


def test_a_member_does_not_see_who_took_part_in_an_exercise_of_a_sensitive_plan(
    client_as: Callable[[str], FlaskClient],
    app: Flask,
    session: Session,
    stored_plan: Callable[..., Plan],
    listed: dict[str, int],
) -> None:
    stored_plan("PLAN-S", marking="OFFICIAL-SENSITIVE")
    exercise = save_exercise(
        session,
        held(
            "Secret",
            "live",
            date(2025, 1, 31),
            "PLAN-S",
            objectives="The toxic release annex",
            participant_ids=(listed["Cheshire Police"],),
        ),
        TODAY,
    )
    session.commit()
    member = client_as("member")
    page = member.get(url(app, "plans.exercise_detail", exercise_id=exercise.id)).text
    assert "The toxic release annex" not in page and "Cheshire Police" not in page
    officer = client_as("officer")
    page = officer.get(url(app, "plans.exercise_detail", exercise_id=exercise.id)).text
    assert "The toxic release annex" in page and "Cheshire Police" in page


def test_the_annual_report_names_those_who_took_part_then_the_others_written_in(
    session: Session, stored_plan: Callable[..., Plan], listed: dict[str, int]
) -> None:
    stored_plan("PLAN-T")
    save_exercise(
        session,
        held(
            "Live",
            "live",
            date(2025, 10, 20),
            "PLAN-T",
            participant_ids=(listed["Runcorn Chemicals Ltd"], listed["Cheshire Police"]),
        ),
        TODAY,
    )
    session.scalars(select(Exercise)).one().organisations = "UKHSA\nCheshire Police"
    session.commit()
    report = annual_report(
        session, ReportPeriod(date(2025, 6, 1), date(2026, 5, 31)), datetime(2026, 6, 2, tzinfo=UTC)
    )
    (line,) = report.exercises
    assert line.organisations == ("Cheshire Police", "Runcorn Chemicals Ltd", "UKHSA")


def test_a_past_report_counts_a_late_entered_discussion_by_the_policy_too(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    # Both exercises are dated inside the period and entered after it ended: the report takes
    # them as what was true then, the discussion's type with its date.
    plan = stored_plan("PLAN-T")
    plan.created_at = datetime(2025, 1, 6, tzinfo=UTC)  # in the register before the period
    save_exercise(session, held("Live", "live", date(2025, 10, 20), "PLAN-T"), TODAY)
    save_exercise(session, held("Talk", "discussion_based", date(2026, 3, 2), "PLAN-T"), TODAY)
    no = PolicyChoice(
        **{
            **PolicyChoice.of(DEFAULT_POLICY).__dict__,
            "discussion_discharges_statutory_test": False,
        }
    )
    save_policy(session, no, by="admin@example.org")
    session.commit()
    assert plan.last_exercise_type == "discussion_based"

    report = annual_report(
        session, ReportPeriod(date(2025, 6, 1), date(2026, 5, 31)), datetime(2026, 6, 2, tzinfo=UTC)
    )
    (line,) = [
        row
        for group in report.duty_groups
        for row in group.lines
        if row.plan_ref == "PLAN-T" and row.duty == "exercise"
    ]
    assert (line.due_on, line.discussion_only, line.discussion_counted) == (
        date(2028, 10, 20),
        True,
        False,
    )


# --- The organisations list -------------------------------------------------------------------


def test_an_organisation_is_added_to_the_list(
    client_as: Callable[[str], FlaskClient], app: Flask, session: Session
) -> None:
    planner = client_as("planner")
    response = planner.post(
        url(app, "plans.organisations"),
        data={"name": "  North West   Ambulance Service ", "kind": "emergency_service"},
    )
    assert response.status_code == 302
    page = parse(planner.get(url(app, "plans.organisations")).text)
    item = page.by_id("organisations").one("li", data_kind="emergency_service")
    assert item.text.startswith("North West Ambulance Service")
    assert session.scalars(select(Organisation.name)).all() == ["North West Ambulance Service"]


@pytest.mark.usefixtures("listed")
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "", "kind": "operator"}, "name", "Enter the name of the organisation"),
        ({"name": "   ", "kind": "operator"}, "name", "Enter the name of the organisation"),
        ({"name": "CHESHIRE POLICE", "kind": "other"}, "name", "Cheshire Police is already"),
        ({"name": "Halton Borough Council", "kind": "council"}, "kind", "Choose what kind"),
        ({"name": "Halton Borough Council"}, "kind", "Choose what kind"),
        ({"name": "x" * 201, "kind": "other"}, "name", "Field cannot be longer than 200"),
    ],
)
def test_a_bad_organisation_is_a_400_beside_the_field_and_stores_nothing(
    editor: FlaskClient,
    app: Flask,
    session: Session,
    values: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = editor.post(url(app, "plans.organisations"), data=values)
    assert response.status_code == 400
    assert field_error(parse(response.text), field).startswith(message)
    assert count(session, Organisation) == 3


def test_the_demo_exercises_name_who_took_part_from_the_organisations_list(
    session: Session,
) -> None:
    path = DEMO_ROOT / "plans" / "plans.yaml"
    load_plans(session, path)
    load_plans(session, path)  # a refresh adds nothing
    session.commit()
    assert count(session, Organisation) == 5
    lanxess = session.scalars(select(Exercise).where(Exercise.title.startswith("Lanxess"))).one()
    assert [o.name for o in lanxess.participants] == [
        "Environment Agency",
        "UK Health Security Agency",
    ]
    assert lanxess.organisations == "Operator"
    plan = session.scalars(select(Plan).filter_by(ref="PLAN-LANXESS")).one()
    assert plan.last_exercise_type == "discussion_based"


def test_a_demo_participant_not_in_the_files_organisations_is_refused(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "plans.yaml"
    path.write_text(
        "plans:\n  - plan_id: P\n    title: P\n    regime: cca_local\n"
        "exercises:\n  - title: E\n    type: live\n    held_on: 2025-01-31\n"
        "    plans: [P]\n    participants: [Cheshire Police]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_plans(session, path)
    assert str(caught.value).startswith("plans/plans.yaml: exercise 1")
    assert caught.value.field == "participants"


# --- The duty view and the policy page --------------------------------------------------------


def policy_form(page: Node) -> dict[str, str]:
    """Return the values the policy page's form would send as it is (checked radios only)."""
    form = page.one("form", method="post")
    return {
        node.attrs["name"]: node.attrs.get("value", "")
        for node in form.find_all("input")
        if "name" in node.attrs and (node.attrs.get("type") != "radio" or "checked" in node.attrs)
    }


def due_on(row: Node) -> str:
    """Return the due date of a duty's row (the dashboard's or a plan page's)."""
    return next(td.attrs["data-due-on"] for td in row.find_all("td") if "data-due-on" in td.attrs)


def exercise_row(page: Node, plan: str | None = None) -> Node:
    found = [
        row
        for row in page.find_all("tr", data_duty="exercise")
        if plan is None or row.attrs.get("data-plan") == plan
    ]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def talked(editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan]) -> None:
    """An upper-tier plan tested live on 31 August 2023 and by discussion on 29 February 2024,
    and a pipeline plan (tested as local policy) by discussion on the same day."""
    stored_plan("PLAN-C", adopted_on=date(2021, 1, 31))
    stored_plan("PLAN-P", regime="pipeline", adopted_on=date(2021, 1, 31))
    for kind, day, refs in [
        ("live", "2023-08-31", ["PLAN-C"]),
        ("discussion_based", "2024-02-29", ["PLAN-C", "PLAN-P"]),
    ]:
        response = editor.post(
            url(app, "plans.exercise_new"),
            data=exercise_form(exercise_type=kind, plan_refs=refs, **boxes("held_on", day)),
        )
        assert response.status_code == 302


@pytest.mark.usefixtures("frozen", "talked")
def test_the_duty_view_shows_the_last_tests_type_and_flags_a_discussion_only_statutory_test(
    editor: FlaskClient, app: Flask
) -> None:
    for page, plan in [
        (parse(editor.get(url(app, "plans.duties")).text), "PLAN-C"),
        (parse(editor.get(url(app, "plans.plan_detail", ref="PLAN-C")).text), None),
    ]:
        row = exercise_row(page, plan)
        assert row.one("span", data_last_test="discussion_based").text == (
            "Last exercise: discussion-based"
        )
        assert row.one("strong", data_flag="discussion-only").text == "Discussion-based only"
        assert row.one("span", data_discussion_counted="yes").text == (
            "Counted as the statutory test under local policy"
        )
        assert due_on(row) == "2027-02-28"

    # A pipeline's test is local policy: its type is shown, with no flag.
    pipeline = exercise_row(parse(editor.get(url(app, "plans.duties")).text), "PLAN-P")
    assert pipeline.one("span", data_last_test="discussion_based")
    assert not pipeline.find_all("strong", data_flag="discussion-only")


@pytest.mark.usefixtures("frozen", "talked")
def test_where_policy_says_no_a_discussion_does_not_count_as_the_statutory_test(
    editor: FlaskClient, app: Flask, session: Session
) -> None:
    page = parse(editor.get(url(app, "plans.policy")).text)
    field = "discussion_exercise_discharges_statutory_test"
    hint = page.by_id(f"{field}-hint").text
    assert "does not decide what kind of exercise a test must be" in hint
    data = policy_form(page)
    assert data[field] == "yes"

    response = editor.post(url(app, "plans.policy"), data={**data, field: "no"})
    assert response.status_code == 302
    assert session.get(PolicySetting, DISCUSSION_KEY).value == "no"  # type: ignore[union-attr]
    assert policy_form(parse(editor.get(url(app, "plans.policy")).text))[field] == "no"

    dashboard = parse(editor.get(url(app, "plans.duties")).text)
    row = exercise_row(dashboard, "PLAN-C")
    assert due_on(row) == "2026-08-31"
    assert row.attrs["data-status"] == "overdue"
    assert row.one("strong", data_flag="discussion-only")
    assert row.one("span", data_discussion_counted="no").text.startswith(
        "Not counted as the statutory test"
    )
    # The pipeline's test is not statutory: the discussion still counts.
    assert due_on(exercise_row(dashboard, "PLAN-P")) == ("2027-02-28")
    plan_page = parse(editor.get(url(app, "plans.plan_detail", ref="PLAN-C")).text)
    assert due_on(exercise_row(plan_page)) == "2026-08-31"


@pytest.mark.parametrize(
    ("beyond", "ending"),
    [
        (date(2023, 8, 31), "the last exercise beyond a discussion was on 31 August 2023."),
        (None, "no exercise beyond a discussion is recorded."),
    ],
)
def test_the_annual_report_says_why_a_test_not_counted_is_overdue(
    beyond: date | None, ending: str
) -> None:
    plan = Plan(
        ref="PLAN-C",
        title="C",
        regime="comah_external",
        owner="",
        marking="OFFICIAL",
        status="adopted",
        adopted_on=date(2021, 1, 31),
        last_exercised_on=date(2024, 2, 29),
        last_exercise_type="discussion_based",
        last_non_discussion_exercise_on=beyond,
        note="",
    )
    line = next(r for r in plan_duty_rows(plan, TODAY, NO_DISCUSSION) if r.duty == "exercise")
    assert line.status == "overdue"
    assert overdue_reason(plan, line) == (
        "The last exercise, on 29 February 2024, was discussion-based, which local policy does "
        "not count as the statutory test; " + ending
    )


@pytest.mark.usefixtures("frozen")
def test_a_bad_policy_answer_is_a_400_beside_the_field(
    editor: FlaskClient, app: Flask, session: Session
) -> None:
    field = "discussion_exercise_discharges_statutory_test"
    data = policy_form(parse(editor.get(url(app, "plans.policy")).text))
    response = editor.post(url(app, "plans.policy"), data={**data, field: "sometimes"})
    assert response.status_code == 400
    assert field_error(parse(response.text), field) == (
        "Say whether a discussion-based exercise counts"
    )
    assert count(session, PolicySetting) == 0
