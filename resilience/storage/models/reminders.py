"""Reminder claims, in-app notifications, calendar feed tokens and the scheduler's job table."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from resilience.storage.models.base import Base, utcnow


class ReminderClaim(Base):
    """One reminder to one person, claimed by a scheduler before it is sent.

    The unique constraint is the whole of the never-twice guarantee: whoever inserts the row owns
    the reminder. ``next_attempt_at`` is when anyone else may take it over: the end of the
    holder's lease while it sends, or the end of the back-off after a failed send.
    """

    __tablename__ = "reminder_claims"
    __table_args__ = (
        UniqueConstraint(
            "plan_ref", "duty", "due_on", "lead", "recipient", name="uq_reminder_claims_reminder"
        ),
        CheckConstraint("state IN ('claimed', 'sent', 'cancelled')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_ref: Mapped[str] = mapped_column(String(80))
    duty: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    lead: Mapped[str] = mapped_column(String(20))  # d-90, d-30, d-7, overdue-n, undated
    recipient: Mapped[str] = mapped_column(String(254))
    # The day the reminder was meant for; it follows from (due_on, lead), and is kept so that a
    # pass can fetch only the claims that could collide with what it is about to claim.
    send_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(10), default="claimed")
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")


class Notification(Base):
    """A message in a user's in-app list; unread until ``read_at`` is set."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Unique, so that however a send is retried a reminder gives at most one notification.
    reminder_claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminder_claims.id", ondelete="SET NULL"), unique=True
    )
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CalendarToken(Base):
    """The secret in a user's personal calendar feed URL (one per user; replaced to revoke)."""

    __tablename__ = "user_calendar_tokens"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# APScheduler's SQLAlchemyJobStore table, column for column: declared here so that the
# migrations create it (the job store's own create-if-missing then does nothing) and the
# schema check sees every table the app uses.
scheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
