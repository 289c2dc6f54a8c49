"""The page layout and form macros: GOV.UK markup, errors beside fields, nothing CSP forbids."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, flash, redirect, render_template_string
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from resilience.web.date_input import DateInputField
from resilience.web.frontend import (
    GOVUK_FRONTEND_JINJA_VERSION,
    GOVUK_FRONTEND_VERSION,
    use_govuk_frontend,
)
from tests.support.html import Node, parse


def package_dir(name: str) -> Path:
    """Return a top-level package's folder without importing it (the app needs none of it here)."""
    spec = find_spec(name)
    assert spec is not None and spec.submodule_search_locations, name
    return Path(next(iter(spec.submodule_search_locations))).resolve()


WEB_DIR = package_dir("resilience") / "web"
REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "scripts" / "vendor-assets.json"
GOVUK_CSS = WEB_DIR / "static" / "govuk" / "govuk-frontend.min.css"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
# The only absolute URLs a page may hold: plain links that load nothing.
ALLOWED_EXTERNAL_URLS = {OGL}
URL = re.compile(r"https?://[^\s\"'<>)]+")

NAV_ITEMS = [
    {"text": "Sites", "href": "/sites", "active": True},
    {"text": "Plans", "href": "/plans", "active": False},
    {"text": "Map", "href": "/map", "active": False},
]
SECTION_NAV = {
    "label": "Sites",
    "items": [
        {"text": "Establishments", "href": "/sites", "active": True, "current": True},
        {"text": "Pipelines", "href": "/pipelines", "active": False, "current": False},
    ],
}

PAGE = """{% extends "base.html" %}
{% from "macros/forms.html" import error_summary, text_input, number_input, email_input,
   date_input, textarea, select, radios, checkboxes, checkbox, file_upload, submit_button,
   csrf_field %}
{% from "macros/tables.html" import summary_list, table %}
{% block title %}Add a site{% endblock %}
{% block before_content %}<a href="/sites" class="govuk-back-link">Back</a>{% endblock %}
{% block content %}
{{ error_summary(form) }}
<h1 class="govuk-heading-l">Add a site</h1>
<form method="post" novalidate enctype="multipart/form-data">
  {{ csrf_field(form) }}
  {{ text_input(form.name, width="20") }}
  {{ radios(form.tier, inline=true) }}
  {{ number_input(form.inner_m, suffix="m") }}
  {{ email_input(form.contact) }}
  {{ date_input(form.notified_on) }}
  {{ select(form.regime) }}
  {{ checkboxes(form.hazards, item_hints={"toxic": "Gases and liquids"}) }}
  {{ textarea(form.notes) }}
  {{ file_upload(form.plan) }}
  {{ checkbox(form.public) }}
  {{ submit_button("Save site") }}
</form>
{{ summary_list([("Tier", "Upper tier", "/sites/1/tier"), ("Operator", none)]) }}
{{ table(caption="Wards", headers=["Ward", "Population"], rows=[["Halton Lea", 6123]],
         numeric=[1]) }}
{% endblock %}
"""


class SiteForm(FlaskForm):
    name = StringField(
        "Site name",
        description="As it appears on the notification",
        validators=[InputRequired("Enter the site name")],
    )
    tier = RadioField(
        "Tier",
        choices=[SelectChoice("upper", "Upper tier"), SelectChoice("lower", "Lower tier")],
        validators=[InputRequired("Select the tier")],
    )
    inner_m = IntegerField("Inner zone in metres", validators=[Optional()])
    contact = EmailField("Operator contact email", validators=[Optional()])
    notified_on = DateInputField("Notified on", validators=[Optional()])
    regime = SelectField("Regime", choices=[SelectChoice("comah_external", "COMAH external plan")])
    hazards = SelectMultipleField(
        "Hazards", choices=[SelectChoice("toxic", "Toxic"), SelectChoice("flammable", "Flammable")]
    )
    notes = TextAreaField("Notes")
    plan = FileField("Plan document")
    public = BooleanField("Publish the public information zone")


def build_layout_app() -> Flask:
    """Return a throwaway app that serves the real templates and static files."""
    app = Flask(
        "layout_test",
        root_path=str(WEB_DIR),
        template_folder=str(WEB_DIR / "templates"),
        static_folder=str(WEB_DIR / "static"),
    )
    app.config.update(SECRET_KEY="layout-test", TESTING=True)
    use_govuk_frontend(app)

    @app.route("/sites/new", methods=["GET", "POST"])
    def new_site() -> Any:
        form = SiteForm()
        if form.validate_on_submit():
            flash("Site saved", "success")
            flash("Zones will be recalculated overnight")
            return redirect("/sites/new")
        return render_template_string(
            PAGE,
            form=form,
            nav_items=NAV_ITEMS,
            section_nav=SECTION_NAV,
            account_items=[{"text": "Notifications (2)", "href": "/notes", "active": False}],
            current_user_label="Sam Planner",
            sign_out_href="/sign-out",
            security_marking="OFFICIAL",
        )

    return app


