"""The exposure table as the command-line contract writes it: column order, rounding, empties."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

import pandas as pd

from resilience.spatial.exposure import EXPOSURE_COLUMNS


def exposure_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows as the contract writes them: rounded numbers, None where empty."""
    records = []
    for row in table.itertuples(index=False):
        records.append(
            {
                "zone_id": row.zone_id,
                "ward_code": row.ward_code,
                "ward_name": None if pd.isna(row.ward_name) else row.ward_name,
                "overlap_m2": _rounded(row.overlap_m2, 1),
                "ward_share": _rounded(row.ward_share, 6),
                "zone_share": _rounded(row.zone_share, 6),
                "population": None if pd.isna(row.population) else int(f"{row.population:.0f}"),
            }
        )
    return records


def exposure_cells(table: pd.DataFrame) -> list[list[str | Decimal]]:
    """Return the contract's CSV rows: text as text, numbers as Decimals printed to their places."""
    return [
        [
            record["zone_id"],
            record["ward_code"],
            record["ward_name"] or "",
            Decimal(f"{record['overlap_m2']:.1f}"),
            "" if record["ward_share"] is None else Decimal(f"{record['ward_share']:.6f}"),
            Decimal(f"{record['zone_share']:.6f}"),
            "" if record["population"] is None else Decimal(record["population"]),
        ]
        for record in exposure_records(table)
    ]


def exposure_csv(table: pd.DataFrame) -> str:
    """Return the exposure table as the contract's CSV: header always, "\\n" line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPOSURE_COLUMNS)
    writer.writerows(exposure_cells(table))
    return buffer.getvalue()


def exposure_json(table: pd.DataFrame) -> str:
    """Return the exposure table as a JSON array of objects with the CSV's keys."""
    return json.dumps(exposure_records(table), indent=2, ensure_ascii=False) + "\n"


def _rounded(value: float, places: int) -> float | None:
    # Through the same text as the CSV, so that JSON and CSV never disagree in the last digit.
    return None if pd.isna(value) else float(f"{value:.{places}f}")
