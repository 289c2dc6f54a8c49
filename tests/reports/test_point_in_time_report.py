"""A past period's annual report says what was true then, whatever is recorded later."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.plans.consultation import MANDATORY, consultation_gaps
from resilience.domain.plans.exercises import ExerciseValues, save_exercise
from resilience.domain.plans.reviews import record_review
from resilience.reports.annual.content import AnnualReport, annual_report
from resilience.reports.annual.document import annual_report_document
from resilience.storage.models import Plan, PlanConsultation, PlanVersion
from tests.reports.report_fixtures import PERIOD, build_register
from tests.support.builders import make_establishment

GENERATED = datetime(2026, 6, 2, 9, tzinfo=UTC)
TODAY = date(2026, 12, 2)


def figures(report: AnnualReport) -> dict[str, tuple[int, tuple[object, ...]]]:
    return {f.key: (f.value, f.sources) for f in report.all_figures}


def lines(report: AnnualReport) -> tuple[object, ...]:
    return (
        tuple((g.key, g.lines) for g in report.duty_groups),
        report.overdue,
        report.plan_activity,
        report.exercises,
        report.sessions,
    )


def record_later_things(session: Session) -> None:
    """What the issue's officer recorded after the period: a review, an exercise, an adoption,
    a new site, a new plan, a withdrawn plan and a re-tiered site, all dated after 31 May 2026."""
    plans = {p.ref: p for p in session.scalars(select(Plan))}
    record_review(
        session,
        plans["P-COMAH"],
        reviewed_on=date(2026, 12, 1),
        reviewer="EPO",
        outcome="no_change",
        changes_made="",
        today=TODAY,
    )
    save_exercise(
        session,
        ExerciseValues(
            title="Exercise Winter",
            exercise_type="table_top",
            status="held",
            planned_on=None,
            held_on=date(2026, 11, 30),
            organisations="",
            plan_refs=("P-PIPE", "P-COMAH"),
            hazard_refs=(),
        ),
        today=TODAY,
    )
    plans["P-NEW"].adopted_on = date(2026, 11, 20)
    plans["P-NEW"].status = "adopted"
    plans["P-CCA"].status = "withdrawn"
    plans["P-CCA"].title = "Major incident plan (old)"
    session.add(make_establishment("EST-TODAY", name="Added today", tier="upper"))
    session.add(
        Plan(ref="P-TODAY", title="Added today", regime="cca_local", adopted_on=date(2026, 12, 1))
    )
    session.commit()


def test_later_records_leave_a_past_report_as_it_was(session: Session) -> None:
    register = build_register(session)
    before = annual_report(session, PERIOD, GENERATED)
    assert before.figure("overdue.duties").value > 0  # the fixture has overdue duties to lose
    record_later_things(session)
    # The new records are in the register now, so a report that read it as it is would change.
    assert register.hazards["est-upper"].id
    after = annual_report(session, PERIOD, datetime(2026, 12, 2, 20, tzinfo=UTC))
    assert figures(after) == figures(before)
    assert lines(after) == lines(before)
    assert after.notes == before.notes
    assert after.as_at == date(2026, 5, 31)


def test_a_site_removed_since_still_counts_in_the_period_it_was_in(session: Session) -> None:
    register = build_register(session)
    before = annual_report(session, PERIOD, GENERATED)
    session.delete(register.hazards["est-lower"])
    session.commit()
    after = annual_report(session, PERIOD, GENERATED)
    assert figures(after)["register.establishments"] == figures(before)["register.establishments"]


def test_a_correction_to_a_record_of_the_period_is_reported(session: Session) -> None:
    register = build_register(session)
    before = annual_report(session, PERIOD, GENERATED)
    assert not any("changed" in note for note in before.notes)
    register.reviews["in"].outcome = "major_revision"
    session.commit()
    after = annual_report(session, PERIOD, GENERATED)
    assert "1 record dated in this period was changed or removed after the period ended" in (
        " ".join(after.notes)
    )
    text = " ".join(
        getattr(block, "text", "") for block in annual_report_document(after, "Halton").blocks
    )
    assert "As at 31 May 2026" in text
    assert "1 record dated in this period was changed" in text


def test_a_site_with_no_plan_at_the_periods_end_stays_a_gap_in_that_report(
    session: Session,
) -> None:
    build_register(session)
    bare = make_establishment("EST-BARE", name="Bare works", tier="upper")
    bare.created_at = datetime(2025, 1, 6, 9, tzinfo=UTC)  # in the register before the period ended
    session.add(bare)
    session.commit()
    before = annual_report(session, PERIOD, GENERATED)
    assert [g.hazard_ref for g in before.coverage_gaps] == ["EST-BARE"]
    assert before.figure("coverage.gaps").value == 1
    text = " ".join(
        getattr(block, "text", "") for block in annual_report_document(before, "Halton").blocks
    )
    assert "Sites and pipelines that needed a plan and had none" in text
    # A plan covering it, recorded today, does not change what was true at the period's end.
    session.add(
        Plan(
            ref="P-BARE",
            title="Bare works external plan",
            regime="comah_external",
            status="draft",
            hazard_refs=["EST-BARE"],
        )
    )
    session.commit()
    after = annual_report(session, PERIOD, datetime(2026, 12, 2, 20, tzinfo=UTC))
    assert [g.hazard_ref for g in after.coverage_gaps] == ["EST-BARE"]


def test_a_plan_consulted_only_after_the_periods_end_is_reported_unconsulted(
    session: Session,
) -> None:
    build_register(session)
    plan = session.scalars(select(Plan).where(Plan.ref == "P-COMAH")).one()
    version = PlanVersion(
        plan=plan,
        label="3.0",
        stored_name="a" * 32 + ".pdf",
        original_name="plan.pdf",
        content_type="application/pdf",
        size_bytes=10,
        sha256="0" * 64,
        uploaded_at=datetime(2025, 3, 3, 9, tzinfo=UTC),
    )
    session.add(version)
    # Four consultees in the period; the fifth (UKHSA) only on 1 June 2026, the day after.
    for kind in MANDATORY:
        on = date(2026, 6, 1) if kind == MANDATORY[-1] else date(2025, 2, 28)
        session.add(
            PlanConsultation(
                version=version, consultee=kind, organisation=f"Body {kind}", consulted_on=on
            )
        )
    session.commit()
    report = annual_report(session, PERIOD, GENERATED)
    assert [(g.plan_ref, g.version_label, g.missing) for g in report.consultation_gaps] == [
        ("P-COMAH", "3.0", (MANDATORY[-1],))
    ]
    assert report.figure("consultation.gaps").value == 1
    text = " ".join(
        getattr(block, "text", "") for block in annual_report_document(report, "Halton").blocks
    )
    assert "Plans adopted without a recorded consultation" in text
    # Today every consultee is recorded: the plan page's warning is gone, the report's stays.
    assert consultation_gaps(session, [plan]) == []
