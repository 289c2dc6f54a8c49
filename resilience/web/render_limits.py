"""Limits on heavy renders (PDF, Word, map images): how many at once, and for how long.

Two limits, so that no request can hold a server thread for ever and heavy renders can never
take every thread (the login page must keep answering):

- a bounded semaphore lets at most ``RENDER_SLOTS`` heavy renders run at once; a request that
  finds no free slot within ``RENDER_WAIT_SECONDS`` gets 503 "busy" with Retry-After;
- a render that can run in a child process does (``run_render``), and the child is killed
  after ``RENDER_DEADLINE_SECONDS``; the request gets 503 saying so. A child that finishes
  in time is kept for the next render (at most one per slot), so that its caches stay warm.

The child comes from a "forkserver": a clean single-threaded process, started once, that has
already imported the report and map code and drawn a small document once. Forking the web
process itself ("fork") would copy its threads' locks and its database connections mid-use;
"spawn" would import reportlab, matplotlib and geopandas again for every child (about a
second). A forkserver child starts in milliseconds and shares nothing with the request's
thread; it opens its own database connection from the URL.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, ParamSpec, TypeVar

from flask import Flask, Response, current_app, render_template

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_SLOTS = 6  # `resilience serve` runs 8 threads: keep two for everything else
DEFAULT_WAIT_SECONDS = 5.0
DEFAULT_DEADLINE_SECONDS = 60.0
RETRY_AFTER_SECONDS = 10
# "__main__" first: the server imports it once, so a child need not import it again.
_PRELOAD = [
    "__main__",
    "resilience.web.render_limits",
    "resilience.reports.render.tasks",
    "resilience.reports.render.warmup",
]


class RenderUnavailable(Exception):
    """A heavy render was refused or stopped; the response is 503 with this message."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(detail)
        self.title = title
        self.detail = detail


@dataclass(frozen=True)
class RenderLimits:
    """How many heavy renders may run at once, how long to wait for one, how long one may run."""

    slots: int = DEFAULT_SLOTS
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS

    @classmethod
    def of(cls, app: Flask) -> RenderLimits:
        """Return the limits from the app's config, else RESILIENCE_RENDER_* variables."""

        def setting(name: str, default: float) -> float:
            value = app.config.get(name, os.environ.get(f"RESILIENCE_{name}", default))
            return float(value)

        return cls(
            slots=max(1, int(setting("RENDER_SLOTS", DEFAULT_SLOTS))),
            wait_seconds=setting("RENDER_WAIT_SECONDS", DEFAULT_WAIT_SECONDS),
            deadline_seconds=setting("RENDER_DEADLINE_SECONDS", DEFAULT_DEADLINE_SECONDS),
        )


@dataclass
class _Gate:
    limits: RenderLimits
    semaphore: threading.BoundedSemaphore
    running: int = 0


_gate_lock = threading.Lock()


def _gate() -> _Gate:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with _gate_lock:
        gate = app.extensions.get("render_gate")
        if gate is None:
            limits = RenderLimits.of(app)
            gate = app.extensions["render_gate"] = _Gate(
                limits, threading.BoundedSemaphore(limits.slots)
            )
    assert isinstance(gate, _Gate)
    return gate


@contextmanager
def render_slot() -> Iterator[RenderLimits]:
    """Hold one of the app's heavy-render slots; raises RenderUnavailable if none frees in time."""
    gate = _gate()
    if not gate.semaphore.acquire(timeout=gate.limits.wait_seconds):
        raise RenderUnavailable(
            "The service is busy",
            "Other documents and maps are being drawn at the moment. Try again in a moment.",
        )
    with _gate_lock:
        gate.running += 1
    try:
        yield gate.limits
    finally:
        with _gate_lock:
            gate.running -= 1
        gate.semaphore.release()


def renders_running(app: Flask) -> int:
    """Return how many heavy renders hold a slot in `app` now."""
    with _gate_lock:
        gate = app.extensions.get("render_gate")
        return gate.running if isinstance(gate, _Gate) else 0


def limited(render: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Return ``render(*args)`` run in this thread while holding a heavy-render slot."""
    with render_slot():
        return render(*args, **kwargs)


def run_render(task: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Return ``task(*args)`` run in a child process under the slot and deadline limits.

    `task` must be a module-level function and its arguments picklable. Raises
    RenderUnavailable when no slot frees in time or the child passes the deadline (it is
    killed); an exception in the child is raised here.
    """
    with render_slot() as limits:
        return _in_child(limits.deadline_seconds, task, args, kwargs)


def _context() -> Any:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # no forkserver on this platform
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _serve(connection: Connection) -> None:
    """Run tasks sent down `connection`, one at a time, until it closes."""
    while True:
        try:
            task, args, kwargs = connection.recv()
        except (EOFError, OSError):
            return
        try:
            result: tuple[str, Any] = ("ok", task(*args, **kwargs))
        except Exception as error:  # noqa: BLE001 (sent back to the parent, which raises it)
            result = ("error", error)
        try:
            connection.send(result)
        except Exception as error:  # noqa: BLE001 (a result or exception that does not pickle)
            connection.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))


@dataclass
class _Worker:
    """A render process, kept between renders so that its caches stay warm."""

    process: Any
    connection: Connection

    @classmethod
    def start(cls) -> _Worker:
        context = _context()
        mine, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs,), daemon=True)
        process.start()
        theirs.close()
        return cls(process, mine)

    def stop(self) -> None:
        self.connection.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def _in_child(deadline: float, task: Callable[..., T], args: Any, kwargs: Any) -> T:
    # The deadline counts from here: starting a worker (the first after a restart also starts
    # the forkserver, a second or two) is part of the time a request may take.
    ends = time.monotonic() + deadline
    with _idle_lock:
        worker = _idle.pop() if _idle else None
    if worker is None or not worker.process.is_alive():
        worker = _Worker.start()
    keep = False
    try:
        worker.connection.send((task, args, kwargs))
        if not worker.connection.poll(max(0.0, ends - time.monotonic())):
            raise RenderUnavailable(
                "This took too long to draw",
                f"Drawing it took longer than {deadline:g} seconds, so it was stopped. "
                "A record may hold very long text or a very detailed shape: ask the Emergency "
                "Planning Team to check the register.",
            )
        try:
            status, value = worker.connection.recv()
        except EOFError:
            raise RuntimeError(
                f"the render process ended without a result (exit code {worker.process.exitcode})"
            ) from None
        keep = True
    finally:
        if keep:
            with _idle_lock:
                _idle.append(worker)
        else:
            worker.stop()  # killed at the deadline: the render is abandoned, not left running
    if status == "error":
        raise value
    return value


def unavailable_page(error: RenderUnavailable) -> Response:
    """Return the 503 page for a refused or stopped render, with Retry-After."""
    page = render_template("error.html", title=error.title, detail=error.detail, code=503)
    response = Response(page, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.cache_control.no_store = True
    return response
