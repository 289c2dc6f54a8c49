"""The forms of the plans pages: plans, versions, reviews, exercises, lessons, duty filters and
the local policy."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from resilience.domain.duties.dashboard import DUTY_LABELS
from resilience.domain.duties.policy import interval_key
from resilience.domain.duties.rules import RULES, PrepareBasis, Regime
from resilience.domain.plans.consultation import CONSULTEES
from resilience.domain.plans.exercises import EXERCISE_TYPES, ExerciseValues
from resilience.domain.plans.organisations import ORGANISATION_KINDS
from resilience.domain.plans.records import MARKINGS, PLAN_STATUSES, REGIME_LABELS, PlanValues
from resilience.domain.plans.reviews import REVIEW_OUTCOMES
from resilience.web.date_input import DateInputField
from resilience.web.forms import Form

PLAN_REF = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
    message="Use letters, digits and . _ : - only, starting with a letter or digit",
)
BAD_NUMBER = "Enter a whole number"


def date_field(
    label: str, required: str | None = None, what: str | None = None, **kwargs: Any
) -> DateInputField:
    """Return a day, month and year date field, required (with that message) or optional.

    ``what`` names the date in its error messages ("The date the plan was adopted must be a real
    date"); the label does when it is not given.
    """
    validators = [InputRequired(required)] if required else [Optional()]
    return DateInputField(label, validators=validators, what=what, **kwargs)


def choice_list(pairs: Any) -> list[SelectChoice]:
    """Return (value, label) pairs as a field's choices."""
    return [SelectChoice(value, label) for value, label in pairs]


PREPARE_BASIS_CHOICES = (
    ("", "Yes: COMAH 2015 reg. 13(1)"),
    (
        PrepareBasis.TREATED_AS_PREPARED.value,
        "No: the 1999 off-site plan remains materially unchanged, so it is treated as prepared "
        "(reg. 13(5)); it is still reviewed and tested",
    ),
    (
        PrepareBasis.EXEMPTED.value,
        "No: the competent authority exempted it (reg. 15); there is no plan to review or test",
    ),
)


class PlanForm(Form):
    ref = StringField(
        "Identifier",
        validators=[InputRequired("Enter an identifier"), Length(max=80), PLAN_REF],
        description="A short, stable reference such as PLAN-RUNCORN-SITE; it cannot change later",
    )
    title = StringField(
        "Title", validators=[InputRequired("Enter the plan's title"), Length(max=300)]
    )
    regime = SelectField(
        "Regime",
        choices=choice_list((r.value, label) for r, label in REGIME_LABELS.items()),
        invalid_choice_message="Choose the regime the plan is prepared under",
    )
    owner = StringField(
        "Owner",
        validators=[InputRequired("Enter who owns the plan"), Length(max=200)],
        description="The team or person who keeps the plan up to date",
    )
    marking = RadioField(
        "Security marking",
        choices=choice_list((m, m) for m in MARKINGS),
        validators=[InputRequired("Choose the security marking")],
        invalid_choice_message="Choose the security marking",
    )
    status = SelectField(
        "Status",
        choices=choice_list(PLAN_STATUSES),
        invalid_choice_message="Choose the plan's status",
    )
    notified_on = date_field(
        "Operator's information received on",
        what="The date the operator's information was received",
        description="COMAH external plans: the plan is due 6 months after this (reg. 13)",
    )
    extension_agreed = BooleanField(
        "The competent authority agreed in writing to extend the time to 9 months"
    )
    agreed_prepare_by = date_field(
        "Date agreed in writing to prepare it by",
        description=(
            "COMAH external plans: a longer period the competent authority agreed in writing, "
            "up to 9 months after the operator's information (reg. 13(2)). It replaces the "
            "6 months. Keep the letter on the plan's page."
        ),
    )
    prepare_basis = RadioField(
        "Does the council have to prepare this plan?",
        choices=choice_list(PREPARE_BASIS_CHOICES),
        coerce=lambda value: value or "",
        default="",
        invalid_choice_message="Choose whether the plan has to be prepared",
        description="COMAH external plans only",
    )
    basis_decided_on = date_field(
        "Date of that decision",
        what="The date of the decision",
        description="If it need not be prepared: when that was decided. Keep the letter on the "
        "plan's page.",
    )
    basis_reasons = TextAreaField(
        "Reasons given",
        validators=[Length(max=5000)],
        description="For an exemption, the reasons the competent authority gave in writing",
    )
    adopted_on = date_field(
        "Adopted on",
        what="The date the plan was adopted",
        description="Empty while the plan is being prepared",
    )
    hazard_refs = SelectMultipleField(
        "Establishments, pipelines and radiation premises it covers",
        invalid_choice_message="%(value)s is not a site, pipeline or premises in the register",
    )
    note = TextAreaField("Note", validators=[Length(max=5000)])

    def values(self, ref: str) -> PlanValues:
        """Return the parsed plan called ``ref`` (valid after validate())."""
        return PlanValues(
            ref=ref,
            title=self.title.data.strip(),
            regime=Regime(self.regime.data),
            owner=self.owner.data.strip(),
            marking=self.marking.data,
            status=self.status.data,
            notified_on=self.notified_on.data,
            extension_agreed=bool(self.extension_agreed.data),
            agreed_prepare_by=self.agreed_prepare_by.data,
            prepare_basis=PrepareBasis(basis) if (basis := self.prepare_basis.data) else None,
            basis_decided_on=self.basis_decided_on.data,
            basis_reasons=(self.basis_reasons.data or "").strip(),
            adopted_on=self.adopted_on.data,
            hazard_refs=tuple(self.hazard_refs.data or ()),
            note=(self.note.data or "").strip(),
        )


class VersionForm(Form):
    label = StringField(
        "Version",
        validators=[InputRequired("Enter a label for this version"), Length(max=40)],
        description="For example 2.1; each version of a plan has its own label",
    )
    change_summary = TextAreaField(
        "What changed",
        validators=[InputRequired("Say what changed in this version"), Length(max=5000)],
    )
    file = FileField(
        "Plan document",
        validators=[FileRequired("Choose the document to upload")],
    )


class LetterForm(Form):
    dated_on = date_field(
        "Date of the letter", "Enter the date of the letter", what="The date of the letter"
    )
    file = FileField(
        "The competent authority's letter",
        validators=[FileRequired("Choose the letter to upload")],
        description="A scan or the PDF the competent authority sent",
    )


class ExtensionForm(Form):
    duties = SelectMultipleField(
        "What the regulator agreed may take place later",
        choices=choice_list([("review", "The review"), ("exercise", "The test (exercise)")]),
        invalid_choice_message="Choose the review, the test, or both",
    )
    extended_to = date_field(
        "Date agreed",
        "Enter the date agreed",
        what="The date agreed",
        description="The date the regulator agreed the review or test may take place by",
    )
    dated_on = date_field(
        "Date of the letter", "Enter the date of the letter", what="The date of the letter"
    )
    file = FileField(
        "The regulator's letter",
        validators=[
            FileRequired(
                "Choose the regulator's letter: an interval is lengthened only by its written "
                "agreement (REPPIR 2019 reg. 12(3))"
            )
        ],
        description="A scan or the PDF the regulator sent",
    )


class ConsultationForm(Form):
    consultee = RadioField(
        "Who was consulted",
        choices=choice_list((kind, c.label) for kind, c in CONSULTEES.items()),
        validators=[InputRequired("Choose who was consulted")],
        invalid_choice_message="Choose who was consulted",
    )
    organisation = StringField(
        "Name of the organisation or person",
        validators=[
            InputRequired("Enter the name of who was consulted"),
            Length(max=300, message="The name can have at most 300 characters"),
        ],
        description="For example Environment Agency, Cheshire Police or the residents' meeting",
    )
    consulted_on = date_field(
        "Date of the consultation",
        "Enter the date of the consultation",
        what="The date of the consultation",
        description="When the draft was sent or the meeting held",
    )
    responded_on = date_field(
        "Date of their response",
        what="The date of the response",
        description="Leave empty if they have not responded",
    )
    response = TextAreaField(
        "Their response",
        validators=[Length(max=10000, message="The response can have at most 10,000 characters")],
        description="What they said, or that they had no comment",
    )


class ReviewForm(Form):
    reviewed_on = date_field("Date of the review", "Enter the date of the review")
    reviewer = StringField(
        "Reviewed by",
        validators=[InputRequired("Enter who reviewed the plan"), Length(max=200)],
    )
    outcome = RadioField(
        "Outcome",
        choices=choice_list(REVIEW_OUTCOMES),
        validators=[InputRequired("Choose the outcome of the review")],
        invalid_choice_message="Choose the outcome of the review",
    )
    changes_made = TextAreaField("Changes made", validators=[Length(max=5000)])


class ExerciseForm(Form):
    title = StringField(
        "Name of the exercise",
        validators=[InputRequired("Enter the name of the exercise"), Length(max=300)],
    )
    exercise_type = RadioField(
        "Type of exercise",
        choices=choice_list(EXERCISE_TYPES),
        validators=[InputRequired("Choose the type of exercise")],
        invalid_choice_message="Choose the type of exercise",
    )
    status = RadioField(
        "Has it been held?",
        choices=[SelectChoice("planned", "No, it is planned"), SelectChoice("held", "Yes")],
        validators=[InputRequired("Say whether the exercise is planned or has been held")],
        invalid_choice_message="Say whether the exercise is planned or has been held",
    )
    planned_on = date_field(
        "Planned for",
        what="The date the exercise is planned for",
        description="The date it is (or was) planned for",
    )
    held_on = date_field(
        "Held on",
        what="The date the exercise was held",
        description="Only for an exercise that has been held",
    )
    plan_refs = SelectMultipleField(
        "Plans tested",
        invalid_choice_message="Unknown plan: %(value)s",
        description=(
            "A held exercise counts as the exercise of each plan it tested; whether a "
            "discussion-based one counts as a statutory test is set on the policy page"
        ),
    )
    hazard_refs = SelectMultipleField(
        "Sites and pipelines tested",
        invalid_choice_message="%(value)s is not a site or pipeline in the register",
    )
    objectives = TextAreaField(
        "What of the plans it tested",
        validators=[Length(max=5000)],
        description="The parts of the plan or the objectives tested, for example: "
        "activating the plan; warning and informing the public; the rest centre",
    )
    participant_ids = SelectMultipleField(
        "Who took part",
        coerce=int,
        invalid_choice_message="%(value)s is not in the organisations list",
        description="The operator and each emergency service, from the organisations list",
    )
    organisations = TextAreaField(
        "Other participating organisations",
        validators=[Length(max=5000)],
        description="Any not in the organisations list, one per line",
    )
    note = TextAreaField("Note", validators=[Length(max=5000)])

    def values(self) -> ExerciseValues:
        """Return the parsed exercise (valid after validate())."""
        return ExerciseValues(
            title=self.title.data.strip(),
            exercise_type=self.exercise_type.data,
            status=self.status.data,
            planned_on=self.planned_on.data,
            held_on=self.held_on.data,
            organisations=(self.organisations.data or "").strip(),
            plan_refs=tuple(self.plan_refs.data or ()),
            hazard_refs=tuple(self.hazard_refs.data or ()),
            note=(self.note.data or "").strip(),
            objectives=(self.objectives.data or "").strip(),
            participant_ids=tuple(self.participant_ids.data or ()),
        )


class OrganisationForm(Form):
    name = StringField(
        "Name of the organisation",
        validators=[InputRequired("Enter the name of the organisation"), Length(max=200)],
        description="As it is usually written, for example: Cheshire Fire and Rescue Service",
    )
    kind = RadioField(
        "What kind of organisation is it?",
        choices=choice_list(ORGANISATION_KINDS),
        validators=[InputRequired("Choose what kind of organisation it is")],
        invalid_choice_message="Choose what kind of organisation it is",
    )


class LessonForm(Form):
    description = TextAreaField(
        "Lesson identified",
        validators=[InputRequired("Describe the lesson identified"), Length(max=5000)],
    )
    owner = StringField(
        "Owner of the action",
        validators=[InputRequired("Enter who owns the action"), Length(max=200)],
    )
    due_on = date_field(
        "Due by", "Enter the date the action is due by", "The date the action is due by"
    )


class CloseLessonForm(Form):
    closed_on = date_field(
        "Closed on", "Enter the date the lesson was closed", "The date the lesson was closed"
    )
    closure_note = StringField("How it was closed", validators=[Length(max=2000)])


class DutyFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    regime = SelectField(
        "Regime",
        default="",
        choices=[SelectChoice("", "All regimes")]
        + choice_list((r.value, label) for r, label in REGIME_LABELS.items()),
        invalid_choice_message="Choose a regime from the list",
    )
    owner = SelectField("Owner", default="", invalid_choice_message="Choose an owner from the list")
    as_of = date_field(
        "On", what="The date to show the duties on", description="Leave empty for today"
    )


def policy_field_name(key: str) -> str:
    """Return the form field name of a policy setting key."""
    return key.replace(".", "__")


class PolicyForm(Form):
    comah_prepare_extended_months = IntegerField(
        "COMAH external plan, extension agreed",
        invalid_value_message=BAD_NUMBER,
        validators=[InputRequired("Enter a number of months")],
    )
    reminder_lead_days = StringField(
        "Reminders before a due date",
        validators=[InputRequired("Enter at least one number of days"), Length(max=100)],
        description="Days before the due date, separated by commas, for example 90, 30, 7",
    )
    overdue_reminder_every_days = IntegerField(
        "While overdue, remind every",
        invalid_value_message=BAD_NUMBER,
        validators=[InputRequired("Enter a number of days")],
    )
    discussion_exercise_discharges_statutory_test = RadioField(
        "Does a discussion-based exercise discharge a statutory test duty?",
        choices=[
            SelectChoice("yes", "Yes, and the duties pages flag it (the default)"),
            SelectChoice("no", "No: the duty counts from the last exercise beyond a discussion"),
        ],
        validators=[InputRequired("Say whether a discussion-based exercise counts")],
        invalid_choice_message="Say whether a discussion-based exercise counts",
    )


def policy_form_class() -> type[PolicyForm]:
    """Return the policy form, with a months field for each row of the duty table."""
    fields: dict[str, Any] = {}
    for rule in RULES:
        fields[policy_field_name(interval_key(rule.regime, rule.duty))] = IntegerField(
            f"{REGIME_LABELS[rule.regime]}: {DUTY_LABELS[rule.duty].lower()}",
            invalid_value_message=BAD_NUMBER,
            validators=[
                InputRequired("Enter a number of months"),
                NumberRange(min=1, message="Enter a whole number of months, 1 or more"),
            ],
        )
    return type("DutyPolicyForm", (PolicyForm,), fields)
