"""What if it leaks? The form (GET: it changes nothing), the result, downloads and scenarios.

Who may run it: officers, planners and administrators ("view_sensitive"). Elected members may
not: a footprint drawn from a pipeline shows where its route runs, and the warn-and-inform list
holds contact details (see resilience.domain.marking and README, "What if it leaks?").
"""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from shapely.geometry import shape
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from resilience.domain.register.edits import find_record
from resilience.domain.register.layers import LAYERS
from resilience.domain.whatif.exports import (
    footprint_cap,
    footprint_geojson,
    footprint_kml,
    warn_list_csv,
)
from resilience.domain.whatif.inputs import WhatIfInputError, WhatIfInputs, parse_inputs
from resilience.domain.whatif.run import BANNER, run_whatif
from resilience.domain.whatif.scenarios import list_scenarios, save_scenario
from resilience.reports.render.tasks import warn_list_pdf_file
from resilience.spatial.crs import WGS84
from resilience.storage.models import Exercise, Hazard, Ward, WhatIfScenario
from resilience.web import clock
from resilience.web.db import db_session
from resilience.web.headers import MAP_CSP
from resilience.web.render_limits import RenderUnavailable, limited, run_render, unavailable_page
from resilience.web.saving import commit
from resilience.web.whatif.forms import SaveScenarioForm, WhatIfForm, choices
from webmap.assets import MapAssets, asset_version
from webmap.document import map_parts
from webmap.whatif_map import WhatIfMapData, whatif_map

bp = Blueprint("whatif", __name__, url_prefix="/whatif")
bp.register_error_handler(RenderUnavailable, unavailable_page)
FORMATS = ("csv", "pdf", "geojson", "kml", "cap")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _release_point(hazard: Hazard) -> tuple[float, float]:
    """Return where a hazard's what-if starts: a site's centre, or the middle of a route."""
    geometry = hazard.geometry
    if geometry.geom_type in ("LineString", "MultiLineString"):
        from shapely.ops import linemerge

        line = linemerge(geometry) if geometry.geom_type == "MultiLineString" else geometry
        point = line.interpolate(0.5, normalized=True) if hasattr(line, "interpolate") else (
            geometry.representative_point())  # fmt: skip
    else:
        point = geometry.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _hazard_from_request() -> Hazard | None:
    layer, ref = request.args.get("layer", ""), request.args.get("ref", "")
    if not ref:
        return None
    if layer not in ("establishments", "pipelines"):
        abort(404, "A what-if starts from an establishment or a pipeline.")
    record = find_record(db_session(), LAYERS[layer], ref)
    if not isinstance(record, Hazard):
        abort(404, f"There is no {LAYERS[layer].singular} with the identifier {ref!r}.")
    return record


def _map_parts(result: dict[str, Any]) -> Any:
    session = db_session()
    inputs = result["inputs"]
    zones = [z for z in result["zones"] if z["geometry"]]
    zone_frame = gpd.GeoDataFrame(
        {
            "key": [z["key"] for z in zones],
            "level": [z["level"] for z in zones],
            "threshold": [f"{z['threshold_mg_m3']:g} mg/m³" for z in zones],
        },
        geometry=gpd.GeoSeries([shape(z["geometry"]) for z in zones], crs=WGS84),
        crs=WGS84,
    )
    sector_geometry = result["sector"]["geometry"]
    sector = gpd.GeoDataFrame(
        geometry=gpd.GeoSeries([shape(sector_geometry)] if sector_geometry else [], crs=WGS84),
        crs=WGS84,
    )
    frame = sector.total_bounds if len(sector) else None
    wards_query = select(Ward.code, Ward.name, Ward.geometry)
    if frame is not None:
        min_x, min_y, max_x, max_y = frame
        wards_query = wards_query.where(
            Ward.min_lon <= max_x,
            Ward.max_lon >= min_x,
            Ward.min_lat <= max_y,
            Ward.max_lat >= min_y,
        )
    ward_rows = session.execute(wards_query.order_by(Ward.code)).all()
    wards = gpd.GeoDataFrame(
        {"code": [r.code for r in ward_rows], "name": [r.name for r in ward_rows]},
        geometry=gpd.GeoSeries([r.geometry for r in ward_rows], crs=WGS84),
        crs=WGS84,
    )
    places = result["warn_list"]
    receptors = gpd.GeoDataFrame(
        {
            "ref": [p["receptor_id"] for p in places],
            "name": [p["name"] for p in places],
            "kind": [p["kind"] for p in places],
        },
        geometry=gpd.points_from_xy(
            [p["lon"] for p in places], [p["lat"] for p in places], crs=WGS84
        ),
        crs=WGS84,
    )
    data = WhatIfMapData(
        wards=wards,
        zones=zone_frame,
        sector=sector,
        receptors=receptors,
        release=(inputs["lon"], inputs["lat"]),
        wind_from_deg=inputs["wind_from_deg"],
        sector_half_angle_deg=result["sector"]["half_angle_deg"],
    )
    assets = MapAssets.linked(
        lambda path: url_for("maps.static", filename=path, v=asset_version(path))
    )
    return map_parts(limited(lambda: whatif_map(data, assets)))


def _map_page(page: str) -> Response:
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = MAP_CSP
    return response


def _exercise_choices() -> list[SelectChoice]:
    exercises = db_session().scalars(select(Exercise).order_by(Exercise.title, Exercise.id))
    return choices([("", "None"), *((str(e.id), e.title) for e in exercises)])


