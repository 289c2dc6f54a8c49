"""Whole-file imports and exports of a layer: read, validate everything, then store in one go."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.layers import Layer
from resilience.domain.register_edits import after_change
from resilience.domain.register_exports import layer_frame
from resilience.domain.register_imports import ImportSummary, parse_records, upsert_records
from resilience.spatial.vector_files import read_vector_file, write_vector_file

EXPORT_FORMATS = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv",
}


def import_file(
    session: Session, layer: Layer, path: Path, *, name: str | None = None
) -> ImportSummary:
    """Import every feature of the file at `path` into `layer`; nothing is committed here.

    Raises InputError naming the file, feature or row, and field; the caller rolls back.
    """
    file_name = name or path.name
    frame = read_vector_file(path, name=file_name)
    records = parse_records(layer, frame, file_name)
    summary = upsert_records(session, layer, records, file_name)
    changed_refs = set(summary.created) | set(summary.updated)
    if changed_refs:
        column = getattr(layer.model, layer.id_attr)
        changed = session.scalars(select(layer.model).where(column.in_(changed_refs))).all()
        after_change(session, list(changed))
    return summary


def export_layer(session: Session, layer: Layer, fmt: str) -> bytes:
    """Return every record of `layer` as a GeoJSON, GeoPackage or CSV file."""
    return write_vector_file(layer_frame(session, layer), fmt, layer=layer.name)  # type: ignore[arg-type]