@pytest.fixture
def layout_client() -> FlaskClient:
    return build_layout_app().test_client()


def csrf_token_of(page: Node) -> str:
    return next(n.attrs["value"] for n in page.find_all("input") if n.attrs["name"] == "csrf_token")


@pytest.fixture
def page_with_errors(layout_client: FlaskClient) -> Node:
    token = csrf_token_of(parse(layout_client.get("/sites/new").text))
    data = {"csrf_token": token, "name": "", "inner_m": "four hundred", "regime": "comah_external"}
    response = layout_client.post("/sites/new", data=data)
    assert response.status_code == 200
    return parse(response.text)


def test_field_error_sits_inside_the_field_form_group(page_with_errors: Node) -> None:
    error = page_with_errors.by_id("name-error")
    group = error.closest("govuk-form-group")
    field_input = page_with_errors.by_id("name")

    assert "govuk-form-group--error" in group.classes
    assert field_input.is_inside(group)
    assert "govuk-error-message" in error.classes
    assert error.text == "Error: Enter the site name"
    assert error.find_all("span", "govuk-visually-hidden")[0].text == "Error:"
    assert "govuk-input--error" in field_input.classes
    assert field_input.attrs["aria-describedby"] == "name-hint name-error"


def test_radio_error_marks_the_fieldset_and_first_option_takes_the_field_id(
    page_with_errors: Node,
) -> None:
    error = page_with_errors.by_id("tier-error")
    fieldset = error.closest("govuk-fieldset")

    assert "govuk-form-group--error" in fieldset.closest("govuk-form-group").classes
    assert "tier-error" in fieldset.attrs["aria-describedby"].split()
    assert page_with_errors.by_id("tier").attrs["type"] == "radio"
    assert page_with_errors.by_id("tier").is_inside(fieldset)


def test_error_summary_links_to_each_field_with_an_error(page_with_errors: Node) -> None:
    summary = page_with_errors.find_all("div", "govuk-error-summary")[0]
    links = {a.attrs["href"]: a.text for a in summary.find_all("a")}

    assert links == {
        "#name": "Enter the site name",
        "#tier": "Select the tier",
        "#inner_m": "Not a valid integer value.",
    }
    for href in links:
        assert page_with_errors.by_id(href[1:]).tag == "input"
    main = page_with_errors.by_id("main-content")
    assert summary.is_inside(main)
    assert page_with_errors.find_all("title")[0].text == "Error: Add a site – Resilience"


def test_a_page_without_errors_has_no_error_markup(layout_client: FlaskClient) -> None:
    page = parse(layout_client.get("/sites/new").text)

    assert page.find_all(cls="govuk-error-summary") == []
    assert page.find_all(cls="govuk-error-message") == []
    assert page.find_all("title")[0].text == "Add a site – Resilience"
    assert len(csrf_token_of(page)) > 20


def test_navigation_renders_items_user_and_sign_out(layout_client: FlaskClient) -> None:
    page = parse(layout_client.get("/sites/new").text)
    nav = page.find_all("nav", "govuk-service-navigation__wrapper")[0]
    links = [(a.attrs["href"], a.text) for a in nav.find_all("a")]
    service = page.find_all("span", "govuk-service-navigation__service-name")[0]

    account = page.one("nav", "app-account-navigation")
    pages = page.one("nav", "app-section-navigation")

    assert links == [("/sites", "Sites"), ("/plans", "Plans"), ("/map", "Map")]
    assert nav.find_all("a")[0].attrs["aria-current"] == "true"
    assert "aria-current" not in nav.find_all("a")[1].attrs
    assert nav.attrs["aria-label"] == "Menu"
    assert nav.find_all("button", "govuk-service-navigation__toggle")  # collapses on phones
    # The person's own links sit above the sections, in their own landmark.
    assert account.attrs["aria-label"] == "Your account"
    assert "Signed in as Sam Planner" in account.text
    assert [(a.attrs["href"], a.text) for a in account.find_all("a")] == [
        ("/notes", "Notifications (2)"),
        ("/sign-out", "Sign out"),
    ]
    assert account.is_inside(page.one("header"))
    # The current section's pages under the header, the current one marked as the page.
    assert pages.attrs["aria-label"] == "Sites"
    assert [(a.attrs["href"], a.attrs.get("aria-current")) for a in pages.find_all("a")] == [
        ("/sites", "page"),
        ("/pipelines", None),
    ]
    assert [(a.attrs["href"], a.text) for a in service.find_all("a")] == [("/", "Resilience")]


