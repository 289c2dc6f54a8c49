"""GOV.UK Frontend's own macros (govuk-frontend-jinja) for the app's templates."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from jinja2 import BaseLoader, BytecodeCache, ChoiceLoader, PackageLoader, PrefixLoader
from jinja2.bccache import Bucket
from markupsafe import Markup
from wtforms import Field, PasswordField

# govuk-frontend-jinja 3.10.0 (pinned in pyproject.toml) ports the macros of GOV.UK Frontend
# 5.14.0; the CSS and JavaScript vendored in static/govuk must be that release
# (scripts/vendor-assets.json). tests/web/test_layout.py checks that the three agree.
GOVUK_FRONTEND_JINJA_VERSION = "3.10.0"
GOVUK_FRONTEND_VERSION = "5.14.0"
PREFIX = "govuk_frontend_jinja/"
IMPORTED = re.compile(r"[\"'](govuk_frontend_jinja/[\w./-]+\.html)[\"']")


class _CompiledMacros(BytecodeCache):
    """GOV.UK's macro templates compiled once for the whole process, whichever app asks.

    Only those templates: they are the same files, and use no extension, in every app. Jinja
    checks each entry against the template's source, so a changed file is compiled again."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()

    def get_bucket(self, environment: Any, name: str, filename: str | None, source: str) -> Bucket:
        if not name.startswith(PREFIX):
            return Bucket(environment, "", "")  # never stored: compiled as usual
        return super().get_bucket(environment, name, filename, source)

    def set_bucket(self, bucket: Bucket) -> None:
        if bucket.key:
            super().set_bucket(bucket)


COMPILED_MACROS = _CompiledMacros()


def use_govuk_frontend(app: Flask) -> None:
    """Let the app's templates import "govuk_frontend_jinja/components/<name>/macro.html", and
    give them the helpers of macros/forms.html that turn WTForms fields into macro parameters."""
    loaders: list[BaseLoader] = []
    if app.jinja_loader is not None:
        loaders.append(app.jinja_loader)
    loaders.append(PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}))
    app.jinja_loader = ChoiceLoader(loaders)
    app.jinja_env.bytecode_cache = COMPILED_MACROS
    for helper in (field_params, label_params, option_items, input_value):
        app.add_template_global(helper)


def compile_govuk_macros(app: Flask) -> None:
    """Compile now the GOV.UK macros the app's templates import, and those they import.

    Compiling them takes most of a second: done here, at start-up, rather than in the first
    request (and once per process, however many apps it makes)."""
    env = app.jinja_env
    waiting = [name for name in env.list_templates(["html"]) if not name.startswith(PREFIX)]
    seen: set[str] = set()
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        waiting.extend(IMPORTED.findall(source))
        if name.startswith(PREFIX):
            env.get_template(name)


def field_params(field: Field, hint: str | None = None) -> dict[str, Any]:
    """Return the id, name, hint and error parameters of a GOV.UK macro for a WTForms field."""
    params: dict[str, Any] = {"id": field.id, "name": field.name}
    hint_text = field.description if hint is None else hint
    if hint_text:
        params["hint"] = {"text": hint_text}
    if field.errors:
        # Every error, escaped, one a line: the text rules may add one to a validator's.
        params["errorMessage"] = {"html": Markup("<br>").join(field.errors)}
    return params


def label_params(
    field: Field, label: str | None = None, classes: str = "", page_heading: bool = False
) -> dict[str, Any]:
    """Return the label (or legend) parameter of a GOV.UK macro: the field's label unless given."""
    text = field.label.text if label is None else label
    return {"text": text, "classes": classes, "isPageHeading": page_heading}


def option_items(
    field: Field, chosen_key: str, item_hints: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Return the options of a select, radio or multiple-choice field as GOV.UK items.

    ``chosen_key`` is "selected" for a select, "checked" for radios and checkboxes.
    """
    items = []
    for option in field:
        value = option._value()
        item: dict[str, Any] = {"value": value, "text": option.label.text}
        item[chosen_key] = bool(option.checked)
        if item_hints and item_hints.get(value):
            item["hint"] = {"text": item_hints[value]}
        items.append(item)
    return items


def input_value(field: Field) -> str:
    """Return the value a text box shows again: what was entered, never a password."""
    if isinstance(field, PasswordField):
        return ""
    return str(field._value())
