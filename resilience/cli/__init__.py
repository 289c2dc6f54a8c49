"""The `resilience` console command: set-up, serving, and the stateless contract commands.

Each command's module is imported only when that command runs (see `lazy_commands`), so that
`resilience --help` and the stateless commands start without Flask, the database or the geo
libraries. A command's summary here must be the first paragraph of its docstring (a test
compares them).
"""

from __future__ import annotations

import click

from resilience.cli.lazy_commands import LazyCommand, LazyGroup

_SETUP = "resilience.cli.setup_commands"
_SPATIAL = "resilience.cli.spatial_commands"

COMMANDS: dict[str, LazyCommand] = {
    "init": LazyCommand(
        _SETUP,
        "init",
        "Create or migrate the database (SQLite in the instance folder unless DATABASE_URL is"
        " set).",
    ),
    "demo": LazyCommand(
        _SETUP,
        "demo",
        "Load the Halton demonstration data set (wards, establishments, pipelines, places, plans).",
    ),
    "import": LazyCommand(
        _SETUP,
        "import_",
        "Import a GeoJSON, GeoPackage, zipped Shapefile or CSV file as KIND, all or nothing.",
    ),
    "export": LazyCommand(
        _SETUP, "export", "Export every record of LAYER as GeoJSON, GeoPackage or CSV."
    ),
    "users": LazyCommand(_SETUP, "users", "Manage the people who can sign in."),
    "serve": LazyCommand(
        _SETUP,
        "serve",
        "Serve the web app with a production WSGI server (waitress, or gunicorn for --workers N).",
    ),
    "backup": LazyCommand(
        _SETUP,
        "backup_command",
        "Write the whole instance (every record and file) to DESTINATION (.tar.gz).",
    ),
    "restore": LazyCommand(
        _SETUP,
        "restore_command",
        "Restore a backup into this (empty) instance: everything, or nothing on any problem.",
    ),
    "zones": LazyCommand(
        _SPATIAL, "zones", "Print the inner, middle, outer and PIZ zones of every site as GeoJSON."
    ),
    "exposure": LazyCommand(
        _SPATIAL, "exposure", "Print how much of each ward (and of nothing) every zone covers."
    ),
    "duties": LazyCommand(
        "resilience.cli.duties_commands",
        "duties",
        "Print every plan's review, exercise and prepare duties as on --as-of.",
    ),
    "scheduler": LazyCommand(
        "resilience.cli.scheduler_commands",
        "scheduler",
        "Send reminders: a pass every hour until SIGTERM or Ctrl-C (run one such process).",
    ),
    "plume": LazyCommand(
        "resilience.cli.plume_commands",
        "plume",
        "Print where a continuous gas release could exceed each --level (a screening estimate).",
    ),
}


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
def main() -> None:
    """Emergency planning and COMAH site-resilience register."""
