"""Small test data, made by functions (never shared mutable fixtures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from resilience.storage.models import Establishment, Pipeline, Receptor, Ward

# Somewhere in Runcorn, inside Halton's Mersey & Weston ward.
RUNCORN = (-2.7440, 53.3262)


def make_establishment(ref: str = "EST-1", **values: Any) -> Establishment:
    values.setdefault("name", f"Establishment {ref}")
    values.setdefault("geometry", Point(*RUNCORN))
    return Establishment(ref=ref, **values)


def make_pipeline(ref: str = "PIPE-1", **values: Any) -> Pipeline:
    values.setdefault("name", f"Pipeline {ref}")
    values.setdefault("geometry", LineString([(-2.70, 53.3075), (-2.742, 53.3225)]))
    return Pipeline(ref=ref, **values)


def make_ward(code: str = "W1", geometry: BaseGeometry | None = None, **values: Any) -> Ward:
    values.setdefault("name", f"Ward {code}")
    if geometry is None:
        geometry = Polygon([(-2.76, 53.31), (-2.72, 53.31), (-2.72, 53.34), (-2.76, 53.34)])
    return Ward(code=code, geometry=geometry, **values)


def make_receptor(ref: str = "REC-1", **values: Any) -> Receptor:
    values.setdefault("name", f"Place {ref}")
    values.setdefault("kind", "school")
    values.setdefault("geometry", Point(-2.7380, 53.3200))
    return Receptor(ref=ref, **values)


def write_geojson(path: Path, features: list[tuple[dict[str, Any], BaseGeometry | None]]) -> Path:
    """Write a FeatureCollection of (properties, geometry) pairs to `path` and return it."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": properties,
                "geometry": None if geometry is None else mapping(geometry),
            }
            for properties, geometry in features
        ],
    }
    path.write_text(json.dumps(collection))
    return path
