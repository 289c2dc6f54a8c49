"""The audit trail: every change recorded with before and after, and nothing can rewrite it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from resilience.storage.audit import set_actor
from resilience.storage.models import AuditEvent
from tests.support.builders import make_establishment


def test_create_update_delete_are_recorded(session: Session) -> None:
    set_actor(session, "officer@test.invalid")
    site = make_establishment("A", operator="Old Ltd")
    session.add(site)
    session.commit()
    site.operator = "New Ltd"
    session.commit()
    session.delete(site)
    session.commit()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "hazards").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.ref, e.actor) for e in events] == [
        ("create", "A", "officer@test.invalid"),
        ("update", "A", "officer@test.invalid"),
        ("delete", "A", "officer@test.invalid"),
    ]
    assert events[1].before == {"operator": "Old Ltd"}
    assert events[1].after == {"operator": "New Ltd"}
    assert events[0].after is not None and events[0].after["geometry"]["type"] == "Point"


def test_the_trail_cannot_be_changed_or_deleted(session: Session) -> None:
    session.add(make_establishment("A"))
    session.commit()
    for statement in (update(AuditEvent).values(actor="someone else"), delete(AuditEvent)):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(statement)
            session.flush()
        session.rollback()
    assert session.scalars(select(AuditEvent.actor)).all() == ["system"]


def test_web_edits_name_the_user_and_the_audit_page_and_csv_show_them(
    client: FlaskClient, client_as: object, session: Session
) -> None:
    response = client.post(
        "/receptors/new",
        data={
            "ref": "R1",
            "name": "School",
            "kind": "school",
            "latitude": "53.32",
            "longitude": "-2.74",
        },
    )
    assert response.status_code == 302
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "receptors")).one()
    assert (event.actor, event.action, event.ref) == ("officer@test.invalid", "create", "R1")
    admin = client_as("admin")  # type: ignore[operator]
    page = admin.get("/admin/audit?entity=receptors")
    assert page.status_code == 200 and "officer@test.invalid" in page.text
    csv_text = admin.get("/admin/audit.csv?entity=receptors&action=create").text
    lines = csv_text.strip().splitlines()
    assert lines[0] == "id,at,actor,action,entity,ref,before,after"
    assert len(lines) == 2 and ",R1," in lines[1]
    assert admin.get("/admin/audit?since=yesterday").status_code == 400
