"""Reminder e-mails: the message, and sending it over SMTP with a timeout."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from resilience.scheduling.reminder_text import details, headline
from resilience.scheduling.reminders import DueReminder

SMTP_TIMEOUT_SECONDS = 30.0
DEFAULT_SENDER = "resilience@localhost"
SMTPS_PORT = 465
# Errors about one message: the connection is still good for the next one.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)
# Every error a send can end in; anything else is a bug and should stop the pass loudly.
SEND_ERRORS = (smtplib.SMTPException, OSError)


class MailConnection(Protocol):
    """An open connection to a mail server."""

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; raise smtplib.SMTPException or OSError on failure."""
        ...


class Mailer(Protocol):
    """Something that opens mail connections, with the address reminders come from."""

    @property
    def sender(self) -> str:
        """Return the From address."""
        ...

    def connect(self) -> AbstractContextManager[MailConnection]:
        """Return a context manager that opens a connection and closes it at the end."""
        ...


@dataclass(frozen=True)
class SmtpConnection:
    """An open smtplib connection."""

    smtp: smtplib.SMTP

    def send(self, message: EmailMessage) -> None:
        """Send one message over this connection."""
        self.smtp.send_message(message)


@dataclass(frozen=True)
class SmtpMailer:
    """SMTP settings: STARTTLS when the server offers it, SMTPS on port 465, login when given."""

    host: str
    port: int = 25
    user: str = ""
    password: str = field(default="", repr=False)  # never in a log line
    sender: str = DEFAULT_SENDER
    timeout: float = SMTP_TIMEOUT_SECONDS

    @contextmanager
    def connect(self) -> Iterator[MailConnection]:
        """Yield an open connection; raise OSError or smtplib.SMTPException if there is none."""
        context = ssl.create_default_context()
        smtp = (
            smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            if self.port == SMTPS_PORT
            else smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        )
        try:
            smtp.ehlo()
            if self.port != SMTPS_PORT and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password)
            yield SmtpConnection(smtp)
        finally:
            try:
                smtp.quit()
            except SEND_ERRORS:
                pass  # the server went away: there is nothing left to say goodbye to
            smtp.close()


def mailer_from_settings(smtp: Mapping[str, str]) -> SmtpMailer | None:
    """Return a mailer for the SMTP_* and MAIL_FROM settings; None when SMTP_HOST is unset."""
    host = smtp.get("SMTP_HOST", "")
    if not host:
        return None
    return SmtpMailer(
        host=host,
        port=int(smtp.get("SMTP_PORT", "25")),
        user=smtp.get("SMTP_USER", ""),
        password=smtp.get("SMTP_PASSWORD", ""),
        sender=smtp.get("MAIL_FROM", DEFAULT_SENDER),
    )


def reminder_message(
    reminder: DueReminder, claim_id: int, sender: str, now: datetime, today: date
) -> EmailMessage:
    """Return the e-mail for one claimed reminder."""
    message = EmailMessage()
    message["Subject"] = headline(reminder, today)
    message["From"] = sender
    message["To"] = reminder.email
    message["Date"] = format_datetime(now)
    # The same Message-ID on every attempt: if a send is ever repeated (a crash after the server
    # took the message but before it was marked sent), mail systems can see it is one message.
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<reminder-{claim_id}@{domain}>"
    message["X-Resilience-Reminder"] = " ".join(
        (reminder.plan_ref, str(reminder.duty), reminder.due_on.isoformat(), reminder.lead)
    )
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(
        "\n".join(
            [
                headline(reminder, today) + ".",
                "",
                *details(reminder, today),
                "",
                "-- ",
                "Resilience: emergency planning and COMAH register",
            ]
        )
    )
    return message
