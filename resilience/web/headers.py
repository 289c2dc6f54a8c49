"""Security headers on every response: no third-party origin may be loaded by any page."""

from __future__ import annotations

from flask import Flask, Response, request

# Map pages carry folium's inline scripts and styles; every other page carries none.
STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
MAP_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)


def register(app: Flask) -> None:
    """Add the security headers to every response of `app`."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        is_map = request.endpoint is not None and request.endpoint.startswith("maps.")
        response.headers.setdefault("Content-Security-Policy", MAP_CSP if is_map else STRICT_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
