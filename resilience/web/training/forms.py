"""Forms for training sessions, invitations, attendance and the training policy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import time

from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from resilience.domain.training.refresher import AUDIENCES, OUTCOMES, TOPICS, TrainingPolicy
from resilience.domain.training.sessions import SessionValues
from resilience.errors import InputError
from resilience.storage.models import TrainingSession, User
from resilience.web.date_input import DateInputField
from resilience.web.forms import Form

RULES = (("year", "Once every municipal year"), ("months", "Every so many months"))
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class SessionForm(Form):
    """A training session's details."""

    title = StringField(
        "Title",
        validators=[DataRequired("Enter a title"), Length(max=300)],
        description="For example: COMAH and pipelines briefing for all members",
    )
    day = DateInputField(
        "Date",
        validators=[InputRequired("Enter the date of the session")],
        what="The date of the session",
    )
    start = TimeField("Starts at", validators=[InputRequired("Enter when it starts")])
    end = TimeField("Ends at", validators=[InputRequired("Enter when it ends")])
    place = StringField("Place", validators=[Length(max=300)], description="Room and building")
    link = StringField(
        "Online meeting link",
        validators=[Length(max=500)],
        description="For a session held online, or online as well as in a room",
    )
    audience = RadioField("Who is it for?", choices=_choices(AUDIENCES.items()), default="members")
    topics = SelectMultipleField("Topics", choices=_choices(TOPICS.items()))
    hazard_refs = SelectMultipleField(
        "Sites and pipelines covered",
        choices=[],
        description="For a session on a specific site's plan; the briefing pack covers these",
    )
    trainer = StringField("Trainer", validators=[Length(max=200)])
    capacity = IntegerField(
        "Places",
        validators=[Optional(), NumberRange(min=1, message="Enter 1 or more")],
        description="Leave empty for no limit",
    )
    note = TextAreaField("Notes", validators=[Optional(), Length(max=2000)])
    cancelled = BooleanField("This session is cancelled")

    def set_hazards(self, hazards: Iterable[tuple[str, str]]) -> None:
        """Offer the register's hazards as (ref, name) choices."""
        self.hazard_refs.choices = [SelectChoice(ref, f"{name} ({ref})") for ref, name in hazards]

    def fill_from(self, record: TrainingSession) -> None:
        """Show a stored session's values."""
        from resilience.clock import local_time

        starts, ends = local_time(record.starts_at), local_time(record.ends_at)
        self.title.data, self.day.data = record.title, starts.date()
        self.start.data, self.end.data = starts.time(), ends.time()
        self.place.data, self.link.data = record.place, record.link
        self.audience.data, self.topics.data = record.audience, list(record.topics)
        self.hazard_refs.data = list(record.hazard_refs)
        self.trainer.data, self.capacity.data = record.trainer, record.capacity
        self.note.data, self.cancelled.data = record.note, record.status == "cancelled"

    def values(self) -> SessionValues:
        """Return the form's values for the domain."""
        assert self.day.data is not None
        return SessionValues(
            title=self.title.data or "",
            day=self.day.data,
            start=self.start.data or time(),
            end=self.end.data or time(),
            place=self.place.data or "",
            link=self.link.data or "",
            audience=self.audience.data or "",
            topics=tuple(self.topics.data or ()),
            hazard_refs=tuple(self.hazard_refs.data or ()),
            trainer=self.trainer.data or "",
            capacity=self.capacity.data,
            note=self.note.data or "",
            cancelled=bool(self.cancelled.data),
        )


class InviteForm(Form):
    """Whom to invite."""

    people = SelectMultipleField("People to invite", coerce=int, choices=[])

    def set_people(self, people: Iterable[User]) -> None:
        self.people.choices = [SelectChoice(u.id, person_label(u)) for u in people]


def person_label(user: User) -> str:
    """Return how a person is named in lists: name (and e-mail), role."""
    from resilience.domain.accounts.users import ROLES

    name = user.display_name or user.email
    return f"{name} ({ROLES.get(user.role, user.role).lower()})"


class AttendanceFormBase(Form):
    """One radio group per person, added by ``attendance_form``."""

    extra = SelectField("Someone else who came", coerce=int, choices=[])

    def outcome_fields(self) -> list[tuple[int, RadioField]]:
        return [
            (int(field.name.removeprefix("person_")), field)
            for field in self
            if field.name.startswith("person_")
        ]

    def outcomes(self) -> dict[int, str]:
        """Return {user id: outcome} for the people whose outcome was chosen."""
        chosen = {uid: str(f.data) for uid, f in self.outcome_fields() if f.data}
        if self.extra.data:
            chosen.setdefault(self.extra.data, "attended")
        return chosen


def attendance_form(
    people: Iterable[User], recorded: Mapping[int, str], others: Iterable[User]
) -> AttendanceFormBase:
    """Return a form with an attended/absent/apologies choice for each person."""

    class AttendanceForm(AttendanceFormBase):
        pass

    for user in people:
        setattr(
            AttendanceForm,
            f"person_{user.id}",
            RadioField(
                person_label(user),
                choices=_choices(OUTCOMES.items()),
                default=recorded.get(user.id),
                validators=[Optional()],
            ),
        )
    form = AttendanceForm()
    form.extra.choices = [SelectChoice(0, "Nobody else")] + [
        SelectChoice(u.id, person_label(u)) for u in others
    ]
    return form


class PolicyForm(Form):
    """The local training policy."""

    start_month = SelectField(
        "Month", choices=_choices((str(i), m) for i, m in enumerate(MONTHS, start=1)), default="5"
    )
    start_day = IntegerField(
        "Day", validators=[InputRequired("Enter the day"), NumberRange(min=1, max=31)], default=1
    )
    member_rule = RadioField(
        "Elected members train",
        choices=_choices(RULES),
        default="year",
    )
    member_months = IntegerField(
        "Months between sessions for members", validators=[Optional(), NumberRange(1, 120)]
    )
    responder_rule = RadioField(
        "Council responders train",
        choices=_choices(RULES),
        default="months",
    )
    responder_months = IntegerField(
        "Months between sessions for responders",
        validators=[Optional(), NumberRange(1, 120)],
        default=36,
    )
    first_training_months = IntegerField(
        "A new responder's first session is due within (months)",
        validators=[InputRequired("Enter a number of months"), NumberRange(1, 60)],
        default=6,
    )

    def fill_from(self, policy: TrainingPolicy) -> None:
        self.start_month.data = str(policy.year_start[0])
        self.start_day.data = policy.year_start[1]
        for cohort in ("member", "responder"):
            months = getattr(policy, f"{cohort}_refresh_months")
            getattr(self, f"{cohort}_rule").data = "year" if months is None else "months"
            getattr(self, f"{cohort}_months").data = months
        self.first_training_months.data = policy.first_training_months

    def policy(self) -> TrainingPolicy:
        """Return the policy the form describes; raises InputError naming the field."""
        values: dict[str, int | None] = {}
        for cohort in ("member", "responder"):
            months = getattr(self, f"{cohort}_months").data
            if getattr(self, f"{cohort}_rule").data == "months":
                if not months:
                    raise InputError("Enter the number of months", field=f"{cohort}_months")
                values[f"{cohort}_refresh_months"] = int(months)
            else:
                values[f"{cohort}_refresh_months"] = None
        return TrainingPolicy(
            year_start=(int(self.start_month.data or 5), int(self.start_day.data or 1)),
            member_refresh_months=values["member_refresh_months"],
            responder_refresh_months=values["responder_refresh_months"],
            first_training_months=int(self.first_training_months.data or 6),
        )
