"""The declarative base every table shares, its naming convention, and row timestamps."""

from __future__ import annotations

from sqlalchemy import (
    MetaData,
)
from sqlalchemy.orm import DeclarativeBase

from resilience.clock import utc_now

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The default of every timestamp column; the one clock says what the time is.
utcnow = utc_now


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
