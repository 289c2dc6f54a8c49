"""One page of a long list: which rows, and where the page sits among them.

Lists that can run to thousands of rows (the audit trail, the register's wards nationally) are
read a page at a time: a count and one LIMIT/OFFSET query, never every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class PageOf(Generic[T]):
    """Page ``number`` (from 1) of ``total`` rows, ``size`` to a page."""

    items: list[T]
    number: int
    total: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """Return the position of the page's first row (1-based; 0 when there are none)."""
        return 0 if not self.items else (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def paged(items: Sequence[T], number: int, size: int) -> PageOf[T]:
    """Return page ``number`` of a list already in memory (past the end gives the last page)."""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, number), pages)
    return PageOf(list(items[(number - 1) * size : number * size]), number, len(items), size)


def page_of(session: Session, query: Select[Any], number: int, size: int) -> PageOf[Any]:
    """Return page ``number`` of ``query``'s rows (past the end gives the last page)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    items = list(session.scalars(query.offset((number - 1) * size).limit(size)))
    return PageOf(items, number, total, size)
