"""The weather of a what-if: compass points, Pasquill's stability table and the wind sector.

**Pasquill's table** (Pasquill 1961, as Turner 1970 gives it): the stability class from the
surface wind speed (at 10 m) and, by day, the strength of the sunshine or, by night, the cloud
cover. Where the table gives two classes (e.g. A–B) the more stable one is taken: it keeps a
ground-level plume narrower and carries it farther, so the warning area errs long. A fully
overcast sky (8/8) gives D, day or night. For a night with wind under 2 m/s the table has no
entry; F is taken (the most stable class this model knows).

**The wind-direction sector** (local policy): a forecast's wind direction is uncertain by
about ±20° in a steady wind, and the wind meanders more the lighter it is (the spread of
direction grows roughly as 1/u in light winds). The sector's half-angle is therefore
``max(policy angle, policy angle × 3 / u)``: ±20° at 3 m/s and above, ±40° at 1.5 m/s,
±60° at 1 m/s and ±120° at 0.5 m/s, never more than 180° (every direction).
"""

from __future__ import annotations

from typing import Final

from resilience.spatial.dispersion import Stability

DEFAULT_SECTOR_DEG: Final = 20.0
FULL_SECTOR_SPEED_M_S: Final = 3.0  # at and above this wind speed the policy angle applies

COMPASS_POINTS: Final = (
    "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
    "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW",
)  # fmt: skip

SKIES: Final = {
    "day_strong": "Day, strong sunshine (summer, sun high, little cloud)",
    "day_moderate": "Day, moderate sunshine",
    "day_slight": "Day, slight sunshine (winter, low sun, or much cloud)",
    "night_cloudy": "Night, cloud 4/8 or more",
    "night_clear": "Night, cloud 3/8 or less",
    "overcast": "Overcast (8/8), day or night",
}

# Rows: wind speed under 2, 2–3, 3–5, 5–6, 6 and over (m/s). Two-class cells: the stabler one.
_SPEED_LIMITS: Final = (2.0, 3.0, 5.0, 6.0)
_PASQUILL: Final[dict[str, tuple[Stability, ...]]] = {
    "day_strong": ("A", "B", "B", "C", "C"),  # A, A–B, B, C, C
    "day_moderate": ("B", "B", "C", "D", "D"),  # A–B, B, B–C, C–D, D
    "day_slight": ("B", "C", "C", "D", "D"),
    "night_cloudy": ("F", "E", "D", "D", "D"),  # (no entry: F), E, D, D, D
    "night_clear": ("F", "F", "E", "D", "D"),  # (no entry: F), F, E, D, D
    "overcast": ("D", "D", "D", "D", "D"),
}


def pasquill_class(wind_speed_m_s: float, sky: str) -> Stability:
    """Return the Pasquill stability class for a wind speed and a sky of `SKIES`.

    Raises KeyError for a sky not in `SKIES`.
    """
    row = sum(1 for limit in _SPEED_LIMITS if wind_speed_m_s >= limit)
    return _PASQUILL[sky][row]


def bearing_of(text: str) -> float | None:
    """Return the bearing in degrees of a compass point (``WSW``) or a number; None if neither."""
    value = text.strip().upper()
    if value in COMPASS_POINTS:
        return COMPASS_POINTS.index(value) * 22.5
    try:
        number = float(value)
    except ValueError:
        return None
    return number


def sector_half_angle_deg(wind_speed_m_s: float, policy_deg: float = DEFAULT_SECTOR_DEG) -> float:
    """Return the half-angle of the wind-direction sector at a wind speed (see the module)."""
    widened = policy_deg * FULL_SECTOR_SPEED_M_S / max(wind_speed_m_s, 1e-9)
    return min(180.0, max(policy_deg, widened))
