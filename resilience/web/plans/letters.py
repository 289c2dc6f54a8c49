"""A plan's letters: the competent authority's written agreement of the period for preparing
it (COMAH 2015 reg. 13(2)), or the decision that it need not be prepared (reg. 13(5) or 15),
kept as the evidence beside the date or decision the plan records. ``?purpose=`` says which."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from resilience.date_text import long_date
from resilience.domain.plans.letters import (
    AGREED_PERIOD,
    PURPOSES,
    discard_letter_file,
    letter_path,
    plan_letters,
    store_letter,
)
from resilience.storage.models import PlanLetter
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.plans.blueprint import (
    Page,
    actor,
    bp,
    check_document_access,
    document_download,
    plan_or_404,
    render_page,
    uploads,
)
from resilience.web.plans.forms import LetterForm
from resilience.web.saving import saving


@bp.route("/plans/<ref>/letters", methods=["GET", "POST"])
def letter_new(ref: str) -> Page:
    plan = plan_or_404(ref)
    purpose = request.args.get("purpose", AGREED_PERIOD)
    if purpose not in PURPOSES:
        abort(404, f"The register keeps no letters of the kind {purpose!r}.")
    form = LetterForm()
    if form.validate_on_submit():
        upload = form.file.data
        with saving(form, "file") as attempt:
            letter = store_letter(
                attempt.session,
                plan,
                upload.stream,
                purpose=purpose,
                dated_on=form.dated_on.data,
                original_name=upload.filename or "",
                content_type=upload.mimetype or "",
                uploaded_by=actor(),
                uploads=uploads(),
                today=clock.today(),
            )
            attempt.undo_if_not_stored(lambda: discard_letter_file(uploads(), letter))
        if attempt.saved:
            flash(f"Letter of {long_date(letter.dated_on)} kept with {plan.ref}.", "success")
            return redirect(url_for(".plan_detail", ref=plan.ref))
    return render_page(
        "plans/letter_form.html",
        400 if request.method == "POST" else 200,
        plan=plan,
        form=form,
        purpose=purpose,
        letters=plan_letters(db_session(), plan, purpose),
        security_marking=plan.marking,
    )


@bp.get("/plans/<ref>/letters/<int:letter_id>")
def letter_download(ref: str, letter_id: int) -> Response:
    plan = plan_or_404(ref)
    check_document_access(plan)
    letter = db_session().get(PlanLetter, letter_id)
    if letter is None or letter.plan_id != plan.id:
        abort(404, f"Plan {plan.ref} has no letter number {letter_id}.")
    path = letter_path(uploads(), letter)
    what = f"the letter of {long_date(letter.dated_on)}"
    return document_download(path, letter.content_type, letter.original_name, what)
