"""A person's calendar feed: duty due dates, planned exercises and training, as RFC 5545 iCalendar.

The feed is fetched by a calendar program (Outlook, Thunderbird, a phone) from a secret per-user
URL, so it carries what that person would get reminders about: staff see every plan's duties
and planned exercises, anyone else those of the plans they own; everybody sees the training
sessions they are invited to.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import icalendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.clock import local_date
from resilience.date_text import when
from resilience.domain.duties.dashboard import PLAN_RECORD_COLUMNS, plan_dates, stored_plan_duties
from resilience.domain.duties.policy import stored_policy
from resilience.domain.duties.rules import DutyKind, DutyPolicy
from resilience.domain.plans.exercises import all_exercises
from resilience.domain.training.sessions import calendar_event, invited_sessions
from resilience.scheduling.reminder_text import DISCHARGED_BY, DUTY_NOUNS, when_due
from resilience.scheduling.reminders import RECIPIENT_ROLES, Recipient, is_undated
from resilience.storage.models import CalendarToken, Plan, User

PRODID = "-//Resilience//Emergency planning register//EN"
UID_DOMAIN = "resilience"
# How often a subscribed calendar should fetch the feed again (Outlook reads X-PUBLISHED-TTL).
REFRESH_EVERY = "PT6H"
TOKEN_BYTES = 32  # 256 random bits: the URL is the only credential


@dataclass(frozen=True)
class FeedEvent:
    """One event of the feed: all day when ``start`` is a date, timed when it is a datetime.

    ``uid`` must stay the same for as long as the event is the same event, so that a calendar
    re-reading the feed updates it in place instead of adding it again.
    """

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime | None = None  # all day: the day after the last; default one day
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()


class PlannedExercise(Protocol):
    """What the feed needs of an exercise record (``resilience.storage.models.Exercise``)."""

    @property
    def id(self) -> int: ...

    @property
    def title(self) -> str: ...

    @property
    def planned_on(self) -> date | None: ...

    @property
    def exercise_type(self) -> str: ...


def duty_events(
    session: Session, person: Recipient, today: date, policy: DutyPolicy
) -> list[FeedEvent]:
    """Return an all-day event on the due date of each duty of the plans ``person`` follows."""
    query = select(Plan.title, *PLAN_RECORD_COLUMNS).order_by(Plan.ref)
    if person.role not in RECIPIENT_ROLES:
        query = query.where(func.lower(func.trim(Plan.owner)) == person.email)
    events = []
    for row in session.execute(query):
        plan = plan_dates(row)
        for duty in stored_plan_duties(row, today, policy):
            if duty.duty is DutyKind.PREPARE and is_undated(plan):
                continue  # no date to put it on: the reminders and the dashboard carry it
            noun = DUTY_NOUNS[duty.duty]
            events.append(
                FeedEvent(
                    uid=f"duty-{row.ref}-{duty.duty.value}-{duty.due_on:%Y%m%d}@{UID_DOMAIN}",
                    summary=f"{noun} due: {row.title}",
                    start=duty.due_on,
                    description="\n".join(
                        [
                            f"{noun} of {row.title} ({row.ref}), "
                            f"{when(duty.due_on, 'weekday')}: {when_due(duty.due_on, today)} "
                            f"on {when(today, 'weekday')}.",
                            f"Basis: {duty.basis}.",
                            f"Discharged by {DISCHARGED_BY[duty.duty]} in the register.",
                        ]
                    ),
                    url=f"/plans/{row.ref}",
                    categories=("Plan duty",),
                )
            )
    return events


def exercise_events(exercises: Iterable[PlannedExercise]) -> list[FeedEvent]:
    """Return an all-day event for each exercise that has a planned date."""
    return [
        FeedEvent(
            uid=f"exercise-{exercise.id}@{UID_DOMAIN}",
            summary=f"Exercise: {exercise.title}",
            start=exercise.planned_on,
            description=f"Planned exercise ({exercise.exercise_type.replace('_', ' ')}).",
            url=f"/exercises/{exercise.id}",
            categories=("Exercise",),
        )
        for exercise in exercises
        if exercise.planned_on is not None
    ]


def build_calendar(
    events: Iterable[FeedEvent],
    now: datetime,
    name: str = "Resilience",
    components: Iterable[icalendar.Event] = (),
    base_url: str = "",
) -> bytes:
    """Return a VCALENDAR of ``events`` (and ready-made VEVENT ``components``) as RFC 5545 bytes."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_EVERY)
    stamp = now.astimezone(UTC)
    for event in events:
        calendar.add_component(_vevent(event, stamp, base_url))
    for component in components:
        calendar.add_component(component)
    return calendar.to_ical()


