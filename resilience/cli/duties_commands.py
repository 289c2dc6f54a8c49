"""`resilience duties`: the plans CSV in, the duties due on a date out (DESIGN.md §4)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

import click

from resilience.cli.input_errors import reports_input_errors
from resilience.domain.duties.plans_csv import parse_iso_date, read_plans_csv
from resilience.domain.duties.rules import Duty, due_duties
from resilience.errors import InputError

DUTY_COLUMNS: tuple[str, ...] = ("plan_id", "duty", "due_on", "status", "days_left", "basis")


@click.command()
@click.option("--plans", "plans_path", required=True, help="Plans CSV (see DESIGN.md §4).")
@click.option("--as-of", "as_of_text", required=True, help="The day to report on, YYYY-MM-DD.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@reports_input_errors
def duties(plans_path: str, as_of_text: str, output_format: str) -> None:
    """Print every plan's review, exercise and prepare duties as on --as-of."""
    # Parsed here rather than by a click type so a bad date is one line, like every bad input.
    try:
        as_of = parse_iso_date(as_of_text)
    except InputError as error:
        raise error.located(location="option --as-of") from None
    found = due_duties(read_plans_csv(plans_path), as_of)
    # Built whole before writing, so bad input never leaves partial output.
    output = duties_json(found) if output_format == "json" else duties_csv(found)
    click.echo(output, nl=False)


def duty_record(duty: Duty) -> dict[str, str | int]:
    """Return one duty as the contract's columns (dates ISO, days_left an int)."""
    return {
        "plan_id": duty.plan_id,
        "duty": duty.duty.value,
        "due_on": duty.due_on.isoformat(),
        "status": duty.status.value,
        "days_left": duty.days_left,
        "basis": duty.basis,
    }


def duties_csv(found: Sequence[Duty]) -> str:
    """Return the duties as CSV text with a header line and "\\n" line endings."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DUTY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(duty_record(duty) for duty in found)
    return buffer.getvalue()


def duties_json(found: Sequence[Duty]) -> str:
    """Return the duties as a JSON array of objects with the CSV's keys, newline-terminated."""
    return json.dumps([duty_record(duty) for duty in found], indent=2) + "\n"
