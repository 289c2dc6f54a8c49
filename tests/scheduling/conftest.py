"""Fixtures of the scheduler tests: a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.scheduling.smtp_sink import SmtpSink


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """Return a running SMTP server on 127.0.0.1 that keeps every message it gets."""
    with SmtpSink() as sink:
        yield sink
