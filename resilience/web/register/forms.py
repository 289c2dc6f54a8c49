"""Forms for editing a layer's records, made from the layer's field list."""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from wtforms import (
    DecimalField,
    Field,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from resilience.domain import text_rules
from resilience.domain.register.layers import FieldSpec, Layer
from resilience.errors import InputError
from resilience.spatial.geometry_text import check_wgs84_geometry, parse_geometry_text
from resilience.web.date_input import DateInputField
from resilience.web.forms import Form
from resilience.web.saving import sentence

IDENTIFIER = Regexp(
    rf"^{text_rules.IDENTIFIER.pattern}$",
    message=sentence(text_rules.IDENTIFIER_RULE),
)


def _field(spec: FieldSpec) -> Field:
    validators: list[Any] = (
        [DataRequired(f"Enter the {spec.label.lower()}")] if spec.required else [Optional()]
    )
    description = spec.hint
    if spec.kind == "choice":
        pairs = ([] if spec.required else [("", "Not known")]) + list(spec.choices)
        choices = [SelectChoice(value, label) for value, label in pairs]
        return SelectField(
            spec.label, choices=choices, validators=validators, description=description
        )
    if spec.kind in ("number", "integer"):
        if spec.minimum is not None:
            validators.append(
                NumberRange(min=spec.minimum, message=f"Must be {spec.minimum:g} or more")
            )
        number_class = IntegerField if spec.kind == "integer" else DecimalField
        return number_class(spec.label, validators=validators, description=description)
    if spec.kind == "date":
        return DateInputField(
            spec.label, validators=validators, what=spec.what or None, description=description
        )
    if spec.kind == "longtext":
        return TextAreaField(spec.label, validators=validators, description=description)
    return StringField(spec.label, validators=validators, description=description)


class RecordForm(Form):
    """Common behaviour of every layer's form: the geometry from lat/lon or typed text."""

    layer: Layer

    def clean_geometry(self) -> BaseGeometry:
        """Return the geometry the form describes (valid after validate())."""
        return self._geometry

    def validate_geometry_text(self, field: Field) -> None:
        has_point = getattr(self, "latitude", None) is not None and (
            self.latitude.data is not None or self.longitude.data is not None
        )
        try:
            if field.data and field.data.strip():
                self._geometry = parse_geometry_text(field.data, self.layer.geometry_types)
            elif has_point:
                if self.latitude.data is None or self.longitude.data is None:
                    raise InputError("enter both latitude and longitude")
                point = Point(float(self.longitude.data), float(self.latitude.data))
                self._geometry = check_wgs84_geometry(point, self.layer.geometry_types)
            else:
                raise InputError("enter a location")
        except InputError as error:
            raise ValidationError(sentence(error.problem)) from None

    def validate_middle_m(self, field: Field) -> None:
        _increasing(self, "inner_m", field)

    def validate_outer_m(self, field: Field) -> None:
        _increasing(self, "middle_m", field)

    def fill_from(self, record: Any) -> None:
        """Put a stored record's values into the form (for editing)."""
        self.ref.data = getattr(record, self.layer.id_attr)
        for spec in (*self.layer.fields, *self.layer.duty_fields):
            getattr(self, spec.name).data = getattr(record, spec.name)
        geometry = record.geometry
        if geometry.geom_type == "Point" and hasattr(self, "latitude"):
            self.latitude.data, self.longitude.data = geometry.y, geometry.x
        else:
            self.geometry_text.data = shapely.to_wkt(geometry, rounding_precision=7)

    def values(self) -> dict[str, Any]:
        """Return the stored values the form holds, keyed by model attribute."""
        values: dict[str, Any] = {self.layer.id_attr: self.ref.data.strip()}
        for spec in (*self.layer.fields, *self.layer.duty_fields):
            data = getattr(self, spec.name).data
            if spec.kind == "number" and data is not None:
                data = float(data)
            if spec.kind == "choice" and data == "":
                data = None
            if spec.kind in ("text", "longtext"):
                data = (data or "").strip()
            values[spec.name] = data
        values["geometry"] = self.clean_geometry()
        return values


def _increasing(form: RecordForm, smaller: str, field: Field) -> None:
    other = getattr(form, smaller, None)
    if other is not None and other.data is not None and field.data is not None:
        if field.data <= other.data:
            raise ValidationError(f"Must be more than the {other.label.text.lower()}")


def form_class_for(layer: Layer) -> type[RecordForm]:
    """Return a form class with one field per attribute of `layer`, plus its location."""
    attrs: dict[str, Any] = {
        "layer": layer,
        "ref": StringField(
            "Reference",
            validators=[DataRequired("Enter a reference"), Length(max=80), IDENTIFIER],
            description=(
                "Your reference for it, for example HAL-COMAH-01; it never changes. A file "
                f"imported later updates this record when its {layer.id_field} column holds it."
            ),
        ),
    }
    for spec in (*layer.fields, *layer.duty_fields):
        attrs[spec.name] = _field(spec)
    if "Point" in layer.geometry_types:
        attrs["latitude"] = DecimalField("Latitude", places=None, validators=[Optional()])
        attrs["longitude"] = DecimalField("Longitude", places=None, validators=[Optional()])
        hint = "Or give a site boundary: GeoJSON geometry or WKT, longitude and latitude (WGS84)"
    else:
        hint = "GeoJSON geometry or WKT, longitude and latitude (WGS84)"
    attrs["geometry_text"] = TextAreaField("Boundary or route", description=hint)
    return type(f"{layer.name.title()}Form", (RecordForm,), attrs)
