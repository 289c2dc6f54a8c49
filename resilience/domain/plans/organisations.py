"""The organisations list: the operators, emergency services and other responders that exercises
name as their participants. Nothing here commits; bad input raises InputError naming the field.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.errors import InputError
from resilience.storage.models import Organisation

ORGANISATION_KINDS: tuple[tuple[str, str], ...] = (
    ("operator", "Operator of a site or pipeline"),
    ("emergency_service", "Emergency service"),
    ("other", "Other responder or organisation"),
)
MAX_NAME = 200


def all_organisations(session: Session) -> list[Organisation]:
    """Return the organisations list, by kind (as ORGANISATION_KINDS orders them), then name."""
    order = {kind: rank for rank, (kind, _) in enumerate(ORGANISATION_KINDS)}
    found = session.scalars(select(Organisation))
    return sorted(found, key=lambda o: (order.get(o.kind, len(order)), o.name.casefold()))


def add_organisation(session: Session, name: str, kind: str) -> Organisation:
    """Return a new organisation on the list; InputError if the name is empty, too long or
    already listed (in any case), or the kind is not one of ORGANISATION_KINDS."""
    name = " ".join(name.split())
    if not name:
        raise InputError("Enter the name of the organisation", field="name")
    if len(name) > MAX_NAME:
        raise InputError(f"Enter at most {MAX_NAME} characters", field="name")
    if kind not in dict(ORGANISATION_KINDS):
        raise InputError("Choose what kind of organisation it is", field="kind")
    same = session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    if same is not None:
        raise InputError(f"{same.name} is already in the organisations list", field="name")
    organisation = Organisation(name=name, kind=kind)
    session.add(organisation)
    session.flush()
    return organisation
