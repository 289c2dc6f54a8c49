"""A REPPIR plan's longer interval for its review or test, agreed by the regulator in writing
(REPPIR 2019 reg. 12(3)): the date and the letter recorded together, never one without the other."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from resilience.date_text import long_date
from resilience.domain.duties.policy import stored_policy
from resilience.domain.duties.rules import DutyKind
from resilience.domain.plans.extensions import agree_extension, due_without_extension
from resilience.domain.plans.letters import REPPIR_EXTENSION, discard_letter_file, plan_letters
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.plans.blueprint import Page, actor, bp, plan_or_404, render_page, uploads
from resilience.web.plans.forms import ExtensionForm
from resilience.web.saving import saving


@bp.route("/plans/<ref>/extensions", methods=["GET", "POST"])
def extension_new(ref: str) -> Page:
    plan = plan_or_404(ref)
    session = db_session()
    today = clock.today()
    policy = stored_policy(session)
    form = ExtensionForm()
    if form.validate_on_submit():
        upload = form.file.data
        with saving(form, "extended_to") as attempt:
            letter = agree_extension(
                attempt.session,
                plan,
                upload.stream,
                duties={DutyKind(d) for d in form.duties.data or ()},
                extended_to=form.extended_to.data,
                dated_on=form.dated_on.data,
                original_name=upload.filename or "",
                content_type=upload.mimetype or "",
                uploaded_by=actor(),
                uploads=uploads(),
                policy=policy,
                today=today,
            )
            attempt.undo_if_not_stored(lambda: discard_letter_file(uploads(), letter))
        if attempt.saved:
            flash(
                f"The regulator's agreement to {long_date(form.extended_to.data)} is recorded "
                f"for {plan.ref}, with its letter.",
                "success",
            )
            return redirect(url_for(".plan_detail", ref=plan.ref) + "#duties")
    usual = due_without_extension(plan, policy, today) if plan.adopted_on else {}
    return render_page(
        "plans/extension_form.html",
        400 if request.method == "POST" else 200,
        plan=plan,
        form=form,
        usual=usual,
        letters=plan_letters(session, plan, REPPIR_EXTENSION),
        security_marking=plan.marking,
    )
