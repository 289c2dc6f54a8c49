"""A REPPIR plan's review or test after three years, agreed by the regulator in writing
(REPPIR 2019 reg. 12(3)): recorded only with the regulator's letter, only when later than the
usual due date, and lapsing once the review or test it put off is recorded."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.duties.rules import DutyKind, PlanDates, Regime, check_plan, plan_duties
from resilience.errors import InputError
from resilience.storage.models import Plan, PlanLetter
from tests.plans.pages import field_error
from tests.support.date_boxes import boxes
from tests.support.html import parse
from tests.support.requests import url

TODAY = date(2026, 12, 4)
LETTER = b"%PDF-1.7 The regulator agrees the test may take place by 31 August 2027. %%EOF"


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel("2026-12-04 10:00", tick=False):
        yield


def due(plan: PlanDates) -> dict[DutyKind, date]:
    return {d.duty: d.due_on for d in plan_duties(plan, TODAY)}


def test_an_agreed_date_puts_the_duty_off_until_a_later_one_is_recorded() -> None:
    adopted = date(2024, 2, 29)
    plain = PlanDates("REP-1", Regime.REPPIR, adopted_on=adopted)
    assert due(plain) == {DutyKind.REVIEW: date(2027, 2, 28), DutyKind.EXERCISE: date(2027, 2, 28)}
    extended = PlanDates(
        "REP-1", Regime.REPPIR, adopted_on=adopted, exercise_extended_to=date(2027, 8, 31)
    )
    assert due(extended) == {
        DutyKind.REVIEW: date(2027, 2, 28),
        DutyKind.EXERCISE: date(2027, 8, 31),
    }
    # The test it put off is recorded on 30 June 2027: the next is three years on, as usual.
    tested = PlanDates(
        "REP-1",
        Regime.REPPIR,
        adopted_on=adopted,
        last_exercised_on=date(2027, 6, 30),
        exercise_extended_to=date(2027, 8, 31),
    )
    assert due(tested)[DutyKind.EXERCISE] == date(2030, 6, 30)


def test_only_a_reppir_plan_can_have_its_interval_lengthened() -> None:
    comah = PlanDates(
        "EXT-1",
        Regime.COMAH_EXTERNAL,
        adopted_on=date(2024, 1, 31),
        review_extended_to=date(2027, 6, 30),
    )
    with pytest.raises(InputError, match="only the regulator of a REPPIR plan") as refused:
        check_plan(comah)
    assert refused.value.field == "extended_to"


def extension(**values: Any) -> dict[str, Any]:
    """Return the form's fields; ``file=None`` leaves the letter out."""
    data = {
        "duties": ["exercise"],
        **boxes("extended_to", "2027-08-31"),
        **boxes("dated_on", "2026-11-30"),
        "file": (io.BytesIO(LETTER), "ONR letter.pdf"),
        **values,
    }
    return {key: value for key, value in data.items() if value is not None}


def post(client: FlaskClient, app: Flask, data: dict[str, Any]) -> Any:
    return client.post(
        url(app, "plans.extension_new", ref="REP-1"),
        data=data,
        content_type="multipart/form-data",
    )


@pytest.mark.usefixtures("frozen")
def test_an_officer_records_the_regulators_agreement_with_its_letter(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan], session: Session
) -> None:
    stored_plan("REP-1", regime="reppir", adopted_on=date(2024, 2, 29))
    page = parse(editor.get("/plans/REP-1").text)
    (link,) = [a for a in page.find_all("a") if a.text.startswith("Record a longer interval")]
    form = parse(editor.get(link.attrs["href"]).text)
    assert "the test by 28 February 2027" in form.text

    assert post(editor, app, extension()).status_code == 302
    page = parse(editor.get("/plans/REP-1").text)
    due_on = {
        tr.attrs["data-duty"]: tr.find_all("td")[0].attrs["data-due-on"]
        for tr in page.find_all("tr")
        if "data-duty" in tr.attrs
    }
    assert due_on == {"review": "2027-02-28", "exercise": "2027-08-31"}
    assert "test by 31 August 2027 (letter of 30 November 2026)" in page.text
    letter = session.scalars(select(PlanLetter)).one()
    assert (letter.purpose, letter.original_name) == ("reppir_extension", "ONR letter.pdf")


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"file": None}, "file", "Choose the regulator's letter"),
        (
            boxes("extended_to", "2027-02-28"),
            "extended_to",
            "28 February 2027 is not later than the date the test is due anyway",
        ),
        (boxes("extended_to", ""), "extended_to", "Enter the date agreed"),
        ({"duties": []}, "duties", "Choose the review, the test, or both"),
        (boxes("dated_on", "2026-12-05"), "dated_on", "The date of the letter cannot be after"),
    ],
)
def test_an_extension_without_its_letter_or_not_later_is_refused_and_nothing_is_kept(
    editor: FlaskClient,
    app: Flask,
    stored_plan: Callable[..., Plan],
    session: Session,
    instance: Path,
    values: dict[str, Any],
    field: str,
    message: str,
) -> None:
    stored_plan("REP-1", regime="reppir", adopted_on=date(2024, 2, 29))
    response = post(editor, app, extension(**values))
    assert response.status_code == 400
    assert field_error(parse(response.text), field).startswith(message)
    session.expire_all()
    plan = session.scalars(select(Plan)).one()
    assert (plan.review_extended_to, plan.exercise_extended_to) == (None, None)
    assert session.scalar(select(func.count()).select_from(PlanLetter)) == 0
    uploads = instance / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


@pytest.mark.usefixtures("frozen")
def test_a_comah_plan_cannot_have_its_interval_lengthened(
    editor: FlaskClient, app: Flask, stored_plan: Callable[..., Plan], session: Session
) -> None:
    stored_plan("REP-1", regime="comah_external", adopted_on=date(2024, 2, 29))
    response = post(editor, app, extension())
    assert response.status_code == 400
    assert field_error(parse(response.text), "duties").startswith(
        "Only the regulator of a REPPIR plan can agree a longer interval"
    )
    assert session.scalar(select(func.count()).select_from(PlanLetter)) == 0
