"""What one map draws: GeoDataFrames in EPSG:4326 with the columns its popups show."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import shapely


@dataclass
class MapData:
    """Everything one map draws, in EPSG:4326, with the columns its popups show."""

    wards: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    establishments: gpd.GeoDataFrame
    pipelines: gpd.GeoDataFrame
    receptors: gpd.GeoDataFrame
    focus: dict[str, Any] = field(default_factory=dict)  # the one hazard a hazard map is about
    # Radiation premises (REPPIR 2019): ref, name, operator, status.
    radiation: gpd.GeoDataFrame = field(default_factory=lambda: no_radiation_premises())

    @property
    def feature_count(self) -> int:
        """Return how many features the map draws."""
        return sum(
            len(frame)
            for frame in (
                self.wards,
                self.zones,
                self.establishments,
                self.pipelines,
                self.receptors,
                self.radiation,
            )
        )

    def digest(self) -> str:
        """Return a digest of everything drawn (geometries, attributes, focus).

        A map keyed on it is redrawn when what it shows changed, and only then.
        """
        hasher = hashlib.sha256()
        for frame in (self.wards, self.zones, self.establishments, self.pipelines, self.receptors):
            attributes = frame.drop(columns=frame.geometry.name)
            hasher.update(attributes.to_json(orient="split", double_precision=15).encode())
            hasher.update(b"".join(shapely.to_wkb(frame.geometry.values, include_srid=False)))
        if len(self.radiation):  # left out when empty, so that other maps keep their digest
            frame = self.radiation
            attributes = frame.drop(columns=frame.geometry.name)
            hasher.update(attributes.to_json(orient="split", double_precision=15).encode())
            hasher.update(b"".join(shapely.to_wkb(frame.geometry.values, include_srid=False)))
        hasher.update(json.dumps(self.focus, sort_keys=True, default=str).encode())
        return hasher.hexdigest()


RADIATION_COLUMNS = ("ref", "name", "operator", "status")


def no_radiation_premises() -> gpd.GeoDataFrame:
    """Return an empty frame of radiation premises (EPSG:4326)."""
    return gpd.GeoDataFrame(
        {name: [] for name in RADIATION_COLUMNS},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
        crs="EPSG:4326",
    )
