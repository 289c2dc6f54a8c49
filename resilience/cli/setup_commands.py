"""Set-up and serving commands: init, demo, import, export, users, serve."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker

from resilience.cli.input_errors import reports_input_errors
from resilience.config import Settings
from resilience.domain.accounts.sign_in_throttle import unlock
from resilience.domain.accounts.users import ROLES, add_or_update_user, normalise_email
from resilience.domain.demo import ensure_demo_users, load_demo
from resilience.domain.register.transfer import (
    EXPORT_FORMATS,
    EXPORT_KINDS,
    IMPORT_KINDS,
    export_any,
    import_any,
)
from resilience.errors import InputError
from resilience.storage.audit import set_actor
from resilience.storage.backup import backup, restore
from resilience.storage.backup_archive import (
    DEFAULT_MEMBER_LIMIT_MIB,
    DEFAULT_TOTAL_LIMIT_MIB,
    MIB,
    Limits,
)
from resilience.storage.database import (
    POOL_SIZE_ENV,
    make_engine,
    make_sessionmaker,
    migrate,
    unit_of_work,
)


@contextmanager
def _database() -> Iterator[sessionmaker[Session]]:
    """Yield a session factory on the migrated database of the environment, then let it go."""
    engine = make_engine(Settings.from_environment().database_url)
    try:
        migrate(engine)
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


@contextmanager
def _work() -> Iterator[Session]:
    """Yield one session whose work is committed at the end, or rolled back whole."""
    with _database() as sessions, unit_of_work(sessions) as session:
        set_actor(session, "command line")
        yield session


@click.command()
def init() -> None:
    """Create or migrate the database (SQLite in the instance folder unless DATABASE_URL is set)."""
    with _database():
        click.echo("Database is up to date.")


@click.command()
@reports_input_errors
def demo() -> None:
    """Load the Halton demonstration data set (wards, establishments, pipelines, places, plans)."""
    instance = Settings.from_environment().instance
    with _work() as session:
        for line in load_demo(session):
            click.echo(line)
        for line in ensure_demo_users(session, instance):
            click.echo(line)


@click.command("import")
@click.argument("kind", type=click.Choice(list(IMPORT_KINDS)))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_input_errors
def import_(kind: str, path: Path) -> None:
    """Import a GeoJSON, GeoPackage, zipped Shapefile or CSV file as KIND, all or nothing.

    KIND is a register layer, `zones` (polygons as supplied, with site_id and kind) or
    `populations` (a CSV of ward_code,population).
    """
    with _work() as session:
        summary = import_any(session, kind, path)
    click.echo(str(summary))


@click.command()
@click.argument("layer", type=click.Choice(list(EXPORT_KINDS)))
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORT_FORMATS)), default="geojson")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout"
)
def export(layer: str, fmt: str, output: Path | None) -> None:
    """Export every record of LAYER as GeoJSON, GeoPackage or CSV."""
    with _work() as session:
        data = export_any(session, layer, fmt)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)


@click.group()
def users() -> None:
    """Manage the people who can sign in."""


@users.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@reports_input_errors
def users_add(email: str, role: str) -> None:
    """Add a user (or change their role and password); the password is read from standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    with _work() as session:
        try:
            user = add_or_update_user(session, email, role, password)
        except InputError as error:
            raise InputError(
                error.problem,
                location="standard input" if error.field == "password" else None,
                field=error.field,
            ) from None
        click.echo(f"{user.email}: {ROLES[role]}")


