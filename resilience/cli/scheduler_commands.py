"""The scheduler command: the one process that sends reminders."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click


@click.command()
@click.option("--once", is_flag=True, help="Do one reminder pass now, print what it did, and exit.")
def scheduler(once: bool) -> None:
    """Send reminders: a pass every hour until SIGTERM or Ctrl-C (run one such process)."""
    # Imported here so that `resilience --help` and `scheduler --help` need no database stack.
    from resilience.config import Settings
    from resilience.scheduling.mailer import mailer_from_settings
    from resilience.scheduling.process import ReminderService, run_until
    from resilience.storage.database import make_engine, make_sessionmaker, migrate

    # --once prints its summary on standard output; the long-running process logs each pass.
    logging.basicConfig(
        level=logging.WARNING if once else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = Settings.from_environment()
    mailer = mailer_from_settings(settings.smtp)
    if mailer is None:
        click.echo("SMTP_HOST is not set: reminders go to the app only, not by e-mail.", err=True)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        service = ReminderService(sessions=make_sessionmaker(engine), mailer=mailer)
        if once:
            click.echo(str(service.run_pass()))
            return
        stop = threading.Event()

        def _stop(signum: int, _frame: FrameType | None) -> None:
            click.echo(f"{signal.Signals(signum).name}: stopping after the current pass.", err=True)
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        click.echo("Scheduler running; SIGTERM or Ctrl-C stops it.", err=True)
        run_until(stop, service, engine)
    finally:
        engine.dispose()
