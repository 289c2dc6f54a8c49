"""Consultations on a plan version (COMAH 2015 reg. 13(7)): recorded per version, refused when
they cannot be right, and a warning while an adopted plan lacks a mandatory consultee."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.plans.consultation import (
    CONSULTEES,
    MANDATORY,
    ConsultationGap,
    consultation_deadline,
    consultation_gaps,
    missing_consultees,
)
from resilience.domain.plans.records import plan_versions
from resilience.storage.models import AuditEvent, Plan, PlanConsultation, PlanVersion
from resilience.storage.models.plans import CONSULTEE_KINDS
from tests.plans.pages import error_summary_links, field_error, summary_target
from tests.support.date_boxes import boxes
from tests.support.html import Node, parse
from tests.support.requests import url

NOW = "2026-12-03 10:00"
EVERY_MANDATORY = {
    "operator": "Runcorn Chemicals Ltd",
    "appropriate_agency": "Environment Agency",
    "designated_authority": "Cheshire Fire and Rescue Service",
    "nhs_england": "NHS England North West",
    "ukhsa": "UKHSA North West Health Protection Team",
}


@pytest.fixture
def frozen() -> Iterator[None]:
    """Make now 3 December 2026, before anyone signs in (no consultation may be dated later)."""
    with time_machine.travel(NOW, tick=False):
        yield


def add_version(session: Session, plan: Plan, label: str, uploaded: datetime) -> PlanVersion:
    """Store a version of ``plan`` uploaded at ``uploaded`` (committed, so the app sees it)."""
    version = PlanVersion(
        plan=plan,
        label=label,
        stored_name=uuid.uuid4().hex + ".pdf",
        original_name=f"plan {label}.pdf",
        content_type="application/pdf",
        size_bytes=10,
        sha256="0" * 64,
        change_summary="Issued for adoption",
        uploaded_at=uploaded,
    )
    session.add(version)
    session.commit()
    return version


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def record(
    client: FlaskClient,
    ref: str,
    version: PlanVersion | int,
    *,
    consultee: str | None = "operator",
    organisation: str = "Runcorn Chemicals Ltd",
    consulted: str = "2024-02-01",
    responded: str = "",
    response: str = "",
) -> tuple[int, str]:
    version_id = version if isinstance(version, int) else version.id
    data = {
        "organisation": organisation,
        "response": response,
        **boxes("consulted_on", consulted),
        **boxes("responded_on", responded),
    }
    if consultee is not None:
        data["consultee"] = consultee
    response_ = client.post(
        url(client.application, "plans.consultation_new", ref=ref, version_id=version_id),
        data=data,
    )
    return response_.status_code, response_.text


def stored_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PlanConsultation)) or 0


def duties_warnings(client: FlaskClient) -> dict[str, str]:
    page = parse(client.get("/duties/").text)
    found = page.find_all(id="consultation-warnings")
    return {li.attrs["data-plan"]: li.text for li in found[0].find_all("li")} if found else {}


# --- The rules -------------------------------------------------------------------------------


def test_the_mandatory_consultees_are_those_of_reg_13_7_in_its_order() -> None:
    assert tuple(CONSULTEES) == CONSULTEE_KINDS
    assert MANDATORY == (
        "operator",
        "appropriate_agency",
        "designated_authority",
        "nhs_england",
        "ukhsa",
    )
    assert [CONSULTEES[k].paragraph for k in MANDATORY] == ["(a)", "(b)", "(c)", "(d)", "(d)"]
    # (e) is at the council's discretion: never missing.
    assert not CONSULTEES["public"].mandatory and not CONSULTEES["other"].mandatory
    assert missing_consultees(["public", "ukhsa", "operator", "operator"]) == [
        "appropriate_agency",
        "designated_authority",
        "nhs_england",
    ]
    assert missing_consultees(MANDATORY) == []


def test_a_consultation_supports_the_adoption_of_its_version(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    plan = stored_plan("PLAN-A", adopted_on=date(2024, 2, 29))
    first = add_version(session, plan, "1", at(date(2023, 1, 10)))
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): the UK day counts.
    second = add_version(session, plan, "2", at(date(2023, 3, 31), 23, 30))
    versions = plan_versions(session, plan)

    superseded = consultation_deadline(plan, versions, first)
    assert superseded is not None and superseded.day == date(2023, 4, 1)
    assert superseded.reason == "version 2 replaced it on 1 April 2023"
    # Version 2 was uploaded and then adopted: consulted on up to the adoption day.
    adopted = consultation_deadline(plan, versions, second)
    assert adopted is not None and adopted.day == date(2024, 2, 29)
    assert adopted.reason == "the plan was adopted on 29 February 2024"

    # A version uploaded into the adopted plan: its upload is its adoption.
    third = add_version(session, plan, "3", at(date(2024, 8, 31)))
    uploaded = consultation_deadline(plan, plan_versions(session, plan), third)
    assert uploaded is not None and uploaded.day == date(2024, 8, 31)

    # A draft (not adopted, or a revision not yet adopted again): only "not after today".
    plan.status = "under revision"
    assert consultation_deadline(plan, plan_versions(session, plan), third) is None
    draft = stored_plan("PLAN-D", status="draft", adopted_on=None)
    only = add_version(session, draft, "0.1", at(date(2026, 1, 5)))
    assert consultation_deadline(draft, [only], only) is None


def test_only_adopted_external_plans_lacking_a_mandatory_consultee_are_gaps(
    session: Session, stored_plan: Callable[..., Plan]
) -> None:
    adopted = stored_plan("PLAN-A", title="A plan")
    stored_plan("PLAN-D", title="Draft", status="draft", adopted_on=None)
    stored_plan("PLAN-W", title="Withdrawn", status="withdrawn")
    stored_plan("PLAN-P", title="Pipeline", regime="pipeline")
    assert consultation_gaps(session) == [
        ConsultationGap("PLAN-A", "A plan", "OFFICIAL", None, MANDATORY)
    ]
    version = add_version(session, adopted, "1", at(date(2021, 6, 1)))
    for kind, name in EVERY_MANDATORY.items():
        if kind != "ukhsa":
            session.add(
                PlanConsultation(
                    version=version,
                    consultee=kind,
                    organisation=name,
                    consulted_on=date(2021, 5, 1),
                )
            )
    session.commit()
    (gap,) = consultation_gaps(session)
    assert (gap.version_label, gap.missing) == ("1", ("ukhsa",))
    assert "version 1 has no recorded consultation (COMAH 2015 reg. 13(7)) of: UK Health" in (
        gap.message
    )


# --- The pages -------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_the_warning_shows_until_every_mandatory_consultee_is_recorded(
    editor: FlaskClient, stored_plan: Callable[..., Plan], session: Session
) -> None:
    plan = stored_plan("PLAN-A", title="Runcorn site", adopted_on=date(2024, 2, 29))
    version = add_version(session, plan, "2.0", at(date(2024, 1, 31)))

    page = parse(editor.get("/plans/PLAN-A").text)
    warning = page.by_id("consultation-warning").text
    assert "version 2.0 has no recorded consultation (COMAH 2015 reg. 13(7))" in warning
    assert "of: the operator; " in warning and "NHS England" in warning
    assert "PLAN-A" in duties_warnings(editor)

    form = parse(editor.get(f"/plans/PLAN-A/consultations/{version.id}").text)
    assert "on or before 29 February 2024" in form.by_id("deadline").text

    for number, (kind, name) in enumerate(EVERY_MANDATORY.items()):
        assert duties_warnings(editor), "the warning went before every consultee was recorded"
        # The adoption day itself (29 February, a leap day) is the last day allowed.
        consulted = "2024-02-29" if kind == "ukhsa" else f"2024-01-{number + 10}"
        status, html = record(
            editor,
            "PLAN-A",
            version,
            consultee=kind,
            organisation=name,
            consulted=consulted,
            responded="2024-02-29" if kind == "operator" else "",
            response="No comments on the draft" if kind == "operator" else "",
        )
        assert status == 302, html

    page = parse(editor.get("/plans/PLAN-A").text)
    assert page.find_all(id="consultation-warning") == []
    assert duties_warnings(editor) == {}
    rows = page.find_all("tr", data_consultee="operator")
    assert len(rows) == 1
    assert "29 February 2024: No comments on the draft" in rows[0].text
    (ukhsa,) = page.find_all("tr", data_consultee="ukhsa")
    assert "29 February 2024" in ukhsa.text and "No response recorded" in ukhsa.text

    # Members of the public (reg. 13(7)(e)) are recorded too, though never missing.
    assert record(editor, "PLAN-A", version, consultee="public", organisation="Residents")[0] == 302
    audited = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "plan_consultations")
    ).all()
    assert audited == ["create"] * 6

    # A new version starts again: the warning is back, naming it.
    add_version(session, plan, "2.1", at(date(2024, 8, 31)))
    assert (
        "version 2.1 has no recorded"
        in parse(editor.get("/plans/PLAN-A").text).by_id("consultation-warning").text
    )


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"consulted": "2024-03-01"},
            "consulted_on",
            "The consultation cannot be after the adoption it supports: the plan was adopted "
            "on 29 February 2024",
        ),
        (
            {"consulted": "2026-12-04"},
            "consulted_on",
            "The date of the consultation cannot be after today (3 December 2026)",
        ),
        ({"consulted": ""}, "consulted_on", "Enter the date of the consultation"),
        ({"consulted": "2023-02-29"}, "consulted_on", "The date of the consultation must be"),
        ({"consultee": None}, "consultee", "Choose who was consulted"),
        ({"consultee": "mayor"}, "consultee", "Choose who was consulted"),
        ({"organisation": "  "}, "organisation", "Enter the name of who was consulted"),
        (
            {"responded": "2024-01-31"},
            "responded_on",
            "The response cannot be before the consultation (1 February 2024)",
        ),
        (
            {"responded": "2026-12-31"},
            "responded_on",
            "The date of the response cannot be after today (3 December 2026)",
        ),
    ],
)
def test_a_bad_consultation_is_a_400_beside_its_field_and_nothing_is_stored(
    editor: FlaskClient,
    stored_plan: Callable[..., Plan],
    session: Session,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    plan = stored_plan("PLAN-A", adopted_on=date(2024, 2, 29))
    version = add_version(session, plan, "1", at(date(2024, 1, 15)))
    status, html = record(editor, "PLAN-A", version, **changes)
    assert status == 400
    page = parse(html)
    assert field_error(page, field).startswith(message)
    assert list(error_summary_links(page)) == [summary_target(page, field)]
    assert stored_count(session) == 0


@pytest.mark.usefixtures("frozen")
def test_a_version_of_another_plan_is_not_found(
    editor: FlaskClient, stored_plan: Callable[..., Plan], session: Session
) -> None:
    stored_plan("PLAN-A")
    other = add_version(session, stored_plan("PLAN-B"), "1", at(date(2021, 6, 1)))
    assert record(editor, "PLAN-A", other, consulted="2021-05-04")[0] == 404
    assert editor.get(f"/plans/PLAN-A/consultations/{other.id}").status_code == 404
    assert stored_count(session) == 0


@pytest.mark.usefixtures("frozen")
def test_a_sensitive_plans_consultations_and_their_warning_stay_with_the_cleared(
    client_as: Callable[[str], FlaskClient], stored_plan: Callable[..., Plan], session: Session
) -> None:
    plan = stored_plan("PLAN-S", marking="OFFICIAL-SENSITIVE")
    version = add_version(session, plan, "1", at(date(2021, 6, 1)))
    officer = client_as("officer")
    assert record(officer, "PLAN-S", version, consulted="2021-05-04")[0] == 302
    page = parse(officer.get("/plans/PLAN-S").text)
    assert page.find_all("tr", data_consultee="operator")
    assert "PLAN-S" in duties_warnings(officer)

    member = client_as("member")
    page = parse(member.get("/plans/PLAN-S").text)
    assert "Runcorn Chemicals" not in page.text
    assert page.find_all(id="consultation-warning") == []
    assert "Withheld: the consultations" in _section(page, "consultations")
    assert duties_warnings(member) == {}
    assert record(member, "PLAN-S", version, consulted="2021-05-04")[0] == 403
    assert member.get(f"/plans/PLAN-S/consultations/{version.id}").status_code == 403
    # Planners read the detail but do not record consultations (officers' work, like versions).
    planner = client_as("planner")
    assert record(planner, "PLAN-S", version, consulted="2021-05-04")[0] == 403
    assert parse(planner.get("/plans/PLAN-S").text).find_all("tr", data_consultee="operator")
    assert stored_count(session) == 1


def _section(page: Node, heading_id: str) -> str:
    """Return the text of the paragraph that follows a heading's introduction."""
    heading = page.by_id(heading_id)
    parent = heading.parent
    assert parent is not None
    return parent.text


