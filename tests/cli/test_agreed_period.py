"""`resilience duties` with the optional `agreed_prepare_by` column (COMAH 2015 reg. 13(2)):
the agreed date replaces notified_on + 6 months, within the window the regulation allows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_duties_command import HEADER, OUT_HEADER, assert_bad_input, run

AGREED_HEADER = HEADER + ",agreed_prepare_by"


def agreed_text(*rows: str) -> str:
    return "\n".join([AGREED_HEADER, *rows]) + "\n"


@pytest.mark.parametrize(
    ("notified_on", "agreed", "days_left"),
    [
        ("2024-08-31", "2025-02-28", 58),  # + 6 months clamps to 28 February: the earliest
        ("2024-08-31", "2025-05-31", 150),  # + 9 months: the latest
        ("2023-05-29", "2024-02-29", 0),  # + 9 months lands on 29 February of a leap year
        ("2024-02-29", "2024-10-15", 287),
    ],
)
def test_the_agreed_date_is_the_due_date(
    tmp_path: Path, notified_on: str, agreed: str, days_left: int
) -> None:
    as_of = "2024-02-29" if agreed == "2024-02-29" else "2025-01-01"
    if notified_on == "2024-02-29":
        as_of = "2024-01-02"
    result = run(
        tmp_path,
        agreed_text(f"P1,comah_external,,,,{notified_on},,{agreed}"),
        "--as-of",
        as_of,
    )
    assert result.exit_code == 0, result.stderr
    line = result.stdout.splitlines()[1].split(",")
    assert line[:3] == ["P1", "prepare", agreed]
    assert int(line[4]) == days_left


def test_without_the_column_output_is_byte_for_byte_as_before(tmp_path: Path) -> None:
    rows = ("P1,comah_external,,,,2024-08-31,", "P2,comah_external,,,,2024-08-31,true")
    before = run(tmp_path, "\n".join([HEADER, *rows]) + "\n", "--as-of", "2025-01-01")
    empty = run(tmp_path, agreed_text(*(r + "," for r in rows)), "--as-of", "2025-01-01")
    assert before.exit_code == 0
    assert before.stdout.startswith(OUT_HEADER)
    assert empty.stdout == before.stdout  # an empty agreed_prepare_by changes nothing


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("P1,comah_external,,,,2024-08-31,,2025-02-27", "earlier than notified_on + 6 months"),
        ("P1,comah_external,,,,2024-08-31,,2025-06-01", "later than notified_on + 9 months"),
        ("P1,comah_external,,,,,,2025-03-01", "needs notified_on"),
        ("P1,comah_external,2025-01-01,,,2024-08-31,,2025-03-01", "this plan is adopted"),
        ("P1,pipeline,,,,2024-08-31,,2025-03-01", "only for a comah_external plan"),
        ("P1,comah_external,,,,2024-08-31,,2025-3-1", "not a date in the form YYYY-MM-DD"),
    ],
)
def test_bad_agreed_dates_are_refused_naming_row_and_field(
    tmp_path: Path, row: str, words: str
) -> None:
    result = run(tmp_path, agreed_text(row), "--as-of", "2025-01-01")
    assert_bad_input(result, "row 2", "agreed_prepare_by", words)
