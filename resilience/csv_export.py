"""The one CSV writer for every file the web app serves: spreadsheet-safe cells, CRLF line ends.

A spreadsheet (Excel, LibreOffice Calc) runs a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula, and some treat a leading tab or carriage return the same way: a register
value such as ``=HYPERLINK("http://x")`` would become a live link in an officer's spreadsheet.
Every *text* cell starting with one of those characters is written with a single quote before
it, which both programs show as text (OWASP's advice for CSV injection). Numbers are written
as numbers and never prefixed, so ``-2.73`` stays a number a spreadsheet can add up.

The stateless commands of the command line (``resilience zones``, ``exposure``, ``duties``)
do not use this writer: their output is a contract and stays byte for byte as it was.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINE_END = "\r\n"  # RFC 4180


def spreadsheet_cell(value: object) -> str:
    """Return `value` as the text of one CSV cell; text that a spreadsheet would run is quoted.

    None and NaN are empty; ints, floats and Decimals are written as numbers (never prefixed);
    anything else is written as its text, with a ``'`` before a formula-starting character.
    """
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return "" if value.is_nan() else str(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if isinstance(value, numbers.Integral):
            return str(int(value))
        number = float(value)
        return "" if math.isnan(number) else repr(number)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Return the header and rows as CSV text with CRLF line ends and spreadsheet-safe cells."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow([spreadsheet_cell(name) for name in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
    return out.getvalue()