@bp.get("/")
def run() -> str | tuple[str, int] | Response:
    """The form; with its inputs in the query string, the result under it."""
    session = db_session()
    form = WhatIfForm(request.args)
    hazard = _hazard_from_request()
    if hazard is not None and "rate" not in request.args:
        lon, lat = _release_point(hazard)
        form.lon.data, form.lat.data = f"{lon:g}", f"{lat:g}"
        form.hazard_ref.data = hazard.ref
    if "rate" not in request.args:
        return render_template("whatif/form.html", form=form, hazard=hazard, banner=BANNER)
    values = {name: str(value) for name, value in request.args.items()}
    try:
        inputs = parse_inputs(values)
        result = run_whatif(session, inputs, now=clock.now())
    except WhatIfInputError as error:
        form.show_errors(error.errors)
        return render_template("whatif/form.html", form=form, hazard=hazard, banner=BANNER), 400
    save = SaveScenarioForm()
    save.exercise_id.choices = _exercise_choices()
    page = render_template(
        "whatif/result.html",
        form=form,
        save_form=save,
        result=result,
        parts=_map_parts(result),
        query=request.query_string.decode("ascii", "replace"),
        scenario=None,
        map_page_css_version=asset_version("map-page.css"),
    )
    return _map_page(page)


def _query_inputs() -> WhatIfInputs:
    try:
        return parse_inputs({name: str(value) for name, value in request.args.items()})
    except WhatIfInputError as error:
        abort(400, "; ".join(error.errors.values()))


@bp.get("/download.<fmt>")
def download(fmt: str) -> Response:
    """A download of a what-if given by its inputs (computed again, as the page was)."""
    if fmt not in FORMATS:
        abort(404, f"A what-if downloads as one of {', '.join(FORMATS)}.")
    inputs = _query_inputs()
    try:
        result = run_whatif(db_session(), inputs, now=clock.now())
    except WhatIfInputError as error:
        abort(400, "; ".join(error.errors.values()))
    return _file(
        result, fmt, f"whatif-{inputs.substance_id}", f"What if it leaks: {inputs.substance_name}"
    )


def _file(result: dict[str, Any], fmt: str, stem: str, title: str) -> Response:
    filename = _SAFE.sub("-", stem).strip("-") or "whatif"
    if fmt == "csv":
        response = Response(warn_list_csv(result), mimetype="text/csv")
        filename += "-warn-and-inform.csv"
    elif fmt == "pdf":
        pdf = run_render(warn_list_pdf_file, str(current_app.config["DATABASE_URL"]), result, title)
        response = Response(pdf, mimetype="application/pdf")
        filename += "-warn-and-inform.pdf"
    elif fmt == "geojson":
        response = Response(footprint_geojson(result), mimetype="application/geo+json")
        filename += ".geojson"
    elif fmt == "kml":
        response = Response(
            footprint_kml(result, title), mimetype="application/vnd.google-earth.kml+xml"
        )
        filename += ".kml"
    else:
        sender = f"resilience@{request.host.split(':')[0]}"
        cap = footprint_cap(result, sender=sender, sent=clock.now())
        response = Response(cap, mimetype="application/cap+xml")
        filename += "-cap.xml"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _exercise_id(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        abort(400, "Choose an exercise from the list.")
    return int(text)


@bp.post("/scenarios")
def save() -> BaseResponse | tuple[str, int]:
    """Save the what-if of the query string as a named scenario (computed now, kept as it is)."""
    session = db_session()
    inputs = _query_inputs()
    form = SaveScenarioForm()
    form.exercise_id.choices = _exercise_choices()
    if not form.validate():
        abort(400, "; ".join(e for errors in form.errors.values() for e in errors))
    try:
        result = run_whatif(session, inputs, now=clock.now())
        scenario = save_scenario(
            session,
            name=form.name.data or "",
            inputs=inputs,
            result=result,
            author=str(current_user.email),
            exercise_id=_exercise_id(form.exercise_id.data),
        )
    except WhatIfInputError as error:
        abort(400, "; ".join(error.errors.values()))
    commit()
    return redirect(url_for("whatif.scenario", scenario_id=scenario.id))


@bp.get("/scenarios")
def scenarios() -> str:
    """Every saved scenario, newest first."""
    session = db_session()
    exercises = {e.id: e for e in session.scalars(select(Exercise))}
    return render_template(
        "whatif/scenarios.html", scenarios=list_scenarios(session), exercises=exercises
    )


def _scenario(scenario_id: int) -> WhatIfScenario:
    scenario = db_session().get(WhatIfScenario, scenario_id)
    if scenario is None:
        abort(404, "There is no saved scenario with that number.")
    return scenario


@bp.get("/scenarios/<int:scenario_id>")
def scenario(scenario_id: int) -> Response:
    """A saved scenario, exactly as it was computed."""
    record = _scenario(scenario_id)
    exercise = db_session().get(Exercise, record.exercise_id) if record.exercise_id else None
    page = render_template(
        "whatif/result.html",
        form=None,
        save_form=None,
        result=record.results,
        parts=_map_parts(record.results),
        query="",
        scenario=record,
        exercise=exercise,
        map_page_css_version=asset_version("map-page.css"),
    )
    return _map_page(page)


@bp.get("/scenarios/<int:scenario_id>/download.<fmt>")
def scenario_download(scenario_id: int, fmt: str) -> Response:
    """A download of a saved scenario's results as they were computed."""
    if fmt not in FORMATS:
        abort(404, f"A what-if downloads as one of {', '.join(FORMATS)}.")
    record = _scenario(scenario_id)
    return _file(record.results, fmt, f"scenario-{record.id}-{record.name}", record.name)
