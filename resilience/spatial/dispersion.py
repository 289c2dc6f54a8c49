"""The DESIGN.md §6 screening plume: Briggs (1973) σ curves and ground-level concentrations.

A continuous, neutrally buoyant, steady-state Gaussian plume over flat ground with full
reflection. Pure numpy and no geography: *x* is metres downwind of the release, *y* metres
crosswind, concentrations are mg/m³. Callers validate their input; see `resilience plume`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Stability = Literal["A", "B", "C", "D", "E", "F"]
Terrain = Literal["rural", "urban"]
STABILITY_CLASSES: tuple[Stability, ...] = ("A", "B", "C", "D", "E", "F")
TERRAINS: tuple[Terrain, ...] = ("rural", "urban")
# Below this the Gaussian plume does not hold: in calm air a release pools and meanders.
MIN_WIND_SPEED_M_S = 0.5
# The nearest distance the model is used at (DESIGN.md §6: footprints span 1 ≤ x).
MIN_DISTANCE_M = 1.0
MOLAR_VOLUME_L = 24.45  # litres per mole of ideal gas at 25 °C and 1 atm

FloatArray = npt.NDArray[np.float64]

# Briggs (1973) as (a, b, p): σ = a·x·(1 + b·x)^p, one row per class, DESIGN.md §6's table.
_SIGMA_Y: dict[Terrain, dict[Stability, tuple[float, float, float]]] = {
    "rural": {
        "A": (0.22, 0.0001, -0.5),
        "B": (0.16, 0.0001, -0.5),
        "C": (0.11, 0.0001, -0.5),
        "D": (0.08, 0.0001, -0.5),
        "E": (0.06, 0.0001, -0.5),
        "F": (0.04, 0.0001, -0.5),
    },
    "urban": {
        "A": (0.32, 0.0004, -0.5),
        "B": (0.32, 0.0004, -0.5),
        "C": (0.22, 0.0004, -0.5),
        "D": (0.16, 0.0004, -0.5),
        "E": (0.11, 0.0004, -0.5),
        "F": (0.11, 0.0004, -0.5),
    },
}
_SIGMA_Z: dict[Terrain, dict[Stability, tuple[float, float, float]]] = {
    "rural": {
        "A": (0.20, 0.0, 0.0),
        "B": (0.12, 0.0, 0.0),
        "C": (0.08, 0.0002, -0.5),
        "D": (0.06, 0.0015, -0.5),
        "E": (0.03, 0.0003, -1.0),
        "F": (0.016, 0.0003, -1.0),
    },
    "urban": {
        "A": (0.24, 0.001, 0.5),
        "B": (0.24, 0.001, 0.5),
        "C": (0.20, 0.0, 0.0),
        "D": (0.14, 0.0003, -0.5),
        "E": (0.08, 0.0015, -0.5),
        "F": (0.08, 0.0015, -0.5),
    },
}


@dataclass(frozen=True)
class Release:
    """A continuous release and the weather it meets; all values already validated."""

    rate_g_s: float
    wind_speed_m_s: float
    stability: Stability
    terrain: Terrain = "rural"
    height_m: float = 0.0

    @property
    def rate_mg_s(self) -> float:
        """Return the release rate in mg/s, the unit of the formula."""
        return self.rate_g_s * 1000.0


def sigma_y_m(x: npt.ArrayLike, stability: Stability, terrain: Terrain) -> FloatArray:
    """Return Briggs' crosswind spread σy (m) at `x` metres downwind."""
    return _briggs(_SIGMA_Y[terrain][stability], x)


def sigma_z_m(x: npt.ArrayLike, stability: Stability, terrain: Terrain) -> FloatArray:
    """Return Briggs' vertical spread σz (m) at `x` metres downwind."""
    return _briggs(_SIGMA_Z[terrain][stability], x)


def log_centreline(release: Release, x: npt.ArrayLike) -> FloatArray:
    """Return ln C(x, 0) (C in mg/m³); finite where C itself would underflow to 0."""
    sy = sigma_y_m(x, release.stability, release.terrain)
    sz = sigma_z_m(x, release.stability, release.terrain)
    return (
        math.log(release.rate_mg_s / (math.pi * release.wind_speed_m_s))
        - np.log(sy * sz)
        - release.height_m**2 / (2.0 * sz**2)
    )


