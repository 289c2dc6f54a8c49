"""`resilience zones` and `resilience exposure`: the DESIGN.md §4 spatial contract commands.

Both read files, validate them whole, compute in British National Grid metres and only then
write to standard output, so that bad input leaves nothing partial behind. The geo libraries
are imported inside the commands, so that listing or asking for help on them stays quick.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from resilience.cli.input_errors import reports_input_errors


@click.command()
@click.option("--sites", "sites_path", required=True, help="Sites GeoJSON (see DESIGN.md §4).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["geojson"]),
    default="geojson",
    show_default=True,
    help="Output format.",
)
@reports_input_errors
def zones(sites_path: str, output_format: str) -> None:
    """Print the inner, middle, outer and PIZ zones of every site as GeoJSON."""
    from resilience.cli.spatial_frames import site_zones_bng, sites_in_bng, zones_geojson
    from resilience.spatial.vector_files import read_vector_file

    sites = read_vector_file(
        Path(sites_path), name=sites_path, required_fields=("site_id",), id_field="site_id"
    )
    found = site_zones_bng(sites_in_bng(sites, sites_path), sites_path)
    # Built whole before writing, so bad input never leaves partial output.
    _write(zones_geojson(found))


@click.command()
@click.option("--wards", "wards_path", required=True, help="Wards: GeoJSON, GeoPackage or .zip.")
@click.option("--zones", "zones_path", required=True, help="Zones GeoJSON with zone_id.")
@click.option(
    "--population",
    "population_path",
    default=None,
    help="CSV of ward_code,population (optional).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@reports_input_errors
def exposure(
    wards_path: str, zones_path: str, population_path: str | None, output_format: str
) -> None:
    """Print how much of each ward (and of nothing) every zone covers."""
    from resilience.cli.spatial_frames import polygons_in_bng
    from resilience.spatial.exposure import exposure_of
    from resilience.spatial.exposure_table import exposure_csv, exposure_json
    from resilience.spatial.populations import read_population_csv
    from resilience.spatial.vector_files import read_vector_file

    wards = read_vector_file(
        Path(wards_path),
        name=wards_path,
        required_fields=("ward_code", "ward_name"),
        id_field="ward_code",
    )
    zone_features = read_vector_file(
        Path(zones_path), name=zones_path, required_fields=("zone_id",), id_field="zone_id"
    )
    wards_bng = polygons_in_bng(wards, wards_path)
    zones_bng = polygons_in_bng(zone_features, zones_path)
    populations = read_population_csv(population_path) if population_path else None
    table = exposure_of(zones_bng, wards_bng, populations)
    _write(exposure_json(table) if output_format == "json" else exposure_csv(table))


def _write(text: str) -> None:
    # UTF-8 whatever the locale: ward names can be Welsh or Gaelic.
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
