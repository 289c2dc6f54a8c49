"""Browser tests: the real app served by waitress on loopback, driven by Debian's headless Chromium.

The app runs in a thread on 127.0.0.1 with a fresh SQLite instance holding the Halton demo data,
plus markup as an establishment's name, a plan's title and owner, the one who made those changes
and a locked sign-in address. Every request that would leave loopback is blocked and recorded,
so a test fails if any page reaches for the internet. Chromium is not optional here: without it
these tests fail and say how to install it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright
from shapely.geometry import Point
from sqlalchemy import func, select
from waitress.server import create_server
from werkzeug.security import generate_password_hash

from resilience import create_app
from resilience.domain.accounts.users import sign_in
from resilience.domain.demo import load_demo
from resilience.domain.register.edits import save_record
from resilience.domain.register.layers import ESTABLISHMENTS
from resilience.storage.audit import set_actor
from resilience.storage.database import make_engine, make_sessionmaker, migrate
from resilience.storage.models import Hazard, Plan, Receptor, User, Ward, Zone

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_REF = "XSS-1"
HOSTILE_PLAN = "XSS-PLAN"
EMAIL = "officer@browser.invalid"
ADMIN_EMAIL = "admin@browser.invalid"
PASSWORD = "a long browser test password"
LOOPBACK = {"127.0.0.1", "localhost"}


@dataclass
class LiveApp:
    """The app served on loopback, and what its database holds."""

    url: str
    counts: dict[str, int]

    def __call__(self, path: str) -> str:
        return self.url + path


@dataclass
class Tab:
    """A page with everything it did recorded: console errors, requests, dialogs."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open_map(self, url: str) -> None:
        """Go to `url` and wait until its map says every layer is drawn."""
        self.page.goto(url)
        self.page.wait_for_selector(".rm-map[data-drawn=true]", timeout=15_000)


def _seed(url: str) -> dict[str, int]:
    engine = make_engine(url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        load_demo(session)
        # The audit trail then holds markup as who made a change, and (below) as a locked address.
        set_actor(session, HOSTILE)
        save_record(
            session,
            ESTABLISHMENTS,
            {
                "ref": HOSTILE_REF,
                "name": HOSTILE,
                "geometry": Point(-2.7000, 53.3700),
                "tier": "upper",
                "inner_m": 200.0,
                "middle_m": 400.0,
                "outer_m": 700.0,
            },
        )
        password_hash = generate_password_hash(PASSWORD)
        session.add(User(email=EMAIL, role="officer", password_hash=password_hash))
        session.add(User(email=ADMIN_EMAIL, role="admin", password_hash=password_hash))
        session.add(
            Plan(
                ref=HOSTILE_PLAN,
                title=HOSTILE,
                regime="cca_local",
                owner=HOSTILE,
                status="adopted",
                adopted_on=date(2024, 1, 15),
                hazard_refs=[HOSTILE_REF],
            )
        )
        session.commit()
        for _ in range(5):  # anyone may try to sign in as markup: five tries lock it, audited
            sign_in(session, HOSTILE, "wrong password")
            session.commit()
        counts = {
            "wards": session.scalar(select(func.count()).select_from(Ward)) or 0,
            "zones": session.scalar(select(func.count()).select_from(Zone)) or 0,
            "establishments": session.scalar(
                select(func.count()).where(Hazard.kind == "establishment")
            )
            or 0,
            "pipelines": session.scalar(select(func.count()).where(Hazard.kind == "pipeline")) or 0,
            "receptors": session.scalar(select(func.count()).select_from(Receptor)) or 0,
        }
    engine.dispose()
    return counts


def serve(folder: Path, threads: int, **settings: Any) -> Iterator[LiveApp]:
    """Seed a register in ``folder``, serve it on a loopback port with waitress, and yield it;
    ``settings`` are added to the app's configuration."""
    url = f"sqlite:///{folder / 'resilience.sqlite3'}"
    counts = _seed(url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RESILIENCE_INSTANCE", str(folder))
        patch.setenv("DATABASE_URL", url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser tests", **settings})
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, name=f"waitress-{folder.name}", daemon=True)
    thread.start()
    try:
        yield LiveApp(url=f"http://127.0.0.1:{server.effective_port}", counts=counts)
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)
        app.extensions["engine"].dispose()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    yield from serve(tmp_path_factory.mktemp("browser-instance"), threads=8)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; run `make test`, which installs "
            "Debian's chromium package before the browser tests.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def offsite() -> list[str]:
    """Every request that tried to leave loopback, in the whole session."""
    return []


def _guard(offsite: list[str]) -> Any:
    def handle(route: Route) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob") or parts.hostname in LOOPBACK:
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort("blockedbyclient")

    return handle


def _context(
    browser: Browser, live_app: LiveApp, offsite: list[str], email: str = EMAIL, **options: Any
) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1400, "height": 950}, **options)
    context.route("**/*", _guard(offsite))
    page = context.new_page()
    page.goto(live_app("/login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_app("/"))
    page.close()
    return context


@pytest.fixture(scope="session")
def signed_in(browser: Browser, live_app: LiveApp, offsite: list[str]) -> Iterator[BrowserContext]:
    """A browser context signed in as an officer, with the app's own security policy."""
    context = _context(browser, live_app, offsite)
    yield context
    context.close()


@pytest.fixture(scope="session")
def signed_in_as_admin(
    browser: Browser, live_app: LiveApp, offsite: list[str]
) -> Iterator[BrowserContext]:
    """A browser context signed in as an administrator, who may read the audit trail."""
    context = _context(browser, live_app, offsite, email=ADMIN_EMAIL)
    yield context
    context.close()


@pytest.fixture(scope="session")
def signed_in_for_axe(
    browser: Browser, live_app: LiveApp, offsite: list[str]
) -> Iterator[BrowserContext]:
    """The same, but allowed to inject axe-core past the policy that forbids inline scripts."""
    context = _context(browser, live_app, offsite, bypass_csp=True)
    yield context
    context.close()


def _tab(context: BrowserContext) -> Iterator[Tab]:
    page = context.new_page()
    tab = Tab(page)
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: tab.requests.append(r.url))

    def dialog(d: Any) -> None:
        tab.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    yield tab
    page.close()


@pytest.fixture
def tab(signed_in: BrowserContext) -> Iterator[Tab]:
    yield from _tab(signed_in)


@pytest.fixture
def admin_tab(signed_in_as_admin: BrowserContext) -> Iterator[Tab]:
    yield from _tab(signed_in_as_admin)


@pytest.fixture
def axe_tab(signed_in_for_axe: BrowserContext) -> Iterator[Tab]:
    yield from _tab(signed_in_for_axe)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for screenshots and downloads kept after the run (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
