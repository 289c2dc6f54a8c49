"""Briefing packs as ``Document``s: one site, or every site a training session covers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from resilience.date_text import long_date, when
from resilience.domain.duties.dashboard import STATUS_WORDS
from resilience.domain.training.refresher import AUDIENCES, TOPICS
from resilience.reports.briefing.cards import BriefingCard, round_people
from resilience.reports.render.document import Block, Bullets, Document, Heading, Image, Table, Text
from resilience.storage.models import TrainingSession

DUTY_NAMES = {"prepare": "Prepare", "review": "Review", "exercise": "Exercise"}
PACK_NOTE = (
    "This pack is made from the emergency planning register. It contains no plan documents: "
    "ask the Emergency Planning Team for a plan itself."
)


def _people(card_zone_people: float | None, complete: bool) -> str:
    if card_zone_people is None:
        return "Not known"
    return ("at least " if not complete else "about ") + round_people(card_zone_people)


def card_blocks(card: BriefingCard, site_png: bytes | None, made_on: date) -> list[Block]:
    """Return one site's briefing card: summary, zones, map, and its plans' duties (the one
    duty table of a pack: a second, later one would only repeat it)."""
    blocks: list[Block] = [
        Heading(card.name),
        Text(f"{card.kind_heading}, register reference {card.ref}", "small"),
        Bullets(tuple(card.summary)),
        duty_table([card], caption=f"Its plans and their duties on {long_date(made_on)}"),
        Table(
            headers=("Zone", "Area (km²)", "Wards", "People (estimate)", "Sensitive places"),
            rows=tuple(
                (
                    zone.label,
                    f"{zone.area_km2:,.2f}",
                    ", ".join(zone.wards) or "None",
                    _people(zone.people, zone.people_complete),
                    "; ".join(f"{kind}: {', '.join(names)}" for kind, names in zone.places.items())
                    or "None recorded",
                )
                for zone in card.zones
            ),
            numeric=frozenset({1}),
            widths=(1.8, 1.1, 3, 1.4, 3.2),
            caption="Zones, and who lies in them",
            empty="No zones recorded.",
        ),
    ]
    if site_png is not None:
        blocks.append(Image(site_png, f"{card.name}: zones, wards and sensitive places", width=0.8))
    if card.location_note:
        blocks.append(Text(card.location_note, "small"))
    return blocks


def duty_table(cards: Sequence[BriefingCard], caption: str = "") -> Table:
    """Return the duties of every plan covering the cards' hazards, each plan once."""
    seen: set[str] = set()
    rows = []
    for card in cards:
        for plan in card.plans:
            if plan.ref in seen:
                continue
            seen.add(plan.ref)
            for duty in plan.duties:
                rows.append(
                    (
                        f"{plan.title} ({plan.ref})",
                        DUTY_NAMES[duty.duty.value],
                        long_date(duty.due_on),
                        STATUS_WORDS[duty.status].capitalize(),
                        duty.basis,
                    )
                )
    return Table(
        headers=("Plan", "Duty", "Due by", "Status", "Basis"),
        rows=tuple(rows),
        widths=(4, 1.2, 1.8, 1.3, 2.6),
        caption=caption,
        empty="No plan in the register covers it.",
    )


def site_briefing_document(
    card: BriefingCard, overview_png: bytes, site_png: bytes, authority: str, made_on: date
) -> Document:
    """Return the briefing pack of one site or pipeline."""
    blocks: list[Block] = [
        Heading("Overview"),
        Text(PACK_NOTE),
        Image(overview_png, f"Sites and pipelines in the register ({authority})", width=0.9),
        *card_blocks(card, site_png, made_on),
    ]
    return Document(
        title=f"Briefing: {card.name}",
        subtitle=f"{authority}: {card.kind_label}",
        marking="OFFICIAL",
        cover_lines=(f"Made on {long_date(made_on)} from the emergency planning register.",),
        blocks=tuple(blocks),
        keywords=("briefing", card.ref),
        made_on=made_on,
    )


def session_briefing_document(
    record: TrainingSession,
    cards: Sequence[BriefingCard],
    overview_png: bytes,
    site_pngs: Mapping[str, bytes],
    authority: str,
    made_on: date,
) -> Document:
    """Return the briefing pack for a training session: its details, then each site's card."""
    details = Table(
        headers=("", ""),
        rows=(
            ("When", f"{when(record.starts_at, 'date_time')} to {when(record.ends_at, 'time')}"),
            ("Where", record.place or "Online"),
            *((("Online link", record.link),) if record.link else ()),
            ("For", AUDIENCES.get(record.audience, record.audience)),
            ("Topics", "; ".join(TOPICS.get(t, t) for t in record.topics)),
            ("Trainer", record.trainer or "To be confirmed"),
        ),
        widths=(1, 4),
    )
    blocks: list[Block] = [
        Heading("About this session"),
        details,
        Text(PACK_NOTE),
        Heading("Overview"),
        Image(overview_png, f"Sites and pipelines in the register ({authority})", width=0.9),
    ]
    for card in cards:
        blocks += card_blocks(card, site_pngs.get(card.ref), made_on)
    return Document(
        title=f"Briefing pack: {record.title}",
        subtitle=f"{authority}: training session on {when(record.starts_at)}",
        marking="OFFICIAL",
        cover_lines=(
            f"For: {AUDIENCES.get(record.audience, record.audience)}",
            f"Made on {long_date(made_on)} from the emergency planning register.",
        ),
        blocks=tuple(blocks),
        keywords=("briefing", "training"),
        made_on=made_on,
    )