def centreline_mg_m3(release: Release, x: npt.ArrayLike) -> FloatArray:
    """Return the ground-level concentration C(x, 0) on the plume's axis, mg/m³."""
    return np.exp(log_centreline(release, x))


def concentration_mg_m3(release: Release, x: npt.ArrayLike, y: npt.ArrayLike) -> FloatArray:
    """Return the ground-level concentration C(x, y), mg/m³, for x > 0."""
    sy = sigma_y_m(x, release.stability, release.terrain)
    return centreline_mg_m3(release, x) * np.exp(-(np.asarray(y, dtype=float) ** 2) / (2 * sy**2))


def half_width_m(release: Release, x: npt.ArrayLike, level_mg_m3: float) -> FloatArray:
    """Return the crosswind half-width (m) of the region C ≥ level at `x`; 0 where C(x, 0) < level.

    Where C(x, 0) ≥ L the region spans |y| ≤ σy·√(2 ln(C(x, 0)/L)).
    """
    excess = log_centreline(release, x) - math.log(level_mg_m3)
    sy = sigma_y_m(x, release.stability, release.terrain)
    return np.where(excess > 0, sy * np.sqrt(2.0 * np.clip(excess, 0.0, None)), 0.0)


def above_level_ranges(
    release: Release, level_mg_m3: float, max_distance_m: float
) -> list[tuple[float, float]]:
    """Return the x-ranges within [1, max_distance] where C(x, 0) ≥ level, nearest first.

    Ends inside the range are found by bisection to well under a millimetre. A range that is
    a single point (a peak exactly at the level, or max_distance of 1 m) has equal ends.
    """
    low = MIN_DISTANCE_M
    high = max(float(max_distance_m), low)
    x = np.unique(np.concatenate([np.geomspace(low, high, 4001), [low, high]]))
    excess = log_centreline(release, x) - math.log(level_mg_m3)
    above = excess >= 0
    # A narrow peak between two samples would be missed: refine every local maximum below L.
    peaks = [
        _golden_maximum(
            lambda v: _excess(release, v, level_mg_m3), x[max(i - 1, 0)], x[min(i + 1, len(x) - 1)]
        )
        for i in _local_maxima(excess)
        if not above[i]
    ]
    reached = [top for top in peaks if _excess(release, top, level_mg_m3) >= 0]
    if reached:
        x = np.unique(np.concatenate([x, reached]))
        above = log_centreline(release, x) - math.log(level_mg_m3) >= 0
    ranges: list[tuple[float, float]] = []
    start: float | None = None
    for i, is_above in enumerate(above):
        if is_above and start is None:
            start = low if i == 0 else _crossing(release, level_mg_m3, x[i - 1], x[i])
        if not is_above and start is not None:
            ranges.append((start, _crossing(release, level_mg_m3, x[i], x[i - 1])))
            start = None
    if start is not None:
        ranges.append((start, high))
    return ranges


def ppm_to_mg_m3(ppm: float, molar_mass_g_mol: float) -> float:
    """Return a gas concentration given in ppm (by volume) in mg/m³, at 25 °C and 1 atm."""
    return ppm * molar_mass_g_mol / MOLAR_VOLUME_L


def _briggs(coefficients: tuple[float, float, float], x: npt.ArrayLike) -> FloatArray:
    a, b, p = coefficients
    distance = np.asarray(x, dtype=float)
    return a * distance * (1.0 + b * distance) ** p


def _excess(release: Release, x: float, level_mg_m3: float) -> float:
    return float(log_centreline(release, x)) - math.log(level_mg_m3)


def _crossing(release: Release, level_mg_m3: float, below: float, above: float) -> float:
    """Return the x between `below` (C < L) and `above` (C ≥ L) where C(x, 0) = L."""
    for _ in range(80):
        middle = 0.5 * (below + above)
        if middle in (below, above):
            break
        if _excess(release, middle, level_mg_m3) >= 0:
            above = middle
        else:
            below = middle
    return above


def _local_maxima(values: FloatArray) -> list[int]:
    inner = (values[1:-1] >= values[:-2]) & (values[1:-1] >= values[2:])
    return [int(i) + 1 for i in np.flatnonzero(inner)]


def _golden_maximum(f: Callable[[float], float], a: float, b: float) -> float:
    """Return where the unimodal `f` peaks in [a, b], by golden-section search."""
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(100):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return 0.5 * (a + b)
