"""The `resilience` console command: set-up, serving, and the stateless contract commands."""

from __future__ import annotations

import click

from resilience.cli.duties_commands import duties
from resilience.cli.scheduler_commands import scheduler
from resilience.cli.setup_commands import (
    backup_command,
    demo,
    export,
    import_,
    init,
    restore_command,
    serve,
    users,
)
from resilience.cli.spatial_commands import exposure, zones


@click.group()
def main() -> None:
    """Emergency planning and COMAH site-resilience register."""


for command in (
    init,
    demo,
    import_,
    export,
    users,
    serve,
    backup_command,
    restore_command,
    zones,
    exposure,
    duties,
    scheduler,
):
    main.add_command(command)

from resilience.cli.plume_command import plume  # noqa: E402  (light: imports numpy when run)

main.add_command(plume)
