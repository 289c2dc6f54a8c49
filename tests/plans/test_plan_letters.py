"""The competent authority's letter agreeing the period for preparing a plan (COMAH 2015
reg. 13(2)): kept with the plan, shown beside the agreed date, refused when it cannot be right."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.storage.models import AuditEvent, Plan, PlanLetter
from tests.plans.pages import error_summary_links, field_error, summary_target
from tests.support.date_boxes import boxes
from tests.support.html import Node, parse
from tests.support.requests import url

LETTER = b"%PDF-1.7\nThe competent authority agrees 3 May 2027.\n%%EOF\n"
NOW = "2026-12-03 10:00"


@pytest.fixture
def frozen() -> Iterator[None]:
    """Make now 3 December 2026, before anyone signs in (a letter may not be dated later)."""
    with time_machine.travel(NOW, tick=False):
        yield


def keep(client: FlaskClient, ref: str, dated: str, data: bytes = LETTER) -> tuple[int, str]:
    response = client.post(
        url(client.application, "plans.letter_new", ref=ref),
        data={**boxes("dated_on", dated), "file": (io.BytesIO(data), "CA letter.pdf")},
        content_type="multipart/form-data",
    )
    return response.status_code, response.text


def letter_row(page: Node) -> str:
    (row,) = [
        r
        for r in page.find_all("div", "govuk-summary-list__row")
        if r.one("dt").text == "Letter agreeing the period"
    ]
    return row.one("dd").text


def stored(instance: Path) -> list[Path]:
    folder = instance / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.usefixtures("frozen")
def test_an_agreed_date_without_its_letter_is_flagged_until_the_letter_is_kept(
    editor: FlaskClient, stored_plan: Callable[..., Plan], session: Session, instance: Path
) -> None:
    stored_plan(
        "PLAN-A",
        status="draft",
        adopted_on=None,
        notified_on=date(2026, 8, 3),
        agreed_prepare_by=date(2027, 5, 3),
    )
    page = parse(editor.get("/plans/PLAN-A").text)
    assert "has no letter kept as evidence" in page.by_id("letter-warning").text
    assert letter_row(page).startswith("None kept")

    # 29 February: the date boxes take a leap day in a leap year.
    assert keep(editor, "PLAN-A", "2024-02-29")[0] == 302
    page = parse(editor.get("/plans/PLAN-A").text)
    assert page.find_all(id="letter-warning") == []
    assert letter_row(page).startswith("Letter of 29 February 2024")
    (link,) = [a for a in page.find_all("a") if a.text == "Letter of 29 February 2024"]

    with editor.get(link.attrs["href"]) as download:
        assert download.status_code == 200
        assert download.get_data() == LETTER
        assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert 'filename="CA letter.pdf"' in download.headers["Content-Disposition"]

    # A later letter becomes the one shown; the earlier is kept.
    assert keep(editor, "PLAN-A", "2026-11-30")[0] == 302
    assert letter_row(parse(editor.get("/plans/PLAN-A").text)).startswith(
        "Letter of 30 November 2026 (and 1 earlier)"
    )
    assert len(stored(instance)) == 2
    audited = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "plan_letters")
    ).all()
    assert audited == ["create", "create"]


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("dated", "data", "field", "message"),
    [
        ("2026-12-04", LETTER, "dated_on", "The date of the letter cannot be after today"),
        ("2026-02-29", LETTER, "dated_on", "The date of the letter must be a real date"),
        ("", LETTER, "dated_on", "Enter the date of the letter"),
        ("2026-11-30", b"", "file", "The selected file is empty"),
    ],
)
def test_a_bad_letter_is_a_400_beside_its_field_and_nothing_is_kept(
    editor: FlaskClient,
    stored_plan: Callable[..., Plan],
    session: Session,
    instance: Path,
    dated: str,
    data: bytes,
    field: str,
    message: str,
) -> None:
    stored_plan("PLAN-A", agreed_prepare_by=None)
    status, html = keep(editor, "PLAN-A", dated, data)
    assert status == 400
    page = parse(html)
    assert field_error(page, field).startswith(message)
    assert list(error_summary_links(page)) == [summary_target(page, field)]
    assert session.scalar(select(func.count()).select_from(PlanLetter)) == 0
    assert stored(instance) == []


@pytest.mark.usefixtures("frozen")
def test_only_an_officer_keeps_a_letter_and_a_sensitive_plans_letter_stays_with_the_cleared(
    client_as: Callable[[str], FlaskClient], stored_plan: Callable[..., Plan]
) -> None:
    stored_plan("PLAN-S", marking="OFFICIAL-SENSITIVE")
    officer = client_as("officer")
    assert keep(officer, "PLAN-S", "2026-11-02")[0] == 302
    letter = parse(officer.get("/plans/PLAN-S").text)
    (href,) = [a.attrs["href"] for a in letter.find_all("a") if a.text.startswith("Letter of")]

    member = client_as("member")
    assert keep(member, "PLAN-S", "2026-11-02")[0] == 403
    assert member.get("/plans/PLAN-S/letters").status_code == 403
    assert member.get(href).status_code == 403
    page = parse(member.get("/plans/PLAN-S").text)
    assert letter_row(page) == "Withheld from your role"
    with client_as("planner").get(href) as download:
        assert download.status_code == 200
