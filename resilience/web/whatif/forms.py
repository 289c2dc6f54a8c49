"""The what-if form: the fields the page shows; parse_inputs checks what is submitted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from resilience.domain.whatif.inputs import CUSTOM, LEVEL_UNITS, RATE_UNITS
from resilience.domain.whatif.substances import substances
from resilience.domain.whatif.weather import DEFAULT_SECTOR_DEG, SKIES
from resilience.web.forms import Form


def choices(pairs: Sequence[tuple[str, str]]) -> list[SelectChoice]:
    """Return (value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def _substance_choices() -> list[SelectChoice]:
    pairs = [("", "Choose a substance")]
    pairs += [(s.id, s.name) for s in substances().values()]
    return choices([*pairs, (CUSTOM, "Other: my own levels")])


class WhatIfForm(Form):
    """The inputs of a what-if; submitted by GET (it changes nothing), so no CSRF token."""

    class Meta:
        csrf = False

    lat = StringField("Latitude", description="Of the release point, WGS84, e.g. 53.3412")
    lon = StringField("Longitude", description="e.g. -2.7315")
    substance = SelectField("Substance", choices=_substance_choices())
    custom_name = StringField("Name of the substance (own levels)")
    custom_unit = SelectField(
        "Unit of your levels",
        choices=choices([(u, "mg/m³" if u == "mg/m3" else u) for u in LEVEL_UNITS]),
    )
    custom_molar_mass = StringField("Molar mass (g/mol), for levels in ppm")
    custom_level_3 = StringField("Level 3 (red zone, most severe)")
    custom_level_2 = StringField("Level 2 (orange zone)")
    custom_level_1 = StringField("Level 1 (yellow zone)")
    rate = StringField("Release rate")
    rate_unit = SelectField("Unit of the rate", choices=choices([(u, u) for u in RATE_UNITS]))
    duration_min = StringField("Duration (minutes)", default="60")
    height_m = StringField("Release height (m)", default="0", description="0 for a ground release")
    wind_speed = StringField("Wind speed (m/s)", description="At 10 m, as forecasts give it")
    wind_from = StringField(
        "Wind direction (from)",
        description="Where the wind blows from: degrees (270) or a compass point (W, WSW)",
    )
    stability = SelectField(
        "Stability class",
        choices=choices(
            [("auto", "Work it out from the sky (Pasquill's table)")] + [(c, c) for c in "ABCDEF"]
        ),
    )
    sky = SelectField("Time of day and cloud", choices=choices([("", "Choose"), *SKIES.items()]))
    terrain = SelectField("Terrain", choices=choices([("rural", "Rural"), ("urban", "Urban")]))
    sector_deg = StringField(
        "Wind-direction sector (± degrees)",
        default=f"{DEFAULT_SECTOR_DEG:g}",
        description="Local policy: ±20°, widened automatically below 3 m/s",
    )
    hazard_ref = HiddenField()

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Put each message of `errors` (by field name) next to its field."""
        for name, message in errors.items():
            field = getattr(self, name, None) or self.lat
            field.errors = [*field.errors, message]


class SaveScenarioForm(Form):
    """Save a what-if under a name, optionally as an exercise's scenario."""

    name = StringField(
        "Name of the scenario", validators=[DataRequired("Name the scenario"), Length(max=300)]
    )
    # Checked by save_scenario (the exercise must exist), so that a message can name it.
    exercise_id = SelectField(
        "Scenario of the exercise", choices=choices([("", "None")]), validate_choice=False
    )
