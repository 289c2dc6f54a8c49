"""How a view saves: a domain error stores nothing and goes beside its field; one place commits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from wtforms import StringField

from resilience.errors import InputError, InputErrors
from resilience.storage.models import User
from resilience.web.forms import Form
from resilience.web.saving import saving

WEB = Path(__file__).parents[2] / "resilience" / "web"


class NameForm(Form):
    title = StringField("Title")
    email = StringField("E-mail address")
    file = StringField("File")


def _add_user(session: object, email: str) -> None:
    session.add(User(email=email, password_hash="x", role="member"))  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]


def _users(app: Flask) -> int:
    with app.app_context(), app.extensions["sessions"]() as session:
        return int(session.scalar(select(func.count()).select_from(User)))


def test_work_of_a_block_that_raises_no_error_is_stored(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = NameForm()
        with saving(form, "title") as attempt:
            _add_user(attempt.session, "saved@council.test")
        assert attempt.saved
        assert not form.title.errors
    assert _users(app) == 1


def test_a_domain_error_stores_nothing_and_is_shown_beside_the_field_it_names(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = NameForm()
        with saving(form, "title") as attempt:
            _add_user(attempt.session, "half@council.test")
            raise InputError("another user already has this address", field="email")
        assert not attempt.saved
        assert form.email.errors == ["Another user already has this address"]
        assert not form.title.errors
    assert _users(app) == 0


def test_an_error_naming_no_field_of_the_form_goes_beside_the_default(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = NameForm()
        with saving(form, "title", fields={"geometry": "file"}) as attempt:
            raise InputError("PLAN-7 is not a plan", field="validate")  # a method, not a field
        with saving(form, "title", fields={"geometry": "file"}) as mapped:
            raise InputError("enter a location", field="geometry")
        assert not attempt.saved and not mapped.saved
        # The first letter is made upper case; the rest (a reference) is kept as written.
        assert form.title.errors == ["PLAN-7 is not a plan"]
        assert form.file.errors == ["Enter a location"]


def test_a_file_with_several_problems_is_listed_beside_the_file_field(app: Flask) -> None:
    problems = [
        InputError("'abc' is not a number", location="row 4", field="title"),
        InputError("is required", location="row 9", field="email"),
    ]
    with app.test_request_context(method="POST"):
        form = NameForm()
        with saving(form, "file"):
            raise InputErrors(problems, file="sites.csv")
        # A file's column names are not the form's fields: all goes beside the file.
        assert not form.title.errors and not form.email.errors
        assert form.file.errors[0] == "Nothing was stored: sites.csv has 2 problems."
        assert len(form.file.errors) == 3
        assert "row 4" in form.file.errors[1] and "'abc' is not a number" in form.file.errors[1]


def test_what_was_done_outside_the_database_is_undone_when_nothing_is_stored(
    app: Flask, tmp_path: Path
) -> None:
    stored = tmp_path / "version.pdf"
    with app.test_request_context(method="POST"):
        form = NameForm()
        with saving(form, "file") as attempt:
            stored.write_bytes(b"%PDF")
            attempt.undo_if_not_stored(stored.unlink)
            raise InputError("the file is empty")
    assert not stored.exists()


def test_other_errors_go_on_up_and_store_nothing(app: Flask) -> None:
    with app.test_request_context(method="POST"):
        form = NameForm()
        with pytest.raises(RuntimeError), saving(form, "title") as attempt:
            _add_user(attempt.session, "broken@council.test")
            raise RuntimeError("a bug")
        attempt.session.rollback()  # what the request's teardown does
    assert _users(app) == 0


def test_no_view_commits_or_rolls_back_but_through_saving() -> None:
    calls = re.compile(r"\.(commit|rollback)\(\)")
    found = {
        str(path.relative_to(WEB))
        for path in WEB.rglob("*.py")
        if calls.search(path.read_text(encoding="utf-8"))
    }
    # saving.py commits and rolls back a form's work; errors.py rolls back after a failed request.
    assert found == {"saving.py", "errors.py"}
