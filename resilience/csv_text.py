"""Decoding a CSV file's bytes as UTF-8, or an InputError saying where they are not."""

from __future__ import annotations

from resilience.errors import InputError


def csv_text(data: bytes, *, file: str) -> str:
    """Return `data` decoded as UTF-8; raises InputError for other encodings, NUL bytes or no text.

    Rows are numbered as a spreadsheet shows them (the header is row 1).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save it as CSV UTF-8",
            file=file,
            location=f"row {row}",
        ) from None
    if not text.strip():
        raise InputError("the file is empty", file=file)
    if "\x00" in text:
        # Python's csv module accepts NUL since 3.11; a text file never holds one.
        row = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError("not valid CSV: NUL byte", file=file, location=f"row {row}")
    return text
