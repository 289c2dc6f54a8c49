"""Ward populations from a `ward_code,population` CSV (e.g. the ONS ward-level estimates)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from pathlib import Path

from resilience.csv_text import csv_text
from resilience.errors import InputError


def read_population_csv(path: str) -> dict[str, float]:
    """Return population by ward code from a ``ward_code,population`` CSV file."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", file=path) from None
    return parse_population_csv(data, file=path)


def parse_population_csv(data: bytes, *, file: str) -> dict[str, float]:
    """Return population by ward code from CSV bytes (UTF-8, BOM allowed; other columns ignored).

    Rows are numbered as a spreadsheet shows them (the header is row 1). Raises InputError for
    a missing column, a blank ward code, a population that is not a finite number of 0 or
    more, a ward code given twice, or a file with no rows.
    """
    return {code: value for code, (value, _row) in population_csv_rows(data, file=file).items()}


def population_csv_rows(data: bytes, *, file: str) -> dict[str, tuple[float, int]]:
    """Return (population, row number) by ward code from CSV bytes, as ``parse_population_csv``."""
    text = csv_text(data, file=file)
    try:
        return _populations(csv.reader(io.StringIO(text, newline=""), strict=True))
    except InputError as error:
        raise error.located(file=file) from None


def _populations(reader: Iterable[list[str]]) -> dict[str, tuple[float, int]]:
    rows = iter(reader)
    row_number = 0
    try:
        header = [name.strip() for name in next(rows)]
        row_number = 1
        positions = {}
        for column in ("ward_code", "population"):
            if column not in header:
                listed = ", ".join(header) or "none"
                raise InputError(
                    f"missing column; the columns are: {listed}", location="row 1", field=column
                )
            if header.count(column) > 1:
                raise InputError("column appears more than once", location="row 1", field=column)
            positions[column] = header.index(column)
        populations: dict[str, tuple[float, int]] = {}
        first_row_of: dict[str, int] = {}
        for row_number, fields in enumerate(rows, start=2):
            if not fields or not any(f.strip() for f in fields):
                continue
            where = f"row {row_number}"
            code = _field(fields, positions["ward_code"]).strip()
            if not code:
                raise InputError("missing or empty", location=where, field="ward_code")
            if code in first_row_of:
                raise InputError(
                    f"{code!r} is also on row {first_row_of[code]}; each ward_code must be unique",
                    location=where,
                    field="ward_code",
                )
            populations[code] = (
                _population(_field(fields, positions["population"]), where),
                row_number,
            )
            first_row_of[code] = row_number
    except csv.Error as error:
        raise InputError(f"not valid CSV: {error}", location=f"row {row_number + 1}") from None
    if not populations:
        raise InputError("has a header but no rows")
    return populations


def _field(fields: list[str], index: int) -> str:
    return fields[index] if index < len(fields) else ""


def _population(text: str, where: str) -> float:
    value = text.strip()
    if not value:
        raise InputError("missing or empty", location=where, field="population")
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{value!r} is not a number", location=where, field="population") from None
    if not math.isfinite(number) or number < 0:
        raise InputError(
            f"{value!r} is not a population (a number, 0 or more)",
            location=where,
            field="population",
        )
    return number
