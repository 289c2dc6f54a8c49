"""Briefing packs and the annual report as files: gathering the data, maps and layout."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from resilience.domain.marking import Reader
from resilience.reports.annual.content import ReportPeriod, annual_report, authority_name
from resilience.reports.annual.document import annual_report_document
from resilience.reports.briefing.cards import briefing_card, briefing_cards
from resilience.reports.briefing.document import session_briefing_document, site_briefing_document
from resilience.reports.render.document import Document
from resilience.reports.render.map_images import overview_png, site_png
from resilience.reports.render.pdf import render_pdf
from resilience.storage.models import Hazard, TrainingSession


def session_hazard_refs(session: Session, record: TrainingSession) -> list[str]:
    """Return the hazards a session's pack covers: those it names, else those of its topics."""
    if record.hazard_refs:
        return list(record.hazard_refs)
    kinds = {"comah": "establishment", "pipelines": "pipeline"}
    wanted = {kinds[t] for t in record.topics if t in kinds}
    query = select(Hazard.ref)
    if wanted:
        query = query.where(Hazard.kind.in_(sorted(wanted)))
    return list(session.scalars(query.order_by(Hazard.ref)))


# Briefing packs are members' papers, marked OFFICIAL and printed: their maps show pipelines
# as corridors, whoever downloads them.
PACK_ROUTES = False


def site_pack(session: Session, hazard: Hazard, today: date) -> Document:
    """Return the briefing pack of one hazard as a document."""
    card = briefing_card(session, hazard, today)
    return site_briefing_document(
        card,
        overview_png(session, precise_pipelines=PACK_ROUTES),
        site_png(session, hazard, precise_pipelines=PACK_ROUTES),
        authority_name(session),
        today,
    )


def session_pack(session: Session, record: TrainingSession, today: date) -> Document:
    """Return the briefing pack of a training session as a document."""
    cards = briefing_cards(session, today, session_hazard_refs(session, record))
    hazards: Sequence[Hazard] = session.scalars(
        select(Hazard)
        .where(Hazard.ref.in_([c.ref for c in cards]))
        .options(selectinload(Hazard.zones))
    ).all()
    maps = {h.ref: site_png(session, h, precise_pipelines=PACK_ROUTES) for h in hazards}
    return session_briefing_document(
        record,
        cards,
        overview_png(session, precise_pipelines=PACK_ROUTES),
        maps,
        authority_name(session),
        today,
    )


def site_pack_pdf(session: Session, hazard: Hazard, today: date) -> bytes:
    """Return the briefing pack of one hazard as PDF bytes."""
    return render_pdf(site_pack(session, hazard, today))


def session_pack_pdf(session: Session, record: TrainingSession, today: date) -> bytes:
    """Return the briefing pack of a training session as PDF bytes."""
    return render_pdf(session_pack(session, record, today))


def annual_report_file_document(
    session: Session, period: ReportPeriod, generated_at: datetime, reader: Reader
) -> Document:
    """Return the annual report for ``period`` as ``reader`` may see it, laid out as a document."""
    report = annual_report(session, period, generated_at, reader)
    return annual_report_document(report, authority_name(session))
