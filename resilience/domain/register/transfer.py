"""Whole-file imports and exports of a layer: read, validate everything, then store in one go."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from resilience.domain.register.edits import after_change
from resilience.domain.register.exports import layer_frame
from resilience.domain.register.imports import ImportSummary, parse_records, upsert_records
from resilience.domain.register.layers import LAYERS, Layer
from resilience.domain.register.service_area import great_britain, service_area
from resilience.domain.register.zone_imports import (
    import_populations,
    import_zones,
    zones_frame,
)
from resilience.spatial.vector_files import read_vector_file, write_vector_file
from resilience.storage.audit import record_import

EXPORT_FORMATS = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv",
}
# What can be imported, by the name used in commands and forms, and what it is called.
IMPORT_KINDS = {
    **{name: layer.title for name, layer in LAYERS.items()},
    "zones": "Zones as HSE or the operator supplied them (site_id, kind, polygon)",
    "populations": "Ward populations (CSV: ward_code, population)",
}
EXPORT_KINDS = {**{name: layer.title for name, layer in LAYERS.items()}, "zones": "Zones"}


def import_any(
    session: Session, kind: str, path: Path, *, name: str | None = None
) -> ImportSummary:
    """Import the file at `path` as `kind` (a key of IMPORT_KINDS); nothing is committed here.

    Raises InputError naming the file, feature or row, and field; the caller rolls back.
    """
    if kind == "zones":
        summary = import_zones(session, path, name=name)
    elif kind == "populations":
        summary = import_populations(session, path, name=name)
    else:
        summary = import_file(session, LAYERS[kind], path, name=name)
    counts = {"created": len(summary.created), "updated": len(summary.updated)}
    record_import(
        session, kind, {"file": summary.file, **counts, "unchanged": len(summary.unchanged)}
    )
    return summary


def import_file(
    session: Session, layer: Layer, path: Path, *, name: str | None = None
) -> ImportSummary:
    """Import every feature of the file at `path` into `layer`; nothing is committed here.

    Raises InputError naming the file, feature or row, and field; the caller rolls back.
    """
    file_name = name or path.name
    frame = read_vector_file(path, name=file_name)
    area = great_britain() if layer.name == "wards" else service_area(session)
    records = parse_records(layer, frame, file_name, area)
    summary = upsert_records(session, layer, records, file_name)
    if summary.changed_rows:
        after_change(session, summary.changed_rows)
    return summary


def export_any(session: Session, kind: str, fmt: str) -> bytes:
    """Return every record of `kind` (a key of EXPORT_KINDS) as GeoJSON, GeoPackage or CSV."""
    frame = zones_frame(session) if kind == "zones" else layer_frame(session, LAYERS[kind])
    return write_vector_file(frame, fmt, layer=kind)  # type: ignore[arg-type]
