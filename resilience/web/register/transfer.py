"""Importing a layer from an uploaded file, and downloading any layer as a file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_wtf.file import FileField, FileRequired
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice, SelectField
from wtforms.validators import DataRequired

from resilience.domain.register.layers import LAYERS
from resilience.domain.register.transfer import (
    EXPORT_FORMATS,
    EXPORT_KINDS,
    IMPORT_KINDS,
    export_any,
    import_any,
)
from resilience.web.db import db_session
from resilience.web.downloads import download, file_name
from resilience.web.forms import Form
from resilience.web.saving import saving

bp = Blueprint("transfer", __name__, url_prefix="/transfer")


class ImportForm(Form):
    layer = SelectField(
        "What the file holds",
        choices=[SelectChoice(name, title) for name, title in IMPORT_KINDS.items()],
        validators=[DataRequired()],
    )
    file = FileField(
        "File",
        validators=[FileRequired("Choose a file to import")],
        description=(
            "GeoJSON, GeoPackage, zipped Shapefile, or CSV with lat/lon or easting/northing "
            "columns. Records are matched on their identifier: importing a file again updates them."
        ),
    )


@bp.route("/", methods=["GET", "POST"])
def index() -> str | WerkzeugResponse | tuple[str, int]:
    form = ImportForm()
    if form.validate_on_submit():
        kind = form.layer.data or ""
        upload = form.file.data
        name = secure_filename(upload.filename or "") or "upload"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            upload.save(path)
            with saving(form, "file") as attempt:
                summary = import_any(attempt.session, kind, path, name=upload.filename or name)
            if attempt.saved:
                flash(str(summary), "success")
                target = (
                    kind if kind in LAYERS else "establishments" if kind == "zones" else "wards"
                )
                return redirect(url_for("layers.index", layer=target))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "transfer/index.html", form=form, downloads=download_rows(), formats=EXPORT_FORMATS
    ), status


def download_rows() -> list[tuple[str, str, str]]:
    """Return each downloadable layer: its name in URLs, what it is called, and its columns."""
    rows = []
    for name, title in EXPORT_KINDS.items():
        layer = LAYERS.get(name)
        if layer is None:
            columns = "zone_id, site_id, kind, origin, area_m2, source and the zone's polygon"
        else:
            columns = ", ".join([layer.id_field, *(spec.name for spec in layer.fields)])
            columns += " and the " + ("position" if "Point" in layer.geometry_types else "shape")
        rows.append((name, title, columns))
    return rows


@bp.get("/export/<layer>.<fmt>")
def export(layer: str, fmt: str) -> Response:
    if layer not in EXPORT_KINDS or fmt not in EXPORT_FORMATS:
        abort(404)
    data = export_any(db_session(), layer, fmt)
    return download(data, EXPORT_FORMATS[fmt], file_name(layer, ext=fmt))
