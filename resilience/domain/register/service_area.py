"""The area an instance covers, and refusing positions outside it (a mistyped or swapped
coordinate would otherwise be stored, and every map would zoom out to take it in).

The area is the extent of the loaded wards plus a margin (pipelines and zones run past a
borough's edge), or Great Britain's when no wards are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.errors import InputError
from resilience.storage.models import Ward

# Great Britain with its islands (Scilly to Shetland), WGS84 degrees: west, south, east, north.
GREAT_BRITAIN = (-8.8, 49.8, 2.0, 61.0)
# Around the wards' extent: about 20 km (0.3° of longitude is 20 km at 53° N).
MARGIN_LON = 0.3
MARGIN_LAT = 0.18
MARGIN_TEXT = "about 20 km"


@dataclass(frozen=True)
class ServiceArea:
    """A box of WGS84 degrees, and how to name it in a message."""

    west: float
    south: float
    east: float
    north: float
    description: str

    def holds(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    def holds_all(self, geometry: BaseGeometry) -> bool:
        coords = shapely.get_coordinates(geometry)
        return bool(
            len(coords)
            and (coords[:, 0] >= self.west).all()
            and (coords[:, 0] <= self.east).all()
            and (coords[:, 1] >= self.south).all()
            and (coords[:, 1] <= self.north).all()
        )


def great_britain() -> ServiceArea:
    return ServiceArea(*GREAT_BRITAIN, description="Great Britain")


def service_area(session: Session) -> ServiceArea:
    """Return the area the register covers: the loaded wards' extent plus a margin, or Great
    Britain when no wards are loaded."""
    west, south, east, north = session.execute(
        select(
            func.min(Ward.min_lon),
            func.min(Ward.min_lat),
            func.max(Ward.max_lon),
            func.max(Ward.max_lat),
        )
    ).one()
    if west is None:
        return great_britain()
    return ServiceArea(
        west - MARGIN_LON,
        south - MARGIN_LAT,
        east + MARGIN_LON,
        north + MARGIN_LAT,
        description=f"the loaded wards and {MARGIN_TEXT} around them",
    )


def degrees(lat: float, lon: float, places: int = 5) -> str:
    """Return a position as a reader writes it, e.g. '53.36000° N, 2.73000° W'."""
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.{places}f}° {ns}, {abs(lon):.{places}f}° {ew}"


def outside_problem(geometry: BaseGeometry, area: ServiceArea) -> str | None:
    """Return why ``geometry`` (WGS84) cannot be stored, or None when it lies inside ``area``."""
    if area.holds_all(geometry):
        return None
    coords = shapely.get_coordinates(geometry)
    lon, lat = next((float(x), float(y)) for x, y in coords if not area.holds(float(x), float(y)))
    problem = (
        f"{degrees(lat, lon)} (latitude {lat:g}, longitude {lon:g}) is outside the area this "
        f"register covers ({area.description})"
    )
    swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
    if area.holds_all(swapped):
        problem += (
            f"; the numbers look swapped: latitude {lon:g}, longitude {lat:g} would be inside it"
        )
    return problem


def check_in_area(geometry: BaseGeometry, area: ServiceArea, field: str | None = None) -> None:
    """Raise InputError naming ``field`` unless ``geometry`` lies inside ``area``."""
    problem = outside_problem(geometry, area)
    if problem is not None:
        raise InputError(problem, field=field)
