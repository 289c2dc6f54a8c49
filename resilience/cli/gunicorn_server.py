"""Several worker processes behind one port: gunicorn, run from ``resilience serve --workers N``.

gunicorn's master process pre-forks N workers, restarts one that dies, and recycles each after
a number of requests (so no worker's memory can grow for ever). Each worker is a separate
Python process, so CPU-bound work (map builds, exposure, documents) runs on every core, which
the threads of one process cannot (they share one interpreter lock). Every worker builds its
own app after the fork (no preloading): its own database pool, render gate and forkserver.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

# Recycle a worker after about this many requests (jitter keeps workers from recycling together).
MAX_REQUESTS = 5_000
MAX_REQUESTS_JITTER = 500


class ResilienceServer(BaseApplication):
    """A gunicorn application that serves ``resilience.wsgi:app`` with the given settings."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        from resilience.wsgi import app

        return app


def gunicorn_settings(
    host: str, port: int, workers: int, threads: int, channel_timeout: int, backlog: int
) -> dict[str, Any]:
    """Return gunicorn's settings for N threaded workers on host:port."""
    return {
        "bind": [f"{host}:{port}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "backlog": backlog,
        # An idle keep-alive connection is closed after this many seconds.
        "keepalive": min(channel_timeout, 75),
        # A worker whose main loop stops answering for this long is killed and replaced (a
        # long request does not count: gthread's main loop keeps beating while threads work).
        "timeout": 120,
        "graceful_timeout": 30,
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS_JITTER,
        # X-Forwarded-* are the app's business (RESILIENCE_PROXY_HOPS and werkzeug's ProxyFix):
        # gunicorn must not also turn X-Forwarded-Proto into the request's scheme.
        "secure_scheme_headers": {},
        "forwarded_allow_ips": "127.0.0.1",
        "proc_name": "resilience",
        "accesslog": None,
        "errorlog": "-",
    }


def run_gunicorn(settings: dict[str, Any]) -> None:
    """Run the gunicorn master until it is stopped (SIGTERM, SIGINT)."""
    ResilienceServer(settings).run()
