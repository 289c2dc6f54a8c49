"""How a view saves: the one place a request's work is committed, and the one way a domain
error (``InputError``) reaches the form that caused it.

A view that saves from a form does so inside ``with saving(form, field)``; a view that changes
something without a form (marking a notice read, withdrawing an invitation) calls ``commit``.
Nothing else in the web layer commits or rolls back: the request's session is closed, and
anything uncommitted rolled back, at teardown (``web/db.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import Field

from resilience.errors import InputError, InputErrors
from resilience.web.db import db_session


def commit() -> None:
    """Commit this request's work."""
    db_session().commit()


def sentence(problem: str) -> str:
    """Return a problem as a message beside a field: its first letter upper case, the rest kept."""
    return problem[:1].upper() + problem[1:]


def error_lines(error: InputError) -> list[str]:
    """Return what a page says of an error: one line, or for a file with several problems a
    count and one line each. An error located in a file keeps its file, row and field."""
    if isinstance(error, InputErrors) and len(error.errors) > 1:
        count = len(error.errors)
        return [f"Nothing was stored: {error.file} has {count:,} problems.", *error.lines]
    if error.file or error.location:
        return [str(error)]
    return [sentence(error.problem)]


def show_error(
    form: FlaskForm, error: InputError, default: str, fields: Mapping[str, str] | None = None
) -> None:
    """Put ``error`` beside the form field it names, else beside the field called ``default``.

    ``fields`` maps the domain's field names to the form's where they differ (the domain's
    ``geometry`` is the form's ``geometry_text``, say). An error located in a file names the
    file's column, not a form field, so it goes beside ``default`` (the file's field).
    """
    name = (fields or {}).get(error.field or "", error.field or "")
    field = getattr(form, name, None) if name and not error.file else None
    if not isinstance(field, Field):
        field = getattr(form, default)
    field.errors = [*field.errors, *error_lines(error)]


@dataclass
class Attempt:
    """One try at saving: the session to work in, and whether the work was stored."""

    session: Session
    saved: bool = False
    _undo: list[Callable[[], None]] = dataclass_field(default_factory=list)

    def undo_if_not_stored(self, action: Callable[[], None]) -> None:
        """Run ``action`` (remove a stored file, say) if this work is not committed after all."""
        self._undo.append(action)

    def _run_undo(self) -> None:
        for action in reversed(self._undo):
            action()


@contextmanager
def saving(
    form: FlaskForm, default: str, fields: Mapping[str, str] | None = None
) -> Iterator[Attempt]:
    """Save from a form: commit the block's work, or show its domain error beside the field.

    ::

        with saving(form, "title") as attempt:
            plan = save_plan(attempt.session, form.values(), today)
        if attempt.saved:
            return redirect(...)

    On an ``InputError`` nothing is stored: the work is rolled back, the error is put beside its
    field (see ``show_error``) and ``attempt.saved`` stays False, so that the view shows the form
    again. Any other exception goes on up, and teardown rolls the work back.
    """
    attempt = Attempt(db_session())
    try:
        yield attempt
        commit()
    except InputError as error:
        attempt.session.rollback()
        attempt._run_undo()
        show_error(form, error, default, fields)
        return
    except BaseException:
        attempt._run_undo()
        raise
    attempt.saved = True