def test_layout_frame_phase_marking_and_attribution(layout_client: FlaskClient) -> None:
    page = parse(layout_client.get("/sites/new").text)
    html = page.find_all("html")[0]
    footer = page.find_all("footer")[0]

    assert html.attrs == {"lang": "en-GB", "class": "govuk-template"}
    assert page.find_all("body")[0].classes == {"govuk-template__body"}
    assert page.find_all("a", "govuk-skip-link")[0].attrs["href"] == "#main-content"
    assert page.find_all(cls="govuk-phase-banner__content__tag")[0].text == "Alpha"
    markings = [p.text for p in page.find_all("p") if "Security marking" in p.text]
    assert markings == ["Security marking: OFFICIAL"] * 2
    assert (
        "Contains public sector information licensed under the Open Government Licence v3.0."
        in (footer.text)
    )
    assert "Contains OS data © Crown copyright and database right 2025." in footer.text
    assert [a.attrs["href"] for a in footer.find_all("a")] == [OGL]


def test_blocks_override_marking_and_attribution_and_nothing_is_required() -> None:
    app = build_layout_app()
    overriding = """{% extends "base.html" %}
{% block marking %}OFFICIAL-SENSITIVE{% endblock %}
{% block attribution %}<p class="govuk-body-s">Map data: operator returns.</p>{% endblock %}"""
    with app.test_request_context("/"):
        custom = parse(render_template_string(overriding))
        bare = parse(render_template_string('{% extends "base.html" %}'))

    assert [p.text for p in custom.find_all("p") if "marking" in p.text] == [
        "Security marking: OFFICIAL-SENSITIVE"
    ] * 2
    assert custom.find_all("footer")[0].text == (
        "Map data: operator returns. Security marking: OFFICIAL-SENSITIVE"
    )
    assert not [p for p in bare.find_all("p") if "marking" in p.text]
    assert bare.find_all("nav") == []
    assert bare.find_all("title")[0].text == "Resilience"


def test_flash_messages_render_as_notification_banners(layout_client: FlaskClient) -> None:
    token = csrf_token_of(parse(layout_client.get("/sites/new").text))
    response = layout_client.post(
        "/sites/new",
        data={"csrf_token": token, "name": "Runcorn", "tier": "upper", "regime": "comah_external"},
        follow_redirects=True,
    )
    banners = parse(response.text).find_all("div", "govuk-notification-banner")

    assert [b.classes for b in banners] == [
        {"govuk-notification-banner", "govuk-notification-banner--success"},
        {"govuk-notification-banner"},
    ]
    assert [b.attrs["role"] for b in banners] == ["alert", "region"]
    assert [b.text for b in banners] == [
        "Success Site saved",
        "Important Zones will be recalculated overnight",
    ]


def test_page_has_no_inline_script_style_or_duplicate_id(page_with_errors: Node) -> None:
    elements = list(page_with_errors.iter())
    ids = [n.attrs["id"] for n in elements if "id" in n.attrs]

    assert all(n.attrs.get("src") for n in elements if n.tag == "script")
    assert [n.attrs["type"] for n in elements if n.tag == "script"] == ["module"]
    assert not [n for n in elements if n.tag == "style" or "style" in n.attrs]
    assert not [n for n in elements if any(a.startswith("on") for a in n.attrs)]
    assert len(ids) == len(set(ids))


def test_page_refers_to_no_other_origin(page_with_errors: Node) -> None:
    values = [v for n in page_with_errors.iter() for v in n.attrs.values()]
    found = {url for text in [*values, *page_with_errors.texts()] for url in URL.findall(text)}
    protocol_relative = [v for v in values if v.startswith("//")]

    assert found <= ALLOWED_EXTERNAL_URLS
    assert protocol_relative == []


def test_every_static_file_the_page_uses_is_served(layout_client: FlaskClient) -> None:
    page = parse(layout_client.get("/sites/new").text)
    urls = [n.attrs["href"] for n in page.find_all("link")]
    urls += [n.attrs["src"] for n in page.find_all("script")]

    assert "/static/govuk/govuk-frontend.min.css" in urls
    assert "/static/print.css" in urls
    for url in urls + [
        "/static/govuk/govuk-frontend.min.js",
        "/static/govuk/images/govuk-crest.svg",
    ]:
        response = layout_client.get(url)
        assert response.status_code == 200, url
        response.close()
    app_js = (WEB_DIR / "static" / "app.js").read_text(encoding="utf-8")
    assert 'from "./govuk/govuk-frontend.min.js"' in app_js


