"""The annual report as a ``Document``: the same sections and figures in HTML, PDF and Word."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from resilience.date_text import long_date
from resilience.domain.duties.rules import Regime
from resilience.domain.plans.consultation import CONSULTEES
from resilience.domain.training.refresher import AUDIENCES, TOPICS
from resilience.reports.annual.content import (
    STATUS_LABELS,
    AnnualReport,
    Figure,
    Source,
)
from resilience.reports.render.document import Block, Document, Heading, Table, Text

SECTION_TITLES = (
    "Summary",
    "Statutory duties",
    "Plans reviewed or renewed",
    "Exercises held",
    "Lessons identified and closed",
    "Training and attendance",
    "Overdue duties and their reasons",
    "Partners' duties",
    "Where the figures come from",
)
SOURCES_PER_PARAGRAPH = 100
DUTY_NAMES = {"prepare": "Prepare", "review": "Review", "exercise": "Exercise"}
PLAN_NEEDED = {
    Regime.COMAH_EXTERNAL: "External emergency plan",
    Regime.PIPELINE: "Pipeline emergency plan",
    Regime.REPPIR: "Off-site emergency plan (REPPIR)",
}
TABLE_NAMES = {
    "hazards": "Sites and pipelines",
    "plans": "Plans",
    "plan_reviews": "Plan reviews",
    "plan_versions": "Plan versions",
    "exercises": "Exercises",
    "lessons": "Lessons",
    "training_sessions": "Training sessions",
    "attendance": "Attendance records",
    "users": "User accounts",
}


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return e.g. '1 exercise', '3 exercises', or with ``many``, '2 duties were'."""
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def figures_table(figures: Iterable[Figure], caption: str = "") -> Table:
    """Return figures as a two-column table: what, how many."""
    return Table(
        headers=("Figure", "Number"),
        rows=tuple((f.label, f"{f.value:,}") for f in figures),
        numeric=frozenset({1}),
        caption=caption,
        widths=(5, 1),
    )


def sources_text(sources: Sequence[Source]) -> str:
    """Return the records behind a figure by their references, grouped by kind of record,
    e.g. 'Plans: PLAN-A (review), PLAN-B (exercise)'."""
    if not sources:
        return "No records (the figure is zero)."
    groups: dict[str, list[str]] = {}
    for source in sources:
        groups.setdefault(source.table, []).append(source.ref)
    return "; ".join(
        f"{TABLE_NAMES.get(table, table.replace('_', ' ').capitalize())}: {', '.join(items)}"
        for table, items in groups.items()
    )


def _summary(report: AnnualReport, authority: str) -> list[Block]:
    f = report.figure
    overdue = f("overdue.duties").value
    lead = (
        f"This report covers {report.period.label}. In that time {authority} held "
        f"{plural(f('exercises.held').value, 'exercise')} and "
        f"{plural(f('training.sessions').value, 'training session')}, and recorded "
        f"{plural(f('plans.reviews').value, 'plan review')}. "
        + (
            f"At the end of the period {plural(overdue, 'duty was', 'duties were')} overdue; "
            "section 7 gives each one and its reason."
            if overdue
            else "At the end of the period no duty was overdue."
        )
    )
    key = [
        "register.establishments",
        "register.pipelines",
        "register.plans",
        "plans.reviewed",
        "exercises.held",
        "lessons.identified",
        "lessons.closed",
        "training.sessions",
        "training.members_trained",
        "training.members",
        "overdue.duties",
        "overdue.statutory",
    ]
    return [
        Heading("Summary"),
        Text(f"As at {long_date(report.as_at)}, the last day of the period.", "lead"),
        Text(lead, "lead"),
        figures_table((f(k) for k in key), caption="Key figures"),
        Text(
            f"Every number in this report is the register as it stood on "
            f"{long_date(report.as_at)}: sites, pipelines and plans in it then, and reviews, "
            "exercises, adoptions and training dated on or before that day. Making the report "
            "again later gives the same figures unless a record dated in the period is entered "
            "or corrected; the last section lists the records behind each figure.",
            "small",
        ),
        *(Text(note, "lead") for note in report.notes),
    ]


