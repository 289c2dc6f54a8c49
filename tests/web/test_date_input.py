"""DateInputField: day, month and year boxes, parsed strictly, errors naming the date."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import InputRequired, Optional

from resilience.web.date_input import DateInputField


class ReviewForm(Form):
    reviewed_on = DateInputField(
        "Date of the review", [InputRequired("Enter the date of the review")]
    )
    as_of = DateInputField("On", [Optional()])


def _form(**values: str) -> ReviewForm:
    data = {"reviewed_on-day": "4", "reviewed_on-month": "3", "reviewed_on-year": "2026"}
    data.update(
        {
            key.replace("_day", "-day").replace("_month", "-month").replace("_year", "-year"): value
            for key, value in values.items()
        }
    )
    return ReviewForm(MultiDict(data))


def test_three_boxes_make_a_date() -> None:
    form = _form(reviewed_on_day="04", reviewed_on_month="03")
    assert form.validate(), form.errors
    assert form.reviewed_on.data == date(2026, 3, 4)
    assert form.as_of.data is None


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2025", "Date of the review must be a real date"),
        ("29", "2", "2025", "Date of the review must be a real date"),
        ("0", "1", "2025", "Date of the review must be a real date"),
        ("1", "13", "2025", "Date of the review must be a real date"),
        ("1st", "1", "2025", "Date of the review must be a real date"),
        ("1", "Jan", "2025", "Date of the review must be a real date"),
        ("1", "1", "25", "Date of the review must have a 4-digit year, for example 2027"),
        ("", "2", "", "Date of the review must include a day and year"),
        ("1", "", "2025", "Date of the review must include a month"),
        ("", "", "", "Enter the date of the review"),
    ],
)
def test_a_date_that_is_not_real_is_refused_with_the_date_named(
    day: str, month: str, year: str, message: str
) -> None:
    form = _form(reviewed_on_day=day, reviewed_on_month=month, reviewed_on_year=year)
    assert not form.validate()
    assert form.errors == {"reviewed_on": [message]}
    assert form.reviewed_on.data is None


def test_leap_day_of_a_leap_year_is_a_real_date() -> None:
    form = _form(reviewed_on_day="29", reviewed_on_month="2", reviewed_on_year="2028")
    assert form.validate(), form.errors
    assert form.reviewed_on.data == date(2028, 2, 29)


def test_the_boxes_show_what_was_typed_and_mark_the_wrong_ones() -> None:
    form = _form(reviewed_on_day="", reviewed_on_month="2")
    form.validate()
    boxes = form.reviewed_on.boxes()
    assert [(b["name"], b["value"]) for b in boxes] == [
        ("reviewed_on-day", ""),
        ("reviewed_on-month", "2"),
        ("reviewed_on-year", "2026"),
    ]
    assert ["govuk-input--error" in b["classes"] for b in boxes] == [True, False, False]
    assert form.reviewed_on.first_box_id() == "reviewed_on-day"


def test_a_stored_date_fills_the_boxes() -> None:
    form = ReviewForm(data={"reviewed_on": date(2027, 11, 5)})
    assert [b["value"] for b in form.reviewed_on.boxes()] == ["5", "11", "2027"]
    assert form.reviewed_on.submitted is False


@pytest.mark.parametrize(
    ("whole", "expected", "errors"),
    [
        ("2026-02-28", date(2026, 2, 28), {}),
        ("2026-02-30", None, {"as_of": ["On must be a real date"]}),
        ("20/10/2025", None, {"as_of": ["On must be a real date"]}),
        ("20260228", None, {"as_of": ["On must be a real date"]}),
        ("", None, {}),
    ],
)
def test_a_link_may_carry_the_whole_date_as_yyyy_mm_dd(
    whole: str, expected: date | None, errors: dict[str, list[str]]
) -> None:
    form = _form(as_of=whole)
    assert form.validate() is (errors == {})
    assert form.errors == errors
    assert form.as_of.data == expected
    assert form.as_of.submitted is True


def test_emptied_boxes_clear_a_stored_date_and_a_missing_field_keeps_it() -> None:
    stored = date(2027, 11, 5)
    emptied = ReviewForm(
        MultiDict({"as_of-day": "", "as_of-month": "", "as_of-year": ""}), data={"as_of": stored}
    )
    assert emptied.as_of.data is None
    assert emptied.as_of.submitted is True
    untouched = ReviewForm(MultiDict({"reviewed_on-day": "4"}), data={"as_of": stored})
    assert untouched.as_of.data == stored
    assert [b["value"] for b in untouched.as_of.boxes()] == ["5", "11", "2027"]


def test_a_date_set_after_reading_an_empty_query_string_fills_the_boxes() -> None:
    form = ReviewForm(MultiDict())
    form.reviewed_on.data = date(2026, 4, 1)
    assert [b["value"] for b in form.reviewed_on.boxes()] == ["1", "4", "2026"]


def test_an_error_about_the_whole_date_marks_every_box() -> None:
    form = _form()
    assert form.validate()
    form.reviewed_on.errors = ["The date cannot be in the future"]
    assert all("govuk-input--error" in b["classes"] for b in form.reviewed_on.boxes())
    assert form.reviewed_on.first_box_id() == "reviewed_on-day"


def test_what_names_the_date_when_the_label_would_read_badly() -> None:
    class HeldForm(Form):
        held_on = DateInputField("Held on", [Optional()], what="The date the exercise was held")

    form = HeldForm(MultiDict({"held_on-day": "30", "held_on-month": "2", "held_on-year": "2026"}))
    assert not form.validate()
    assert form.errors == {"held_on": ["The date the exercise was held must be a real date"]}
