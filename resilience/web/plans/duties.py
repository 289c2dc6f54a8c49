"""The duties pages: the dashboard and its CSV, the three-year calendar, and the local policy."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from resilience.domain.duties import dashboard
from resilience.domain.duties.coverage import coverage
from resilience.domain.duties.dashboard import (
    DutyRow,
    plan_owners,
    planning_calendar,
    register_duties,
)
from resilience.domain.duties.partners import partner_duties
from resilience.domain.duties.policy import (
    DISCUSSION_REASON,
    LEAD_DAYS_KEY,
    PolicyChoice,
    interval_key,
    parse_lead_days,
    policy_problems,
    save_policy,
    stored_policy,
)
from resilience.domain.duties.rules import RULES, Regime, Status
from resilience.domain.marking import marked_views, visible_lessons
from resilience.domain.paging import paged
from resilience.domain.plans.consultation import consultation_gaps
from resilience.domain.plans.exercises import open_lessons
from resilience.errors import InputError
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.downloads import download, file_name
from resilience.web.paging import page_number
from resilience.web.plans.blueprint import (
    Page,
    actor,
    bp,
    labels,
    reader,
    render_page,
)
from resilience.web.plans.forms import DutyFilterForm, policy_field_name, policy_form_class
from resilience.web.saving import commit, show_error


def _duty_filters() -> tuple[DutyFilterForm, bool]:
    """Return the filter form read from the query string, and whether it is valid."""
    form = DutyFilterForm(request.args)
    owners = plan_owners(db_session())
    form.owner.choices = [SelectChoice("", "All owners")] + [SelectChoice(o, o) for o in owners]
    return form, form.validate()


def _filtered_duties(form: DutyFilterForm) -> tuple[date, list[DutyRow]]:
    session = db_session()
    as_of = form.as_of.data or clock.today()
    rows = register_duties(
        session,
        as_of,
        stored_policy(session),
        regime=Regime(form.regime.data) if form.regime.data else None,
        owner=form.owner.data or None,
    )
    return as_of, rows


DUTIES_PER_PAGE = 100


@bp.get("/duties/")
def duties() -> tuple[str, int]:
    form, valid = _duty_filters()
    if not valid:
        return render_page("duties/index.html", 400, form=form, rows=[], lessons=[], **labels())
    as_of, rows = _filtered_duties(form)
    counts = {status: sum(1 for row in rows if row.status is status) for status in Status}
    filters: dict[str, Any] = {k: v for k, v in request.args.items() if v and k != "page"}
    # Most urgent first, a page at a time: nationally the table runs to thousands of duties.
    page = paged(rows, page_number(), DUTIES_PER_PAGE)
    here = url_for(".duties")
    return render_page(
        "duties/index.html",
        form=form,
        rows=page.items,
        page=page,
        page_url=lambda n: f"{here}?{urlencode({**filters, 'page': n})}#duties",
        as_of=as_of,
        counts=counts,
        lessons=visible_lessons(open_lessons(db_session()), reader()),
        coverage=coverage(db_session()),
        consultation_gaps=marked_views(consultation_gaps(db_session()), reader()),
        partners=partner_duties(db_session(), as_of, stored_policy(db_session()).due_soon_days),
        csv_href=url_for(".duties_csv", **filters),
        **labels(),
    )


@bp.get("/duties/duties.csv")
def duties_csv() -> Response | tuple[str, int]:
    form, valid = _duty_filters()
    if not valid:
        return render_page("duties/index.html", 400, form=form, rows=[], lessons=[], **labels())
    as_of, rows = _filtered_duties(form)
    return download(dashboard.duties_csv(rows), "text/csv", file_name("duties", as_of, ext="csv"))


@bp.get("/duties/calendar")
def duties_calendar() -> str:
    session = db_session()
    calendar = planning_calendar(session, clock.today(), stored_policy(session))
    return render_template("duties/calendar.html", calendar=calendar, **labels())


@bp.route("/settings/policy", methods=["GET", "POST"])
def policy() -> Page:
    session = db_session()
    current = PolicyChoice.of(stored_policy(session))
    form = policy_form_class()()
    if request.method == "GET":
        for key, value in current.settings().items():
            getattr(form, policy_field_name(key)).data = value
    if form.validate_on_submit():
        problems: dict[str, str] = {}
        try:
            lead_days = parse_lead_days(form.reminder_lead_days.data)
        except InputError as error:
            problems[LEAD_DAYS_KEY] = error.problem
            lead_days = current.reminder_lead_days
        choice = PolicyChoice(
            intervals={
                (rule.regime, rule.duty): getattr(
                    form, policy_field_name(interval_key(rule.regime, rule.duty))
                ).data
                for rule in RULES
            },
            comah_prepare_extended_months=form.comah_prepare_extended_months.data,
            reminder_lead_days=lead_days,
            overdue_reminder_every_days=form.overdue_reminder_every_days.data,
            discussion_discharges_statutory_test=(
                form.discussion_exercise_discharges_statutory_test.data == "yes"
            ),
        )
        problems.update(policy_problems(choice))
        if not problems:
            save_policy(session, choice, by=actor())
            commit()
            flash("Policy saved. Due dates now follow it.", "success")
            return redirect(url_for(".policy"))
        for key, problem in problems.items():
            show_error(
                form, InputError(problem, field=policy_field_name(key)), "reminder_lead_days"
            )
    rules = [
        (rule, getattr(form, policy_field_name(interval_key(rule.regime, rule.duty))))
        for rule in RULES
    ]
    return render_page(
        "duties/policy.html",
        400 if request.method == "POST" else 200,
        form=form,
        rules=rules,
        discussion_reason=DISCUSSION_REASON,
        **labels(),
    )
