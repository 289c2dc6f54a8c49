"""A member's crawl finds no OFFICIAL-SENSITIVE detail and no pipeline route anywhere.

An OFFICIAL-SENSITIVE plan is given distinctive marker strings in its note, a review's reviewer
and changes, a version's summary and file name, and an exercise's organisations, note and
lessons. A member follows every link from their start pages (and the known URLs), reading HTML,
PDF (pypdf), Word (python-docx) and calendar files; none may hold a marker, and no coordinate
in a map payload may lie within 50 m of a vertex of a stored pipeline route. An officer, on the
same pages, sees the markers, and their annual report is marked OFFICIAL-SENSITIVE.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import docx
import numpy as np
import pypdf
import pytest
import shapely
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Transformer
from sqlalchemy import select
from sqlalchemy.orm import Session

from resilience.domain.demo import load_demo
from resilience.scheduling.calendar_feed import renew_calendar_token
from resilience.spatial.crs import BNG, WGS84
from resilience.storage.models import Exercise, Hazard, Lesson, Plan, PlanReview, User, utcnow
from tests.support.html import parse
from tests.support.requests import url

MARKERS = {
    "note": "ZEBRA-NOTE-7731",
    "reviewer": "ZEBRA-REVIEWER-7732",
    "changes": "ZEBRA-CHANGES-7733",
    "summary": "ZEBRA-SUMMARY-7734",
    "file": "zebra-file-7735",
    "organisations": "ZEBRA-ORG-7736",
    "exercise_note": "ZEBRA-EXNOTE-7737",
    "lesson": "ZEBRA-LESSON-7738",
}
ROUTE_DISTANCE_M = 50.0
EXPORT = "/transfer/export/pipelines.geojson"
# Map sources that are not about pipelines: their edges may cross a route anywhere by chance.
# Zone sources are checked by the hazard each zone belongs to (no pipeline's zone for members).
OTHER_SOURCES = ("wards", "receptors", "establishments")
# Followed further; any other internal link is requested but not followed.
FOLLOWED = ("/members", "/training", "/reports", "/plans", "/exercises", "/maps", "/duties")
NOT_FETCHED = ("/logout", "/maps/static", "/static")
_TO_BNG = Transformer.from_crs(WGS84, BNG, always_xy=True)


@dataclass
class World:
    plan_ref: str
    exercise_id: int
    pipeline_refs: list[str]
    routes_bng: list[shapely.Geometry]
    period: dict[str, str]
    feed_path: str = ""
    extra: list[str] = field(default_factory=list)


@pytest.fixture
def world(app: Flask, session: Session, client_as: Callable[[str], FlaskClient]) -> Iterator[World]:
    load_demo(session)
    today = utcnow().date()
    pipelines = list(session.scalars(select(Hazard).where(Hazard.kind == "pipeline")))
    site = session.scalars(select(Hazard).where(Hazard.kind == "establishment")).first()
    assert pipelines and site is not None
    plan = Plan(
        ref="SECRET-PLAN",
        title="Off-site plan (restricted)",
        regime="comah_external",
        owner="Emergency Planning Team",
        marking="OFFICIAL-SENSITIVE",
        status="adopted",
        adopted_on=date(2015, 1, 5),  # never reviewed since: overdue, so the note is a reason
        hazard_refs=[site.ref, pipelines[0].ref],
        note=f"Contact list in annex B {MARKERS['note']}",
    )
    session.add(plan)
    session.flush()
    session.add(
        PlanReview(
            plan_id=plan.id,
            reviewed_on=today - timedelta(days=30),
            reviewer=MARKERS["reviewer"],
            outcome="minor_changes",
            changes_made=MARKERS["changes"],
        )
    )
    exercise = Exercise(
        title="Exercise Restricted",
        exercise_type="table_top",
        status="held",
        held_on=today - timedelta(days=60),
        organisations=MARKERS["organisations"],
        note=MARKERS["exercise_note"],
        hazard_refs=[],
        plans=[plan],
    )
    exercise.lessons.append(
        Lesson(description=MARKERS["lesson"], owner="Duty officer", due_on=today + timedelta(30))
    )
    session.add(exercise)
    member = User(email="cllr@test.invalid", role="member", password_hash="x")
    session.add(member)
    session.commit()
    officer = client_as("officer")
    response = officer.post(
        url(app, "plans.version_index", ref=plan.ref),
        data={
            "label": "2.0",
            "change_summary": MARKERS["summary"],
            "file": (io.BytesIO(b"%PDF-1.4 secret"), f"{MARKERS['file']}.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    token = renew_calendar_token(session, member.id, utcnow())
    session.commit()
    routes = [shapely.transform(p.geometry, _bng) for p in pipelines]
    period = {"start": (today - timedelta(days=365)).isoformat(), "end": today.isoformat()}
    yield World(
        plan.ref,
        exercise.id,
        [p.ref for p in pipelines],
        routes,
        period,
        feed_path=f"/calendar/{token}.ics",
    )


def _bng(xy: np.ndarray) -> np.ndarray:
    return np.column_stack(_TO_BNG.transform(*xy.T))


def _known_urls(app: Flask, world: World) -> list[str]:
    query = "?" + urlencode(world.period)
    urls = [
        url(app, "members.home"),
        url(app, "plans.plan_index"),
        url(app, "plans.plan_detail", ref=world.plan_ref),
        url(app, "plans.exercise_index"),
        url(app, "plans.exercise_detail", exercise_id=world.exercise_id),
        url(app, "reports.index"),
        url(app, "reports.annual") + query,
        url(app, "reports.annual_pdf") + query,
        url(app, "reports.annual_docx") + query,
        url(app, "maps.overview"),
        url(app, "maps.overview_file", fmt="html"),
        url(app, "training.index"),
        world.feed_path,
    ]
    for ref in world.pipeline_refs:
        urls.append(url(app, "maps.hazard", layer="pipelines", ref=ref))
        urls.append(url(app, "maps.hazard_file", fmt="html", layer="pipelines", ref=ref))
        urls.append(url(app, "reports.site_pack", ref=ref))
    return urls


def _text_of(mimetype: str, content: bytes) -> str:
    if mimetype == "application/pdf":
        reader = pypdf.PdfReader(io.BytesIO(content))
        return " ".join(page.extract_text() or "" for page in reader.pages)
    if mimetype.endswith("wordprocessingml.document"):
        document = docx.Document(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
        for section in document.sections:
            parts += [p.text for p in section.header.paragraphs]
        return "\n".join(parts)
    return content.decode("utf-8", errors="replace")


_SOURCE_CALL = re.compile(r'ResilienceMap\.source\([^,]+,\s*"(\w+)",\s*"(\w+)"\)')
_JSON_SCRIPT = re.compile(r'<script type="application/json" id="(\w+)">(.*?)</script>', re.S)


def _encoded_shapes(layer: dict[str, object]) -> np.ndarray:
    scale = float(layer["scale"])  # type: ignore[arg-type]
    deltas = np.asarray(layer["xy"], dtype=np.int64).reshape(-1, 2)
    return np.cumsum(deltas, axis=0) / scale


def map_sources(html: str) -> dict[str, dict[str, Any]]:
    """Return every map source in a page (the compact encoding), by source key."""
    keys = {name: key for key, name in _SOURCE_CALL.findall(html)}
    return {keys[n]: json.loads(text) for n, text in _JSON_SCRIPT.findall(html) if n in keys}


def map_coordinates(html: str) -> dict[str, np.ndarray]:
    """Return the lon/lat coordinates of every map source in a page, by source key."""
    found: dict[str, np.ndarray] = {}
    for key, data in map_sources(html).items():
        layers = [data] + ([data["coarse"]] if "coarse" in data else [])
        found[key] = np.vstack([_encoded_shapes(layer) for layer in layers])
    return found


def nearest_to_route_m(world: World, lonlat: np.ndarray) -> float:
    """Return the distance from the nearest of ``lonlat`` to a vertex of a stored route."""
    if not len(lonlat):
        return float("inf")
    points = shapely.points(_bng(lonlat))
    tree = shapely.STRtree(points)
    best = float("inf")
    for route in world.routes_bng:
        for vertex in shapely.points(shapely.get_coordinates(route)):
            index = tree.nearest(vertex)
            best = min(best, float(shapely.distance(vertex, points[index])))
    return best


@dataclass
class Crawl:
    texts: dict[str, str] = field(default_factory=dict)
    nearest_m: dict[str, float] = field(default_factory=dict)
    zone_layers: set[str] = field(default_factory=set)


def crawl(app: Flask, client: FlaskClient, world: World) -> Crawl:
    """Return what a client reads from the known URLs and every link they lead to."""
    queue = _known_urls(app, world)
    result = Crawl()
    while queue:
        address = queue.pop(0)
        if address in result.texts or address.startswith(NOT_FETCHED) or address.endswith(".png"):
            continue
        response = client.get(address)
        assert response.status_code == 200, f"{address}: {response.status_code}"
        text = _text_of(response.mimetype, response.data)
        result.texts[address] = text
        if response.mimetype != "text/html":
            continue
        for key, coords in map_coordinates(text).items():
            if key not in OTHER_SOURCES and not key.startswith("zones_"):
                result.nearest_m[f"{address} [{key}]"] = nearest_to_route_m(world, coords)
        for key, data in map_sources(text).items():
            if key.startswith("zones_"):
                result.zone_layers |= set(data["props"]["layer"])
        for link in parse(text).links():
            target = urlsplit(link)
            if target.netloc or not target.path.startswith("/") or link.startswith("#"):
                continue
            if target.path.startswith(FOLLOWED) and "contrast=" not in link:
                queue.append(link)
    return result


def test_a_member_reads_no_sensitive_detail_and_no_pipeline_route(
    app: Flask, client_as: Callable[[str], FlaskClient], world: World
) -> None:
    member = client_as("member")
    seen = crawl(app, member, world)
    assert len(seen.texts) >= 30
    for address, text in seen.texts.items():
        for what, marker in MARKERS.items():
            assert marker not in text, f"{address} shows the sensitive plan's {what}"
    query = "?" + urlencode(world.period)
    for suffix in ("", ".pdf", ".docx"):
        report = seen.texts[f"/reports/annual{suffix}{query}"]
        assert "OFFICIAL" in report and "OFFICIAL-SENSITIVE" not in report, suffix
    # The member still learns that the plan exists, and its status.
    plan_page = seen.texts[f"/plans/{world.plan_ref}"]
    assert "Off-site plan (restricted)" in plan_page and "Withheld from your role" in plan_page
    maps = {u: d for u, d in seen.nearest_m.items() if u.startswith("/maps")}
    assert any("/maps/pipelines/" in u for u in maps) and "/maps/ [pipelines]" in maps
    assert any(u.startswith("/maps/download/html/") for u in maps)
    assert seen.zone_layers == {"establishments"}  # no pipeline's zones, which trace its route
    for address, distance in seen.nearest_m.items():
        assert distance > ROUTE_DISTANCE_M, f"{address}: a point {distance:.1f} m from a route"
    assert member.get(EXPORT).status_code == 403


def test_an_officer_sees_the_detail_the_route_and_a_sensitive_marking(
    app: Flask, client_as: Callable[[str], FlaskClient], world: World
) -> None:
    officer = client_as("officer")
    query = "?" + urlencode(world.period)
    plan_page = officer.get(f"/plans/{world.plan_ref}").text
    for what in ("note", "reviewer", "changes", "summary", "file"):
        assert MARKERS[what] in plan_page, what
    exercise_page = officer.get(f"/exercises/{world.exercise_id}").text
    for what in ("organisations", "exercise_note", "lesson"):
        assert MARKERS[what] in exercise_page, what
    for suffix in ("", ".pdf", ".docx"):
        response = officer.get(f"/reports/annual{suffix}{query}")
        text = _text_of(response.mimetype, response.data)
        assert MARKERS["note"] in text and MARKERS["summary"] in text, suffix
        assert "OFFICIAL-SENSITIVE" in text, suffix
    page = officer.get(url(app, "maps.hazard", layer="pipelines", ref=world.pipeline_refs[0])).text
    assert nearest_to_route_m(world, map_coordinates(page)["pipelines"]) < 5.0
    zones = {k: v for k, v in map_sources(page).items() if k.startswith("zones_")}
    assert any("pipelines" in data["props"]["layer"] for data in zones.values())
