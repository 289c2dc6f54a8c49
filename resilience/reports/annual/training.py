"""The annual report's training section: sessions held in the period, attendance by elected
members and council responders, and who is overdue for refresher training at its end.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.clock import local_date
from resilience.domain.duties.rules import Status
from resilience.domain.training.refresher import TrainingPolicy, cohort_of, training_due
from resilience.domain.training.sessions import sessions_between
from resilience.reports.annual.model import Figure, ReportPeriod, SessionLine, Source, figure
from resilience.storage.models import Attendance, TrainingSession, User


def training_section(
    session: Session, period: ReportPeriod, policy: TrainingPolicy
) -> tuple[tuple[SessionLine, ...], tuple[Figure, ...]]:
    """Return the report's training sessions held in ``period``, and its training figures."""
    held = sessions_between(session, period.start, period.end)
    lines = []
    member_rows: list[Attendance] = []
    responder_rows: list[Attendance] = []
    for record in held:
        attended = [a for a in record.attendance if a.outcome == "attended"]
        by_members = [a for a in attended if cohort_of(a.user.role) == "members"]
        by_responders = [a for a in attended if cohort_of(a.user.role) == "responders"]
        member_rows += by_members
        responder_rows += by_responders
        lines.append(
            SessionLine(
                on=local_date(record.starts_at),
                title=record.title,
                audience=record.audience,
                topics=tuple(record.topics),
                invited=len(record.invitations),
                members_attended=len(by_members),
                responders_attended=len(by_responders),
                source=Source("training_sessions", record.id, record.ref),
            )
        )

    def attendance_source(row: Attendance) -> Source:
        return Source("attendance", row.id, f"session {row.session_id}, user {row.user_id}")

    def user_source(user: User) -> Source:
        return Source("users", user.id, f"user {user.id}")

    # People who held an account at the end of the period; their status is as on that day.
    people = [
        u
        for u in session.scalars(select(User).where(User.active.is_(True)))
        if local_date(u.created_at) <= period.end
    ]
    attended_by: dict[int, list[tuple[date, int]]] = {}
    for day, user_id, session_id in session.execute(
        select(TrainingSession.starts_at, Attendance.user_id, TrainingSession.id)
        .join(Attendance, Attendance.session_id == TrainingSession.id)
        .where(Attendance.outcome == "attended", TrainingSession.status == "planned")
    ):
        attended_by.setdefault(user_id, []).append((local_date(day), session_id))
    members = [u for u in people if cohort_of(u.role) == "members"]
    responders = [u for u in people if cohort_of(u.role) == "responders"]
    overdue = [
        u
        for u in people
        if training_due(u, attended_by.get(u.id, []), period.end, policy).status is Status.OVERDUE
    ]
    figures = (
        figure("training.sessions", "Training sessions held", (line.source for line in lines)),
        figure(
            "training.member_sessions",
            "Training sessions open to elected members",
            (line.source for line in lines if line.audience in ("members", "both")),
        ),
        figure(
            "training.member_attendances",
            "Attendances by elected members",
            map(attendance_source, member_rows),
        ),
        figure(
            "training.members_trained",
            "Elected members who attended at least one session",
            (user_source(a.user) for a in member_rows),
        ),
        figure("training.members", "Elected members with an account", map(user_source, members)),
        figure(
            "training.responder_attendances",
            "Attendances by council responders",
            map(attendance_source, responder_rows),
        ),
        figure(
            "training.responders_trained",
            "Council responders who attended at least one session",
            (user_source(a.user) for a in responder_rows),
        ),
        figure(
            "training.responders",
            "Council responders with an account",
            map(user_source, responders),
        ),
        figure(
            "training.overdue_members",
            "Elected members overdue for refresher training at the end of the period",
            (user_source(u) for u in overdue if cohort_of(u.role) == "members"),
        ),
        figure(
            "training.overdue_responders",
            "Council responders overdue for refresher training at the end of the period",
            (user_source(u) for u in overdue if cohort_of(u.role) == "responders"),
        ),
    )
    return tuple(lines), figures
