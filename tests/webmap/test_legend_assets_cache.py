"""The key, the map assets (pinned, licensed, inlinable) and the render cache."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import threading
import time
from pathlib import Path

from webmap.assets import SCRIPTS, STATIC_DIR, STYLESHEETS, inline_scripts, inline_stylesheets
from webmap.cache import MapCache
from webmap.choropleth import exposure_choropleth
from webmap.legend import legend_html
from webmap.styles import map_style

REPO = Path(__file__).resolve().parents[2]


def test_legend_lists_what_the_map_draws_and_states_the_error() -> None:
    html = str(
        legend_html(
            style=map_style(),
            choropleth=exposure_choropleth([0.0, 0.3], [None, None]),
            zone_kinds={"inner", "outer"},
            tiers={"upper", ""},
            pipelines=True,
            receptors=False,
            statement="Shapes are drawn within 5 m <of> the stored boundaries.",
        )
    )
    assert "Inner zone" in html and "Outer zone" in html and "Middle zone" not in html
    assert "upper tier" in html and "lower tier" not in html
    assert "Major accident hazard pipeline" in html and "Sensitive place" not in html
    assert "within 5 m &lt;of&gt;" in html
    assert "style=" not in html  # the key needs no inline style
    assert html.count('aria-hidden="true"') == html.count("<svg")


def test_every_map_asset_exists_and_leaflet_is_the_pinned_version() -> None:
    for path in (*SCRIPTS, *STYLESHEETS, "map-page.css"):
        assert (STATIC_DIR / path).is_file(), path
    manifest = json.loads((REPO / "scripts" / "vendor-assets.json").read_text())
    leaflet = next(p for p in manifest["packages"] if p["name"] == "leaflet")
    source = (STATIC_DIR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    assert source.startswith(f"/* @preserve\n * Leaflet {leaflet['version']}, a JS library")
    assert (STATIC_DIR / "leaflet" / "LICENSE").is_file()


def test_inlined_assets_carry_their_images_and_cannot_end_early() -> None:
    css = inline_stylesheets()
    assert "url(images/" not in css
    assert "url(data:image/png;base64," in css
    scripts = inline_scripts()
    assert scripts.count("<script>") == len(SCRIPTS)
    assert scripts.count("</script>") == len(SCRIPTS)
    assert not re.search(r"https?://[^\s'\"]*\.(js|css)\b", scripts)


def test_cache_builds_once_per_key_and_forgets_the_least_recently_used(tmp_path: Path) -> None:
    cache = MapCache(tmp_path, max_entries=2)
    built: list[str] = []

    def build(value: str) -> bytes:
        built.append(value)
        return value.upper().encode()

    assert cache.get_or_build(("a", 1), lambda: build("a")) == b"A"
    assert cache.get_or_build(("a", 1), lambda: build("a")) == b"A"
    cache.get_or_build(("b", 1), lambda: build("b"))
    old = time.time() - 60  # "b" was used a minute ago, "a" just now
    os.utime(next(p for p in tmp_path.glob("*.map") if p.read_bytes() == b"B"), (old, old))
    cache.get_or_build(("c", 1), lambda: build("c"))
    assert len(cache) == 2
    cache.get_or_build(("a", 1), lambda: build("a"))
    cache.get_or_build(("b", 1), lambda: build("b"))
    assert built == ["a", "b", "c", "b"]
    assert (cache.hits, cache.misses) == (2, 4)


def test_cache_keeps_under_its_byte_limit(tmp_path: Path) -> None:
    cache = MapCache(tmp_path, max_bytes=2500)
    for number in range(5):
        cache.put(("page", number), bytes(1000))
    assert len(cache) == 2
    assert sum(p.stat().st_size for p in tmp_path.glob("*.map")) <= 2500


def test_an_entry_is_never_seen_half_written(tmp_path: Path) -> None:
    cache = MapCache(tmp_path)
    cache.put("page", b"x" * 1_000_000)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".part-")] == []
    assert cache.get("page") == b"x" * 1_000_000
    assert cache.get("other page") is None


def test_cache_is_safe_across_threads(tmp_path: Path) -> None:
    cache = MapCache(tmp_path)
    results: list[bytes] = []
    builds: list[int] = []
    start = threading.Barrier(4)  # all four ask for the same keys at the same moment

    def build(key: int) -> bytes:
        builds.append(key)  # list.append is atomic: a second build of a key would show here
        return bytes([key])

    def worker() -> None:
        start.wait()
        for i in range(100):
            results.append(cache.get_or_build(i % 7, lambda i=i: build(i % 7)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 400 and set(results) == {bytes([i]) for i in range(7)}
    assert sorted(builds) == list(range(7))  # each key built once, whichever thread asked
    assert (cache.misses, cache.hits) == (7, 393)


def _build_in_a_process(folder: str, key: str, log: str) -> bytes:
    def build() -> bytes:
        with open(log, "a") as file:
            file.write(f"{os.getpid()}\n")
        time.sleep(0.3)  # a slow build: the other processes arrive while it runs
        return b"the national map"

    return MapCache(Path(folder)).get_or_build(key, build)


def test_processes_share_one_build(tmp_path: Path) -> None:
    log = tmp_path / "builds.log"
    folder = tmp_path / "maps"
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        results = pool.starmap(_build_in_a_process, [(str(folder), "overview", str(log))] * 3)
    assert results == [b"the national map"] * 3
    assert len(log.read_text().splitlines()) == 1
