"""Refresh the vendored front-end assets listed in scripts/vendor-assets.json.

Installs the pinned npm packages into a temporary folder outside the repository, copies the
listed files and each package's licence, and compiles GOV.UK Frontend's Sass with a system font
stack (no GDS Transport @font-face). Running it twice writes identical files.

    python scripts/vendor_assets.py           # write the files
    python scripts/vendor_assets.py --check   # exit 1 if any vendored file differs

Needs node and npm on PATH and access to the npm registry; uses only the standard library.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = REPO_ROOT / "scripts" / "vendor-assets.json"
EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
# A trailing source-map comment makes browsers ask for a .map file we do not ship.
SOURCE_MAP_COMMENT = re.compile(
    rb"\n?(//# sourceMappingURL=[^\n]*|/\*# sourceMappingURL=[^*]*\*/)\s*$"
)

MIT_LICENCE = """The MIT License (MIT)

{copyright}

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


class VendorError(Exception):
    """A problem with the manifest, npm or a package's contents."""


@dataclass(frozen=True)
class Asset:
    """One file to write into the repository."""

    package: str
    dest: str
    content: bytes


def load_manifest(path: Path = MANIFEST) -> dict[str, Any]:
    """Return the parsed manifest; raises VendorError when a version or path is unsafe."""
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["packages"] + manifest.get("build_tools", []):
        if not EXACT_VERSION.match(entry["version"]):
            raise VendorError(f"{entry['name']}: version {entry['version']!r} is not exact")
    for dest in destinations(manifest):
        pure = PurePosixPath(dest)
        if pure.is_absolute() or ".." in pure.parts:
            raise VendorError(f"destination {dest!r} must be relative and inside the repository")
    return manifest


def destinations(manifest: dict[str, Any]) -> list[str]:
    """Return every repository path the manifest writes, in manifest order."""
    paths: list[str] = []
    for package in manifest["packages"]:
        paths += [item["to"] for item in package.get("files", [])]
        paths += [item["to"] for item in package.get("licence_files", [])]
        if "licence_notice" in package:
            paths.append(package["licence_notice"]["to"])
        if "sass" in package:
            paths.append(package["sass"]["to"])
    return paths


