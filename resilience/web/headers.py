"""Security headers on every response: no third-party origin may be loaded by any page.

Also: HSTS on HTTPS responses, no caching of anything but static assets, and werkzeug's ProxyFix
when RESILIENCE_PROXY_HOPS says how many trusted proxies (e.g. a TLS terminator) sit in front.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

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
# One year; no includeSubDomains, since a council's other hosts are not this app's to decide.
HSTS = "max-age=31536000"
STATIC_ENDPOINTS = frozenset({"static", "maps.static"})
PROXY_HOPS_VARIABLE = "RESILIENCE_PROXY_HOPS"


def proxy_hops_from_environment() -> int:
    """Return RESILIENCE_PROXY_HOPS (0 to 5; 0, the default, trusts no X-Forwarded-* header)."""
    text = os.environ.get(PROXY_HOPS_VARIABLE, "").strip() or "0"
    if not text.isdigit() or int(text) > 5:
        raise ValueError(f"{PROXY_HOPS_VARIABLE} must be a whole number from 0 to 5, not {text!r}")
    return int(text)


def register(app: Flask) -> None:
    """Add the security headers to every response of `app`, and ProxyFix if configured."""
    hops = int(app.config.setdefault("PROXY_HOPS", proxy_hops_from_environment()))
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    @app.after_request
    def _security_headers(response: Response) -> Response:
        is_map = request.endpoint is not None and request.endpoint.startswith("maps.")
        response.headers.setdefault("Content-Security-Policy", MAP_CSP if is_map else STRICT_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = HSTS
        if request.endpoint not in STATIC_ENDPOINTS and "no-store" not in (
            response.headers.get("Cache-Control") or ""
        ):
            # Plans, registers, exports and admin pages must not stay in a shared browser's cache.
            response.headers["Cache-Control"] = "no-store"
        return response
