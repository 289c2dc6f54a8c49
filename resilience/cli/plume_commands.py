"""`resilience plume`: a what-if release's footprints or centreline (DESIGN.md §6), stateless.

Every option is read as text and checked here, so that any bad value is one line on standard
error naming its flag (click's own errors span several lines). numpy, pyproj and shapely are
imported inside the command so that `resilience --help` stays fast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import click

from resilience.cli.input_errors import reports_input_errors
from resilience.errors import InputError

if TYPE_CHECKING:
    from resilience.spatial.dispersion import Release, Stability, Terrain
    from resilience.spatial.footprints import Footprint

CENTRELINE_DISTANCES_M: tuple[int, ...] = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
SCREENING_NOTE = (
    "Screening estimate: steady Gaussian plume, neutrally buoyant gas, flat ground "
    "(Briggs 1973 spreads). Not a substitute for the fire service's or UKHSA's modelling."
)
_STABILITY = ("A", "B", "C", "D", "E", "F")
_TERRAIN = ("rural", "urban")
_FORMATS = ("geojson", "csv")


@dataclass(frozen=True)
class Level:
    """A named level of concern, mg/m³."""

    name: str
    mg_m3: float


@click.command()
@click.option("--lon", metavar="LON", help="Longitude, degrees (WGS84).  [required]")
@click.option("--lat", metavar="LAT", help="Latitude, degrees (WGS84).  [required]")
@click.option("--rate", metavar="G_PER_S", help="Release rate, g/s.  [required]")
@click.option("--height", metavar="M", help="Release height, m.  [default: 0]")
@click.option(
    "--wind-speed",
    "wind_speed",
    metavar="M_PER_S",
    help="Wind speed, m/s, 0.5 or more.  [required]",
)
@click.option(
    "--wind-from", "wind_from", metavar="DEGREES", help="Bearing the wind blows from.  [required]"
)
@click.option("--stability", metavar="A-F", help="Pasquill stability class.  [required]")
@click.option("--terrain", metavar="rural|urban", help="Terrain.  [default: rural]")
@click.option(
    "--level",
    "levels",
    multiple=True,
    metavar="NAME=MG_PER_M3",
    help="A level; repeatable.  [required]",
)
@click.option(
    "--max-distance", "max_distance", metavar="M", help="Farthest distance, m.  [default: 10000]"
)
@click.option(
    "--format", "output_format", metavar="geojson|csv", help="Output format.  [default: geojson]"
)
@reports_input_errors
def plume(
    lon: str | None,
    lat: str | None,
    rate: str | None,
    height: str | None,
    wind_speed: str | None,
    wind_from: str | None,
    stability: str | None,
    terrain: str | None,
    levels: tuple[str, ...],
    max_distance: str | None,
    output_format: str | None,
) -> None:
    """Print where a continuous gas release could exceed each --level (a screening estimate)."""
    from resilience.spatial.dispersion import MIN_WIND_SPEED_M_S, Release

    lon_deg = _bounded("--lon", lon, -180.0, 180.0, "a longitude from -180 to 180 degrees")
    lat_deg = _bounded("--lat", lat, -90.0, 90.0, "a latitude from -90 to 90 degrees")
    rate_g_s = _number("--rate", rate)
    if rate_g_s <= 0:
        raise _bad("--rate", f"the release rate must be more than 0 g/s, got {rate}")
    height_m = _number("--height", height, default=0.0)
    if height_m < 0:
        raise _bad("--height", f"the release height must be 0 m or more, got {height}")
    speed = _number("--wind-speed", wind_speed)
    if speed < MIN_WIND_SPEED_M_S:
        raise _bad(
            "--wind-speed",
            f"{wind_speed} m/s is under {MIN_WIND_SPEED_M_S} m/s: the plume model does not hold "
            "in calm air, where gas pools and drifts unpredictably; treat every direction as at "
            "risk and use the fire service's or UKHSA's advice (e.g. Met Office CHEMET) instead",
        )
    bearing = _bounded("--wind-from", wind_from, 0.0, 360.0, "a bearing from 0 to 360 degrees")
    release = Release(
        rate_g_s=rate_g_s,
        wind_speed_m_s=speed,
        stability=_stability(stability),
        terrain=_terrain(terrain),
        height_m=height_m,
    )
    wanted = parse_levels(levels)
    distance = _number("--max-distance", max_distance, default=10000.0)
    if distance < 1:
        raise _bad("--max-distance", f"must be at least 1 m, got {max_distance}")
    chosen = _choice("--format", output_format, _FORMATS, default="geojson")
    # Built whole before writing, so bad input never leaves partial output.
    if chosen == "csv":
        output = centreline_csv(release, distance)
    else:
        output = footprints_geojson(
            wanted, release_footprints(release, lon_deg, lat_deg, bearing, wanted, distance)
        )
    click.echo(output, nl=False)


def parse_levels(texts: Sequence[str]) -> list[Level]:
    """Return the --level values as Levels, in the order given; raises InputError."""
    if not texts:
        raise _bad("--level", "at least one --level NAME=MG_PER_M3 is needed")
    found: list[Level] = []
    for text in texts:
        name, equals, value = text.rpartition("=")
        name = name.strip()
        if not equals or not name:
            raise _bad("--level", f"{text!r} is not NAME=MG_PER_M3, e.g. AEGL-2=1.7")
        mg_m3 = _number("--level", value.strip(), what=f"the value of {text!r}")
        if mg_m3 <= 0:
            raise _bad("--level", f"{text!r}: the level must be more than 0 mg/m³")
        if any(level.name == name for level in found):
            raise _bad("--level", f"the level name {name!r} is given twice")
        found.append(Level(name, mg_m3))
    return found


def release_footprints(
    release: Release,
    lon: float,
    lat: float,
    wind_from_deg: float,
    levels: Sequence[Level],
    max_distance_m: float,
) -> list[Footprint]:
    """Return one EPSG:27700 footprint per level, in the order given."""
    from resilience.spatial.footprints import footprint_bng, source_bng

    source = source_bng(lon, lat)
    if not all(math.isfinite(v) for v in source):
        raise _bad("--lon", f"longitude {lon}, latitude {lat} cannot be placed on the grid")
    return [
        footprint_bng(release, source, wind_from_deg, level.mg_m3, max_distance_m)
        for level in levels
    ]


def footprints_geojson(levels: Sequence[Level], footprints: Sequence[Footprint]) -> str:
    """Return the footprints as an RFC 7946 FeatureCollection (EPSG:4326), one per level."""
    import json

    from shapely.geometry import mapping

    from resilience.spatial.footprints import footprint_wgs84

    features = [
        {
            "type": "Feature",
            "properties": {
                "level": level.name,
                "threshold_mg_m3": level.mg_m3,
                "max_distance_m": round(footprint.max_distance_m, 1),
                "max_half_width_m": round(footprint.max_half_width_m, 1),
                "area_m2": round(footprint.area_m2, 1),
            },
            "geometry": mapping(footprint_wgs84(footprint.area_bng)),
        }
        for level, footprint in zip(levels, footprints, strict=True)
    ]
    collection = {"type": "FeatureCollection", "description": SCREENING_NOTE, "features": features}
    return json.dumps(collection) + "\n"


def centreline_csv(release: Release, max_distance_m: float) -> str:
    """Return ``distance_m,concentration_mg_m3`` at the §6 distances up to `max_distance_m`.

    Concentrations have 6 significant figures as Python's ``format(value, ".6g")`` writes them
    (``0.0123457``, ``1.23457e-05``, ``123457``).
    """
    from resilience.spatial.dispersion import centreline_mg_m3

    distances = [d for d in CENTRELINE_DISTANCES_M if d <= max_distance_m]
    values = centreline_mg_m3(release, [float(d) for d in distances])
    rows = [
        f"{distance},{format(float(value), '.6g')}"
        for distance, value in zip(distances, values, strict=True)
    ]
    return "\n".join(["distance_m,concentration_mg_m3", *rows]) + "\n"


# --- checking the options --------------------------------------------------------------------


def _bad(flag: str, problem: str) -> InputError:
    return InputError(problem, location=f"option {flag}")


def _number(flag: str, text: str | None, *, default: float | None = None, what: str = "") -> float:
    if text is None:
        if default is None:
            raise _bad(flag, "is missing; it is required (see resilience plume --help)")
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # "nan" and "inf" parse, but are no more use than "abc"
        raise _bad(flag, f"{what or repr(text)} is not a number")
    return value


def _bounded(flag: str, text: str | None, low: float, high: float, expected: str) -> float:
    value = _number(flag, text)
    if not low <= value <= high:
        raise _bad(flag, f"{text} is not {expected}")
    return value


def _choice(
    flag: str, text: str | None, allowed: tuple[str, ...], *, default: str | None = None
) -> str:
    if text is None:
        if default is None:
            raise _bad(flag, f"is required: one of {', '.join(allowed)}")
        return default
    for option in allowed:
        if text.strip().lower() == option.lower():
            return option
    raise _bad(flag, f"{text!r} is not one of {', '.join(allowed)}")


def _stability(text: str | None) -> Stability:
    return cast("Stability", _choice("--stability", text, _STABILITY))


def _terrain(text: str | None) -> Terrain:
    return cast("Terrain", _choice("--terrain", text, _TERRAIN, default="rural"))
