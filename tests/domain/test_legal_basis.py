"""The checked legal wording covers every basis the duty engine can report, and is well formed."""

from __future__ import annotations

import re
from datetime import date

import pytest

from resilience.domain.duties.legal_basis import (
    LEGISLATION_URL,
    LegalBasis,
    further_provisions,
    legal_bases,
)
from resilience.domain.duties.rules import RULES, PlanDates, Regime, due_duties

AS_OF = date(2025, 1, 1)
VERDICT_STARTS = ("supported", "differs: ", "unverified: ", "not modelled: ", "not a local")


def every_kind_of_plan() -> list[PlanDates]:
    """Return, per regime, unprepared plans (with and without notified_on) and an adopted one."""
    plans = []
    for regime in Regime:
        for state, kwargs in (
            ("new", {}),
            ("notified", {"notified_on": date(2024, 10, 1)}),
            ("extended", {"notified_on": date(2024, 10, 1), "extension_agreed": True}),
            ("adopted", {"adopted_on": date(2023, 5, 1)}),
        ):
            plans.append(PlanDates(plan_id=f"{regime.value}-{state}", regime=regime, **kwargs))
    return plans


def produced_bases() -> set[str]:
    return {duty.basis for duty in due_duties(every_kind_of_plan(), AS_OF)}


def test_every_basis_the_engine_produces_has_checked_wording() -> None:
    bases = produced_bases()
    assert bases == {rule.basis for rule in RULES}
    missing = bases - set(legal_bases())
    assert not missing, f"no entry in legal_basis.json for {sorted(missing)}"


def test_no_entry_for_a_basis_the_engine_never_produces() -> None:
    unused = set(legal_bases()) - produced_bases()
    assert not unused, f"legal_basis.json has bases the engine does not use: {sorted(unused)}"


ALL_ENTRIES = sorted({**legal_bases(), **further_provisions()}.items())


@pytest.mark.parametrize(("name", "entry"), ALL_ENTRIES, ids=[name for name, _ in ALL_ENTRIES])
def test_entry_quotes_the_regulation_at_its_legislation_gov_uk_address(
    name: str, entry: LegalBasis
) -> None:
    assert entry.quote.strip(), f"{name}: empty quote"
    assert entry.url.startswith(LEGISLATION_URL), f"{name}: url {entry.url!r}"
    assert "legislation" in entry.quoted_from and ".gov.uk/" in entry.quoted_from, name
    assert entry.verdict.startswith(VERDICT_STARTS), f"{name}: verdict {entry.verdict!r}"
    for source in entry.secondary:
        assert source.quote.strip() and source.url.startswith(("http://", "https://")), name


def test_a_statutory_basis_is_supported_only_by_words_that_create_a_duty() -> None:
    # A heading from the table of contents, or a definition, cannot show a duty or its
    # interval: such an entry must not be marked supported.
    for basis, entry in legal_bases().items():
        if basis.startswith("statutory") and entry.verified:
            assert re.search(r"\b(must|shall)\b", entry.quote), basis