def _vevent(event: FeedEvent, stamp: datetime, base_url: str) -> icalendar.Event:
    """Return one FeedEvent as a VEVENT."""
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    start, end = event.start, event.end
    if isinstance(start, datetime):
        vevent.add("dtstart", start.astimezone(UTC))
        if isinstance(end, datetime):
            vevent.add("dtend", end.astimezone(UTC))
    else:
        vevent.add("dtstart", start)
        # DTEND of an all-day event is the day after (exclusive); Outlook needs it to be explicit.
        vevent.add("dtend", end if isinstance(end, date) else start + timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    url = absolute_url(event.url, base_url)
    if url:
        vevent.add("url", url)
    if event.categories:
        vevent.add("categories", list(event.categories))
    return vevent


def absolute_url(path: str, base_url: str) -> str:
    """Return the absolute URL of a page (RFC 5545 3.8.4.6), or "" when there is no base."""
    url = base_url.rstrip("/") + path if path.startswith("/") else path
    return url if url.startswith(("https://", "http://")) else ""


def training_components(session: Session, user_id: int, base_url: str) -> list[icalendar.Event]:
    """Return a VEVENT for each training session the user is invited to, cancelled ones too.

    Each keeps its UID for as long as the session exists, so an edited session moves in the
    calendar and a cancelled one shows as STATUS:CANCELLED instead of vanishing unexplained.
    """
    return [
        calendar_event(record, absolute_url(f"/training/{record.id}", base_url))
        for record in invited_sessions(session, user_id)
    ]


def feed_for(session: Session, person: Recipient, now: datetime, base_url: str = "") -> bytes:
    """Return the whole calendar feed of ``person`` as of ``now``."""
    today = local_date(now)
    events = duty_events(session, person, today, stored_policy(session))
    planned, _held = all_exercises(session)
    if person.role not in RECIPIENT_ROLES:
        # Beyond staff, only exercises that test a plan the person owns.
        planned = [
            e for e in planned if any(p.owner.strip().lower() == person.email for p in e.plans)
        ]
    events.extend(exercise_events(planned))
    return build_calendar(
        events,
        now,
        name=f"Resilience: {person.email}",
        components=training_components(session, person.user_id, base_url),
        base_url=base_url,
    )


def calendar_token(session: Session, user_id: int) -> str | None:
    """Return the user's current feed token, if they have made one."""
    record = session.get(CalendarToken, user_id)
    return None if record is None else record.token


def renew_calendar_token(session: Session, user_id: int, now: datetime) -> str:
    """Give the user a new feed token (the old URL stops working) and return it."""
    record = session.get(CalendarToken, user_id)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    if record is None:
        session.add(CalendarToken(user_id=user_id, token=token, created_at=now))
    else:
        record.token, record.created_at = token, now
    return token


def person_for_token(session: Session, token: str) -> Recipient | None:
    """Return the active user whose feed token this is, or None."""
    row = session.execute(
        select(User.id, User.email, User.role)
        .join(CalendarToken, CalendarToken.user_id == User.id)
        .where(CalendarToken.token == token, User.active.is_(True))
    ).one_or_none()
    return None if row is None else Recipient(row.id, row.email.lower(), row.role)
