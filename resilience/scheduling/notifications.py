"""In-app notifications: one per reminder sent, a list per user, and what is still unread."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from resilience.scheduling.reminder_text import details, headline
from resilience.scheduling.reminders import DueReminder
from resilience.storage.models import Notification

NOTIFICATIONS_SHOWN = 200
PLAN_PAGE = "/plans/{ref}"
TRAINING_PAGE = "/training/"  # the sessions planned, open to every role


def add_reminder_notification(
    session: Session, claim_id: int, reminder: DueReminder, now: datetime, today: date
) -> Notification:
    """Add the notification for a sent reminder to ``session`` (the caller's transaction)."""
    notification = Notification(
        user_id=reminder.recipient.user_id,
        reminder_claim_id=claim_id,
        title=headline(reminder, today),
        body="\n".join(line for line in details(reminder, today) if line),
        link=(
            reminder.hazard_page
            if reminder.hazard_page
            else TRAINING_PAGE
            if reminder.is_training
            else PLAN_PAGE.format(ref=quote(reminder.plan_ref, safe=""))
        ),
        created_at=now,
    )
    session.add(notification)
    return notification


def notifications_for(
    session: Session, user_id: int, limit: int = NOTIFICATIONS_SHOWN
) -> list[Notification]:
    """Return a user's notifications, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user_id: int) -> int:
    """Return how many of a user's notifications are unread."""
    count = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return count or 0


def mark_read(session: Session, user_id: int, notification_id: int, now: datetime) -> bool:
    """Mark one of the user's own notifications read; False if they have none with that id."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user_id:
        return False
    if notification.read_at is None:
        notification.read_at = now
    return True


def mark_all_read(session: Session, user_id: int, now: datetime) -> int:
    """Mark every unread notification of the user read; return how many there were."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount
