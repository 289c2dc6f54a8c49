"""Reading the plans CSV of the `resilience duties` contract into validated PlanDates.

Shared by the command line and the web app's upload. Rows are numbered as a spreadsheet shows
them: the header is row 1 and the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from resilience.csv_text import csv_text
from resilience.domain.duties.rules import PlanDates, Regime, check_plan
from resilience.errors import InputError

PLAN_COLUMNS: tuple[str, ...] = (
    "plan_id",
    "regime",
    "adopted_on",
    "last_reviewed_on",
    "last_exercised_on",
    "notified_on",
    "extension_agreed",
)
# Columns a file may leave out: without them the output is exactly as before they existed.
OPTIONAL_COLUMNS: tuple[str, ...] = ("agreed_prepare_by",)
DATE_COLUMNS: tuple[str, ...] = (
    "adopted_on",
    "last_reviewed_on",
    "last_exercised_on",
    "notified_on",
    "agreed_prepare_by",
)

# date.fromisoformat also takes "20240229" and week dates; the contract says YYYY-MM-DD only.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_REGIMES = ", ".join(sorted(regime.value for regime in Regime))


def parse_iso_date(text: str) -> date:
    """Return the date written as YYYY-MM-DD; raise InputError (no location) otherwise."""
    text = text.strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InputError(f"'{text}' is not a date in the form YYYY-MM-DD")


def read_plans_csv(path: str | Path) -> list[PlanDates]:
    """Return the plans in the CSV file at ``path``; raise InputError naming the file if bad."""
    file = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=file) from None
    return parse_plans_csv(data, file=file)


def parse_plans_csv(data: bytes, *, file: str) -> list[PlanDates]:
    """Return the plans in CSV bytes (UTF-8, BOM allowed); raise InputError with file and row."""
    text = csv_text(data, file=file)
    try:
        return _plans_from_rows(text)
    except InputError as error:
        raise error.located(file=file) from None


def _plans_from_rows(text: str) -> list[PlanDates]:
    """Return the plans in CSV text; raise InputError with the row (the caller adds the file)."""
    # csv.reader yields [] for a blank line, so counting records (not lines, which a quoted
    # newline would throw off) gives the row number a spreadsheet shows.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row_number = 0  # the last record read whole
    try:
        header = next(reader)
        row_number = 1
        positions = _column_positions(header)
        plans: list[PlanDates] = []
        first_row_of: dict[str, int] = {}
        for row_number, fields in enumerate(reader, start=2):
            if not fields:
                continue
            try:
                plan = plan_from_fields(fields, positions, len(header))
            except InputError as error:
                raise error.located(location=f"row {row_number}") from None
            if plan.plan_id in first_row_of:
                raise InputError(
                    f"duplicate plan_id '{plan.plan_id}' (first on row "
                    f"{first_row_of[plan.plan_id]})",
                    location=f"row {row_number}",
                    field="plan_id",
                )
            first_row_of[plan.plan_id] = row_number
            plans.append(plan)
    except csv.Error as error:
        # The reader has not counted the record it failed on.
        raise InputError(f"not valid CSV: {error}", location=f"row {row_number + 1}") from None
    return plans


def _column_positions(header: Sequence[str]) -> dict[str, int]:
    """Return where each contract column is in the header; raise InputError if one is missing."""
    names = [name.strip() for name in header]
    positions: dict[str, int] = {}
    for column in PLAN_COLUMNS:
        count = names.count(column)
        if count == 0:
            raise InputError("missing column", location="row 1", field=column)
        if count > 1:
            raise InputError("column appears more than once", location="row 1", field=column)
        positions[column] = names.index(column)
    for column in OPTIONAL_COLUMNS:
        count = names.count(column)
        if count > 1:
            raise InputError("column appears more than once", location="row 1", field=column)
        if count:
            positions[column] = names.index(column)
    return positions


def plan_from_fields(
    fields: Sequence[str], positions: dict[str, int], header_length: int
) -> PlanDates:
    """Return the plan in one data row; raise InputError naming the field (no file or row)."""
    if len(fields) < header_length:
        raise InputError(f"the row has {len(fields)} fields but the header has {header_length}")
    if any(extra.strip() for extra in fields[header_length:]):
        raise InputError(f"the row has {len(fields)} fields but the header has {header_length}")
    values = {column: fields[index].strip() for column, index in positions.items()}
    return plan_from_values(values)


def plan_from_values(values: dict[str, str]) -> PlanDates:
    """Return the plan for one row's column -> text mapping; raise InputError naming the field."""
    plan_id = values["plan_id"]
    if not plan_id:
        raise InputError("plan_id is empty", field="plan_id")
    try:
        regime = Regime(values["regime"])
    except ValueError:
        raise InputError(
            f"unknown regime '{values['regime']}' (expected one of {_REGIMES})", field="regime"
        ) from None
    dates: dict[str, date | None] = {}
    for column in DATE_COLUMNS:
        text = values.get(column, "")
        try:
            dates[column] = parse_iso_date(text) if text else None
        except InputError as error:
            raise InputError(error.problem, field=column) from None
    plan = PlanDates(
        plan_id=plan_id,
        regime=regime,
        adopted_on=dates["adopted_on"],
        last_reviewed_on=dates["last_reviewed_on"],
        last_exercised_on=dates["last_exercised_on"],
        notified_on=dates["notified_on"],
        extension_agreed=_parse_flag(values["extension_agreed"]),
        agreed_prepare_by=dates["agreed_prepare_by"],
    )
    check_plan(plan)
    return plan


def _parse_flag(text: str) -> bool:
    """Return True for "true", False for "false" or empty (any case); raise InputError otherwise."""
    flag = text.strip().lower()
    if flag == "true":
        return True
    if flag in ("false", ""):
        return False
    raise InputError(f"'{text}' is not true, false or empty", field="extension_agreed")
