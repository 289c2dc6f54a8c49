"""Planners record reviews, exercises and lessons; only officers create and edit plans."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.storage.models import Exercise, Plan, PlanReview, PlanVersion
from tests.plans.test_plan_pages import count, exercise_form, url
from tests.support.date_boxes import boxes
from tests.support.html import parse

PLAN_FORM = {
    "ref": "PLAN-NEW",
    "title": "A new plan",
    "regime": "cca_local",
    "owner": "Team",
    "marking": "OFFICIAL",
    "status": "draft",
}


def test_a_planner_may_not_create_or_edit_a_plan_or_upload_a_version(
    app: Flask,
    client_as: Callable[[str], FlaskClient],
    stored_plan: Callable[..., Plan],
    session: Session,
) -> None:
    stored_plan("PLAN-S", marking="OFFICIAL-SENSITIVE")
    planner = client_as("planner")
    assert planner.get(url(app, "plans.plan_new")).status_code == 403
    assert planner.post(url(app, "plans.plan_new"), data=PLAN_FORM).status_code == 403
    edit = {**PLAN_FORM, "title": "Plan PLAN-S", "marking": "OFFICIAL"}
    assert planner.post(url(app, "plans.plan_edit", ref="PLAN-S"), data=edit).status_code == 403
    upload = {"label": "2", "change_summary": "x", "file": (io.BytesIO(b"doc"), "plan.pdf")}
    response = planner.post(
        url(app, "plans.version_index", ref="PLAN-S"),
        data=upload,
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    session.expire_all()
    plan = session.scalars(select(Plan).where(Plan.ref == "PLAN-S")).one()
    assert plan.marking == "OFFICIAL-SENSITIVE"
    assert count(session, PlanVersion) == 0 and count(session, Plan) == 1
    # The buttons for what they may no longer do are gone; those for what they may do stay.
    page = parse(planner.get(url(app, "plans.plan_detail", ref="PLAN-S")).text)
    hrefs = {a.attrs.get("href") for a in page.find_all("a")}
    assert url(app, "plans.plan_edit", ref="PLAN-S") not in hrefs
    assert url(app, "plans.version_index", ref="PLAN-S") not in hrefs
    assert url(app, "plans.review_new", ref="PLAN-S") in hrefs
    index = parse(planner.get(url(app, "plans.plan_index")).text)
    assert url(app, "plans.plan_new") not in {a.attrs.get("href") for a in index.find_all("a")}
    officer = client_as("officer")
    assert officer.get(url(app, "plans.plan_new")).status_code == 200


def test_a_planner_still_records_a_review_and_an_exercise(
    app: Flask,
    client_as: Callable[[str], FlaskClient],
    stored_plan: Callable[..., Plan],
    session: Session,
) -> None:
    stored_plan("PLAN-E", regime="cca_local", adopted_on=date(2020, 1, 31))
    planner = client_as("planner")
    review = {**boxes("reviewed_on", "2024-05-01"), "reviewer": "Sam", "outcome": "no_change"}
    response = planner.post(url(app, "plans.review_new", ref="PLAN-E"), data=review)
    assert response.status_code == 302, response.text
    response = planner.post(url(app, "plans.exercise_new"), data=exercise_form())
    assert response.status_code == 302, response.text
    assert count(session, PlanReview) == 1 and count(session, Exercise) == 1