def npm_install(manifest: dict[str, Any], workdir: Path) -> Path:
    """Install the pinned packages into workdir and return its node_modules folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not on PATH")
    wanted = {p["name"]: p["version"] for p in manifest["packages"] + manifest["build_tools"]}
    package_json = {"name": "resilience-vendor", "private": True, "dependencies": wanted}
    (workdir / "package.json").write_text(json.dumps(package_json, indent=2), encoding="utf-8")
    command = [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=optional"]
    command += ["--no-package-lock", "--save-exact", "--loglevel=error"]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    if result.returncode != 0:
        raise VendorError(f"npm install failed:\n{result.stderr.strip()}")
    node_modules = workdir / "node_modules"
    for name, version in wanted.items():
        installed = json.loads((node_modules / name / "package.json").read_text("utf-8"))
        if installed["version"] != version:
            raise VendorError(f"{name}: npm installed {installed['version']}, wanted {version}")
    return node_modules


def strip_source_map(dest: str, content: bytes) -> bytes:
    """Return content without a trailing sourceMappingURL comment for .js and .css files."""
    if dest.endswith((".js", ".css")):
        return SOURCE_MAP_COMMENT.sub(b"", content) + b"\n"
    return content


def compile_sass(package: dict[str, Any], node_modules: Path, workdir: Path) -> bytes:
    """Return GOV.UK Frontend's CSS compiled with the manifest's Sass settings."""
    sass = package["sass"]
    lines = [f"${name}: {value};" for name, value in sass["variables"].items()]
    lines.append(f'@import "{package["name"]}/{sass["entry"]}";')
    entry = workdir / "vendor-entry.scss"
    entry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = workdir / "vendor-output.css"
    command = [
        str(node_modules / ".bin" / "sass"),
        "--no-source-map",
        "--style=compressed",
        "--no-charset",
        f"--load-path={node_modules}",
        "--quiet-deps",
        "--silence-deprecation=import",
        str(entry),
        str(output),
    ]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    if result.returncode != 0:
        raise VendorError(f"sass failed for {package['name']}:\n{result.stderr.strip()}")
    # @charset must come first: the CSS holds a few non-ASCII characters.
    banner = (
        '@charset "UTF-8";\n'
        f"/*! {package['name']} {package['version']} | {package['licence']} | "
        "compiled by scripts/vendor_assets.py with a system font stack */\n"
    )
    return banner.encode("utf-8") + strip_source_map(sass["to"], output.read_bytes())


def licence_notice(package: dict[str, Any]) -> bytes:
    """Return a licence file for a package that ships none (MIT only)."""
    if package["licence"] != "MIT":
        raise VendorError(f"{package['name']}: can only write a licence notice for MIT")
    return MIT_LICENCE.format(copyright=package["licence_notice"]["copyright"]).encode("utf-8")


def build_assets(manifest: dict[str, Any], workdir: Path) -> list[Asset]:
    """Install the packages into workdir and return every file to write."""
    node_modules = npm_install(manifest, workdir)
    assets: list[Asset] = []
    for package in manifest["packages"]:
        root = node_modules / package["name"]
        for item in package.get("files", []) + package.get("licence_files", []):
            source = root / item["from"]
            if not source.is_file():
                raise VendorError(f"{package['name']}@{package['version']}: no {item['from']}")
            content = strip_source_map(item["to"], source.read_bytes())
            assets.append(Asset(package["name"], item["to"], content))
        if "licence_notice" in package:
            notice = package["licence_notice"]
            assets.append(Asset(package["name"], notice["to"], licence_notice(package)))
        if "sass" in package:
            css = compile_sass(package, node_modules, workdir)
            assets.append(Asset(package["name"], package["sass"]["to"], css))
    return assets


def check_css(asset: Asset) -> None:
    """Raise VendorError if compiled CSS would load a web font or anything from another origin."""
    text = asset.content.decode("utf-8")
    if "@font-face" in text or "GDS Transport" in text:
        raise VendorError(f"{asset.dest}: declares a web font")
    if re.search(r"url\(\s*['\"]?(https?:)?//", text):
        raise VendorError(f"{asset.dest}: url() points to another origin")


def write_assets(assets: list[Asset], repo_root: Path) -> list[str]:
    """Write changed assets under repo_root and return the destinations that changed."""
    changed: list[str] = []
    for asset in assets:
        target = repo_root / asset.dest
        if target.is_file() and target.read_bytes() == asset.content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(asset.content)
        changed.append(asset.dest)
    return changed


def differing(assets: list[Asset], repo_root: Path) -> list[str]:
    """Return the destinations whose file is missing or differs from the built asset."""
    return [
        a.dest
        for a in assets
        if not (repo_root / a.dest).is_file() or (repo_root / a.dest).read_bytes() != a.content
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the refresh (or the check) and return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args(argv)
    try:
        manifest = load_manifest()
        with tempfile.TemporaryDirectory(prefix="resilience-vendor-") as tmp:
            assets = build_assets(manifest, Path(tmp))
        for asset in assets:
            if asset.dest.endswith(".css"):
                check_css(asset)
    except VendorError as error:
        print(f"vendor_assets: {error}", file=sys.stderr)
        return 2
    if args.check:
        stale = differing(assets, REPO_ROOT)
        for dest in stale:
            print(f"differs: {dest}", file=sys.stderr)
        return 1 if stale else 0
    changed = set(write_assets(assets, REPO_ROOT))
    total = 0
    for asset in assets:
        total += len(asset.content)
        mark = "updated" if asset.dest in changed else "same"
        print(f"{len(asset.content):>9,}  {mark:<7}  {asset.dest}")
    print(f"{total:>9,}  bytes in {len(assets)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
