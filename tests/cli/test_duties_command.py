"""`resilience duties`: the DESIGN.md §4 contract, from the outside."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from resilience.cli.duties_commands import duties

HEADER = "plan_id,regime,adopted_on,last_reviewed_on,last_exercised_on,notified_on,extension_agreed"
OUT_HEADER = "plan_id,duty,due_on,status,days_left,basis\n"
# The installed console command, next to the interpreter running the tests.
RESILIENCE = Path(sys.executable).parent / "resilience"


def plans_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def run(tmp_path: Path, text: str | bytes, *args: str) -> Result:
    """Return the result of `resilience duties` on a plans.csv holding ``text``."""
    plans = tmp_path / "plans.csv"
    if isinstance(text, str):
        plans.write_text(text, encoding="utf-8")
    else:
        plans.write_bytes(text)
    return CliRunner().invoke(duties, ["--plans", str(plans), *args])


def run_installed(
    tmp_path: Path, text: str, as_of: str = "2025-01-01"
) -> subprocess.CompletedProcess[str]:
    """Return the result of the real console command, run where plans.csv is."""
    (tmp_path / "plans.csv").write_text(text, encoding="utf-8")
    return subprocess.run(
        [str(RESILIENCE), "duties", "--plans", "plans.csv", "--as-of", as_of],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


def assert_bad_input(result: Result, *parts: str) -> None:
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.endswith("\n")
    for part in parts:
        assert part in result.stderr


# --- output --------------------------------------------------------------------------------


def test_csv_output_is_exact(tmp_path: Path) -> None:
    text = plans_text(
        "P2,pipeline,2024-02-29,,,,",
        "P1,comah_external,,,,2024-08-31,true",
        "P3,cca_local,,,,,",
    )
    result = run(tmp_path, text, "--as-of", "2025-01-01")
    assert result.exit_code == 0
    assert result.stderr == ""
    # Bytes, because Result.stdout turns "\r\n" into "\n".
    assert result.stdout_bytes.decode() == (
        OUT_HEADER
        + "P3,prepare,2025-01-01,due_soon,0,local policy (CCA 2004 s.2 duty to maintain plans)\n"
        # 2024-08-31 + 9 months = 2025-05-31; 30 + 28 + 31 + 30 + 31 = 150 days on
        + 'P1,prepare,2025-05-31,ok,150,"statutory, COMAH 2015 reg. 13"\n'
        # 2024-02-29 + 3 years = 2027-02-28; 365 + 365 + 31 + 27 = 788 days on
        + "P2,exercise,2027-02-28,ok,788,local policy (good practice)\n"
        + 'P2,review,2027-02-28,ok,788,"statutory, PSR 1996 reg. 25"\n'
    )


def test_json_output_has_the_same_keys(tmp_path: Path) -> None:
    text = plans_text("R1,reppir,2021-06-10,2022-01-20,,,")
    result = run(tmp_path, text, "--as-of", "2025-01-01", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "plan_id": "R1",
            "duty": "exercise",
            "due_on": "2024-06-10",
            "status": "overdue",
            "days_left": -205,
            "basis": "statutory, REPPIR 2019 reg. 12",
        },
        {
            "plan_id": "R1",
            "duty": "review",
            "due_on": "2025-01-20",
            "status": "due_soon",
            "days_left": 19,
            "basis": "statutory, REPPIR 2019 reg. 12",
        },
    ]


def test_header_only_gives_header_only(tmp_path: Path) -> None:
    result = run(tmp_path, HEADER + "\n", "--as-of", "2025-01-01")
    assert (result.exit_code, result.stdout, result.stderr) == (0, OUT_HEADER, "")


def test_header_only_as_json_is_an_empty_array(tmp_path: Path) -> None:
    result = run(tmp_path, HEADER, "--as-of", "2025-01-01", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_byte_order_mark_and_crlf_are_accepted(tmp_path: Path) -> None:
    data = ("\ufeff" + HEADER + "\r\nC1,cca_local,2022-04-01,,,,\r\n").encode()
    result = run(tmp_path, data, "--as-of", "2025-01-01")
    assert result.exit_code == 0
    assert result.stdout == (
        OUT_HEADER
        + "C1,exercise,2025-04-01,due_soon,90,local policy\n"
        + "C1,review,2025-04-01,due_soon,90,local policy (CCA 2004 s.2 duty to maintain plans)\n"
    )


def test_columns_may_come_in_any_order_with_extras(tmp_path: Path) -> None:
    text = (
        "notes,extension_agreed,notified_on,last_exercised_on,last_reviewed_on,adopted_on,"
        "regime,plan_id\n"
        "hello,,,,,2022-01-01,cca_local,C1\n"
    )
    result = run(tmp_path, text, "--as-of", "2025-01-01")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == [
        "C1,exercise,2025-01-01,due_soon,0,local policy",
        "C1,review,2025-01-01,due_soon,0,local policy (CCA 2004 s.2 duty to maintain plans)",
    ]


@pytest.mark.parametrize(
    ("flag", "due_on"),
    [
        ("true", "2025-06-15"),
        (" TRUE ", "2025-06-15"),
        ("True", "2025-06-15"),
        ("false", "2025-03-15"),
        ("FALSE", "2025-03-15"),
        ("", "2025-03-15"),
        ("  ", "2025-03-15"),
    ],
)
def test_extension_agreed_values(tmp_path: Path, flag: str, due_on: str) -> None:
    result = run(
        tmp_path, plans_text(f"K1,comah_external,,,,2024-09-15,{flag}"), "--as-of", "2025-01-01"
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split(",")[2] == due_on


def test_output_is_sorted(tmp_path: Path) -> None:
    text = plans_text(
        "B,cca_local,2022-05-01,,,,",
        "A,cca_local,2022-05-01,,2023-01-01,,",
        "C,reppir,,,,,",
    )
    result = run(tmp_path, text, "--as-of", "2025-01-01")
    rows = [line.split(",")[:3] for line in result.stdout.splitlines()[1:]]
    assert rows == [
        ["C", "prepare", "2025-01-01"],
        ["A", "review", "2025-05-01"],
        ["B", "exercise", "2025-05-01"],
        ["B", "review", "2025-05-01"],
        ["A", "exercise", "2026-01-01"],
    ]


def test_installed_command_writes_plain_newlines(tmp_path: Path) -> None:
    (tmp_path / "plans.csv").write_text(plans_text("C1,cca_local,2022-04-01,,,,"))
    done = subprocess.run(
        [str(RESILIENCE), "duties", "--plans", "plans.csv", "--as-of", "2025-01-01"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == (
        b"plan_id,duty,due_on,status,days_left,basis\n"
        b"C1,exercise,2025-04-01,due_soon,90,local policy\n"
        b"C1,review,2025-04-01,due_soon,90,local policy (CCA 2004 s.2 duty to maintain plans)\n"
    )


# --- bad input through the real console command --------------------------------------------


def test_installed_command_reports_a_bad_date(tmp_path: Path) -> None:
    text = plans_text("P1,pipeline,2020-01-01,,,,", "P2,pipeline,2024-02-30,,,,")
    done = run_installed(tmp_path, text)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: plans.csv: row 3: field 'adopted_on': '2024-02-30' is not a date in the form "
        "YYYY-MM-DD"
    ]


def test_installed_command_reports_an_unknown_regime(tmp_path: Path) -> None:
    done = run_installed(tmp_path, plans_text("P1,nuclear,,,,,"))
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "plans.csv: row 2: field 'regime': unknown regime 'nuclear'" in line


def test_installed_command_reports_a_missing_column(tmp_path: Path) -> None:
    text = "plan_id,regime,adopted_on,last_reviewed_on,last_exercised_on,extension_agreed\n"
    done = run_installed(tmp_path, text)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: plans.csv: row 1: field 'notified_on': missing column"
    ]


def test_installed_command_reports_a_duplicate_plan_id(tmp_path: Path) -> None:
    text = plans_text("P1,pipeline,2020-01-01,,,,", "P2,reppir,,,,,", "P1,reppir,,,,,")
    done = run_installed(tmp_path, text)
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "plans.csv: row 4: field 'plan_id': duplicate plan_id 'P1' (first on row 2)" in line


def test_installed_command_reports_a_bad_as_of(tmp_path: Path) -> None:
    done = run_installed(tmp_path, plans_text("P1,pipeline,2020-01-01,,,,"), as_of="01/02/2025")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: option --as-of: '01/02/2025' is not a date in the form YYYY-MM-DD"
    ]


# --- every other kind of bad input ---------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("P1,pipeline,2024-13-01,,,,", "adopted_on"),
        ("P1,pipeline,2024-01-01,2024/01/01,,,", "last_reviewed_on"),
        ("P1,pipeline,2024-01-01,,20240101,,", "last_exercised_on"),
        ("P1,comah_external,,,,yesterday,", "notified_on"),
    ],
)
def test_unparseable_dates(tmp_path: Path, row: str, field: str) -> None:
    assert_bad_input(
        run(tmp_path, plans_text(row), "--as-of", "2025-01-01"),
        "plans.csv",
        "row 2",
        f"field '{field}'",
        "YYYY-MM-DD",
    )


@pytest.mark.parametrize("regime", ["nuclear", "COMAH", "comah", ""])
def test_unknown_regimes(tmp_path: Path, regime: str) -> None:
    assert_bad_input(
        run(tmp_path, plans_text(f"P1,{regime},,,,,"), "--as-of", "2025-01-01"),
        "plans.csv",
        "row 2",
        "field 'regime'",
        "unknown regime",
    )


@pytest.mark.parametrize("column", HEADER.split(","))
def test_each_missing_column(tmp_path: Path, column: str) -> None:
    header = ",".join(name for name in HEADER.split(",") if name != column)
    assert_bad_input(
        run(tmp_path, header + "\n", "--as-of", "2025-01-01"),
        "plans.csv",
        "row 1",
        f"field '{column}'",
        "missing column",
    )


@pytest.mark.parametrize("flag", ["yes", "1", "no", "t"])
def test_bad_extension_agreed(tmp_path: Path, flag: str) -> None:
    assert_bad_input(
        run(
            tmp_path, plans_text(f"P1,comah_external,,,,2024-01-01,{flag}"), "--as-of", "2025-01-01"
        ),
        "plans.csv",
        "row 2",
        "field 'extension_agreed'",
        f"'{flag}' is not true, false or empty",
    )


@pytest.mark.parametrize("plan_id", ["", "   "])
def test_empty_plan_id(tmp_path: Path, plan_id: str) -> None:
    text = plans_text("P1,pipeline,2020-01-01,,,,", f"{plan_id},pipeline,2020-01-01,,,,")
    assert_bad_input(
        run(tmp_path, text, "--as-of", "2025-01-01"),
        "plans.csv",
        "row 3",
        "field 'plan_id'",
        "empty",
    )


@pytest.mark.parametrize("field", ["last_reviewed_on", "last_exercised_on"])
def test_review_or_exercise_without_adoption(tmp_path: Path, field: str) -> None:
    row = (
        "P1,cca_local,,2024-01-01,,,"
        if field == "last_reviewed_on"
        else "P1,cca_local,,,2024-01-01,,"
    )
    assert_bad_input(
        run(tmp_path, plans_text(row), "--as-of", "2025-01-01"),
        "plans.csv",
        "row 2",
        f"field '{field}'",
        "adopted_on is empty",
    )


def test_duplicate_plan_id(tmp_path: Path) -> None:
    text = plans_text("X,cca_local,,,,,", "Y,cca_local,,,,,", " X ,pipeline,,,,,")
    assert_bad_input(
        run(tmp_path, text, "--as-of", "2025-01-01"),
        "plans.csv",
        "row 4",
        "field 'plan_id'",
        "duplicate plan_id 'X' (first on row 2)",
    )


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf", b"  \r\n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    assert_bad_input(run(tmp_path, data, "--as-of", "2025-01-01"), "plans.csv", "empty")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    data = (HEADER + "\nP1,cca_local,,,,,\nP\xe9,cca_local,,,,,\n").encode("latin-1")
    assert_bad_input(
        run(tmp_path, data, "--as-of", "2025-01-01"), "plans.csv", "row 3", "not UTF-8"
    )


def test_binary_file(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    assert_bad_input(
        run(tmp_path, data, "--as-of", "2025-01-01"), "plans.csv", "row 1", "not UTF-8"
    )


def test_geojson_instead_of_csv(tmp_path: Path) -> None:
    text = '{"type": "FeatureCollection", "features": []}\n'
    assert_bad_input(
        run(tmp_path, text, "--as-of", "2025-01-01"),
        "plans.csv",
        "row 1",
        "field 'plan_id'",
        "missing column",
    )


def test_malformed_quoting(tmp_path: Path) -> None:
    text = plans_text("P1,cca_local,,,,,", 'P2,"cca"_local,,,,,')
    assert_bad_input(
        run(tmp_path, text, "--as-of", "2025-01-01"), "plans.csv", "row 3", "not valid CSV"
    )


def test_nul_bytes(tmp_path: Path) -> None:
    text = plans_text("P1,cca_local,,,,,\x00")
    assert_bad_input(
        run(tmp_path, text, "--as-of", "2025-01-01"), "plans.csv", "row 2", "not valid CSV"
    )


def test_row_with_too_few_fields(tmp_path: Path) -> None:
    assert_bad_input(
        run(tmp_path, plans_text("P1,cca_local,2020-01-01"), "--as-of", "2025-01-01"),
        "plans.csv",
        "row 2",
        "3 fields but the header has 7",
    )


def test_row_with_extra_values(tmp_path: Path) -> None:
    assert_bad_input(
        run(tmp_path, plans_text("P1,cca_local,,,,,,surprise"), "--as-of", "2025-01-01"),
        "plans.csv",
        "row 2",
        "8 fields but the header has 7",
    )


def test_trailing_empty_fields_are_tolerated(tmp_path: Path) -> None:
    result = run(tmp_path, plans_text("P1,cca_local,,,,,,,"), "--as-of", "2025-01-01")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("P1,prepare,2025-01-01,due_soon,0,")


def test_rows_count_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    # A blank line is a row; a quoted newline is not a new one.
    text = plans_text("", 'P1,cca_local,,,,,""', '"P\n2",cca_local,2024-02-31,,,,')
    assert_bad_input(
        run(tmp_path, text, "--as-of", "2025-01-01"),
        "plans.csv",
        "row 4",
        "field 'adopted_on'",
    )


def test_duplicate_column(tmp_path: Path) -> None:
    assert_bad_input(
        run(tmp_path, HEADER + ",regime\n", "--as-of", "2025-01-01"),
        "plans.csv",
        "row 1",
        "field 'regime'",
        "more than once",
    )


def test_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        duties, ["--plans", str(tmp_path / "absent.csv"), "--as-of", "2025-01-01"]
    )
    assert_bad_input(result, "absent.csv", "cannot read")


@pytest.mark.parametrize("as_of", ["2025-02-29", "2025-1-1", "tomorrow", "", "20250101"])
def test_bad_as_of(tmp_path: Path, as_of: str) -> None:
    assert_bad_input(
        run(tmp_path, plans_text("P1,cca_local,,,,,"), "--as-of", as_of),
        "--as-of",
        "YYYY-MM-DD",
    )


def test_nothing_partial_on_stdout_when_a_late_row_is_bad(tmp_path: Path) -> None:
    rows = [f"P{n},cca_local,2020-01-01,,,," for n in range(50)]
    text = plans_text(*rows, "LAST,cca_local,not-a-date,,,,")
    assert_bad_input(run(tmp_path, text, "--as-of", "2025-01-01"), "row 52", "field 'adopted_on'")


def test_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run(
        tmp_path, plans_text("P1,cca_local,,,,,"), "--as-of", "2025-01-01", "--format", "xml"
    )
    assert result.exit_code == 2
    assert result.stdout == ""
