"""What one map draws: GeoDataFrames in EPSG:4326 with the columns its popups show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd


@dataclass
class MapData:
    """Everything one map draws, in EPSG:4326, with the columns its popups show."""

    wards: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    establishments: gpd.GeoDataFrame
    pipelines: gpd.GeoDataFrame
    receptors: gpd.GeoDataFrame
    focus: dict[str, Any] = field(default_factory=dict)  # the one hazard a hazard map is about

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
            )
        )