def test_tables_macros_render_summary_list_and_numeric_columns(layout_client: FlaskClient) -> None:
    page = parse(layout_client.get("/sites/new").text)
    rows = page.find_all("div", "govuk-summary-list__row")
    population = page.find_all("td")[1]

    assert [r.find_all("dt")[0].text for r in rows] == ["Tier", "Operator"]
    assert rows[0].find_all("a")[0].attrs["href"] == "/sites/1/tier"
    assert "govuk-summary-list__row--no-actions" in rows[1].classes
    assert rows[1].find_all("dd")[0].text == "Not recorded"
    assert population.classes == {"govuk-table__cell", "govuk-table__cell--numeric"}
    assert "govuk-table__header--numeric" in page.find_all("th")[1].classes


def test_vendored_css_declares_no_web_font_and_loads_nothing_remote() -> None:
    css = GOVUK_CSS.read_text(encoding="utf-8")
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css)

    assert "@font-face" not in css
    assert "GDS Transport" not in css
    assert urls and all(not re.match(r"([a-z]+:)?//", u) and not u.startswith("/") for u in urls)
    assert list((WEB_DIR / "static" / "govuk").rglob("*.woff*")) == []


def manifest_destinations(node: Any) -> Iterator[str]:
    """Yield every "to" path anywhere in the manifest."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "to":
                yield value
            else:
                yield from manifest_destinations(value)
    elif isinstance(node, list):
        for item in node:
            yield from manifest_destinations(item)


def test_every_file_in_the_vendor_manifest_exists() -> None:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    destinations = list(manifest_destinations(manifest))

    assert len(destinations) > 10
    assert [d for d in destinations if not (REPO / d).is_file()] == []
    for package in manifest["packages"] + manifest["build_tools"]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"]), package["name"]
        assert package["licence"], package["name"]


def test_the_macros_are_the_release_that_matches_the_vendored_govuk_frontend() -> None:
    """govuk-frontend-jinja's macros write the markup the vendored CSS and JavaScript expect."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    vendored = {p["name"]: p["version"] for p in manifest["packages"]}
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))

    assert vendored["govuk-frontend"] == GOVUK_FRONTEND_VERSION
    pinned = f"govuk-frontend-jinja=={GOVUK_FRONTEND_JINJA_VERSION}"
    assert pinned in pyproject["project"]["dependencies"]
    assert version("govuk-frontend-jinja") == GOVUK_FRONTEND_JINJA_VERSION


def test_date_is_three_boxes_in_a_fieldset_and_a_bad_one_is_named(
    layout_client: FlaskClient,
) -> None:
    blank = parse(layout_client.get("/sites/new").text)
    assert blank.find_all("input", type="date") == []
    boxes = [blank.by_id(f"notified_on-{part}") for part in ("day", "month", "year")]
    assert [b.attrs["name"] for b in boxes] == [
        "notified_on-day",
        "notified_on-month",
        "notified_on-year",
    ]
    assert {b.attrs["inputmode"] for b in boxes} == {"numeric"}
    assert [blank.one("label", **{"for": b.attrs["id"]}).text for b in boxes] == [
        "Day",
        "Month",
        "Year",
    ]
    assert boxes[0].closest("govuk-fieldset").find_all("legend")[0].text == "Notified on"

    token = csrf_token_of(blank)
    data = {"csrf_token": token, "name": "Runcorn", "tier": "upper", "regime": "comah_external"}
    data |= {"notified_on-day": "31", "notified_on-month": "2", "notified_on-year": "2025"}
    page = parse(layout_client.post("/sites/new", data=data).text)
    summary = page.find_all("div", "govuk-error-summary")[0]
    assert {a.attrs["href"]: a.text for a in summary.find_all("a")} == {
        "#notified_on-day": "Notified on must be a real date"
    }
    fieldset = page.by_id("notified_on-day").closest("govuk-fieldset")
    assert "notified_on-error" in fieldset.attrs["aria-describedby"].split()
    assert page.by_id("notified_on-error").text == "Error: Notified on must be a real date"
    assert page.by_id("notified_on-day").attrs["value"] == "31"  # what was typed, shown again
    assert "govuk-input--error" in page.by_id("notified_on-year").classes
