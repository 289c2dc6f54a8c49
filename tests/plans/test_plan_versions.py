"""Plan documents: each upload is a new version; old ones are kept and download byte for byte."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from resilience.domain.plans.records import (
    next_version_label,
    plan_versions,
    store_version,
    version_path,
)
from resilience.errors import InputError
from resilience.storage.models import Plan, PlanVersion
from tests.plans.pages import field_error, marking
from tests.support.html import parse
from tests.support.requests import url

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
DOCX = b"PK\x03\x04" + bytes(reversed(range(256))) * 10


def upload(
    client: FlaskClient, ref: str, data: bytes, name: str, label: str, summary: str = "Updated"
) -> tuple[int, str]:
    response = client.post(
        url(client.application, "plans.version_index", ref=ref),
        data={"label": label, "change_summary": summary, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.text


def stored_files(instance: Path) -> list[Path]:
    folder = instance / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_store_version_keeps_every_version_under_a_generated_name(
    session: Session, stored_plan: Callable[..., Plan], tmp_path: Path
) -> None:
    plan = stored_plan()
    store = tmp_path / "store"
    first = store_version(
        session,
        plan,
        io.BytesIO(PDF),
        original_name="C:\\fakepath\\Runcorn plan v1.PDF",
        content_type="application/pdf",
        label="1",
        change_summary="First issue",
        uploaded_by="officer@test.invalid",
        uploads=store,
    )
    second = store_version(
        session,
        plan,
        io.BytesIO(DOCX),
        original_name="../../etc/passwd",
        content_type="text/html; charset=utf-8",
        label="2",
        change_summary="Contacts",
        uploaded_by="",
        uploads=store,
    )
    session.commit()

    assert first.original_name == "Runcorn plan v1.PDF"
    assert first.stored_name.endswith(".pdf") and "Runcorn" not in first.stored_name
    assert (first.size_bytes, first.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert second.original_name == "passwd" and second.content_type == "text/html"
    assert version_path(store, first).read_bytes() == PDF
    assert version_path(store, second).read_bytes() == DOCX
    assert [v.label for v in plan_versions(session, plan)] == ["2", "1"]
    assert next_version_label(session, plan) == "3"
    assert sorted(p.name for p in store.iterdir()) == sorted(
        [first.stored_name, second.stored_name]
    )


@pytest.mark.parametrize(
    ("data", "label", "summary", "field"),
    [
        (b"", "1", "First", "file"),
        (b"x" * 1025, "1", "First", "file"),
        (b"x", "", "First", "label"),
        (b"x", "1", " ", "change_summary"),
    ],
)
def test_a_bad_upload_leaves_no_record_and_no_file(
    session: Session,
    stored_plan: Callable[..., Plan],
    tmp_path: Path,
    data: bytes,
    label: str,
    summary: str,
    field: str,
) -> None:
    plan = stored_plan()
    store = tmp_path / "store"
    with pytest.raises(InputError) as raised:
        store_version(
            session,
            plan,
            io.BytesIO(data),
            original_name="plan.pdf",
            content_type="application/pdf",
            label=label,
            change_summary=summary,
            uploaded_by="",
            uploads=store,
            max_bytes=1024,
        )
    assert raised.value.field == field
    session.rollback()
    assert session.scalar(select(func.count()).select_from(PlanVersion)) == 0
    assert not store.exists() or list(store.iterdir()) == []


def test_upload_and_download_round_trip_keeps_old_versions(
    editor: FlaskClient, stored_plan: Callable[..., Plan], app: Flask, session: Session
) -> None:
    stored_plan("PLAN-RUNCORN", marking="OFFICIAL-SENSITIVE")
    assert upload(editor, "PLAN-RUNCORN", PDF, "Runcorn plan.pdf", "1")[0] == 302
    assert upload(editor, "PLAN-RUNCORN", DOCX, "Runcorn plan – v2.docx", "2")[0] == 302

    page = parse(editor.get(url(app, "plans.plan_detail", ref="PLAN-RUNCORN")).text)
    links = {
        a.text: a.attrs["href"]
        for a in page.find_all("a")
        if "/versions/" in a.attrs.get("href", "")
    }
    assert list(links) == ["Runcorn plan – v2.docx", "Runcorn plan.pdf"]
    assert marking(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]

    old = editor.get(links["Runcorn plan.pdf"])
    new = editor.get(links["Runcorn plan – v2.docx"])
    assert old.status_code == new.status_code == 200
    assert old.data == PDF and new.data == DOCX
    assert old.headers["Content-Disposition"] == 'attachment; filename="Runcorn plan.pdf"'
    assert new.headers["Content-Disposition"].startswith("attachment;")
    encoded = "filename*=UTF-8''Runcorn%20plan%20%E2%80%93%20v2.docx"
    assert encoded in new.headers["Content-Disposition"]
    assert old.headers["Content-Type"] == "application/pdf"
    assert "no-store" in old.headers["Cache-Control"]
    assert old.headers["Content-Security-Policy"].startswith("sandbox")
    old.close()
    new.close()
    versions = session.scalars(select(PlanVersion).order_by(PlanVersion.id)).all()
    assert [(v.label, v.uploaded_by) for v in versions] == [
        ("1", "admin@test.invalid"),
        ("2", "admin@test.invalid"),
    ]


def test_a_version_of_another_plan_is_not_found(
    editor: FlaskClient, stored_plan: Callable[..., Plan], app: Flask, session: Session
) -> None:
    stored_plan("PLAN-1")
    stored_plan("PLAN-2")
    upload(editor, "PLAN-1", PDF, "one.pdf", "1")
    version_id = session.scalar(select(PlanVersion.id))
    elsewhere = url(app, "plans.version_download", ref="PLAN-2", version_id=version_id)
    missing = url(app, "plans.version_download", ref="PLAN-1", version_id=999)
    assert editor.get(elsewhere).status_code == 404
    assert editor.get(missing).status_code == 404


@pytest.mark.parametrize(
    ("data", "name", "label", "message"),
    [
        (b"", "empty.pdf", "2", "The selected file is empty"),
        (b"x" * 2048, "big.pdf", "2", "The file must be 1 KB or smaller"),
        (PDF, "again.pdf", "1", "Version '1' of this plan is already kept"),
    ],
)
def test_a_bad_upload_page_is_a_400_with_the_error_beside_the_field(
    editor: FlaskClient,
    stored_plan: Callable[..., Plan],
    app: Flask,
    instance: Path,
    session: Session,
    data: bytes,
    name: str,
    label: str,
    message: str,
) -> None:
    app.config["PLAN_VERSION_MAX_BYTES"] = 1024
    stored_plan()
    assert upload(editor, "PLAN-1", b"first", "first.pdf", "1")[0] == 302
    files_before = stored_files(instance)

    status, html = upload(editor, "PLAN-1", data, name, label)

    assert status == 400
    page = parse(html)
    field = "label" if "already kept" in message else "file"
    assert field_error(page, field) == message
    assert page.one("form").attrs["enctype"] == "multipart/form-data"
    assert session.scalar(select(func.count()).select_from(PlanVersion)) == 1
    assert stored_files(instance) == files_before


def test_members_cannot_download_official_sensitive_documents(
    editor: FlaskClient,
    stored_plan: Callable[..., Plan],
    app: Flask,
    client_as: Callable[[str], FlaskClient],
) -> None:
    stored_plan("PLAN-SECRET", marking="OFFICIAL-SENSITIVE")
    stored_plan("PLAN-OPEN", marking="OFFICIAL")
    assert upload(editor, "PLAN-SECRET", PDF, "secret.pdf", "1")[0] == 302
    assert upload(editor, "PLAN-OPEN", PDF, "open.pdf", "1")[0] == 302
    member = client_as("member")
    for ref, allowed in (("PLAN-SECRET", False), ("PLAN-OPEN", True)):
        page = parse(member.get(url(app, "plans.plan_detail", ref=ref)).text)
        version = next(iter(plan_versions_of(app, ref)))
        response = member.get(url(app, "plans.version_download", ref=ref, version_id=version))
        assert response.status_code == (200 if allowed else 403), ref
        response.close()
        links = [a for a in page.find_all("a") if "/versions/" in a.attrs.get("href", "")]
        assert bool(links) == allowed, ref  # no link offered where the download is refused


def plan_versions_of(app: Flask, ref: str) -> list[int]:
    sessions = app.extensions["sessions"]
    with sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.ref == ref)).one()
        return [v.id for v in plan_versions(session, plan)]
