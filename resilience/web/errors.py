"""Error pages: bad input gets a 4xx page that says what was wrong, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

TITLES = {
    400: "There is a problem with what was sent",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    413: "The file is too large",
}


def register(app: Flask) -> None:
    """Render HTTP errors with the service layout."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        title = TITLES.get(code, "Sorry, there is a problem with the service")
        return render_template("error.html", title=title, detail=error.description, code=code), code
