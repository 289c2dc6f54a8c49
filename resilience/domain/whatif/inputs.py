"""The inputs of a what-if, parsed and checked once, where they enter (form, saved scenario).

`parse_inputs` takes the submitted text values by field name and returns `WhatIfInputs` or
raises `WhatIfInputError` carrying one message per field, so the page can put each message
next to its field and nothing is run or saved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from resilience.domain.whatif.substances import ZONE_COLOURS, Level, substances
from resilience.domain.whatif.weather import (
    DEFAULT_SECTOR_DEG,
    SKIES,
    bearing_of,
    pasquill_class,
)
from resilience.spatial.dispersion import (
    MIN_WIND_SPEED_M_S,
    STABILITY_CLASSES,
    TERRAINS,
    Stability,
    Terrain,
    ppm_to_mg_m3,
)

CUSTOM: Final = "custom"
RATE_UNITS: Final = {"kg/s": 1000.0, "g/s": 1.0}
LEVEL_UNITS: Final = ("ppm", "mg/m3")
MAX_DISTANCE_M: Final = 10_000.0  # DESIGN.md §6's default reach
CALM = (
    "Wind speed must be at least 0.5 m/s: in calm air the gas pools and drifts and a plume model "
    "says nothing useful. Treat every direction as at risk and follow the fire service's and "
    "UKHSA's advice"
)


class WhatIfInputError(ValueError):
    """Bad what-if input: one message per field name."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class WhatIfInputs:
    """A checked what-if: where, what, how fast and in what weather."""

    lon: float
    lat: float
    substance_id: str  # a built-in substance's id, or "custom"
    substance_name: str
    levels: tuple[Level, ...]  # most severe first: red, orange, yellow
    rate_g_s: float
    duration_min: float
    height_m: float
    wind_speed_m_s: float
    wind_from_deg: float
    stability: Stability
    stability_worked_out: bool  # from Pasquill's table rather than given
    sky: str
    terrain: Terrain
    sector_deg: float
    hazard_ref: str = ""

    @property
    def max_distance_m(self) -> float:
        """Return the model's reach: 10 km, or as far as the wind carries gas in the duration."""
        return min(MAX_DISTANCE_M, self.wind_speed_m_s * self.duration_min * 60.0)

    def to_json(self) -> dict[str, Any]:
        """Return the inputs as JSON-ready values (as kept with a saved scenario)."""
        data = asdict(self)
        data["levels"] = [asdict(level) for level in self.levels]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WhatIfInputs:
        """Return inputs kept by `to_json` (trusted: they were checked when first given)."""
        values = dict(data)
        values["levels"] = tuple(Level(**level) for level in data["levels"])
        return cls(**values)


def _number(
    values: Mapping[str, str], name: str, label: str, errors: dict[str, str]
) -> float | None:
    text = (values.get(name) or "").strip()
    if not text:
        errors[name] = f"Enter the {label}"
        return None
    try:
        number = float(text)
    except ValueError:
        errors[name] = f"The {label} must be a number, like 2.5"
        return None
    if not math.isfinite(number):
        errors[name] = f"The {label} must be a number, like 2.5"
        return None
    return number


def _levels(values: Mapping[str, str], errors: dict[str, str]) -> tuple[str, tuple[Level, ...]]:
    """Return the substance's name and levels, most severe first."""
    chosen = (values.get("substance") or "").strip()
    known = substances()
    if chosen in known:
        return known[chosen].name, known[chosen].levels
    if chosen != CUSTOM:
        errors["substance"] = "Choose a substance from the list, or 'Other: my own levels'"
        return "", ()
    name = (values.get("custom_name") or "").strip() or "Own levels"
    unit = (values.get("custom_unit") or "mg/m3").strip()
    if unit not in LEVEL_UNITS:
        errors["custom_unit"] = "Give the levels in ppm or mg/m³"
        return name, ()
    molar_mass = None
    if unit == "ppm":
        molar_mass = _number(values, "custom_molar_mass", "molar mass (g/mol)", errors)
        if molar_mass is not None and molar_mass <= 0:
            errors["custom_molar_mass"] = "The molar mass must be more than 0 g/mol"
            molar_mass = None
    given: list[tuple[str, str, float]] = []
    for severity in (3, 2, 1):
        field = f"custom_level_{severity}"
        if not (values.get(field) or "").strip():
            continue
        value = _number(values, field, f"level {severity}", errors)
        if value is None:
            continue
        if value <= 0:
            errors[field] = f"Level {severity} must be more than 0"
            continue
        given.append((field, f"Level {severity}", value))
    if not given and not any(k.startswith("custom_level_") for k in errors):
        errors["custom_level_3"] = "Give at least one level"
    for (upper_field, upper, high), (_, lower, low) in zip(given, given[1:], strict=False):
        if high <= low:
            errors[upper_field] = f"{upper} must be higher than {lower.lower()}"
    if errors or (unit == "ppm" and molar_mass is None):
        return name, ()
    levels = tuple(
        Level(
            label,
            ppm_to_mg_m3(value, molar_mass) if unit == "ppm" and molar_mass else value,
            value if unit == "ppm" else None,
            "Given by the user",
        )
        for _, label, value in given
    )
    return name, levels


