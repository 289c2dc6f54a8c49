"""A layer's rows as a GeoDataFrame (EPSG:4326), ready to write as GeoJSON, GeoPackage or CSV."""

from __future__ import annotations

import geopandas as gpd
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.register.layers import FILE_ALIASES, Layer
from resilience.spatial.crs import WGS84


def layer_frame(session: Session, layer: Layer) -> gpd.GeoDataFrame:
    """Return every row of `layer`, ordered by identifier, with file column names."""
    id_column = getattr(layer.model, layer.id_attr)
    rows = session.scalars(select(layer.model).order_by(id_column)).all()
    out_names = {v: k for k, v in FILE_ALIASES.get(layer.name, {}).items()}
    columns = [layer.id_field] + [out_names.get(s.name, s.name) for s in layer.fields]
    data = {
        layer.id_field: [getattr(r, layer.id_attr) for r in rows],
        **{out_names.get(s.name, s.name): [getattr(r, s.name) for r in rows] for s in layer.fields},
    }
    frame = gpd.GeoDataFrame(data, geometry=[r.geometry for r in rows], crs=WGS84)
    return frame[[*columns, "geometry"]]
