"""The header: seven sections, each role offered only the pages it may open, the pages of the
current section under the header, and the person's own links above it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from tests.support.html import Node, parse

REGISTER = ["Establishments", "Pipelines", "Radiation premises", "Wards", "Sensitive places"]
EVERYONE = ["Map", "Register", "Plans", "Briefings", "Training", "Reports"]
# What each role is offered: the header's sections and the Register section's pages. Importing
# and exporting is register editing (officers, administrators); People is administrators'.
OFFERED = {
    "admin": ([*EVERYONE, "People"], [*REGISTER, "Import and export"]),
    "officer": (EVERYONE, [*REGISTER, "Import and export"]),
    "planner": (EVERYONE, REGISTER),
    "member": (EVERYONE, REGISTER),
}


def _page(client: FlaskClient, path: str) -> Node:
    response = client.get(path)
    assert response.status_code == 200, path
    return parse(response.text)


def _links(nav: Node) -> list[tuple[str, str]]:
    return [(a.text, a.attrs["href"]) for a in nav.find_all("a")]


@pytest.mark.parametrize("role", list(OFFERED))
def test_each_role_is_offered_the_sections_and_pages_it_may_open_and_no_other(
    app: Flask, client_as: Callable[[str], FlaskClient], role: str
) -> None:
    client = client_as(role)
    sections, register_pages = OFFERED[role]
    with app.test_request_context():
        register = url_for("layers.index", layer="establishments")
        expected_hrefs = {
            "Map": url_for("maps.overview"),
            "Register": register,
            "Plans": url_for("plans.plan_index"),
            "Briefings": url_for("members.home"),
            "Training": url_for("training.index"),
            "Reports": url_for("reports.index"),
            "People": url_for("admin.users"),
        }

    header = _page(client, "/training/").one("nav", "govuk-service-navigation__wrapper")
    assert _links(header) == [(name, expected_hrefs[name]) for name in sections]

    register_page = _page(client, register)
    pages = register_page.one("nav", "app-section-navigation")
    assert pages.attrs["aria-label"] == "Register"
    assert [text for text, _href in _links(pages)] == register_pages
    plans_pages = _page(client, expected_hrefs["Plans"]).one("nav", "app-section-navigation")
    assert [text for text, _href in _links(plans_pages)] == ["Plans", "Duties"]
    # A section of one page has no row of pages under the header.
    assert _page(client, "/training/").find_all("nav", "app-section-navigation") == []

    # Every page offered opens for this role.
    for _text, href in [*_links(header), *_links(pages), *_links(plans_pages)]:
        assert client.get(href).status_code == 200, (role, href)


def test_the_current_section_and_page_are_marked(
    app: Flask, client_as: Callable[[str], FlaskClient]
) -> None:
    officer = client_as("officer")
    with app.test_request_context():
        wards = url_for("layers.index", layer="wards")
    page = _page(officer, wards)
    header = page.one("nav", "govuk-service-navigation__wrapper")
    assert [a.text for a in header.find_all("a") if a.attrs.get("aria-current")] == ["Register"]
    pages = page.one("nav", "app-section-navigation")
    marked = [(a.text, a.attrs.get("aria-current")) for a in pages.find_all("a")]
    assert ("Wards", "page") in marked
    assert [text for text, mark in marked if mark] == ["Wards"]
    account = page.one("nav", "app-account-navigation")
    assert [a.text for a in account.find_all("a")] == ["Notifications", "Sign out"]
    assert "Signed in as officer@test.invalid" in account.text
