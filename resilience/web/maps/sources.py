"""The register's contents as GeoDataFrames for webmap, and the version of that data.

The map pages' only database queries; webmap itself draws what it is given and reads nothing.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.spatial.corridors import pipeline_corridor
from resilience.spatial.crs import WGS84
from resilience.storage.map_version import map_data_version
from resilience.storage.models import Hazard, Receptor, Ward, Zone
from webmap.map_data import MapData

WARD_COLUMNS = ("code", "name", "lad_name", "population")
ZONE_COLUMNS = ("hazard_ref", "hazard_name", "hazard_kind", "kind", "area_m2")
ESTABLISHMENT_COLUMNS = ("ref", "name", "tier", "operator", "status")
PIPELINE_COLUMNS = ("ref", "name", "operator", "substance", "status")
RECEPTOR_COLUMNS = ("ref", "name", "kind", "capacity")
RADIATION_COLUMNS = ("ref", "name", "operator", "status")


def _frame(rows: list[Any], columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    data = {name: [getattr(row, name) for row in rows] for name in columns}
    geometry = [row.geometry for row in rows]
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geometry, crs=WGS84), crs=WGS84)


def data_version(session: Session) -> str:
    """Return the version of everything maps draw (see storage.map_version)."""
    return map_data_version(session)


def load_wards(session: Session, bounds: tuple[float, float, float, float] | None = None) -> Any:
    """Return the wards (all, or those whose bounding box meets `bounds` = lon/lat box)."""
    query = select(Ward.code, Ward.name, Ward.lad_name, Ward.population, Ward.geometry)
    if bounds is not None:
        min_x, min_y, max_x, max_y = bounds
        query = query.where(
            Ward.min_lon <= max_x,
            Ward.max_lon >= min_x,
            Ward.min_lat <= max_y,
            Ward.max_lat >= min_y,
        )
    return _frame(list(session.execute(query.order_by(Ward.code))), WARD_COLUMNS)


def load_zones(
    session: Session,
    hazard_id: int | None = None,
    hazard_kind: str | None = None,
    kind: str | None = None,
) -> gpd.GeoDataFrame:
    """Return zones (all, or one hazard's, one kind of hazard's, or of one `kind` of zone)."""
    query = (
        select(
            Hazard.ref.label("hazard_ref"),
            Hazard.name.label("hazard_name"),
            Hazard.kind.label("hazard_kind"),
            Zone.kind,
            Zone.area_m2,
            Zone.geometry,
        )
        .join(Zone.hazard)
        .order_by(Hazard.ref, Zone.kind)
    )
    if hazard_id is not None:
        query = query.where(Zone.hazard_id == hazard_id)
    if hazard_kind is not None:
        query = query.where(Hazard.kind == hazard_kind)
    if kind is not None:
        query = query.where(Zone.kind == kind)
    return _frame(list(session.execute(query)), ZONE_COLUMNS)


def _hazards(session: Session, kind: str, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    query = select(*(getattr(Hazard, name) for name in columns), Hazard.geometry, Hazard.id).where(
        Hazard.kind == kind
    )
    return _frame(list(session.execute(query.order_by(Hazard.name, Hazard.ref))), columns)


def _receptors(session: Session) -> gpd.GeoDataFrame:
    query = select(
        *(getattr(Receptor, name) for name in RECEPTOR_COLUMNS), Receptor.geometry
    ).order_by(Receptor.name, Receptor.ref)
    return _frame(list(session.execute(query)), RECEPTOR_COLUMNS)


def generalise_pipelines(
    zones: gpd.GeoDataFrame, pipelines: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return (zones, pipelines) with each pipeline's route and zones replaced by its corridor.

    What a reader who may not see a route gets (see resilience.spatial.corridors): the corridor
    is drawn where the pipeline was, and the pipeline's own zones, which trace the route, go.
    """
    own = zones["hazard_kind"] == "pipeline"
    shapes = [
        pipeline_corridor(route, zones.geometry[own & (zones["hazard_ref"] == ref)])
        for ref, route in zip(pipelines["ref"], pipelines.geometry, strict=True)
    ]
    corridors = pipelines.set_geometry(gpd.GeoSeries(shapes, index=pipelines.index, crs=WGS84))
    return zones[~own].reset_index(drop=True), corridors


def load_overview(session: Session, precise_pipelines: bool = True) -> MapData:
    """Return the whole register for the overview map (pipelines as corridors unless precise)."""
    zones = load_zones(session)
    pipelines = _hazards(session, "pipeline", PIPELINE_COLUMNS)
    if not precise_pipelines:
        zones, pipelines = generalise_pipelines(zones, pipelines)
    return MapData(
        wards=load_wards(session),
        zones=zones,
        establishments=_hazards(session, "establishment", ESTABLISHMENT_COLUMNS),
        pipelines=pipelines,
        receptors=_receptors(session),
        radiation=_hazards(session, "radiation_premises", RADIATION_COLUMNS),
    )


def load_hazard(
    session: Session, hazard: Hazard, margin: float = 0.25, precise_pipelines: bool = True
) -> MapData:
    """Return what a map of one hazard draws: its zones, and what lies around its outer zone.

    The frame is the hazard's zones (or the hazard alone when it has none), grown by `margin`
    of its size on each side; wards, other sites and sensitive places meeting it are included.
    Unless `precise_pipelines`, every pipeline is drawn as its corridor and its zones are left out.
    """
    zones = load_zones(session, hazard.id)
    pipelines = _hazards(session, "pipeline", PIPELINE_COLUMNS)
    if not precise_pipelines:
        # Corridors are made from the pipelines' own zones: no need to decode any other.
        _, pipelines = generalise_pipelines(load_zones(session, hazard_kind="pipeline"), pipelines)
        zones = zones[zones["hazard_kind"] != "pipeline"].reset_index(drop=True)
    shapes = list(zones.geometry) or [hazard.geometry]
    if not precise_pipelines and hazard.kind == "pipeline":
        shapes = list(pipelines.geometry[pipelines["ref"] == hazard.ref])
    min_x, min_y, max_x, max_y = shapely.union_all(shapes).bounds
    pad_x = max((max_x - min_x) * margin, 0.01)
    pad_y = max((max_y - min_y) * margin, 0.01)
    frame = (min_x - pad_x, min_y - pad_y, max_x + pad_x, max_y + pad_y)
    box = shapely.box(*frame)

    def inside(data: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return data[data.geometry.intersects(box)].reset_index(drop=True)

    establishments = _hazards(session, "establishment", ESTABLISHMENT_COLUMNS)
    return MapData(
        wards=load_wards(session, frame),
        zones=zones,
        establishments=inside(establishments),
        pipelines=inside(pipelines),
        receptors=inside(_receptors(session)),
        radiation=inside(_hazards(session, "radiation_premises", RADIATION_COLUMNS)),
        focus={
            "ref": hazard.ref,
            "name": hazard.name,
            "kind": hazard.kind,
            "bounds": (min_x, min_y, max_x, max_y),
        },
    )
