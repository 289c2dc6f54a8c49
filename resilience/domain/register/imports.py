"""Importing a layer from a file: validate every feature first, then upsert by stable identifier."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.register.layers import FILE_ALIASES, Layer
from resilience.domain.register.service_area import ServiceArea, outside_problem
from resilience.domain.text_rules import identifier_problem
from resilience.domain.values import coerce_value
from resilience.errors import InputError, raise_collected
from resilience.storage.models import Hazard

# Identifiers per IN (...) list: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
IN_LIST_CHUNK = 10_000


@dataclass
class ImportSummary:
    """What an import did, for the message shown to the user."""

    layer: str
    file: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # The rows created or changed, so that zones can follow without reading them back.
    changed_rows: list[Any] = field(default_factory=list, repr=False, compare=False)

    def __str__(self) -> str:
        return (
            f"{self.file}: {counted(len(self.created), self.layer)} added, "
            f"{len(self.updated):,} updated, {len(self.unchanged):,} unchanged"
        )


# The singular of each layer's name in a summary ("1 establishment added").
SINGULARS = {
    "establishments": "establishment",
    "pipelines": "pipeline",
    "wards": "ward",
    "receptors": "sensitive place",
    "radiation-premises": "radiation premises",
    "zones": "zone",
    "ward populations": "ward population",
}
PLURALS = {"receptors": "sensitive places", "radiation-premises": "radiation premises"}


def counted(count: int, layer: str) -> str:
    """Return e.g. '1 establishment', '3 establishments', '2 sensitive places'."""
    word = SINGULARS.get(layer, layer) if count == 1 else PLURALS.get(layer, layer)
    return f"{count:,} {word}"


def _location(file_name: str, index: int) -> str:
    # The reader numbers CSV rows as a spreadsheet shows them (header = row 1).
    return f"row {index + 2}" if file_name.lower().endswith(".csv") else f"feature {index + 1}"


def parse_records(
    layer: Layer, frame: gpd.GeoDataFrame, file_name: str, area: ServiceArea | None = None
) -> list[dict[str, Any]]:
    """Return one dict of stored values per feature.

    Raises InputErrors listing every bad feature (its row or feature, and field), including
    positions outside ``area`` when one is given.
    """
    aliases = FILE_ALIASES.get(layer.name, {})
    columns = {aliases.get(str(c), str(c)): c for c in frame.columns if c != "geometry"}
    if layer.id_field not in columns:
        raise InputError(
            f"no '{layer.id_field}' column (the {layer.singular}'s identifier)", file=file_name
        )
    # A required column may be left out of a file that only updates records already in the
    # register (say new distances by site_id): their stored values stay. A new record without
    # it is refused when the file is stored (upsert_records), naming the row.
    present = [spec for spec in layer.fields if spec.name in columns]

    records: list[dict[str, Any]] = []
    problems: list[InputError] = []
    seen: dict[str, int] = {}
    id_values = frame[columns[layer.id_field]].tolist()
    geometries = frame.geometry.tolist()
    cells = {spec.name: frame[columns[spec.name]].tolist() for spec in present}
    position_field = "lat/lon" if file_name.lower().endswith(".csv") else "geometry"
    for index, (ident, geometry) in enumerate(zip(id_values, geometries, strict=True)):
        where = _location(file_name, index)
        row_problems: list[InputError] = []
        ref = "" if ident is None else str(ident).strip()
        if ref.endswith(".0") and isinstance(ident, float):
            ref = ref[:-2]  # a numeric identifier read as a float
        if not ref or ref.lower() == "nan":
            row_problems.append(InputError("is empty", field=layer.id_field))
        elif (problem := identifier_problem(ref)) is not None:
            row_problems.append(InputError(problem, field=layer.id_field))
        elif ref in seen:
            row_problems.append(
                InputError(
                    f"{ref!r} appears twice (also at {_location(file_name, seen[ref])})",
                    field=layer.id_field,
                )
            )
        else:
            seen[ref] = index
        if geometry is None or geometry.is_empty:
            row_problems.append(InputError("has no geometry"))
        elif geometry.geom_type not in layer.geometry_types:
            allowed = " or ".join(layer.geometry_types)
            row_problems.append(
                InputError(
                    f"geometry is a {geometry.geom_type}; {layer.title.lower()} need a {allowed}"
                )
            )
        elif area is not None and (outside := outside_problem(geometry, area)) is not None:
            row_problems.append(InputError(outside, field=position_field))
        record: dict[str, Any] = {layer.id_attr: ref, "geometry": geometry, WHERE: where}
        for spec in present:
            try:
                record[spec.name] = coerce_value(spec, cells[spec.name][index])
            except InputError as error:
                row_problems.append(error)
        if not any(p.field in DISTANCE_FIELDS for p in row_problems):
            try:
                _check_distances(record)
            except InputError as error:
                row_problems.append(error)
        problems += [p.located(file=file_name, location=where) for p in row_problems]
        records.append(record)
    raise_collected(problems, file=file_name)
    return records


DISTANCE_FIELDS = frozenset({"inner_m", "middle_m", "outer_m", "piz_m", "depz_m", "opz_m"})
WHERE = "_where"  # a parsed record's row or feature in its file, for errors found when storing


def _check_distances(record: dict[str, Any]) -> None:
    """Raise InputError unless the given zone distances are positive and inner < middle < outer."""
    previous: tuple[str, float] | None = None
    for name in ("inner_m", "middle_m", "outer_m", "piz_m", "depz_m", "opz_m"):
        value = record.get(name)
        if value is None:
            continue
        if value <= 0:
            raise InputError(f"{value:g} is not a positive distance", field=name)
        if name in ("piz_m", "depz_m", "opz_m"):
            continue
        if previous is not None and value <= previous[1]:
            raise InputError(
                f"{value:g} is not more than {previous[0]} ({previous[1]:g})", field=name
            )
        previous = (name, value)


def chunks(values: Sequence[str], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[str]]:
    """Yield `values` in slices of at most `size`, for IN lists that every backend accepts."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _foreign_refs(session: Session, layer: Layer, refs: set[str]) -> dict[str, str]:
    """Return refs used by another kind of hazard (every kind of hazard shares them), with the
    singular of that kind's layer."""
    if not issubclass(layer.model, Hazard):
        return {}
    own = layer.model.__mapper__.polymorphic_identity
    found: dict[str, str] = {}
    for part in chunks(sorted(refs)):
        rows = session.execute(select(Hazard.ref, Hazard.kind).where(Hazard.ref.in_(part)))
        found.update({ref: HAZARD_SINGULARS.get(kind, kind) for ref, kind in rows if kind != own})
    return found