def parse_inputs(values: Mapping[str, str]) -> WhatIfInputs:
    """Return the checked inputs of a what-if; raises WhatIfInputError naming each bad field."""
    errors: dict[str, str] = {}
    lon = _number(values, "lon", "longitude", errors)
    lat = _number(values, "lat", "latitude", errors)
    if lon is not None and not -180 <= lon <= 180:
        errors["lon"] = "Longitude must be between -180 and 180"
    if lat is not None and not -90 <= lat <= 90:
        errors["lat"] = "Latitude must be between -90 and 90"
    name, levels = _levels(values, errors)

    rate = _number(values, "rate", "release rate", errors)
    unit = (values.get("rate_unit") or "kg/s").strip()
    if unit not in RATE_UNITS:
        errors["rate_unit"] = "Give the rate in kg/s or g/s"
    if rate is not None and rate <= 0:
        errors["rate"] = "The release rate must be more than 0"
    duration = _number(values, "duration_min", "duration (minutes)", errors)
    if duration is not None and duration <= 0:
        errors["duration_min"] = "The duration must be more than 0 minutes"
    height = _number(values, "height_m", "release height (m)", errors)
    if height is not None and height < 0:
        errors["height_m"] = "The release height cannot be below the ground (0 m or more)"

    speed = _number(values, "wind_speed", "wind speed (m/s)", errors)
    if speed is not None and speed < MIN_WIND_SPEED_M_S:
        errors["wind_speed"] = CALM
    direction_text = (values.get("wind_from") or "").strip()
    direction = bearing_of(direction_text) if direction_text else None
    if not direction_text:
        errors["wind_from"] = "Enter the direction the wind blows from"
    elif direction is None or not 0 <= direction <= 360:
        errors["wind_from"] = (
            "The wind direction must be a bearing from 0 to 360 degrees or a compass point, "
            "like 270 or WSW"
        )

    stability_text = (values.get("stability") or "").strip().upper()
    sky = (values.get("sky") or "").strip()
    worked_out = stability_text in ("", "AUTO")
    stability: Stability | None = None
    if worked_out:
        if sky not in SKIES:
            errors["sky"] = "Choose the time of day and cloud cover, or give the stability class"
        elif speed is not None and "wind_speed" not in errors:
            stability = pasquill_class(speed, sky)
    elif stability_text in STABILITY_CLASSES:
        stability = stability_text
    else:
        errors["stability"] = "The stability class must be one of A, B, C, D, E or F"
    terrain = (values.get("terrain") or "rural").strip()
    if terrain not in TERRAINS:
        errors["terrain"] = "The terrain must be rural or urban"

    sector_text = (values.get("sector_deg") or "").strip()
    sector = DEFAULT_SECTOR_DEG
    if sector_text:
        given = _number(values, "sector_deg", "wind sector angle", errors)
        if given is not None and not 0 < given <= 90:
            errors["sector_deg"] = (
                "The wind sector angle must be more than 0 and at most 90 degrees"
            )
        elif given is not None:
            sector = given

    if errors:
        raise WhatIfInputError(errors)
    assert lon is not None and lat is not None and rate is not None and duration is not None
    assert height is not None and speed is not None and direction is not None
    assert stability is not None
    return WhatIfInputs(
        lon=lon,
        lat=lat,
        substance_id=(values.get("substance") or "").strip(),
        substance_name=name,
        levels=levels[: len(ZONE_COLOURS)],
        rate_g_s=rate * RATE_UNITS[unit],
        duration_min=duration,
        height_m=height,
        wind_speed_m_s=speed,
        wind_from_deg=direction % 360.0,
        stability=stability,
        stability_worked_out=worked_out,
        sky=sky if worked_out else "",
        terrain=terrain,  # type: ignore[arg-type]
        sector_deg=sector,
        hazard_ref=(values.get("hazard_ref") or "").strip(),
    )
