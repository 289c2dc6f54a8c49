"""Briefing cards say in words what the register's exposure tables and plans hold."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.domain.register.listings import exposure_rows
from resilience.reports.briefing.cards import briefing_card, briefing_cards, round_people, time_ago
from resilience.storage.models import Hazard

AS_OF = date(2026, 11, 28)


def test_a_card_holds_the_same_wards_places_and_people_as_the_exposure_table(
    session: Session,
) -> None:
    load_demo(session)
    session.commit()
    for hazard in session.scalars(select(Hazard)):
        card = briefing_card(session, hazard, AS_OF)
        views = exposure_rows(session, hazard)
        assert [z.kind for z in card.zones] == [v.zone.kind for v in views]
        for zone, view in zip(card.zones, views, strict=True):
            assert set(zone.wards) == {
                line.ward_name for line in view.lines if line.ward_code != "OUTSIDE"
            }
            assert zone.people == view.total_population
            assert {k: set(v) for k, v in zone.places.items()} == {
                k: {r.name for r in rs} for k, rs in view.receptors.items()
            }


def test_the_card_of_a_site_says_when_its_plan_was_last_exercised(session: Session) -> None:
    load_demo(session)
    session.commit()
    cards = {c.ref: c for c in briefing_cards(session, AS_OF)}
    card = cards["HAL-COMAH-08"]
    assert card.plans[0].title == "Lanxess Widnes external emergency plan"
    assert (
        "The Lanxess Widnes external emergency plan was last exercised in March 2024 "
        "(2 years and 8 months ago)." in card.summary
    )
    assert [c.kind for c in cards.values()].count("pipeline") == 2
    assert list(cards)[-1].startswith("HAL-MAHP")  # establishments first, then pipelines
    assert "No emergency plan in the register covers it." not in card.summary


def test_plain_language_numbers_and_times() -> None:
    assert [round_people(n) for n in (7.4, 143, 1_249, 15_499)] == ["7", "140", "1,200", "15,000"]
    assert time_ago(date(2023, 11, 8), date(2026, 11, 28)) == "3 years ago"
    assert time_ago(date(2026, 11, 2), date(2026, 11, 28)) == "this month"
    assert time_ago(date(2025, 10, 2), date(2026, 11, 28)) == "1 year and 1 month ago"
