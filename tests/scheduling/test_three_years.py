"""Three simulated years of daily passes over many plans: exactly the expected e-mails, none twice.

The expected reminders are worked out here from the rule as DESIGN.md §2 states it (90, 30 and
7 days before, weekly from a week after), by plain date arithmetic, without the code under test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock, local_date
from resilience.storage.models import Notification, Plan, ReminderClaim, User
from tests.scheduling.builders import (
    OWNER,
    STAFF,
    Runner,
    add_council,
    days,
    mailer_on,
    morning,
    reminders_for,
)
from tests.scheduling.smtp_sink import SmtpSink
from tests.support.builders import add_plan

START, END = date(2025, 1, 1), date(2027, 12, 31)
PLANS = 24
REVIEW_OFFSETS = (-40, -10, 0, 12, 50, 4)  # days from the due date to the recorded review
EXERCISE_OFFSETS = (-5, 20, 8, -60, 3, 33)
Key = tuple[str, str, date, str, str]  # plan, duty, due date, lead, recipient


def plus_three_years(day: date) -> date:
    return day.replace(year=day.year + 3)  # no 29 February in this data set: it would raise


@dataclass
class Scenario:
    """The plans, what happens to them on which day, and the e-mails that should follow."""

    changes: dict[date, list[Callable[[Session], None]]]
    expected: Counter[tuple[Key, date]]

    def on(self, day: date, change: Callable[[Session], None]) -> None:
        self.changes.setdefault(day, []).append(change)

    def expect(
        self, ref: str, duty: str, due: date, first: date, last: date, people: tuple[str, ...]
    ) -> None:
        for sent_on, lead in reminders_for(due, first, last):
            for email in people:
                self.expected[((ref, duty, due, lead, email), sent_on)] += 1


def _set(ref: str, **values: object) -> Callable[[Session], None]:
    def change(session: Session) -> None:
        plan = session.scalars(select(Plan).where(Plan.ref == ref)).one()
        for name, value in values.items():
            setattr(plan, name, value)

    return change


def build_scenario(session: Session) -> Scenario:
    """Add the plans of the run and return what will happen and what should be sent."""
    add_council(session)
    scenario = Scenario({}, Counter())
    regimes = ("comah_external", "pipeline", "reppir", "cca_local")
    for i in range(PLANS):
        ref = f"PLAN-{i:02d}"
        adopted = date(2022, 4, 1) + timedelta(days=37 * i)
        exercised = adopted + timedelta(days=(11 * i) % 200)
        owner = OWNER if i % 3 == 0 else "Emergency Planning Team"
        if i == 5:
            owner = " OFFICER@council.test "  # staff already: still one e-mail each
        add_plan(
            session,
            ref,
            regime=regimes[i % 4],
            owner=owner,
            adopted_on=adopted,
            last_exercised_on=exercised,
        )
        people = (*STAFF, OWNER) if owner == OWNER else STAFF
        for duty, anchor, offsets, field in (
            ("review", adopted, REVIEW_OFFSETS, "last_reviewed_on"),
            ("exercise", exercised, EXERCISE_OFFSETS, "last_exercised_on"),
        ):
            due = plus_three_years(anchor)
            done = due + timedelta(days=offsets[i % 6])
            if i == PLANS - 1 and duty == "review":
                done = END + timedelta(days=1)  # never reviewed: weekly to the end
            if done > END:
                scenario.expect(ref, duty, due, START, END, people)
                continue
            # Recorded in the morning, before that day's pass: nothing more about the old date.
            scenario.on(done, _set(ref, **{field: done}))
            scenario.expect(ref, duty, due, START, done - timedelta(days=1), people)
            scenario.expect(ref, duty, plus_three_years(done), done, END, people)

    # Notified 10 March 2025, due 10 September; adopted three weeks late on 1 October.
    add_plan(session, "PREP", notified_on=date(2025, 3, 10))
    scenario.on(date(2025, 10, 1), _set("PREP", adopted_on=date(2025, 10, 1)))
    scenario.expect("PREP", "prepare", date(2025, 9, 10), START, date(2025, 9, 30), STAFF)

    # No date to count from until adopted on 1 March 2025: weekly, keyed by the week's Monday.
    add_plan(session, "UNDATED", regime="cca_local")
    scenario.on(date(2025, 3, 1), _set("UNDATED", adopted_on=date(2025, 3, 1)))
    monday = date(2024, 12, 30)
    while monday <= date(2025, 2, 28):
        for email in STAFF:
            key = ("UNDATED", "prepare", monday, "undated", email)
            scenario.expected[(key, max(monday, START))] += 1
        monday += timedelta(weeks=1)
    for duty in ("review", "exercise"):
        scenario.expect("UNDATED", duty, date(2028, 3, 1), date(2025, 3, 1), END, STAFF)

    # Added on 1 March 2026 with its review due 20 May: d-90 (19 February) is already past,
    # so it goes that day; reviewed 10 June 2026, the day overdue-3 would have gone.
    def add_late(session: Session) -> None:
        add_plan(session, "LATE", adopted_on=date(2023, 5, 20), last_exercised_on=date(2025, 1, 1))

    scenario.on(date(2026, 3, 1), add_late)
    scenario.on(date(2026, 6, 10), _set("LATE", last_reviewed_on=date(2026, 6, 10)))
    scenario.expect("LATE", "review", date(2026, 5, 20), date(2026, 3, 1), date(2026, 6, 9), STAFF)
    scenario.expect("LATE", "exercise", date(2028, 1, 1), date(2026, 3, 1), END, STAFF)

    # Withdrawn (deleted) on 1 August 2026 while overdue since 15 June.
    add_plan(session, "GONE", adopted_on=date(2023, 6, 15), last_exercised_on=date(2025, 6, 1))

    def delete_gone(session: Session) -> None:
        session.delete(session.scalars(select(Plan).where(Plan.ref == "GONE")).one())

    scenario.on(date(2026, 8, 1), delete_gone)
    scenario.expect("GONE", "review", date(2026, 6, 15), START, date(2026, 7, 31), STAFF)
    scenario.expect("GONE", "exercise", date(2028, 6, 1), START, date(2026, 7, 31), STAFF)
    session.commit()
    return scenario


def test_hand_listed_reminders_of_one_plan() -> None:
    # PLAN-00: adopted 1 April 2022, review due 1 April 2025, reviewed 40 days early on
    # 20 February 2025; the next review is due 20 February 2028, d-90 on 22 November 2027.
    assert reminders_for(date(2025, 4, 1), START, date(2025, 2, 19)) == [(START, "d-90")]
    assert reminders_for(date(2028, 2, 20), date(2025, 2, 20), END) == [
        (date(2027, 11, 22), "d-90")
    ]
    assert reminders_for(date(2026, 5, 20), date(2026, 3, 1), date(2026, 6, 9)) == [
        (date(2026, 3, 1), "d-90"),
        (date(2026, 4, 20), "d-30"),
        (date(2026, 5, 13), "d-7"),
        (date(2026, 5, 27), "overdue-1"),
        (date(2026, 6, 3), "overdue-2"),
    ]


def test_three_years_of_daily_passes_send_each_reminder_once(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    with sessions() as session:
        scenario = build_scenario(session)
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(START)))
    extra_passes = 0
    for day in days(START, END):
        for change in scenario.changes.get(day, []):
            with sessions.begin() as session:
                change(session)
        report = runner.run_at(morning(day))
        assert report.failed == report.lost == report.cancelled == 0
        if day.toordinal() % 5 == 0:  # and again in the evening: nothing new to send
            assert runner.run_at(morning(day, time(19, 30))).sent == 0
            extra_passes += 1

    expected = scenario.expected
    assert extra_passes > 200
    assert len(expected) > 500 and max(expected.values()) == 1
    messages = smtp.wait_for(len(expected))
    sent = Counter(
        (
            (*str(m["X-Resilience-Reminder"]).split(" "), str(m["To"])),
            local_date(parsedate_to_datetime(str(m["Date"]))),
        )
        for m in messages
    )
    normalised: Counter[tuple[Key, date]] = Counter()
    for (fields, day), count in sent.items():
        ref, duty, due, lead, to = fields
        normalised[((ref, duty, date.fromisoformat(due), lead, to), day)] += count
    assert max(normalised.values()) == 1, "a reminder was sent twice"
    assert set(normalised) - set(expected) == set(), "unexpected reminders"
    assert set(expected) - set(normalised) == set(), "reminders never sent"

    with sessions() as session:
        states = Counter(session.scalars(select(ReminderClaim.state)))
        assert states == Counter({"sent": len(expected)})
        per_user = dict(
            session.execute(
                select(User.email, func.count(Notification.id))
                .join(Notification, Notification.user_id == User.id)
                .group_by(User.email)
            ).all()
        )
    by_recipient = Counter(key[4] for key, _day in expected)
    assert per_user == dict(by_recipient)
    assert set(per_user) == {*STAFF, OWNER}


def test_sent_e_mails_say_what_is_due_and_why(
    sessions: sessionmaker[Session], smtp: SmtpSink
) -> None:
    with sessions() as session:
        add_council(session)
        add_plan(
            session,
            "PLAN-R",
            title="Runcorn Site external emergency plan",
            adopted_on=date(2023, 1, 9),
            last_reviewed_on=date(2024, 3, 2),
            last_exercised_on=date(2026, 1, 1),
            owner=OWNER,
        )
        session.commit()
    runner = Runner(sessions, mailer_on(smtp.port), SettableClock(morning(START)))
    runner.run_at(datetime.combine(date(2027, 3, 16), time(9), tzinfo=morning(START).tzinfo))
    messages = {str(m["To"]): m for m in smtp.wait_for(3)}
    message = messages[OWNER]
    assert str(message["Subject"]) == (
        "Review of Runcorn Site external emergency plan overdue by 14 days"
    )
    body = message.get_content()
    assert "Plan: Runcorn Site external emergency plan (PLAN-R)" in body
    assert "Due: Tuesday 2 March 2027 (overdue by 14 days)" in body
    assert "Basis: statutory, COMAH 2015 reg. 14" in body
    assert "You get this reminder because you own the plan." in body
    assert "because you are a planner" in messages[STAFF[1]].get_content()
    assert str(message["X-Resilience-Reminder"]) == "PLAN-R review 2027-03-02 overdue-2"
    assert str(message["Auto-Submitted"]) == "auto-generated"
