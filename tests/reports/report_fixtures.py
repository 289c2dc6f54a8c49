"""One small register for the report tests: plans, reviews, exercises, lessons, training."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from resilience.reports.annual.content import ReportPeriod
from resilience.storage.models import (
    Attendance,
    Exercise,
    Hazard,
    Lesson,
    Plan,
    PlanReview,
    TrainingSession,
    User,
)
from tests.support.builders import (
    attend,
    make_establishment,
    make_pipeline,
    make_session,
    make_user,
)

PERIOD = ReportPeriod(date(2025, 6, 1), date(2026, 5, 31))
# When the fixture's sites and plans entered the register: long before the period.
ENTERED = datetime(2019, 1, 1, tzinfo=UTC)


@dataclass
class Register:
    """What the fixture stored, by name, so tests can count it their own way."""

    hazards: dict[str, Hazard] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    reviews: dict[str, PlanReview] = field(default_factory=dict)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    sessions: dict[str, TrainingSession] = field(default_factory=dict)
    attendance: dict[str, Attendance] = field(default_factory=dict)


def build_register(session: Session) -> Register:
    """Store the fixture register (committed) and return its records."""
    r = Register()
    r.hazards = {
        "est-upper": make_establishment("EST-UP", name="Chlorine works", tier="upper"),
        "est-lower": make_establishment("EST-LOW", name="Solvent store", tier="lower"),
        "pipe": make_pipeline("PIPE-ETH", name="Ethylene pipeline"),
    }
    for hazard in r.hazards.values():
        hazard.created_at = ENTERED
    session.add_all(r.hazards.values())
    r.plans = {
        # Reviewed in the period; last exercised 10 Jan 2022, so overdue at the end of it.
        "comah": Plan(
            ref="P-COMAH",
            title="Chlorine works plan",
            regime="comah_external",
            status="adopted",
            adopted_on=date(2021, 6, 30),
            last_reviewed_on=date(2025, 9, 1),
            last_exercised_on=date(2022, 1, 10),
            hazard_refs=["EST-UP"],
            note="Exercise postponed: operator shutdown.",
        ),
        # Never exercised since adoption in 2019 (local policy); review due October 2026.
        "pipe": Plan(
            ref="P-PIPE",
            title="Ethylene pipeline plan",
            regime="pipeline",
            status="adopted",
            adopted_on=date(2019, 10, 1),
            last_reviewed_on=date(2023, 10, 16),
            hazard_refs=["PIPE-ETH"],
        ),
        # Adopted within the period.
        "cca": Plan(
            ref="P-CCA",
            title="Major incident plan",
            regime="cca_local",
            status="adopted",
            adopted_on=date(2025, 7, 1),
        ),
        # Not yet adopted: prepare due 1 June 2026, the day after the period ends (due soon).
        "new": Plan(
            ref="P-NEW",
            title="Solvent store plan",
            regime="comah_external",
            status="in preparation",
            notified_on=date(2025, 12, 1),
            hazard_refs=["EST-LOW"],
        ),
    }
    for plan in r.plans.values():
        plan.created_at = ENTERED
    session.add_all(r.plans.values())
    session.flush()
    r.reviews = {
        "in": PlanReview(
            plan_id=r.plans["comah"].id,
            reviewed_on=date(2025, 9, 1),
            reviewer="EPO",
            outcome="minor_changes",
        ),
        "before": PlanReview(
            plan_id=r.plans["comah"].id,
            reviewed_on=date(2025, 5, 31),
            reviewer="EPO",
            outcome="no_change",
        ),
    }
    session.add_all(r.reviews.values())
    r.exercises = {
        "held": Exercise(
            title="Exercise Chlorine Cloud",
            exercise_type="table_top",
            status="held",
            held_on=date(2025, 11, 5),
            organisations="Cheshire Fire and Rescue Service, Chlorine Works Ltd\nUKHSA",
            hazard_refs=["EST-LOW"],
            plans=[r.plans["comah"]],
        ),
        "before": Exercise(
            title="Exercise Early",
            exercise_type="live",
            status="held",
            held_on=date(2025, 5, 20),
            plans=[r.plans["pipe"]],
        ),
        "planned": Exercise(
            title="Exercise Later",
            exercise_type="command_post",
            status="planned",
            planned_on=date(2026, 9, 1),
        ),
    }
    session.add_all(r.exercises.values())
    session.flush()
    r.lessons = {
        "closed": Lesson(
            exercise_id=r.exercises["held"].id,
            description="Warn and inform",
            owner="Comms",
            due_on=date(2026, 1, 31),
            closed_on=date(2026, 2, 10),
        ),
        "open-late": Lesson(
            exercise_id=r.exercises["held"].id,
            description="Rest centre",
            owner="EPO",
            due_on=date(2026, 3, 1),
        ),
        "old-closed": Lesson(
            exercise_id=r.exercises["before"].id,
            description="Logging",
            owner="EPO",
            due_on=date(2025, 6, 30),
            closed_on=date(2025, 7, 1),
        ),
        "old-open": Lesson(
            exercise_id=r.exercises["before"].id,
            description="Radios",
            owner="EPO",
            due_on=date(2026, 12, 1),
        ),
    }
    session.add_all(r.lessons.values())
    r.users = {
        "m1": make_user(session, "m1@council.invalid", joined=date(2024, 5, 1)),
        "m2": make_user(session, "m2@council.invalid", joined=date(2024, 5, 1)),
        "m3": make_user(session, "m3@council.invalid", joined=date(2026, 6, 10)),  # after
        "m4": make_user(session, "m4@council.invalid", joined=date(2023, 5, 1)),  # never trains
        "o1": make_user(session, "o1@council.invalid", role="officer", joined=date(2020, 1, 1)),
        "p1": make_user(session, "p1@council.invalid", role="planner", joined=date(2025, 1, 1)),
    }
    r.sessions = {
        "june": make_session(session, "Members' COMAH briefing", date(2025, 6, 15)),
        "last-day": make_session(
            session,
            "Late session",
            date(2026, 5, 31),
            time(23),
            time(23, 45),
            audience="both",
            topics=["jesip"],
        ),
        "after": make_session(session, "Just after", date(2026, 6, 1), time(0, 30), time(1)),
        "cancelled": make_session(session, "Called off", date(2025, 10, 1), status="cancelled"),
        "responders": make_session(
            session,
            "JESIP for responders",
            date(2022, 3, 1),
            audience="responders",
            topics=["jesip"],
        ),
    }
    s = r.sessions
    u = r.users
    r.attendance = {
        "june-m1": attend(session, s["june"], u["m1"]),
        "june-m2": attend(session, s["june"], u["m2"], outcome="apologies"),
        "june-o1": attend(session, s["june"], u["o1"]),
        "last-m2": attend(session, s["last-day"], u["m2"]),
        "last-p1": attend(session, s["last-day"], u["p1"]),
        "after-m3": attend(session, s["after"], u["m3"]),
        "cancelled-m4": attend(session, s["cancelled"], u["m4"]),
        "old-o1": attend(session, s["responders"], u["o1"]),
    }
    session.commit()
    return r
