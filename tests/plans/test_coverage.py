"""Coverage: an upper-tier establishment or a pipeline with no plan is a duty to prepare one,
shown on the dashboard, the home page, the record page and in reminders (issue #12 item 3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from shapely.geometry import LineString, Point
from sqlalchemy.orm import Session

from resilience.domain.duties.coverage import coverage
from resilience.domain.duties.dashboard import register_duties
from resilience.domain.duties.rules import DEFAULT_POLICY, DutyKind, Regime
from resilience.storage.models import Plan
from tests.support.builders import make_establishment, make_pipeline
from tests.support.html import parse

TODAY = date(2026, 12, 3)  # a Thursday: its week's reminders are keyed on Monday 30 November
SITE = Point(-2.73, 53.33)


def _register(session: Session) -> None:
    session.add_all(
        [
            make_establishment("UPPER-1", name="Upper One", tier="upper", geometry=SITE),
            make_establishment("UPPER-2", name="Upper Two", tier="upper", geometry=SITE),
            make_establishment("LOWER-1", name="Lower One", tier="lower", geometry=SITE),
            make_establishment("UNKNOWN-1", name="Unknown One", tier=None, geometry=SITE),
            make_establishment(
                "CLOSED-1", name="Closed One", tier="upper", status="closed", geometry=SITE
            ),
            make_pipeline(
                "PIPE-1", name="Pipe One", geometry=LineString([(-2.74, 53.33), (-2.72, 53.34)])
            ),
        ]
    )
    session.flush()


def _plan(
    session: Session, ref: str, regime: str, refs: list[str], status: str = "adopted"
) -> None:
    session.add(
        Plan(
            ref=ref,
            title=f"Plan {ref}",
            regime=regime,
            owner="Emergency Planning Team",
            status=status,
            adopted_on=date(2025, 1, 1) if status != "draft" else None,
            hazard_refs=refs,
        )
    )
    session.flush()


def test_what_needs_a_plan_and_has_none(session: Session) -> None:
    _register(session)
    _plan(session, "EXT-1", "comah_external", ["UPPER-1"])
    _plan(session, "EXT-OLD", "comah_external", ["UPPER-2"], status="withdrawn")
    _plan(session, "EXT-LOWER", "comah_external", ["LOWER-1"])
    _plan(session, "EXT-NONE", "comah_external", [])
    _plan(session, "CCA-1", "cca_local", ["PIPE-1"])  # not a pipeline plan: does not cover it
    found = coverage(session)
    # Upper Two's only plan is withdrawn; the closed site and the lower-tier one need none.
    assert [(g.hazard_ref, g.regime) for g in found.gaps] == [
        ("PIPE-1", Regime.PIPELINE),
        ("UPPER-2", Regime.COMAH_EXTERNAL),
    ]
    assert found.unconfirmed_tiers == (("UNKNOWN-1", "Unknown One"),)
    assert {w.plan_ref for w in found.plan_warnings} == {"EXT-LOWER", "EXT-NONE"}

    _plan(session, "EXT-2", "comah_external", ["UPPER-2"], status="draft")  # being prepared
    _plan(session, "PIPE-PLAN", "pipeline", ["PIPE-1"])
    assert coverage(session).gaps == ()


def test_a_gap_is_a_prepare_duty_due_today_on_the_dashboard(session: Session) -> None:
    _register(session)
    rows = [r for r in register_duties(session, TODAY, DEFAULT_POLICY) if r.is_gap]
    assert [(r.hazard_ref, r.duty, r.due_on, r.days_left) for r in rows] == [
        ("PIPE-1", DutyKind.PREPARE, TODAY, 0),
        ("UPPER-1", DutyKind.PREPARE, TODAY, 0),
        ("UPPER-2", DutyKind.PREPARE, TODAY, 0),
    ]
    assert rows[1].plan_title == "No external emergency plan covers Upper One"
    assert "reg. 13" in rows[1].basis and "reg. 25" in rows[0].basis
    # A filter by owner shows plans of that owner only: a missing plan has no owner.
    assert not [
        r for r in register_duties(session, TODAY, DEFAULT_POLICY, owner="Someone") if r.is_gap
    ]


def test_an_officer_sees_a_new_upper_tier_site_needs_a_plan(
    client: FlaskClient, client_as: Callable[[str], FlaskClient], session: Session
) -> None:
    response = client.post(
        "/establishments/new",
        data={
            "ref": "NEW-UT",
            "name": "New Chlorine Works",
            "tier": "upper",
            "status": "operational",
            "latitude": "53.33",
            "longitude": "-2.73",
        },
    )
    assert response.status_code == 302, response.text
    record = parse(client.get("/establishments/NEW-UT").text)
    assert "No external emergency plan covers this establishment" in record.text
    assert "No plan in the register covers this establishment" in record.text
    add_link = [h for h in record.links() if h.startswith("/plans/new")]
    assert add_link == ["/plans/new?regime=comah_external&hazard=NEW-UT"]
    form = client.get(add_link[0]).text
    chosen = {
        (tag["name"], tag["value"])
        for tag in parse(form).find_all("input")
        if "checked" in tag.attrs or "selected" in tag.attrs
    }
    assert ("hazard_refs", "NEW-UT") in chosen

    duties = parse(client.get("/duties/").text)
    assert "No external emergency plan covers New Chlorine Works" in duties.text
    home = parse(client.get("/").text)
    assert "No external emergency plan covers New Chlorine Works" in home.text
    assert "Add the plan" not in parse(client_as("member").get("/establishments/NEW-UT").text).text

    session.add(
        Plan(
            ref="EXT-NEW",
            title="New Chlorine Works external emergency plan",
            regime="comah_external",
            owner="Emergency Planning Team",
            status="draft",
            hazard_refs=["NEW-UT"],
        )
    )
    session.commit()
    record = parse(client.get("/establishments/NEW-UT").text)
    assert "No external emergency plan covers" not in record.text
    assert "New Chlorine Works external emergency plan" in record.text
    assert "No external emergency plan covers" not in parse(client.get("/duties/").text).text