def _duties(report: AnnualReport) -> list[Block]:
    blocks: list[Block] = [
        Heading("Statutory duties"),
        Text(
            f"Where each plan's duties stood on {long_date(report.period.end)}, the last day of "
            "the period. The basis column gives the regulation a duty comes from, or says that "
            "it is local policy."
        ),
    ]
    for group in report.duty_groups:
        counts = ", ".join(
            f"{fig.value:,} {fig.label.rsplit(': duties ', 1)[-1]}" for fig in group.figures
        )
        blocks += [
            Heading(group.title, 2),
            Text(f"Duties: {counts}."),
            Table(
                headers=("Plan", "Duty", "Due by", "Status", "Basis"),
                rows=tuple(
                    (
                        f"{line.plan_title} ({line.plan_ref})",
                        DUTY_NAMES[line.duty.value],
                        long_date(line.due_on),
                        STATUS_LABELS[line.status],
                        line.basis,
                    )
                    for line in group.lines
                ),
                widths=(4, 1.3, 1.8, 1.3, 2.6),
                empty="No plans under this regime.",
            ),
        ]
    gaps = report.coverage_gaps
    blocks += [
        Heading("Sites and pipelines that needed a plan and had none", 2),
        Text(
            "Every upper-tier COMAH establishment needs an external emergency plan (COMAH 2015 "
            "reg. 13(1)) and every major accident hazard pipeline a pipeline emergency plan "
            "(Pipelines Safety Regulations 1996 reg. 25)."
            + ("" if gaps else f" On {long_date(report.period.end)} each had a plan covering it.")
        ),
    ]
    if gaps:
        blocks.append(
            Table(
                headers=("Site or pipeline", "Plan needed", "Basis"),
                rows=tuple(
                    (f"{gap.hazard_name} ({gap.hazard_ref})", PLAN_NEEDED[gap.regime], gap.basis)
                    for gap in gaps
                ),
                widths=(4, 3, 3),
            )
        )
    unconsulted = report.consultation_gaps
    blocks += [
        Heading("Plans adopted without a recorded consultation", 2),
        Text(
            "In preparing an external plan the council must consult the operator, the "
            "appropriate agency, the emergency services liable to respond and, in England, the "
            "NHS and public health bodies (COMAH 2015 reg. 13(7))."
            + (
                ""
                if unconsulted
                else f" On {long_date(report.period.end)} every adopted external plan's latest "
                "version had each of them recorded."
            )
        ),
    ]
    if unconsulted:
        blocks.append(
            Table(
                headers=("Plan", "Version", "Not recorded"),
                rows=tuple(
                    (
                        f"{gap.plan_title} ({gap.plan_ref})",
                        gap.version_label or "None uploaded",
                        "; ".join(CONSULTEES[kind].label for kind in gap.missing),
                    )
                    for gap in unconsulted
                ),
                widths=(3.5, 1.3, 5.2),
            )
        )
    if report.unconfirmed_tiers:
        count = len(report.unconfirmed_tiers)
        blocks.append(
            Text(
                f"{plural(count, 'establishment has', 'establishments have')} no tier recorded, so "
                "whether each needs an external plan is not known: the tier is to be confirmed "
                "with HSE.",
                "small",
            )
        )
    return blocks


def _plans(report: AnnualReport) -> list[Block]:
    return [
        Heading("Plans reviewed or renewed"),
        figures_table(report.plan_figures),
        Table(
            headers=("Date", "Plan", "What", "Detail"),
            rows=tuple(
                (long_date(a.on), f"{a.plan_title} ({a.plan_ref})", a.what, a.detail)
                for a in report.plan_activity
            ),
            widths=(1.6, 4, 1.3, 3.5),
            empty="No plan was reviewed, adopted or reissued in the period.",
        ),
    ]


def _exercises(report: AnnualReport) -> list[Block]:
    return [
        Heading("Exercises held"),
        figures_table(report.exercise_figures),
        Table(
            headers=("Date", "Exercise", "Type", "Plans tested", "Sites", "Organisations"),
            rows=tuple(
                (
                    long_date(e.held_on),
                    e.title,
                    e.exercise_type,
                    "; ".join(e.plans) or "None recorded",
                    "; ".join(e.sites) or "None recorded",
                    "; ".join(e.organisations) or "None recorded",
                )
                for e in report.exercises
            ),
            widths=(1.5, 2.4, 1.3, 2.4, 2.4, 2.4),
            empty="No exercise was held in the period.",
        ),
    ]


def _lessons(report: AnnualReport) -> list[Block]:
    return [
        Heading("Lessons identified and closed"),
        Text(
            "Lessons are identified at exercises held in the period; a lesson is closed when "
            "its action is done, whenever it was identified."
        ),
        figures_table(report.lesson_figures),
    ]


