"""The base of every form in the app: each text field obeys the register's text rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField

from resilience.domain.text_rules import text_problem


class Form(FlaskForm):
    """A FlaskForm whose single-line and multi-line text fields are checked as imports are."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """Return whether every field is valid, text rules included (errors beside the field)."""
        valid = bool(super().validate(extra_validators))
        for field in self:
            if isinstance(field, PasswordField) or not isinstance(field, StringField):
                continue
            if not isinstance(field.data, str):
                continue
            problem = text_problem(field.data, multi_line=isinstance(field, TextAreaField))
            if problem is not None:
                field.errors = [*field.errors, f"{field.label.text} {problem}"]
                valid = False
        return valid
