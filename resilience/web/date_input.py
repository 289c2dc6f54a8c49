"""A date entered as GOV.UK's date input pattern: three boxes, day, month and year.

The field named ``held_on`` reads ``held_on-day``, ``held_on-month`` and ``held_on-year``. A link
may still carry the whole date as ``held_on=YYYY-MM-DD`` (say a report period in a download link);
both are parsed strictly: 31 February, a two-digit year or a stray letter are refused with the
field named, never guessed at.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from wtforms import Field
from wtforms.utils import unset_value

PARTS = ("day", "month", "year")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
NUMBER = re.compile(r"^\d{1,2}$")
YEAR = re.compile(r"^\d{4}$")


class DateInputField(Field):
    """A date from day, month and year boxes, with GOV.UK's error messages.

    ``what`` names the date in error messages ("The date the plan was adopted must be a real
    date"); it is the label when not given ("Date of the review must be a real date").
    """

    data: Any  # a date, or None (as WTForms' DateField)

    def __init__(
        self, label: str | None = None, *args: Any, what: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(label, *args, **kwargs)
        self.what = what or self.label.text
        self.parts: dict[str, str] = {}
        self.bad_parts: tuple[str, ...] = ()
        self.submitted = False  # whether the form data held this field (any box, or the whole)

    def part_name(self, part: str) -> str:
        """Return the form name of one box: ``<field name>-day``, ``-month`` or ``-year``."""
        return f"{self.name}-{part}"

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Read the three boxes (or one ISO value) from ``formdata``, else take ``data``."""
        self.process_errors = []
        self.parts, self.bad_parts = {}, ()
        if data is unset_value:
            try:
                data = self.default()
            except TypeError:
                data = self.default
        self.object_data = data
        self.process_data(data)
        self.raw_data: list[str] = []
        self.submitted = False
        if formdata is None:
            return
        has_boxes = any(self.part_name(p) in formdata for p in PARTS)
        self.submitted = has_boxes or self.name in formdata
        if not self.submitted:
            return  # as WTForms' own fields: a field missing from the form keeps its value
        if not has_boxes:
            whole = (formdata.get(self.name) or "").strip()
            match = ISO_DATE.match(whole)
            year, month, day = match.groups() if match else (whole, whole, whole)
            formdata = {self.part_name("day"): day, self.part_name("month"): month}
            formdata[self.part_name("year")] = year
        try:
            self._read_parts(formdata)
        except ValueError as error:
            self.process_errors.append(error.args[0])

    def process_data(self, value: Any) -> None:
        """Take a stored date (or none) as the field's value."""
        self.data = value if isinstance(value, date) else None

    def _read_parts(self, formdata: Any) -> None:
        self.parts = {p: (formdata.get(self.part_name(p)) or "").strip() for p in PARTS}
        self.data = None  # submitted: what the boxes say replaces any stored date
        given = [p for p in PARTS if self.parts[p]]
        # raw_data is what InputRequired and Optional look at: empty when no box was filled.
        self.raw_data = [" ".join(self.parts[p] for p in PARTS)] if given else []
        if not given:
            return
        missing = [p for p in PARTS if not self.parts[p]]
        if missing:
            self.bad_parts = tuple(missing)
            raise ValueError(f"{self.what} must include a {' and '.join(missing)}")
        day, month, year = (self.parts[p] for p in PARTS)
        wrong = tuple(
            p
            for p, text, shape in zip(
                PARTS, (day, month, year), (NUMBER, NUMBER, YEAR), strict=True
            )
            if not shape.match(text)
        )
        if wrong == ("year",) and year.isdigit():
            self.bad_parts = wrong
            raise ValueError(f"{self.what} must have a 4-digit year, for example 2027")
        if wrong:
            self.bad_parts = wrong
            raise ValueError(f"{self.what} must be a real date")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            self.bad_parts = PARTS
            raise ValueError(f"{self.what} must be a real date") from None

    def boxes(self) -> list[dict[str, Any]]:
        """Return the three boxes as govukDateInput items: name, value, width and error mark.

        A box shows the date the field holds, else what was typed (so a wrong date is shown
        again as it was entered, to be put right)."""
        if self.data is not None:
            values = {"day": str(self.data.day), "month": str(self.data.month)}
            values["year"] = str(self.data.year)
        else:
            values = self.parts
        marked = self.bad_parts or (PARTS if self.errors else ())
        return [
            {
                "name": self.part_name(part),
                "id": f"{self.id}-{part}",
                "label": part.capitalize(),
                "value": values.get(part, ""),
                "classes": "govuk-input--width-"
                + ("4" if part == "year" else "2")
                + (" govuk-input--error" if part in marked else ""),
            }
            for part in PARTS
        ]

    def first_box_id(self) -> str:
        """Return the id an error summary links to: the first box with a problem."""
        for part in PARTS:
            if part in self.bad_parts:
                return f"{self.id}-{part}"
        return f"{self.id}-day"
