"""Every file the app hands out is named and sent here: one rule for safe download names.

A name is made of parts (a kind of file, a record's reference, a date) joined by "-"; in each
part anything but ASCII letters, digits, ".", "_" and "-" becomes "-", so that a reference
such as "PLAN/M AHP" cannot make a path, a header or a shell word. Werkzeug quotes the name in
the Content-Disposition header. A stored plan document keeps the name it was uploaded with
(``send_file`` in the plans views), since that is the file the officer knows.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Response

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 150


def file_name(*parts: str | date, ext: str) -> str:
    """Return a safe download name, e.g. file_name("briefing", "PLAN/1", date, ext="pdf")."""
    cleaned = [
        _UNSAFE.sub("-", part.isoformat() if isinstance(part, date) else part).strip("-.")
        for part in parts
    ]
    stem = "-".join(part for part in cleaned if part)[:MAX_NAME].strip("-.") or "download"
    return f"{stem}.{ext}"


def download(body: bytes | str, mimetype: str, name: str, *, inline: bool = False) -> Response:
    """Return ``body`` as a file called ``name`` (made with ``file_name``), not to be cached."""
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "inline" if inline else "attachment", filename=name)
    response.headers["Cache-Control"] = "no-store"
    return response