@users.command("unlock")
@click.argument("email")
@reports_input_errors
def users_unlock(email: str) -> None:
    """Let EMAIL sign in again after too many failed attempts (the unlock is audited)."""
    address = normalise_email(email)
    with _work() as session:
        was_locked = unlock(session, address)
    click.echo(f"{address}: unlocked" if was_locked else f"{address}: was not locked")


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@reports_input_errors
def backup_command(destination: Path) -> None:
    """Write the whole instance (every record and file) to DESTINATION (.tar.gz).

    The archive is readable by its owner only: it holds password hashes and every plan document.
    """
    settings = Settings.from_environment()
    with _database() as sessions:
        summary = backup(sessions.kw["bind"], settings.instance, destination)
    click.echo(f"Backed up {summary} to {destination}")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--max-member-mib",
    type=click.IntRange(1),
    default=DEFAULT_MEMBER_LIMIT_MIB,
    show_default=True,
    envvar="RESILIENCE_RESTORE_MAX_MEMBER_MIB",
    help="The most one file or table of the backup may unpack to.",
)
@click.option(
    "--max-total-mib",
    type=click.IntRange(1),
    default=DEFAULT_TOTAL_LIMIT_MIB,
    show_default=True,
    envvar="RESILIENCE_RESTORE_MAX_TOTAL_MIB",
    help="The most the whole backup may unpack to.",
)
@reports_input_errors
def restore_command(source: Path, max_member_mib: int, max_total_mib: int) -> None:
    """Restore a backup into this (empty) instance: everything, or nothing on any problem.

    Only what the backup's manifest lists, with matching sizes and SHA-256 checksums, is restored;
    anything else in the archive, or missing from it, refuses the whole restore.
    """
    settings = Settings.from_environment()
    limits = Limits(member_bytes=max_member_mib * MIB, total_bytes=max_total_mib * MIB)
    with _database() as sessions:
        summary = restore(sessions.kw["bind"], settings.instance, source, limits)
    click.echo(f"Restored {summary} from {source}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="RESILIENCE_HOST")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="RESILIENCE_WORKERS",
    help="Worker processes; 1 serves with waitress in this process, more with gunicorn.",
)
@click.option("--port", default=8000, show_default=True, type=int, envvar="RESILIENCE_PORT")
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    envvar="RESILIENCE_THREADS",
    help="Requests handled at the same time.",
)
@click.option(
    "--connection-limit",
    default=500,
    show_default=True,
    type=click.IntRange(1, 100_000),
    envvar="RESILIENCE_CONNECTION_LIMIT",
    help="Open connections (idle ones too) before new ones wait.",
)
@click.option(
    "--channel-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3600),
    envvar="RESILIENCE_CHANNEL_TIMEOUT",
    help="Seconds a connection may sit idle before it is closed.",
)
@click.option(
    "--backlog",
    default=1024,
    show_default=True,
    type=click.IntRange(1, 65_535),
    envvar="RESILIENCE_BACKLOG",
    help="Connections the operating system queues before the server accepts them.",
)
def serve(
    host: str,
    workers: int,
    port: int,
    threads: int,
    connection_limit: int,
    channel_timeout: int,
    backlog: int,
) -> None:
    """Serve the web app with a production WSGI server (waitress, or gunicorn for --workers N).

    Idle connections are closed after --channel-timeout seconds, so that a crowd of them (a
    slow client, a scan, an attack) cannot hold every slot; run it behind a reverse proxy.
    Each worker's database pool holds --threads connections (one per request thread).
    """
    with _database():
        pass  # migrate before the first request (once, not once per worker)
    os.environ[POOL_SIZE_ENV] = str(threads)
    if workers > 1:
        from resilience.cli.gunicorn_server import gunicorn_settings, run_gunicorn

        click.echo(
            f"Serving on http://{host}:{port}/ ({workers} worker processes of {threads} threads)"
        )
        run_gunicorn(gunicorn_settings(host, port, workers, threads, channel_timeout, backlog))
        return
    from waitress import serve as waitress_serve

    from resilience import create_app

    click.echo(
        f"Serving on http://{host}:{port}/ ({threads} threads, up to {connection_limit} "
        f"connections, idle ones closed after {channel_timeout} s)"
    )
    waitress_serve(
        create_app(),
        host=host,
        port=port,
        threads=threads,
        connection_limit=connection_limit,
        channel_timeout=channel_timeout,
        # Idle connections are looked for this often; a third of the timeout keeps it prompt.
        cleanup_interval=max(1, channel_timeout // 3),
        backlog=backlog,
        # poll() rather than select(): select cannot watch more than 1,024 sockets.
        asyncore_use_poll=True,
        ident="resilience",
    )
