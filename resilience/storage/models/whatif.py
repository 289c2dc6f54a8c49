"""Saved what-if scenarios: the inputs, who ran them and when, and the results as computed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from resilience.storage.models.base import Base, utcnow


class WhatIfScenario(Base):
    """A named what-if kept as it was computed, optionally an exercise's scenario."""

    __tablename__ = "whatif_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    hazard_ref: Mapped[str] = mapped_column(String(80), default="", index=True)
    exercise_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("exercises.id", ondelete="SET NULL"), index=True
    )
    author: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The results exactly as they were computed: later register edits do not change them.
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