def _training(report: AnnualReport) -> list[Block]:
    return [
        Heading("Training and attendance"),
        figures_table(report.training_figures),
        Table(
            headers=("Date", "Session", "For", "Topics", "Invited", "Members", "Responders"),
            rows=tuple(
                (
                    long_date(s.on),
                    s.title,
                    AUDIENCES.get(s.audience, s.audience),
                    "; ".join(TOPICS.get(t, t) for t in s.topics),
                    f"{s.invited:,}",
                    f"{s.members_attended:,}",
                    f"{s.responders_attended:,}",
                )
                for s in report.sessions
            ),
            numeric=frozenset({4, 5, 6}),
            widths=(1.5, 3, 1.6, 2.6, 1, 1.1, 1.2),
            caption="Sessions held, with how many attended",
            empty="No training session was held in the period.",
        ),
    ]


def _overdue(report: AnnualReport) -> list[Block]:
    return [
        Heading("Overdue duties and their reasons"),
        figures_table(report.overdue_figures),
        Table(
            headers=("Plan", "Duty", "Due by", "Days overdue", "Basis", "Reason"),
            rows=tuple(
                (
                    f"{o.plan_title} ({o.plan_ref})",
                    DUTY_NAMES[o.duty.value],
                    long_date(o.due_on),
                    f"{o.days_overdue:,}",
                    o.basis,
                    o.reason,
                )
                for o in report.overdue
            ),
            numeric=frozenset({3}),
            widths=(2.6, 1.1, 1.6, 1.1, 2, 3.6),
            empty="No duty was overdue at the end of the period.",
        ),
    ]


def _partners(report: AnnualReport) -> list[Block]:
    return [
        Heading("Partners' duties"),
        Text(
            "What the law asks of others, not of the council: the operator of each upper-tier "
            "establishment supplies safety information to the people and places in its public "
            "information zone (COMAH 2015 reg. 18), and the council's officer who liaises with "
            f"the operator follows it up. Where each stood on {long_date(report.period.end)}. "
            "Next due five years after the last supply: the council's policy, as the text of "
            "reg. 18 checked gives no interval. None of these is counted among the council's "
            "duties above."
        ),
        figures_table(report.partner_figures),
        Table(
            headers=("Establishment", "Duty", "Last supplied", "Next due", "Status", "Basis"),
            rows=tuple(
                (
                    f"{d.hazard_name} ({d.hazard_ref})",
                    "Public information in the PIZ",
                    d.last_done_words,
                    long_date(d.due_on) if d.is_dated else "Now: no date recorded",
                    STATUS_LABELS[d.status],
                    d.basis,
                )
                for d in report.partner_duties
            ),
            widths=(2.8, 1.8, 1.6, 1.6, 1.1, 2.4),
            empty="No upper-tier establishment was in the register at the end of the period.",
        ),
    ]


def _sources(report: AnnualReport) -> list[Block]:
    blocks: list[Block] = [
        Heading("Where the figures come from"),
        Text(
            "Each figure is a count of the register records listed under it, by their "
            "references. Each line of the tables above is one record: a plan's duty, a "
            "review, an exercise or a training session."
        ),
    ]
    for item in report.all_figures:
        blocks.append(Text(f"{item.label}: {item.value:,}"))
        # Long lists in pieces: one paragraph of thousands of records lays out slowly.
        for start in range(0, max(len(item.sources), 1), SOURCES_PER_PARAGRAPH):
            chunk = item.sources[start : start + SOURCES_PER_PARAGRAPH]
            blocks.append(Text(sources_text(chunk), "small"))
    return blocks


def annual_report_document(report: AnnualReport, authority: str) -> Document:
    """Return the report laid out as sections, in the order of SECTION_TITLES."""
    blocks = [
        *_summary(report, authority),
        *_duties(report),
        *_plans(report),
        *_exercises(report),
        *_lessons(report),
        *_training(report),
        *_overdue(report),
        *_partners(report),
        *_sources(report),
    ]
    return Document(
        title="Emergency planning annual report",
        subtitle=f"{authority}: {report.period.label} (as at {long_date(report.as_at)})",
        marking=report.marking,
        cover_lines=(
            "For the scrutiny board",
            f"Prepared by the Emergency Planning Team on {long_date(report.generated_at.date())}",
            "Every figure is computed from the emergency planning register.",
        ),
        blocks=tuple(blocks),
        keywords=("emergency planning", "annual report", "COMAH", "pipelines", "CCA 2004"),
        made_on=report.generated_at.date(),
    )
