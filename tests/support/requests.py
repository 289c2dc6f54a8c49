"""Requests by endpoint name, as a user follows the app's own links: URLs from `url_for`."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for


def url(app: Flask, endpoint: str, **values: Any) -> str:
    """Return the path of `endpoint` with `values` (outside any request, as the tests are)."""
    with app.test_request_context():
        return url_for(endpoint, **values)
