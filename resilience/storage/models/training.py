"""Training: sessions for elected members and responders, who was invited, who attended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.storage.models.accounts import User
from resilience.storage.models.base import Base, utcnow


class TrainingSession(Base):
    """One training session: when, where, for whom, on what, by whom, for how many."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("audience IN ('members', 'responders', 'both')", name="audience"),
        CheckConstraint("status IN ('planned', 'cancelled')", name="status"),
        CheckConstraint("ends_at > starts_at", name="times"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    place: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    audience: Mapped[str] = mapped_column(String(20))
    # Topic keys (resilience.domain.training.refresher.TOPICS); "site_plan" goes with hazard_refs.
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    hazard_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    trainer: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="planned")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="training_session", cascade="all, delete-orphan"
    )
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="training_session", cascade="all, delete-orphan"
    )

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this session."""
        return f"{self.title} ({self.starts_at:%Y-%m-%d})" if self.starts_at else self.title


class Invitation(Base):
    """A person invited to a session: they see it in the app and in their calendar feed."""

    __tablename__ = "training_invitations"
    __table_args__ = (UniqueConstraint("session_id", "user_id", name="invitation_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    invited_by: Mapped[str] = mapped_column(String(254), default="")

    training_session: Mapped[TrainingSession] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship()


class Attendance(Base):
    """Whether one person attended one session, recorded afterwards."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id", name="attendance_once"),
        CheckConstraint("outcome IN ('attended', 'absent', 'apologies')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(254), default="")

    training_session: Mapped[TrainingSession] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship()

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this record: who, at which session."""
        who = self.user.email if self.user is not None else str(self.user_id)
        where = self.training_session.ref if self.training_session is not None else ""
        return f"{who} at {where}"
