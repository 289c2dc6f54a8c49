"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives; free ports."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections import Counter
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Collector:
    """aiosmtpd handler: parse and keep every message; or hold DATA unanswered while stalling."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        if self.sink.stalling:
            self.sink.data_started.set()
            # Never answer: the client is left waiting in the middle of its send.
            while self.sink.stalling:
                await asyncio.sleep(0.05)
            return "451 Requested action aborted"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.sink.arrived:
            self.sink.messages.append(message)
            self.sink.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 collecting messages; use as a context manager."""

    def __init__(self, stalling: bool = False) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()
        self.stalling = stalling
        self.data_started = threading.Event()
        self._controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stalling = False
        self._controller.stop()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """Return the messages once at least ``count`` have arrived; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.messages)} of {count} messages arrived in {timeout} s"
                self.arrived.wait(left)
            return list(self.messages)

    def keys(self) -> Counter[tuple[str, ...]]:
        """Return how often each (reminder key..., recipient) arrived."""
        with self.arrived:
            return Counter(
                (*str(m["X-Resilience-Reminder"]).split(" "), str(m["To"])) for m in self.messages
            )
