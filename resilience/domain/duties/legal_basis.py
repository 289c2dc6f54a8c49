"""The checked wording of the regulations behind each duty basis, from legal_basis.json.

The file is keyed by the exact ``basis`` text the duty engine reports (DESIGN.md §2), so that a
page can show the regulation's own words beside a due date. docs/legal-basis.md explains each
entry and its verdict. Reading the file changes no duty rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

LEGISLATION_URL = "https://www.legislation.gov.uk/"


@dataclass(frozen=True)
class SecondarySource:
    """A non-statutory source (guidance, commentary) quoted beside a provision; never the law."""

    source: str
    url: str
    quote: str


@dataclass(frozen=True)
class LegalBasis:
    """One provision: its citation and address, the quoted words, and what they show."""

    citation: str
    url: str
    quoted_from: str
    quote: str
    verdict: str
    notes: str
    secondary: tuple[SecondarySource, ...]

    @property
    def verified(self) -> bool:
        """Return True when the quoted text was available and supports the rule as stated."""
        return self.verdict.startswith("supported")


def _entry(raw: dict[str, Any]) -> LegalBasis:
    return LegalBasis(
        citation=raw["citation"],
        url=raw["url"],
        quoted_from=raw["quoted_from"],
        quote=raw["quote"],
        verdict=raw["verdict"],
        notes=raw["notes"],
        secondary=tuple(SecondarySource(**item) for item in raw["secondary"]),
    )


@cache
def _document() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("legal_basis.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def legal_bases() -> dict[str, LegalBasis]:
    """Return the checked provision for each basis text the duty engine reports."""
    return {basis: _entry(raw) for basis, raw in _document()["bases"].items()}


def further_provisions() -> dict[str, LegalBasis]:
    """Return the checked provisions of duties the engine does not model yet, by short citation."""
    return {name: _entry(raw) for name, raw in _document()["further"].items()}
