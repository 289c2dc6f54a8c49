"""Plans that need not be prepared: a 1999 off-site plan treated as prepared (COMAH 2015
reg. 13(5)) keeps its review and test duties; an exemption (reg. 15) leaves no duty at all. Both
are decisions with a date and a letter, and the register refuses one recorded without them."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.duties.coverage import coverage
from resilience.domain.duties.rules import (
    DutyKind,
    PlanDates,
    PrepareBasis,
    Regime,
    check_plan,
    plan_duties,
)
from resilience.errors import InputError
from resilience.storage.models import Plan, PlanLetter
from tests.plans.pages import field_error
from tests.support.builders import make_establishment
from tests.support.date_boxes import boxes
from tests.support.html import Node, parse
from tests.support.requests import url

TODAY = date(2026, 12, 4)


@pytest.fixture
def frozen() -> Iterator[None]:
    """Make now 4 December 2026, before anyone signs in."""
    with time_machine.travel("2026-12-04 10:00", tick=False):
        yield


def dates(**values: Any) -> PlanDates:
    return PlanDates(**{"plan_id": "EXT-1", "regime": Regime.COMAH_EXTERNAL, **values})


def test_an_exempted_plan_has_no_duty_and_a_treated_one_is_reviewed_and_tested() -> None:
    exempted = dates(prepare_basis=PrepareBasis.EXEMPTED, notified_on=date(2026, 1, 31))
    assert plan_duties(exempted, TODAY) == []
    # Adopted on 29 February 2024: three years on is the last day of February 2027.
    treated = dates(prepare_basis=PrepareBasis.TREATED_AS_PREPARED, adopted_on=date(2024, 2, 29))
    due = {d.duty: (d.due_on, d.basis) for d in plan_duties(treated, TODAY)}
    assert due == {
        DutyKind.REVIEW: (date(2027, 2, 28), "statutory, COMAH 2015 reg. 14"),
        DutyKind.EXERCISE: (date(2027, 2, 28), "statutory, COMAH 2015 reg. 14"),
    }


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"prepare_basis": PrepareBasis.TREATED_AS_PREPARED}, "adopted_on", "needs the date"),
        (
            {"prepare_basis": PrepareBasis.EXEMPTED, "regime": Regime.PIPELINE},
            "prepare_basis",
            "only a COMAH external plan",
        ),
        (
            {
                "prepare_basis": PrepareBasis.EXEMPTED,
                "notified_on": date(2026, 5, 31),
                "agreed_prepare_by": date(2027, 2, 28),
            },
            "agreed_prepare_by",
            "no agreed period",
        ),
    ],
)
def test_a_basis_that_does_not_fit_the_plan_is_refused(
    values: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InputError) as refused:
        check_plan(dates(**values))
    assert refused.value.field == field
    assert words in str(refused.value)


def plan_form(**values: Any) -> dict[str, Any]:
    return {
        "ref": "EXT-1",
        "title": "Runcorn external plan",
        "regime": "comah_external",
        "owner": "Emergency Planning Team",
        "marking": "OFFICIAL",
        "status": "draft",
        "hazard_refs": ["UPPER-1"],
        **values,
    }


def row(page: Node, key: str) -> str:
    (found,) = [
        r for r in page.find_all("div", "govuk-summary-list__row") if r.one("dt").text == key
    ]
    return found.one("dd", "govuk-summary-list__value").text


@pytest.mark.usefixtures("frozen")
def test_an_exemption_is_recorded_shown_with_its_letter_and_covers_the_site(
    editor: FlaskClient, app: Flask, session: Session
) -> None:
    session.add(make_establishment("UPPER-1", name="Upper One", tier="upper"))
    session.commit()
    exemption = plan_form(
        prepare_basis="exempted",
        **boxes("basis_decided_on", "2024-02-29"),
        basis_reasons="The safety report shows no major accident can reach beyond the fence.",
    )
    assert editor.post(url(app, "plans.plan_new"), data=exemption).status_code == 302

    page = parse(editor.get("/plans/EXT-1").text)
    assert row(page, "Has to be prepared") == (
        "No: exempted by the competent authority (reg. 15), decided 29 February 2024"
    )
    assert row(page, "Reasons given").startswith("The safety report shows")
    assert "no external plan to prepare, review or test" in page.by_id("no-duties-reason").text
    assert [tr for tr in page.find_all("tr") if "data-duty" in tr.attrs] == []
    assert "no letter or record of that decision" in page.by_id("basis-letter-warning").text
    assert coverage(session).gaps == ()  # the exempted plan covers Upper One

    (keep,) = [
        a.attrs["href"]
        for a in page.find_all("a")
        if a.text.startswith("Keep the letter") and "purpose=prepare_basis" in a.attrs["href"]
    ]
    form = parse(editor.get(keep).text)
    assert "Keep the letter of the decision not to prepare it" in form.one("h1").text
    kept = editor.post(
        keep,
        data={
            **boxes("dated_on", "2024-02-29"),
            "file": (io.BytesIO(b"%PDF-1.7 exemption %%EOF"), "HSE exemption.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert kept.status_code == 302
    page = parse(editor.get("/plans/EXT-1").text)
    assert page.find_all(id="basis-letter-warning") == []
    assert row(page, "Letter of that decision").startswith("Letter of 29 February 2024")
    # Each decision has its own evidence: with no agreed period there is no row for its letter.
    keys = [dt.text for dt in page.find_all("dt")]
    assert "Has to be prepared" in keys and "Letter agreeing the period" not in keys
    purposes = session.scalars(select(PlanLetter.purpose)).all()
    assert purposes == ["prepare_basis"]
    dashboard = parse(editor.get("/duties/").text).text
    assert "Runcorn external plan" not in dashboard
    assert "No external emergency plan covers Upper One" not in dashboard


@pytest.mark.usefixtures("frozen")
def test_a_1999_plan_treated_as_prepared_is_reviewed_from_its_adoption(
    editor: FlaskClient, app: Flask, session: Session
) -> None:
    session.add(make_establishment("UPPER-1", tier="upper"))
    session.commit()
    treated = plan_form(
        status="adopted",
        **boxes("adopted_on", "2024-02-29"),
        prepare_basis="treated_as_prepared",
        **boxes("basis_decided_on", "2015-06-01"),
    )
    assert editor.post(url(app, "plans.plan_new"), data=treated).status_code == 302
    page = parse(editor.get("/plans/EXT-1").text)
    assert row(page, "Has to be prepared").startswith("No: the 1999 off-site plan remains")
    due = {
        tr.attrs["data-duty"]: tr.find_all("td")[0].attrs["data-due-on"]
        for tr in page.find_all("tr")
        if "data-duty" in tr.attrs
    }
    assert due == {"review": "2027-02-28", "exercise": "2027-02-28"}

    # Back to "it has to be prepared": the decision, its date and reasons are cleared.
    cleared = editor.post(
        url(app, "plans.plan_edit", ref="EXT-1"), data={**treated, "prepare_basis": ""}
    )
    assert cleared.status_code == 302
    session.expire_all()
    plan = session.scalars(select(Plan)).one()
    assert (plan.prepare_basis, plan.basis_decided_on, plan.basis_reasons) == (None, None, "")
    # Its form shows the answer stored: "Yes", it has to be prepared.
    edit = parse(editor.get(url(app, "plans.plan_edit", ref="EXT-1")).text)
    checked = [
        tag.attrs["value"]
        for tag in edit.find_all("input")
        if tag.attrs.get("name") == "prepare_basis" and "checked" in tag.attrs
    ]
    assert checked == [""]


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"prepare_basis": "exempted", "basis_reasons": "Safety report."},
            "basis_decided_on",
            "Enter the date it was decided that the plan need not be prepared",
        ),
        (
            {"prepare_basis": "exempted", **boxes("basis_decided_on", "2026-12-05")},
            "basis_decided_on",
            "The date cannot be in the future",
        ),
        (
            {"prepare_basis": "exempted", **boxes("basis_decided_on", "2025-02-29")},
            "basis_decided_on",
            "The date of the decision must be a real date",
        ),
        (
            {"prepare_basis": "exempted", **boxes("basis_decided_on", "2026-11-30")},
            "basis_reasons",
            "Enter the reasons the competent authority gave",
        ),
        (
            {"prepare_basis": "treated_as_prepared", **boxes("basis_decided_on", "2026-11-30")},
            "adopted_on",
            "A 1999 plan treated as prepared (reg. 13(5)) needs the date it was adopted",
        ),
        (
            {
                "regime": "pipeline",
                "prepare_basis": "exempted",
                **boxes("basis_decided_on", "2026-11-30"),
                "basis_reasons": "Safety report.",
            },
            "prepare_basis",
            "Only a COMAH external plan can be treated as prepared or exempted",
        ),
        ({"prepare_basis": "waived"}, "prepare_basis", "Choose whether the plan has to be"),
    ],
)
def test_a_decision_not_to_prepare_without_its_date_or_reasons_is_refused(
    editor: FlaskClient,
    app: Flask,
    session: Session,
    values: dict[str, Any],
    field: str,
    message: str,
) -> None:
    session.add(make_establishment("UPPER-1", tier="upper"))
    session.commit()
    response = editor.post(url(app, "plans.plan_new"), data=plan_form(**values))
    assert response.status_code == 400
    assert field_error(parse(response.text), field).startswith(message)
    assert session.scalar(select(func.count()).select_from(Plan)) == 0


def test_a_letter_of_a_kind_the_register_does_not_keep_is_a_404(
    editor: FlaskClient, stored_plan: Callable[..., Plan]
) -> None:
    stored_plan("EXT-1")
    assert editor.get("/plans/EXT-1/letters?purpose=waiver").status_code == 404
    assert editor.get("/plans/EXT-1/letters?purpose=prepare_basis").status_code == 200
