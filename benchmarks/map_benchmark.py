"""Measure the overview map against a plain folium.GeoJson of the full-resolution data.

Run from the repository root (needs Debian's chromium at /usr/bin/chromium)::

    python benchmarks/map_benchmark.py                    # Halton demo, then ~9,000 wards
    python benchmarks/map_benchmark.py --wards 2000       # a smaller national set
    python benchmarks/map_benchmark.py --skip-national    # the Halton demo only

For each data set (the Halton demo, and the national-scale synthetic register of
``exposure_benchmark.py``: wards tiling Great Britain, 1,000 sites with four zones each and 300
pipelines with three, plus sensitive places) it reports:

* the bytes of the map page as served (assets are separate, cacheable files), and of the
  standalone download (assets inlined);
* the server's time to build the page: cold (empty map cache) and warm (cache hit; the key
  is the data version, so this includes reading that version from the database);
* the time from navigation start until every feature is drawn in headless Chromium, with
  every request outside loopback blocked, and the bytes sent until then (page, assets and,
  for a register large enough to fetch its wards and zones by view, those answers);
* for such a register, what the map fetches for a few views (Great Britain to a street):
  features, bytes, display error, first and warm answer times;

and the same for the baseline: ``folium.GeoJson`` layers of the same frames at full
resolution, with folium's defaults except that Leaflet and jQuery come from this app (so the
baseline can run offline too). It also measures the largest distance between drawn and stored
geometry over a sample of shapes, against the stated bound. This is a script, not a test.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from flask import Flask
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from resilience import create_app  # noqa: E402
from resilience.domain.demo import load_demo  # noqa: E402
from resilience.spatial.crs import BNG, WGS84  # noqa: E402
from resilience.storage.database import make_engine, make_sessionmaker, migrate  # noqa: E402
from resilience.storage.models import (  # noqa: E402
    Establishment,
    Pipeline,
    Receptor,
    User,
    Ward,
    Zone,
)
from resilience.web.maps.sources import load_overview  # noqa: E402
from webmap.map_data import MapData  # noqa: E402
from webmap.simplify import detail_for, display_geometry  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
EMAIL = "bench@example.invalid"
PASSWORD = "a long benchmark password"
# Bytes of every body the page took until drawn (the page, its assets, fetched data), as sent
# (compressed). The first time, with the assets not yet in the browser's cache, is the most.
TRANSFERRED_JS = """() => performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .reduce((sum, e) => sum + e.encodedBodySize, 0)"""
# Views of the national overview the wards endpoint is asked for: (what, bbox, zoom).
BBOX_VIEWS = (
    ("Great Britain", (-8.5, 49.8, 2.0, 61.0), 6),
    ("a region (North West)", (-3.6, 53.0, -1.9, 54.2), 9),
    ("a city (Manchester)", (-2.35, 53.42, -2.15, 53.54), 12),
    ("a street (1,400 x 950 px)", (-2.2520, 53.4770, -2.2330, 53.4840), 16),
)
BROTLI = {"Accept-Encoding": "br"}
DRAWN_PATHS_JS = """(n) => {
    const drawn = document.querySelectorAll('path.leaflet-interactive, .leaflet-marker-icon');
    return drawn.length >= n ? performance.now() : false;
}"""


@dataclass
class Figures:
    """One row of the report."""

    data: str
    map: str
    features: int
    page_bytes: int
    standalone_bytes: int | None
    build_cold_s: float
    build_warm_s: float | None
    drawn_ms: float


# --- data ---------------------------------------------------------------------------------


def halton(url: str) -> None:
    """Fill the database at `url` with the Halton demonstration data set."""
    engine = make_engine(url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        load_demo(session)
        session.commit()
    engine.dispose()


def national(url: str, wards: int, sites: int, pipelines: int, seed: int) -> None:
    """Fill the database at `url` with the exposure benchmark's synthetic register.

    Zones are stored as derived (from the generator's distances); the exposure table is left
    empty, since the overview map does not read it.
    """
    import exposure_benchmark as synthetic

    ward_frame = synthetic.make_wards(wards, seed)
    rng = np.random.default_rng(seed)
    populations = rng.integers(2_000, 15_000, len(ward_frame))
    site_list = synthetic.make_sites(sites, pipelines, seed)
    ward_wgs = ward_frame.to_crs(WGS84)
    site_wgs = gpd.GeoSeries([s.geometry for s in site_list], crs=BNG).to_crs(WGS84)
    receptor_points = synthetic.clustered_points(
        rng, sites, synthetic.town_centres(np.random.default_rng(seed)), urban_share=0.8
    )
    receptor_wgs = gpd.GeoSeries(shapely.points(receptor_points), crs=BNG).to_crs(WGS84)
    engine = make_engine(url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        session.add_all(
            Ward(code=code, name=name, population=int(population), geometry=geometry)
            for code, name, population, geometry in zip(
                ward_wgs["ward_code"],
                ward_wgs["ward_name"],
                populations,
                ward_wgs.geometry,
                strict=True,
            )
        )
        tiers = ("upper", "lower", None)
        for index, (site, geometry) in enumerate(zip(site_list, site_wgs, strict=True)):
            zones = synthetic.zones_for_site_bng(site.geometry, **site.distances)
            zone_wgs = gpd.GeoSeries(list(zones.values()), crs=BNG).to_crs(WGS84)
            is_pipeline = site.site_id.startswith("P")
            model = Pipeline if is_pipeline else Establishment
            extra: dict[str, Any] = {} if is_pipeline else {"tier": tiers[index % 3]}
            hazard = model(
                ref=site.site_id,
                name=f"{'Pipeline' if is_pipeline else 'Site'} {site.site_id}",
                geometry=geometry,
                **site.distances,
                **extra,
            )
            hazard.zones = [
                Zone(kind=kind, origin="derived", geometry=shape, area_m2=zones[kind].area)
                for kind, shape in zip(zones, zone_wgs, strict=True)
            ]
            session.add(hazard)
        session.add_all(
            Receptor(ref=f"R{i:05d}", name=f"Place {i}", kind="school", geometry=point)
            for i, point in enumerate(receptor_wgs)
        )
        session.commit()
    engine.dispose()


# --- measuring ----------------------------------------------------------------------------


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def signed_in_app(url: str, instance: Path) -> tuple[Flask, Any]:
    """Return the app on `url` and a test client signed in as an officer."""
    from werkzeug.security import generate_password_hash

    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        session.add(
            User(email=EMAIL, role="officer", password_hash=generate_password_hash(PASSWORD))
        )
        session.commit()
    engine.dispose()
    import os

    os.environ["RESILIENCE_INSTANCE"] = str(instance)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return app, client


def baseline_html(data: MapData) -> str:
    """Return folium's own rendering of the same frames at full resolution."""
    m = folium.Map(tiles=None)
    # Only the asset URLs change: folium's CDN links would fail offline.
    m.default_js = [
        ("leaflet", "/maps/static/leaflet/leaflet.js"),
        ("jquery", "/maps/static/jquery/jquery.min.js"),
    ]
    m.default_css = [("leaflet_css", "/maps/static/leaflet/leaflet.css")]
    for name, frame in (
        ("Wards", data.wards),
        ("Zones", data.zones),
        ("Pipelines", data.pipelines),
        ("Establishments", data.establishments),
        ("Sensitive places", data.receptors),
    ):
        if len(frame):
            folium.GeoJson(frame, name=name).add_to(m)
    folium.LayerControl().add_to(m)
    min_x, min_y, max_x, max_y = data.wards.total_bounds
    m.fit_bounds([[min_y, min_x], [max_y, max_x]])
    return str(m.get_root().render())


@contextmanager
def served(app: Flask, extra: dict[str, bytes]) -> Iterator[str]:
    """Serve `app` (and `extra` pages by path) with waitress on loopback; yield its base URL."""
    from waitress.server import create_server

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = extra.get(environ.get("PATH_INFO", ""))
        if body is None:
            return app.wsgi_app(environ, start_response)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    server: Any = create_server(wsgi, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


def browser_times(
    base: str, features: int, repeats: int, transferred: list[int] | None = None
) -> tuple[list[float], list[float]]:
    """Return ms until drawn for our page and for the baseline page, `repeats` times each.

    Appends to `transferred` the bytes our page took until drawn, each time (the first with
    the browser's cache empty of the map's assets).
    """
    from playwright.sync_api import Route, sync_playwright

    blocked: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith((base, "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    ours: list[float] = []
    theirs: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 950})
        context.route("**/*", guard)
        page = context.new_page()
        page.goto(base + "/login")
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/")
        page.close()
        for _ in range(repeats):
            page = context.new_page()
            page.goto(base + "/maps/", timeout=600_000)
            page.wait_for_selector(".rm-map[data-drawn=true]", timeout=600_000)
            ours.append(page.evaluate("() => Object.values(ResilienceMap.maps)[0].drawnAt"))
            if transferred is not None:
                transferred.append(int(page.evaluate(TRANSFERRED_JS)))
            page.close()
            page = context.new_page()
            page.goto(base + "/baseline.html", timeout=600_000, wait_until="commit")
            handle = page.wait_for_function(
                DRAWN_PATHS_JS, arg=features, polling="raf", timeout=600_000
            )
            theirs.append(float(handle.json_value()))
            page.close()
        browser.close()
    if blocked:
        raise RuntimeError(f"requests tried to leave loopback: {blocked[:5]}")
    return ours, theirs


def measured_error_m(data: MapData, sample: int = 300) -> float:
    """Return the largest Hausdorff distance between drawn and stored shapes in a sample.

    Measured in local metres (lon/lat scaled about each shape's latitude), so that no datum
    transformation enters the measurement.
    """
    detail = detail_for()
    frames = [f for f in (data.wards, data.zones, data.pipelines) if len(f)]
    worst = 0.0
    rng = np.random.default_rng(0)
    for frame in frames:
        rows = frame.iloc[rng.permutation(len(frame))[:sample]]
        drawn = display_geometry(rows, detail)
        for before, after in zip(rows.geometry, drawn, strict=True):
            scale = np.array([111_320.0 * np.cos(np.radians(before.centroid.y)), 111_320.0])
            distance = shapely.hausdorff_distance(
                shapely.transform(before, lambda xy, s=scale: xy * s),
                shapely.transform(after, lambda xy, s=scale: xy * s),
                densify=0.25,
            )
            worst = max(worst, float(distance))
    return worst


def measure(label: str, url: str, instance: Path, repeats: int) -> tuple[list[Figures], float]:
    app, client = signed_in_app(url, instance)
    cache = None
    cold: list[float] = []
    page = b""
    for _ in range(repeats):
        if cache is not None:
            cache.clear()
        seconds, response = timed(lambda: client.get("/maps/"))
        assert response.status_code == 200, response.status_code
        cold.append(seconds)
        page = response.data
        cache = app.extensions["map_cache"]
    warm = [timed(lambda: client.get("/maps/"))[0] for _ in range(5)]
    # What a browser is sent: each encoding Chromium accepts, with the time to answer warm.
    for encoding in ("zstd", "br", "gzip"):
        answers = [
            timed(lambda e=encoding: client.get("/maps/", headers={"Accept-Encoding": e}))
            for _ in range(3)
        ]
        sent = answers[-1][1]
        assert sent.headers.get("Content-Encoding") == encoding, sent.headers
        print(
            f"  {label} /maps/ as {encoding}: {len(sent.data):,} bytes sent "
            f"({len(page) / len(sent.data):.1f}x smaller), warm answer "
            f"{statistics.median(a[0] for a in answers):.3f} s"
        )
    standalone = client.get("/maps/overview.html").data
    with app.app_context():
        session: Session = app.extensions["sessions"]()
        try:
            load_s, data = timed(lambda: load_overview(session))
            base_s, html = timed(lambda: baseline_html(data))
        finally:
            session.close()
    features = data.feature_count
    error = measured_error_m(data)
    bbox_answers(client)
    transferred: list[int] = []
    with served(app, {"/baseline.html": html.encode("utf-8")}) as base:
        ours_ms, theirs_ms = browser_times(base, features, repeats, transferred)
    print(
        f"  {label} first draw in Chromium: {transferred[0]:,} bytes sent (page, assets and "
        f"fetched wards, compressed); drawn in {', '.join(f'{ms:.0f}' for ms in ours_ms)} ms"
    )
    app.extensions["engine"].dispose()
    rows = [
        Figures(
            label,
            "this app (/maps/)",
            features,
            len(page),
            len(standalone),
            statistics.median(cold),
            statistics.median(warm),
            statistics.median(ours_ms),
        ),
        Figures(
            label,
            "baseline: folium.GeoJson, full resolution",
            features,
            len(html.encode("utf-8")),
            None,
            load_s + base_s,
            None,
            statistics.median(theirs_ms),
        ),
    ]
    return rows, error


def bbox_answers(client: Any) -> None:
    """Print what the map fetches for a few views: features, bytes, first and warm time.

    Each layer the page fetches (wards, each band of zones) is asked for; the first answer of
    each view is built (not in the map cache), and the very first also works out every ward's
    colour, once per data version. A page small enough to carry its shapes asks for nothing.
    """
    remote = re.findall(r'"remote":"([^"?]+)', client.get("/maps/").text)
    if not remote:
        print("  the overview carries its wards and zones in the page: no requests by view")
        return
    for what, bbox, zoom in BBOX_VIEWS:
        query = f"?bbox={','.join(map(str, bbox))}&zoom={zoom}"
        for name in ("wards", "zones"):
            urls = [u + query for u in remote if u.rsplit("/", 1)[-1].startswith(name)]
            first = [timed(lambda u=u: client.get(u, headers=BROTLI)) for u in urls]
            warm = [sum(timed(lambda u=u: client.get(u, headers=BROTLI))[0] for u in urls)]
            raw = [client.get(u, headers={"Accept-Encoding": "identity"}) for u in urls]
            count = sum(len(r.json["offsets"][-1]) - 1 if r.json["offsets"] else 0 for r in raw)
            print(
                f"  {what}, zoom {zoom}: {count:,} {name} in {len(urls)} answer(s), display "
                f"error {raw[0].json['error_m']} m, {sum(len(r.data) for r in raw):,} bytes "
                f"({sum(len(r.data) for _, r in first):,} as br); first "
                f"{sum(t for t, _ in first):.3f} s, warm {warm[0]:.3f} s"
            )


def print_rows(rows: list[Figures], error: float) -> None:
    ours, theirs = rows
    print(f"\n{ours.data}: {ours.features:,} features; largest drawn-vs-stored error {error:.2f} m")
    print(
        f"{'':44} {'page bytes':>12} {'standalone':>12} {'cold s':>8} {'warm s':>8} {'drawn ms':>9}"
    )
    for row in rows:
        standalone = f"{row.standalone_bytes:,}" if row.standalone_bytes else "-"
        warm = f"{row.build_warm_s:.3f}" if row.build_warm_s is not None else "-"
        print(
            f"{row.map:44} {row.page_bytes:>12,} {standalone:>12} {row.build_cold_s:>8.3f} "
            f"{warm:>8} {row.drawn_ms:>9.0f}"
        )
    print(
        f"{'baseline / this app':44} {theirs.page_bytes / ours.page_bytes:>11.1f}x {'':>12} "
        f"{theirs.build_cold_s / ours.build_cold_s:>7.1f}x "
        f"{theirs.build_cold_s / (ours.build_warm_s or 1):>7.0f}x "
        f"{theirs.drawn_ms / ours.drawn_ms:>8.1f}x"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wards", type=int, default=9000)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--pipelines", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20251126)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="map-benchmark-") as folder:
        sets: list[tuple[str, Callable[[str], None]]] = [("Halton demo", halton)]
        if not args.skip_national:
            label = f"national synthetic ({args.wards:,} wards)"
            sets.append(
                (
                    label,
                    lambda url: national(url, args.wards, args.sites, args.pipelines, args.seed),
                )
            )
        for number, (label, fill) in enumerate(sets):
            url = f"sqlite:///{Path(folder) / f'set{number}.sqlite3'}"
            seconds, _ = timed(lambda fill=fill, url=url: fill(url))
            print(f"{label}: data loaded in {seconds:.1f} s", flush=True)
            instance = Path(folder) / f"instance{number}"
            instance.mkdir()
            rows, error = measure(label, url, instance, args.repeats)
            print_rows(rows, error)
            results.extend({**asdict(row), "max_error_m": error} for row in rows)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
