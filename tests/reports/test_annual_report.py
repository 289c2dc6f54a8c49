"""The annual report's figures equal the same counts made independently from the fixtures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from resilience.reports.annual.content import ReportPeriod, annual_report, default_period
from tests.reports.report_fixtures import PERIOD, Register, build_register

GENERATED = datetime(2026, 6, 2, 9, tzinfo=UTC)
UK = ZoneInfo("Europe/London")
DUTY_ORDER = ("prepare", "review", "exercise")


def in_period(day: date | None) -> bool:
    return day is not None and PERIOD.start <= day <= PERIOD.end


def municipal_start_year(day: date) -> int:
    """The year the municipal year containing ``day`` began in (years start on 1 May)."""
    return day.year if day >= date(day.year, 5, 1) else day.year - 1


def expected_figures(r: Register) -> dict[str, set[tuple[str, int]]]:
    """Return, per figure key, the (table, id) of every record it should count."""
    end = PERIOD.end
    hz, pl, ex, ls, us, ss, at = (
        r.hazards,
        r.plans,
        r.exercises,
        r.lessons,
        r.users,
        r.sessions,
        r.attendance,
    )
    out: dict[str, set[tuple[str, int]]] = {
        "register.establishments": {
            ("hazards", hz["est-upper"].id),
            ("hazards", hz["est-lower"].id),
        },
        "register.upper_tier": {("hazards", hz["est-upper"].id)},
        "register.pipelines": {("hazards", hz["pipe"].id)},
        "register.plans": {("plans", p.id) for p in pl.values()},
    }
    # Duties on the last day, each plan's dates plus three years (six months to prepare).
    group = {"comah_external": "comah", "pipeline": "pipelines", "cca_local": "cca"}
    for plan in pl.values():
        if plan.adopted_on is None:
            assert plan.notified_on is not None
            rows = [("prepare", plan.notified_on + relativedelta(months=6), True)]
        else:
            review = (plan.last_reviewed_on or plan.adopted_on) + relativedelta(years=3)
            exercise = (plan.last_exercised_on or plan.adopted_on) + relativedelta(years=3)
            statutory = plan.regime == "comah_external"
            rows = [
                ("review", review, plan.regime != "cca_local"),
                ("exercise", exercise, statutory),
            ]
        for name, due, statutory in rows:
            status = "overdue" if due < end else "due_soon" if (due - end).days <= 90 else "ok"
            out.setdefault(f"duties.{group[plan.regime]}.{status}", set()).add(
                ("plans", plan.id * 1000 + ["prepare", "review", "exercise"].index(name))
            )
            if status == "overdue":
                out.setdefault("overdue.duties", set()).add(
                    ("plans", plan.id * 1000 + ["prepare", "review", "exercise"].index(name))
                )
                if statutory:
                    out.setdefault("overdue.statutory", set()).add(
                        ("plans", plan.id * 1000 + ["prepare", "review", "exercise"].index(name))
                    )
    # Partners' duties: each open upper-tier establishment's operator informs its PIZ; the
    # fixture records no supply, so each is due on the last day, unrecorded and not overdue.
    upper = [h for h in hz.values() if h.kind == "establishment" and h.tier == "upper"]
    out["partners.public_information"] = {("hazards", h.id) for h in upper}
    out["partners.public_information_unrecorded"] = {
        ("hazards", h.id) for h in upper if h.public_information_supplied_on is None
    }
    out["partners.public_information_overdue"] = set()
    # Consultation (reg. 13(7)): the fixture uploads no version, so every COMAH external plan
    # adopted by the last day and not withdrawn has no consultation recorded at all.
    out["consultation.gaps"] = {
        ("plans", p.id)
        for p in pl.values()
        if p.regime == "comah_external"
        and p.adopted_on is not None
        and p.adopted_on <= end
        and p.status != "withdrawn"
    }
    reviewed = [rv for rv in r.reviews.values() if in_period(rv.reviewed_on)]
    out["plans.reviews"] = {("plan_reviews", rv.id) for rv in reviewed}
    out["plans.reviewed"] = {("plans", rv.plan_id) for rv in reviewed}
    out["plans.adopted"] = {("plans", p.id) for p in pl.values() if in_period(p.adopted_on)}
    out["plans.versions"] = set()
    held = [e for e in ex.values() if e.status == "held" and in_period(e.held_on)]
    out["exercises.held"] = {("exercises", e.id) for e in held}
    out["exercises.plans_tested"] = {("plans", p.id) for e in held for p in e.plans}
    refs = {ref for e in held for ref in e.hazard_refs} | {
        ref for e in held for p in e.plans for ref in p.hazard_refs
    }
    out["exercises.sites"] = {("hazards", h.id) for h in hz.values() if h.ref in refs}
    held_ids = {e.id for e in held}
    out["lessons.identified"] = {
        ("lessons", x.id) for x in ls.values() if x.exercise_id in held_ids
    }
    out["lessons.closed"] = {("lessons", x.id) for x in ls.values() if in_period(x.closed_on)}
    still_open = [x for x in ls.values() if x.closed_on is None or x.closed_on > end]
    out["lessons.open"] = {("lessons", x.id) for x in still_open}
    out["lessons.open_overdue"] = {("lessons", x.id) for x in still_open if x.due_on < end}
    # Training: sessions whose UK day is in the period and that were not cancelled.
    held_sessions = [
        s
        for s in ss.values()
        if s.status == "planned" and in_period(s.starts_at.astimezone(UK).date())
    ]
    out["training.sessions"] = {("training_sessions", s.id) for s in held_sessions}
    out["training.member_sessions"] = {
        ("training_sessions", s.id) for s in held_sessions if s.audience != "responders"
    }
    held_session_ids = {s.id for s in held_sessions}
    attended = [
        a for a in at.values() if a.outcome == "attended" and a.session_id in held_session_ids
    ]
    members = {u.id for u in us.values() if u.role == "member"}
    out["training.member_attendances"] = {
        ("attendance", a.id) for a in attended if a.user_id in members
    }
    out["training.responder_attendances"] = {
        ("attendance", a.id) for a in attended if a.user_id not in members
    }
    out["training.members_trained"] = {
        ("users", a.user_id) for a in attended if a.user_id in members
    }
    out["training.responders_trained"] = {
        ("users", a.user_id) for a in attended if a.user_id not in members
    }
    joined_by_end = [u for u in us.values() if u.created_at.date() <= end]
    out["training.members"] = {("users", u.id) for u in joined_by_end if u.role == "member"}
    out["training.responders"] = {("users", u.id) for u in joined_by_end if u.role != "member"}
    # Refresher status on the last day, by the rules in words: members need a session in the
    # current or the previous municipal year; responders one in the last three years.
    ever = [
        a for a in at.values() if a.outcome == "attended" and a.training_session.status == "planned"
    ]
    current = municipal_start_year(end)
    overdue_members, overdue_responders = set(), set()
    for u in joined_by_end:
        days = [
            a.training_session.starts_at.astimezone(UK).date() for a in ever if a.user_id == u.id
        ]
        days = [d for d in days if d <= end]
        if u.role == "member":
            years = {municipal_start_year(d) for d in days}
            joined_year = municipal_start_year(u.created_at.date())
            if current not in years and current - 1 not in years and joined_year < current:
                overdue_members.add(("users", u.id))
        else:
            last = max(days, default=None)
            due = (
                last + relativedelta(years=3)
                if last
                else u.created_at.date() + relativedelta(months=6)
            )
            if due < end:
                overdue_responders.add(("users", u.id))
    out["training.overdue_members"] = overdue_members
    out["training.overdue_responders"] = overdue_responders
    return out


def test_every_figure_equals_the_independent_count(session: Session) -> None:
    r = build_register(session)
    report = annual_report(session, PERIOD, GENERATED)
    expected = expected_figures(r)
    duty_ids = {
        f"{p.ref} ({d})": ("plans", p.id * 1000 + i)
        for p in r.plans.values()
        for i, d in enumerate(DUTY_ORDER)
    }
    seen = set()
    for figure in report.all_figures:
        seen.add(figure.key)
        if figure.key.startswith(("duties.", "overdue.")):
            got = {duty_ids[s.ref] for s in figure.sources}
        else:
            got = {(s.table, s.id) for s in figure.sources}
        want = expected.get(figure.key, set())
        assert got == want, figure.key
        assert figure.value == len(want), figure.key
    assert set(expected) <= seen


def test_the_fixture_exercises_every_kind_of_figure(session: Session) -> None:
    """Guard against a fixture change making the comparison vacuous: these are hand counts."""
    build_register(session)
    report = annual_report(session, PERIOD, GENERATED)
    values = {f.key: f.value for f in report.all_figures}
    assert values["training.sessions"] == 2  # not the one just after midnight, not the cancelled
    assert values["training.members_trained"] == 2
    assert values["training.members"] == 3  # m3 joined after the period
    assert values["training.overdue_members"] == 1  # m4 never trained
    assert values["lessons.closed"] == 2
    assert values["lessons.open_overdue"] == 1
    assert values["exercises.sites"] == 2
    assert values["overdue.duties"] == 2
    assert values["overdue.statutory"] == 1
    assert values["duties.comah.due_soon"] == 1


def test_overdue_duties_carry_their_reason(session: Session) -> None:
    build_register(session)
    report = annual_report(session, PERIOD, GENERATED)
    reasons = {(o.plan_ref, o.duty.value): o.reason for o in report.overdue}
    assert reasons[("P-COMAH", "exercise")] == (
        "Last exercised on 10 January 2022; nothing recorded since. "
        "Note on the plan: Exercise postponed: operator shutdown."
    )
    assert reasons[("P-PIPE", "exercise")] == (
        "No exercise recorded since the plan was adopted on 1 October 2019."
    )
    assert [o.days_overdue for o in report.overdue] == [
        (PERIOD.end - date(2022, 10, 1)).days,
        (PERIOD.end - date(2025, 1, 10)).days,
    ]


def test_exercise_lines_name_sites_and_organisations(session: Session) -> None:
    build_register(session)
    report = annual_report(session, PERIOD, GENERATED)
    (line,) = report.exercises
    assert line.sites == ("Chlorine works", "Solvent store")
    assert line.organisations == (
        "Cheshire Fire and Rescue Service",
        "Chlorine Works Ltd",
        "UKHSA",
    )
    assert line.lessons_identified == 2


def test_the_default_period_is_the_last_whole_year_to_31_may() -> None:
    assert default_period(date(2026, 11, 28)) == ReportPeriod(date(2025, 6, 1), date(2026, 5, 31))
    assert default_period(date(2026, 5, 31)) == ReportPeriod(date(2024, 6, 1), date(2025, 5, 31))
    assert default_period(date(2026, 6, 1)) == ReportPeriod(date(2025, 6, 1), date(2026, 5, 31))
