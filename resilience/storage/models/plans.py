"""Plans and their records: versions of the document, reviews, exercises and lessons, policy."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resilience.storage.models.base import Base, utcnow


class Plan(Base):
    """An emergency plan and the dates its statutory or local-policy duties run from."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(
            "regime IN ('comah_external', 'pipeline', 'reppir', 'cca_local')", name="regime"
        ),
        CheckConstraint("marking IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')", name="marking"),
        CheckConstraint(
            "prepare_basis IS NULL OR prepare_basis IN ('treated_as_prepared', 'exempted')",
            name="prepare_basis",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    regime: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(200), default="")
    marking: Mapped[str] = mapped_column(String(20), default="OFFICIAL")
    status: Mapped[str] = mapped_column(String(40), default="draft")
    notified_on: Mapped[date | None] = mapped_column(Date)
    extension_agreed: Mapped[bool] = mapped_column(default=False)
    # COMAH 2015 reg. 13(2): the date the competent authority agreed in writing, if any.
    agreed_prepare_by: Mapped[date | None] = mapped_column(Date)
    # Why it need not be prepared (COMAH 2015 reg. 13(5) or 15; rules.PrepareBasis), when that
    # was decided, and the reasons given; NULL: it must be prepared as reg. 13(1) says.
    prepare_basis: Mapped[str | None] = mapped_column(String(30))
    basis_decided_on: Mapped[date | None] = mapped_column(Date)
    basis_reasons: Mapped[str] = mapped_column(Text, default="")
    # REPPIR 2019 reg. 12(3): the dates the regulator agreed in writing that the review and the
    # test may take place by, after three years; each kept with its letter (PlanLetter).
    review_extended_to: Mapped[date | None] = mapped_column(Date)
    exercise_extended_to: Mapped[date | None] = mapped_column(Date)
    adopted_on: Mapped[date | None] = mapped_column(Date)
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    last_exercised_on: Mapped[date | None] = mapped_column(Date)
    # The type of the exercise last_exercised_on comes from (None: not known, e.g. a date loaded
    # from a file), and the last held exercise that was more than a discussion: what counts as
    # the statutory test where local policy does not count a discussion-based one.
    last_exercise_type: Mapped[str | None] = mapped_column(String(20))
    last_non_discussion_exercise_on: Mapped[date | None] = mapped_column(Date)
    hazard_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    # When it entered the register; None: before the register's records began (see reports).
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlanVersion(Base):
    """One uploaded version of a plan's document; versions are kept, never overwritten."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "label", name="plan_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    # The file's name in the instance folder's uploads/, generated: never the uploader's name.
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    change_summary: Mapped[str] = mapped_column(Text, default="")
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(254), default="")

    plan: Mapped[Plan] = relationship()

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this version."""
        return f"{self.plan.ref} version {self.label}" if self.plan else self.label


class PlanLetter(Base):
    """A letter kept with a plan as the evidence of a decision, such as the period the competent
    authority agreed in writing for preparing it (COMAH 2015 reg. 13(2))."""

    __tablename__ = "plan_letters"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('agreed_period', 'prepare_basis', 'reppir_extension')", name="purpose"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))
    dated_on: Mapped[date] = mapped_column(Date)
    # The file's name in the instance folder's uploads/, generated: never the uploader's name.
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    uploaded_by: Mapped[str] = mapped_column(String(254), default="")

    plan: Mapped[Plan] = relationship()

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this letter."""
        return f"{self.plan.ref} letter of {self.dated_on}" if self.plan else ""


# COMAH 2015 reg. 13(7): whom a consultation on a plan version was with (see
# resilience/domain/plans/consultation.py for the regulation's words).
CONSULTEE_KINDS = (
    "operator",
    "appropriate_agency",
    "designated_authority",
    "nhs_england",
    "ukhsa",
    "public",
    "other",
)


class PlanConsultation(Base):
    """One consultation on a version of a plan: with whom, when, and what they answered."""

    __tablename__ = "plan_consultations"
    __table_args__ = (
        CheckConstraint(
            "consultee IN (" + ", ".join(f"'{kind}'" for kind in CONSULTEE_KINDS) + ")",
            name="consultee",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True
    )
    consultee: Mapped[str] = mapped_column(String(30))
    organisation: Mapped[str] = mapped_column(String(300))
    consulted_on: Mapped[date] = mapped_column(Date)
    responded_on: Mapped[date | None] = mapped_column(Date)
    response: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(254), default="")

    version: Mapped[PlanVersion] = relationship()

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this consultation."""
        where = self.version.ref if self.version else ""
        return f"{where} consultation of {self.organisation}".strip()


