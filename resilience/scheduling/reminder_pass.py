"""One reminder pass: work out what is due, claim it, take over stale claims, send, mark sent.

Safe to run at any time, as often as anyone likes, in as many processes as happen to run it: the
claims make every reminder go out once. A pass after a long stop catches up by itself, because
what is due is worked out from the dates, not from when the pass last ran.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import Clock, local_date
from resilience.domain.duties.policy import stored_policy
from resilience.domain.duties.rules import DutyPolicy
from resilience.scheduling.claims import (
    CLAIM_LEASE,
    HeldClaim,
    claim_reminders,
    claimed_keys,
    held_claims,
    mark_cancelled,
    mark_failed,
    mark_sent,
    new_claimant,
    start_attempt,
    take_over_due_claims,
)
from resilience.scheduling.mailer import (
    MESSAGE_ERRORS,
    SEND_ERRORS,
    MailConnection,
    Mailer,
    reminder_message,
)
from resilience.scheduling.notifications import add_reminder_notification
from resilience.scheduling.reminders import DueReminder, due_reminders

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    """What one pass did."""

    claimant: str
    at: datetime
    due: int = 0
    claimed: int = 0
    taken_over: int = 0
    sent: int = 0
    failed: int = 0
    cancelled: int = 0
    lost: int = 0  # claims another scheduler took over while this one was still at them

    def __str__(self) -> str:
        return (
            f"reminder pass {self.at:%Y-%m-%d %H:%M} UTC: {self.due} due, "
            f"{self.claimed} newly claimed, {self.taken_over} taken over for retry, "
            f"{self.sent} sent, {self.failed} failed (kept for retry), "
            f"{self.cancelled} cancelled, {self.lost} lost to another scheduler"
        )


class Outbox:
    """A mail connection opened on the first message and reopened once after it breaks.

    When the server cannot be reached at all, every later message of the pass fails at once
    with the same error instead of waiting out another connection timeout each.
    """

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self._stack = ExitStack()
        self._connection: MailConnection | None = None
        self._down: str | None = None

    def send(self, message: EmailMessage) -> None:
        """Send one message; raise OSError or smtplib.SMTPException if it was not accepted."""
        if self._down is not None:
            raise ConnectionError(self._down)
        if self._connection is None:
            try:
                self._connection = self._stack.enter_context(self.mailer.connect())
            except SEND_ERRORS as error:
                self._down = describe(error)
                raise
        try:
            self._connection.send(message)
        except MESSAGE_ERRORS:
            raise  # about this message only: the connection is still good
        except SEND_ERRORS:
            self.close()  # the next message reconnects, once
            raise

    def close(self) -> None:
        """Close the connection, if one is open."""
        self._connection = None
        self._stack.close()
        self._stack = ExitStack()


def describe(error: BaseException) -> str:
    """Return an error as one line for a claim's ``last_error``."""
    return f"{type(error).__name__}: {error}".replace("\n", " ")


def run_reminder_pass(
    sessions: sessionmaker[Session],
    clock: Clock,
    mailer: Mailer | None,
    policy: DutyPolicy | None = None,
    lease: timedelta = CLAIM_LEASE,
) -> PassReport:
    """Send every reminder due at ``clock.now()`` that nobody has sent; return what happened.

    ``mailer`` None means no e-mail is configured: reminders then go to the app only.
    ``policy`` None means the policy an administrator stored, read afresh by every pass.
    """
    now = clock.now()
    today = local_date(now)
    report = PassReport(claimant=new_claimant(), at=now)
    with sessions() as session:
        due = due_reminders(session, today, policy or stored_policy(session))
        taken = claimed_keys(session, min(r.send_on for r in due)) if due else set()
    report.due = len(due)
    by_key = {reminder.key: reminder for reminder in due}
    wanted = [(key, reminder.send_on) for key, reminder in by_key.items() if key not in taken]
    report.claimed = claim_reminders(sessions, wanted, report.claimant, now, lease)
    report.taken_over = take_over_due_claims(sessions, report.claimant, now, lease)
    with sessions() as session:
        held = held_claims(session, report.claimant)
    outbox = Outbox(mailer) if mailer is not None else None
    try:
        for claim in held:
            try:
                _deliver(
                    sessions, clock, outbox, claim, by_key.get(claim.key), today, lease, report
                )
            except Exception as error:  # noqa: BLE001 (one reminder's fault must not stop the rest)
                _keep_for_retry(sessions, clock, outbox, claim, report, error)
    finally:
        if outbox is not None:
            outbox.close()
    log.info("%s", report)
    return report


def _keep_for_retry(
    sessions: sessionmaker[Session],
    clock: Clock,
    outbox: Outbox | None,
    claim: HeldClaim,
    report: PassReport,
    error: Exception,
) -> None:
    """Record why one reminder could not be built or sent, and back it off for a retry.

    Whatever went wrong (a record the message cannot be made from, a mail library refusing
    it) is about this reminder alone: the pass goes on to the others, and an administrator
    sees the reason on the reminders page.
    """
    log.exception("reminder %s could not be sent; kept for a retry", claim.id)
    if outbox is not None:
        outbox.close()  # the connection may be mid-command: start the next message afresh
    mark_failed(
        sessions, claim.id, report.claimant, clock.now(), claim.attempts + 1, describe(error)
    )
    report.failed += 1


def _deliver(
    sessions: sessionmaker[Session],
    clock: Clock,
    outbox: Outbox | None,
    claim: HeldClaim,
    reminder: DueReminder | None,
    today: date,
    lease: timedelta,
    report: PassReport,
) -> None:
    """Send one held claim and mark it sent, or keep it for a retry, or cancel it."""
    claimant = report.claimant
    if reminder is None:
        # A retried claim that today's dates no longer call for: the duty was discharged, the
        # plan or person is gone, or a newer reminder about the same deadline superseded it.
        reason = f"cancelled {today}: no longer due (discharged, superseded or no recipient)"
        mark_cancelled(sessions, claim.id, claimant, reason)
        report.cancelled += 1
        return
    # Renewing the lease just before sending means a slow pass never has reminders taken over
    # from under it: only a holder silent for a whole lease loses its claim.
    if not start_attempt(sessions, claim.id, claimant, clock.now(), lease):
        report.lost += 1
        return
    if outbox is not None:
        message = reminder_message(reminder, claim.id, outbox.mailer.sender, clock.now(), today)
        try:
            outbox.send(message)
        except SEND_ERRORS as error:
            retry_at = mark_failed(
                sessions, claim.id, claimant, clock.now(), claim.attempts + 1, describe(error)
            )
            log.warning(
                "reminder %s to %s not sent (%s); retry from %s",
                claim.id,
                reminder.email,
                describe(error),
                f"{retry_at:%Y-%m-%d %H:%M} UTC",
            )
            report.failed += 1
            return
    try:
        with sessions.begin() as session:
            now = clock.now()
            if mark_sent(session, claim.id, claimant, now):
                add_reminder_notification(session, claim.id, reminder, now, today)
                report.sent += 1
                return
    except IntegrityError:
        # The recipient's account was deleted since this pass began: the e-mail went out, but
        # there is nobody left to notify in the app.
        log.warning("reminder %s sent; its recipient's account is gone", claim.id)
        with sessions.begin() as session:
            if mark_sent(session, claim.id, claimant, clock.now()):
                report.sent += 1
                return
    # The lease ran out mid-send and another scheduler took the claim: it may send again.
    log.error("reminder %s was taken over while it was being sent", claim.id)
    report.lost += 1
