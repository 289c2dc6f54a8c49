"""Creating, changing and deleting one record of a layer (the form path; imports have their own)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.record_dates import check_date
from resilience.domain.register.layers import Layer
from resilience.domain.register.service_area import check_in_area, great_britain, service_area
from resilience.domain.register.zoning import refresh_exposure_for_wards, refresh_zones
from resilience.errors import InputError
from resilience.storage.models import Base, Hazard, User, Ward


def find_record(session: Session, layer: Layer, ref: str) -> Any | None:
    """Return the record of `layer` whose identifier is `ref`, or None."""
    column = getattr(layer.model, layer.id_attr)
    return session.scalars(select(layer.model).where(column == ref)).one_or_none()


def save_record(
    session: Session,
    layer: Layer,
    values: dict[str, Any],
    existing: Base | None = None,
    today: date | None = None,
) -> Any:
    """Return the created or updated record; raises InputError when the identifier is taken,
    the position is outside the area the register covers (field 'geometry'), a date it records
    is implausible or (with ``today``) after today, or the liaison officer has no account."""
    ref = values[layer.id_attr]
    check_duty_fields(session, layer, values, today)
    if "geometry" in values:
        area = great_britain() if layer.name == "wards" else service_area(session)
        check_in_area(values["geometry"], area, field="geometry")
    table = Hazard if issubclass(layer.model, Hazard) else layer.model
    column = getattr(table, layer.id_attr)
    other = session.scalars(select(table).where(column == ref)).one_or_none()
    if other is not None and other is not existing:
        raise InputError(f"{ref!r} is already used by another record", field="ref")
    if existing is None:
        record = layer.model(**{k: v for k, v in values.items() if v is not None or k == "tier"})
        session.add(record)
    else:
        record = existing
        for name, value in values.items():
            if value is None and not layer.model.__table__.c[name].nullable:
                continue
            setattr(record, name, value)
    session.flush()
    after_change(session, [record])
    return record


def check_duty_fields(
    session: Session, layer: Layer, values: dict[str, Any], today: date | None
) -> None:
    """Return None if the dates duties count from have happened and the liaison officer (made
    lower case in ``values``) is someone with an account; raise InputError naming the field."""
    for spec in layer.duty_fields:
        if spec.kind == "date":
            check_date(values.get(spec.name), spec.name, today=today)
    officer = (values.get("liaison_officer") or "").strip().lower()
    if "liaison_officer" in values:
        values["liaison_officer"] = officer
    if officer:
        known = session.scalar(select(User.id).where(func.lower(User.email) == officer))
        if known is None:
            raise InputError(
                f"No account signs in as {officer!r}: give the e-mail address of a user",
                field="liaison_officer",
            )


def delete_record(session: Session, record: Base) -> None:
    """Delete `record` (a hazard's zones and their exposure go with it)."""
    session.delete(record)
    session.flush()
    if isinstance(record, Ward):
        refresh_exposure_for_wards(session, [record.geometry])


def after_change(session: Session, records: list[Any]) -> None:
    """Bring zones and exposure up to date with changed hazards or wards."""
    hazards = [r for r in records if isinstance(r, Hazard)]
    if hazards:
        refresh_zones(session, hazards)
    wards = [r.geometry for r in records if isinstance(r, Ward)]
    if wards:
        refresh_exposure_for_wards(session, wards)
