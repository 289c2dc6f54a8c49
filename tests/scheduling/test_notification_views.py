"""The notifications page: reminders made by a real pass, newest first, read by their owner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, sessionmaker

from resilience.clock import SettableClock
from resilience.storage.models import Notification, User
from tests.scheduling.builders import JOINED, Runner, morning
from tests.support.builders import add_plan
from tests.support.html import Node, parse

# Review due 2 March 2027 for the plan the signed-in user owns.
D30, D7 = date(2027, 1, 31), date(2027, 2, 23)


def _reminders_for(
    role: str, client_as: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> FlaskClient:
    """Sign in as ``role``, give them a plan, and run the passes of d-30 and d-7 (app only)."""
    client = client_as(role)
    client_as("officer")  # someone else, with reminders of their own
    with sessions() as session:
        # Nobody here is due refresher training on these days: the plan's reminders are counted.
        session.execute(update(User).values(created_at=JOINED))
        add_plan(
            session,
            "P1",
            title="Town plan",
            adopted_on=date(2024, 3, 2),
            last_exercised_on=date(2026, 1, 1),
            owner=f"{role}@test.invalid",
        )
        session.commit()
    runner = Runner(sessions, None, SettableClock(morning(D30)))
    assert runner.run_at(morning(D30)).sent == runner.run_at(morning(D7)).sent == 2
    return client


def _items(client: FlaskClient) -> tuple[Node, list[Node]]:
    response = client.get("/notifications")
    assert response.status_code == 200
    page = parse(response.text)
    return page, page.find_all("li")


def test_the_list_is_newest_first_with_the_unread_count(
    client_as: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    client = _reminders_for("member", client_as, sessions)
    page, items = _items(client)
    assert "You have 2 unread notifications." in page.text
    titles = [page.text_by_id[item["id"]] for item in items if "data-notification" in item.attrs]
    assert len(titles) == 2
    assert titles[0].startswith("Unread Review of Town plan due in 7 days")
    assert titles[1].startswith("Unread Review of Town plan due in 30 days")
    assert "Basis: statutory, COMAH 2015 reg. 14" in titles[0]
    assert "/plans/P1" in page.links()


@pytest.mark.parametrize("role", ["admin", "member"])
def test_marking_one_and_then_all_read(
    role: str, client_as: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    client = _reminders_for(role, client_as, sessions)
    _page, items = _items(client)
    newest, oldest = (item for item in items if "data-notification" in item.attrs)
    response = client.post(f"/notifications/{newest['data-notification']}/read")
    assert response.status_code == 302
    page, items = _items(client)
    assert "You have 1 unread notification." in page.text
    assert [i["data-read"] for i in items if "data-notification" in i.attrs] == ["true", "false"]
    assert client.post("/notifications/read-all").status_code == 302
    page, items = _items(client)
    assert "You have no unread notifications." in page.text
    assert {i["data-read"] for i in items if "data-notification" in i.attrs} == {"true"}
    assert oldest["data-notification"] != newest["data-notification"]


@pytest.mark.parametrize("role", ["admin", "member"])
def test_nobody_marks_another_persons_notification(
    role: str, client_as: Callable[[str], FlaskClient], sessions: sessionmaker[Session]
) -> None:
    client = _reminders_for(role, client_as, sessions)
    with sessions() as session:
        theirs = session.scalars(
            select(Notification.id)
            .join(User, User.id == Notification.user_id)
            .where(User.email == "officer@test.invalid")
        ).all()
    assert len(theirs) == 2
    for notification_id in (*theirs, 999_999):
        assert client.post(f"/notifications/{notification_id}/read").status_code == 404
    with sessions() as session:
        assert session.scalars(
            select(Notification.read_at).where(Notification.id.in_(theirs))
        ).all() == [None, None]


def _nav_links(client: FlaskClient, path: str) -> list[tuple[str, str]]:
    """Return the (href, text) of each of the user's own links in the header, as shown."""
    response = client.get(path)
    assert response.status_code == 200
    nav = parse(response.text).find_all("nav", "app-account-navigation")[0]
    return [(a.attrs["href"], a.text) for a in nav.find_all("a")]


def test_the_navigation_shows_the_signed_in_users_unread_count(
    app: Flask,
    client_as: Callable[[str], FlaskClient],
    sessions: sessionmaker[Session],
    anonymous: FlaskClient,
) -> None:
    member = _reminders_for("member", client_as, sessions)
    officer = client_as("officer")
    assert ("/notifications", "Notifications (2)") in _nav_links(member, "/training/")
    _page, items = _items(member)
    newest = next(item for item in items if "data-notification" in item.attrs)
    member.post(f"/notifications/{newest['data-notification']}/read")
    assert ("/notifications", "Notifications (1)") in _nav_links(member, "/members/")
    member.post("/notifications/read-all")
    links = _nav_links(member, "/notifications")
    assert ("/notifications", "Notifications") in links
    assert not any(text.startswith("Notifications (") for _href, text in links)
    # The count is the user's own: the officer's two reminders are still unread.
    assert ("/notifications", "Notifications (2)") in _nav_links(officer, "/training/")

    # Nobody is signed in on the sign-in page: no navigation, and no count asked for.
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        page = parse(anonymous.get("/login").text)
        assert page.find_all("nav", "govuk-service-navigation__wrapper") == []
        assert page.find_all("nav", "app-account-navigation") == []
        assert not any("notifications" in sql for sql in statements)
        _nav_links(member, "/training/")
        assert any("notifications" in sql for sql in statements)  # the listener does listen
    finally:
        event.remove(engine, "before_cursor_execute", seen)