@pytest.mark.usefixtures("frozen")
def test_a_consultation_recorded_in_error_is_deleted_and_the_warning_comes_back(
    client_as: Callable[[str], FlaskClient], stored_plan: Callable[..., Plan], session: Session
) -> None:
    plan = stored_plan("PLAN-A")
    version = add_version(session, plan, "1", at(date(2021, 6, 1)))
    officer = client_as("officer")
    for kind, name in EVERY_MANDATORY.items():
        status, _ = record(
            officer, "PLAN-A", version, consultee=kind, organisation=name, consulted="2021-05-04"
        )
        assert status == 302
    page = parse(officer.get("/plans/PLAN-A").text)
    assert page.find_all(id="consultation-warning") == []
    (link,) = [
        a.attrs["href"]
        for a in page.find_all("a")
        if a.text == "Delete the consultation of NHS England North West on 4 May 2021"
    ]
    other = add_version(session, stored_plan("PLAN-B"), "1", at(date(2021, 6, 1)))
    wrong_version = link.replace(f"/consultations/{version.id}/", f"/consultations/{other.id}/")
    assert officer.post(wrong_version).status_code == 404
    assert client_as("planner").post(link).status_code == 403
    assert client_as("member").get(link).status_code == 403

    page = parse(officer.get(link).text)
    assert "Delete the consultation of NHS England North West" in page.one("h1").text
    response = officer.post(link)
    assert response.status_code == 302
    warning = parse(officer.get("/plans/PLAN-A").text).by_id("consultation-warning").text
    assert warning.endswith("of: NHS England. See the consultations")
    assert stored_count(session) == 4
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "plan_consultations")
    ).all()
    assert sorted(actions) == ["create"] * 5 + ["delete"]
