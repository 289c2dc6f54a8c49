"""Compressed responses (Flask-Compress): zstd, Brotli or gzip, as the browser accepts.

Pages, map documents, JSON, GeoJSON, CSV, calendars and the static assets are compressed; at
national scale the overview map is mostly GeoJSON text, which compresses several times over.

A response that holds this session's CSRF token is sent as it is. Compressing a secret beside
text the requester can choose (a search term echoed on the page) lets an eavesdropper on the
encrypted connection guess the secret from the compressed length (the BREACH attack). Pages
with forms are small; the large responses (maps, exports) carry no token.
"""

from __future__ import annotations

from flask import Flask, Response, g
from flask_compress import Compress

MIMETYPES = (
    "text/html",
    "text/css",
    "text/csv",
    "text/calendar",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "application/vnd.google-earth.kml+xml",
    "image/svg+xml",
)
# Flask-WTF keeps the token it put on this response's page in flask.g under the field's name.
CSRF_TOKEN_FIELD = "WTF_CSRF_FIELD_NAME"


def register(app: Flask) -> None:
    """Compress `app`'s responses, except those that carry a CSRF token."""
    app.config.setdefault("COMPRESS_REGISTER", False)  # called below, with the token check
    app.config.setdefault("COMPRESS_MIMETYPES", list(MIMETYPES))
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br"])
    # Fast levels: the national overview page (13.6 MB) took 3.1 s at gzip's default level 6 and
    # 1.5 s at Brotli's 4, each time it is sent; zstd's default (3) took 0.4 s. Chromium asks
    # for zstd, so gzip and Brotli serve other clients, at level 1.
    app.config.setdefault("COMPRESS_LEVEL", 1)
    app.config.setdefault("COMPRESS_BR_LEVEL", 1)
    compress = Compress(app)

    @app.after_request
    def _compressed(response: Response) -> Response:
        if app.config.get(CSRF_TOKEN_FIELD, "csrf_token") in g:
            return response
        body = response.response
        compressed: Response = compress.after_request(response)
        if compressed.response is not body and hasattr(body, "close"):
            # A file sent as a stream is wrapped in a compressing one; close the file with it.
            compressed.call_on_close(body.close)
        return compressed
