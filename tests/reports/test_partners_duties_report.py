"""The annual report's partners' duties: each upper-tier operator's public information in its
PIZ as it stood at the period's end, in a section of its own, never among the council's duties."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import docx
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.duties.rules import Status
from resilience.reports.annual.content import annual_report
from resilience.reports.annual.document import annual_report_document
from resilience.reports.render.word import render_docx
from resilience.storage.models import Hazard
from tests.reports.report_fixtures import ENTERED, PERIOD
from tests.support.builders import make_establishment

GENERATED = datetime(2026, 6, 2, 9, tzinfo=UTC)


def _sites(session: Session) -> None:
    sites = [
        # Supplied on 29 February 2020: due 28 February 2025, overdue by the period's end.
        make_establishment(
            "UP-LATE", name="Late Leaflets", tier="upper",
            public_information_supplied_on=date(2020, 2, 29),
        ),
        make_establishment(
            "UP-OK", name="Recent Leaflets", tier="upper",
            public_information_supplied_on=date(2024, 2, 29),
        ),
        make_establishment("UP-NONE", name="No Record", tier="upper"),
        make_establishment(
            "LOW-1", name="Small Store", tier="lower",
            public_information_supplied_on=date(2019, 1, 1),
        ),
    ]  # fmt: skip
    for site in sites:
        site.created_at = ENTERED
    session.add_all(sites)
    session.commit()


def test_the_report_gives_each_operators_duty_as_at_the_periods_end(session: Session) -> None:
    _sites(session)
    # Supplied again after the period ended: the report still says it was overdue then.
    late = session.scalars(select(Hazard).where(Hazard.ref == "UP-LATE")).one()
    late.public_information_supplied_on = date(2026, 6, 1)
    session.commit()
    report = annual_report(session, PERIOD, GENERATED)
    duties = {d.hazard_ref: d for d in report.partner_duties}
    assert set(duties) == {"UP-LATE", "UP-OK", "UP-NONE"}  # the lower-tier site has no duty
    assert (duties["UP-LATE"].due_on, duties["UP-LATE"].status) == (
        date(2025, 2, 28),
        Status.OVERDUE,
    )
    assert (duties["UP-OK"].due_on, duties["UP-OK"].status) == (date(2029, 2, 28), Status.OK)
    assert duties["UP-NONE"].due_on == PERIOD.end and not duties["UP-NONE"].is_dated
    values = {f.key: f.value for f in report.all_figures}
    assert values["partners.public_information"] == 3
    assert values["partners.public_information_overdue"] == 1
    assert values["partners.public_information_unrecorded"] == 1
    # Apart from the council's duties: the operator's late leaflet is not a council duty overdue.
    assert values["overdue.duties"] == 0
    assert not [o for o in report.overdue if o.plan_ref.startswith("UP-")]


def test_the_word_report_has_a_partners_section_apart_from_the_councils(session: Session) -> None:
    _sites(session)
    report = annual_report(session, PERIOD, GENERATED)
    word = docx.Document(io.BytesIO(render_docx(annual_report_document(report, "Halton"))))
    headings = [
        p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"
    ]
    assert headings.index("Partners' duties") > headings.index("Statutory duties")
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in word.tables]
    partners = next(t for t in tables if t[0][:2] == ["Establishment", "Duty"])
    rows = {row[0]: row for row in partners[1:]}
    assert rows["Late Leaflets (UP-LATE)"][2:5] == [
        "29 February 2020",
        "28 February 2025",
        "Overdue",
    ]
    assert rows["No Record (UP-NONE)"][2:4] == ["Not recorded", "Now: no date recorded"]
    assert "local policy (operator's duty, COMAH 2015 reg. 18)" in rows["No Record (UP-NONE)"]
    council = [t for t in tables if t[0][:2] == ["Plan", "Duty"]]
    assert all("Leaflets" not in cell for t in council for row in t for cell in row)