HAZARD_SINGULARS = {
    "establishment": "establishment",
    "pipeline": "pipeline",
    "radiation_premises": "radiation premises",
}


def upsert_records(
    session: Session, layer: Layer, records: list[dict[str, Any]], file_name: str
) -> ImportSummary:
    """Create or update one row per record, matched on the layer's identifier; nothing commits."""
    summary = ImportSummary(layer=layer.name, file=file_name)
    id_column = getattr(layer.model, layer.id_attr)
    refs = {r[layer.id_attr] for r in records}
    clash = _foreign_refs(session, layer, refs)
    if clash:
        ref, kind = sorted(clash.items())[0]
        raise InputError(
            f"{ref!r} is already the identifier of a {kind}", file=file_name, field=layer.id_field
        )
    existing = {
        getattr(row, layer.id_attr): row
        for part in chunks(sorted(refs))
        for row in session.scalars(select(layer.model).where(id_column.in_(part)))
    }
    problems = [
        InputError(
            f"{ref!r} is not in the register yet, so it needs a {spec.name}: the file has no "
            f"'{spec.name}' column (a file without it may only update records already stored)",
            field=spec.name,
        ).located(file=file_name, location=record.get(WHERE, ""))
        for record in records
        if (ref := record[layer.id_attr]) not in existing
        for spec in layer.fields
        if spec.required and spec.name not in record
    ]
    raise_collected(problems, file=file_name)
    for record in records:
        record = {k: v for k, v in record.items() if k != WHERE}
        ref = record[layer.id_attr]
        row = existing.get(ref)
        if row is None:
            values = {k: v for k, v in record.items() if v is not None}
            created = layer.model(**values)
            session.add(created)
            summary.created.append(ref)
            summary.changed_rows.append(created)
            continue
        changed = False
        for name, value in record.items():
            if name == "geometry":
                if not value.equals_exact(row.geometry, 1e-12):
                    row.geometry = value
                    changed = True
            elif value is None and not layer.model.__table__.c[name].nullable:
                continue  # an empty cell leaves a required column (e.g. status) as it was
            elif getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        (summary.updated if changed else summary.unchanged).append(ref)
        if changed:
            summary.changed_rows.append(row)
    session.flush()
    return summary
