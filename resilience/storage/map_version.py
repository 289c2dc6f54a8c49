"""The version of what maps draw: one cheap query that changes with every edit to it."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.storage.models import AuditEvent, Hazard, Receptor, Ward, Zone, ZoneExposure

# The tables a map draws; an audited change to any of them gives a new version.
MAP_TABLES = ("hazards", "zones", "wards", "receptors")


def map_data_version(session: Session) -> str:
    """Return a token that changes whenever anything a map draws is added, changed or deleted.

    Every change to hazards, zones, wards and receptors leaves an audit event in the same
    transaction (the audit table is append-only), so the newest such event identifies the
    data; the row counts guard against a database restored or emptied behind the app's back.
    """
    newest = (
        select(func.max(AuditEvent.id)).where(AuditEvent.entity.in_(MAP_TABLES)).scalar_subquery()
    )
    counts = [
        select(func.count()).select_from(model).scalar_subquery()
        for model in (Hazard, Zone, Ward, Receptor, ZoneExposure)
    ]
    row = session.execute(select(newest, *counts)).one()
    return "-".join(str(value or 0) for value in row)