class PlanReview(Base):
    """A recorded review of a plan: the only thing that discharges a review duty."""

    __tablename__ = "plan_reviews"
    __table_args__ = (
        CheckConstraint(
            "outcome IN ('no_change', 'minor_changes', 'major_revision', 'revision_needed')",
            name="outcome",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewer: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    changes_made: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    plan: Mapped[Plan] = relationship()

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this review."""
        return f"{self.plan.ref} review of {self.reviewed_on}" if self.plan else ""


exercise_plans = Table(
    "exercise_plans",
    Base.metadata,
    Column(
        "exercise_id",
        ForeignKey("exercises.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("plan_id", ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Organisation(Base):
    """An organisation that takes part in exercises: a site's operator, an emergency service, or
    another responder; exercises name their participants from this list."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind IN ('operator', 'emergency_service', 'other')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this organisation."""
        return self.name


exercise_participants = Table(
    "exercise_participants",
    Base.metadata,
    Column("exercise_id", ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "organisation_id",
        ForeignKey("organisations.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class Exercise(Base):
    """An exercise, planned or held; a held one discharges the exercise duty of each plan tested."""

    __tablename__ = "exercises"
    __table_args__ = (
        CheckConstraint(
            "exercise_type IN ('discussion_based', 'table_top', 'command_post', 'live')",
            name="exercise_type",
        ),
        CheckConstraint("status IN ('planned', 'held')", name="status"),
        CheckConstraint(
            "(status = 'planned' AND planned_on IS NOT NULL AND held_on IS NULL)"
            " OR (status = 'held' AND held_on IS NOT NULL)",
            name="dates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    exercise_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), index=True)
    planned_on: Mapped[date | None] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    # Free text: other participants, and those recorded before the organisations list.
    organisations: Mapped[str] = mapped_column(Text, default="")
    # What of the plans it tested: which parts or objectives.
    objectives: Mapped[str] = mapped_column(Text, default="", server_default="")
    hazard_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")

    plans: Mapped[list[Plan]] = relationship(secondary=exercise_plans, order_by=Plan.ref)
    participants: Mapped[list[Organisation]] = relationship(
        secondary=exercise_participants, order_by=Organisation.name
    )
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="exercise",
        cascade="all, delete-orphan",
        order_by=lambda: [Lesson.due_on, Lesson.id],
    )

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this exercise."""
        return self.title

    @property
    def on(self) -> date:
        """Return the day it was held, or else the day it is planned for."""
        day = self.held_on or self.planned_on
        assert day is not None  # the "dates" check constraint
        return day


class Lesson(Base):
    """A lesson identified in an exercise, with an owner and a due date, tracked to closure."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(
        ForeignKey("exercises.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_note: Mapped[str] = mapped_column(Text, default="")

    exercise: Mapped[Exercise] = relationship(back_populates="lessons")

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this lesson."""
        return f"{self.exercise.title}: lesson" if self.exercise else "lesson"


class PolicySetting(Base):
    """One local-policy value an administrator set (an interval, the reminder lead times)."""

    __tablename__ = "policy_settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")

    @property
    def ref(self) -> str:
        """Return the name the audit trail gives this setting."""
        return self.key
