"""The console command starts without the web, database and geo stacks it does not use.

Each case runs a fresh interpreter, so that what a command imports is what it really imports;
the listings are checked against the commands themselves, loaded the ordinary way.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import resilience.cli
from resilience.cli import COMMANDS, main

# The installed console command, next to the interpreter running the tests.
RESILIENCE = Path(sys.executable).parent / "resilience"

WEB_AND_DATABASE = frozenset({"flask", "werkzeug", "sqlalchemy", "alembic", "apscheduler"})
GEO = frozenset({"numpy", "pandas", "geopandas", "shapely", "pyproj", "pyogrio"})
DRAWING = frozenset({"folium", "matplotlib", "reportlab", "docx"})
HEAVY = WEB_AND_DATABASE | GEO | DRAWING

# Runs the command as the console script does, then reports the top-level packages loaded.
PROBE = """
import json, sys
from resilience.cli import COMMANDS, main
try:
    main(sys.argv[1:], prog_name="resilience")
except SystemExit as stop:
    code = stop.code
else:
    code = 0
heavy = set(json.loads({heavy!r}))
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & heavy)
print(json.dumps({{"exit": code, "loaded": loaded}}), file=sys.stderr)
"""


def loaded_by(cwd: Path, *args: str) -> tuple[list[str], str]:
    """Return the heavy packages that `resilience ARGS` imports, and what it printed."""
    probe = PROBE.format(heavy=json.dumps(sorted(HEAVY)))
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    report = json.loads(done.stderr.splitlines()[-1])
    assert report["exit"] == 0, done.stderr
    return report["loaded"], done.stdout


def test_help_imports_no_heavy_package(tmp_path: Path) -> None:
    loaded, printed = loaded_by(tmp_path, "--help")
    assert "Commands:" in printed
    assert loaded == []


@pytest.mark.parametrize("command", ["duties", "zones", "exposure", "scheduler"])
def test_a_commands_help_imports_no_heavy_package(tmp_path: Path, command: str) -> None:
    loaded, printed = loaded_by(tmp_path, command, "--help")
    assert printed.startswith(f"Usage: resilience {command} ")
    assert loaded == []


def test_duties_imports_no_web_database_or_geo_package(tmp_path: Path) -> None:
    (tmp_path / "plans.csv").write_text(
        "plan_id,regime,adopted_on,last_reviewed_on,last_exercised_on,notified_on,"
        "extension_agreed\nP1,pipeline,2024-02-29,,,,\n",
        encoding="utf-8",
    )
    loaded, printed = loaded_by(tmp_path, "duties", "--plans", "plans.csv", "--as-of", "2025-01-01")
    assert printed.startswith("plan_id,duty,due_on,status,days_left,basis\nP1,")
    assert loaded == []


def test_zones_imports_the_geo_stack_only(tmp_path: Path) -> None:
    site = {
        "type": "Feature",
        "properties": {"site_id": "S1", "inner_m": 100},
        "geometry": {"type": "Point", "coordinates": [-2.7, 53.33]},
    }
    (tmp_path / "sites.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [site]}), encoding="utf-8"
    )
    loaded, printed = loaded_by(tmp_path, "zones", "--sites", "sites.geojson")
    assert json.loads(printed)["features"][0]["properties"]["zone_id"] == "S1:inner"
    assert set(loaded) <= GEO
    assert "geopandas" in loaded


# --- the listing -----------------------------------------------------------------------------


def top_level_commands() -> dict[str, click.Command]:
    """Return every command defined in a resilience.cli *_commands module that no group holds."""
    found: dict[str, click.Command] = {}
    held: set[int] = set()
    for module_info in pkgutil.iter_modules(resilience.cli.__path__):
        if not module_info.name.endswith("_commands"):
            continue
        module = importlib.import_module(f"resilience.cli.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, click.Command):
                assert value.name is not None
                found[value.name] = value
                if isinstance(value, click.Group):
                    held.update(id(sub) for sub in value.commands.values())
    return {name: command for name, command in found.items() if id(command) not in held}


def eager_main() -> click.Group:
    """Return the console group as it would be with every command imported up front."""
    return click.Group("resilience", commands=top_level_commands(), help=main.help)


@pytest.mark.parametrize("columns", ["80", "52"])
def test_help_lists_every_command_as_the_commands_describe_themselves(
    tmp_path: Path, columns: str
) -> None:
    # The width click takes from COLUMNS when it is not writing to a terminal.
    width = max(min(int(columns), 80) - 2, 50)
    with click.Context(eager_main(), info_name="resilience", terminal_width=width) as context:
        expected = context.get_help() + "\n"
    for name in top_level_commands():
        assert f"\n  {name} " in expected

    installed = subprocess.run(
        [str(RESILIENCE), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": columns},
    )
    assert installed.returncode == 0
    assert installed.stdout == expected


def test_every_command_runs_as_its_own_definition() -> None:
    eager = eager_main()
    runner = CliRunner()
    for name in top_level_commands():
        got = runner.invoke(main, [name, "--help"], prog_name="resilience")
        want = runner.invoke(eager, [name, "--help"], prog_name="resilience")
        assert got.exit_code == want.exit_code == 0
        assert got.stdout == want.stdout
        assert main.get_command(click.Context(main), name) is eager.commands[name]


def test_each_listed_summary_is_the_first_paragraph_of_its_commands_help() -> None:
    # The listing cuts summaries to the width, so a difference past the cut would not show.
    commands = top_level_commands()
    assert sorted(COMMANDS) == sorted(commands)
    for name, command in commands.items():
        assert command.help is not None
        first_paragraph = " ".join(command.help.partition("\n\n")[0].split())
        assert COMMANDS[name].summary == first_paragraph, name
