"""Turning the text of a file cell or a form field into a stored value, or a located InputError."""

from __future__ import annotations

import math
from typing import Any

from resilience.domain.register.layers import FieldSpec
from resilience.domain.text_rules import checked_text
from resilience.errors import InputError


def _is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and not raw.strip()


def coerce_value(spec: FieldSpec, raw: Any) -> Any:
    """Return `raw` as the field's stored value; raises InputError naming the field."""
    if _is_blank(raw):
        if spec.required:
            raise InputError("is required but empty", field=spec.name)
        return None if spec.kind in ("number", "integer", "choice") else ""
    if spec.kind in ("text", "longtext"):
        return checked_text(str(raw).strip(), spec.name, multi_line=spec.kind == "longtext")
    if spec.kind == "choice":
        text = str(raw).strip()
        for value, label in spec.choices:
            if text.lower() in (value, label.lower()):
                return value
        allowed = ", ".join(value for value, _ in spec.choices)
        raise InputError(f"{text!r} is not one of: {allowed}", field=spec.name)
    try:
        number = float(str(raw).strip().replace(",", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise InputError(f"{raw!r} is not a number", field=spec.name) from None
    if not math.isfinite(number):
        raise InputError(f"{raw!r} is not a finite number", field=spec.name)
    if spec.minimum is not None and number < spec.minimum:
        raise InputError(f"{number:g} is below the minimum {spec.minimum:g}", field=spec.name)
    if spec.kind == "integer":
        if not number.is_integer():
            raise InputError(f"{raw!r} is not a whole number", field=spec.name)
        return int(number)
    return number
