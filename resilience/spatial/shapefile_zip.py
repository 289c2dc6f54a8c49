"""A zipped Shapefile, checked for zip-bomb and path tricks before any member is extracted."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from resilience.errors import InputError

MAX_MEMBERS = 100
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
# Deflate cannot shrink anything more than about 1032:1, so a larger ratio of declared size to
# archive size means overlapping members or a stacked compressor: a zip bomb.
MAX_COMPRESSION_RATIO = 1000
_COPY_CHUNK = 1024 * 1024
_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")


def extract_shapefile(path: Path, *, file: str, into: Path) -> Path:
    """Return the .shp extracted from the zip at `path` into `into`; raises InputError."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = _checked_members(archive, path.stat().st_size, file)
            shp = _the_shp(members, file)
            stem = shp.filename[: -len(".shp")]
            wanted = {".shp": shp}
            for suffix in _SIDECARS:
                sidecar = next(
                    (m for m in members if m.filename.lower() == f"{stem}{suffix}".lower()), None
                )
                if sidecar is not None:
                    wanted[suffix] = sidecar
                elif suffix in (".shx", ".dbf"):
                    raise InputError(f"no {suffix} beside {shp.filename}", file=file)
                elif suffix == ".prj":
                    raise InputError("no .prj: coordinate reference system unknown", file=file)
            for suffix, member in wanted.items():
                # Our own names on disk: nothing from the archive decides where a file goes.
                _extract(archive, member, into / f"layer{suffix}", file)
    except zipfile.BadZipFile as error:
        raise InputError(f"is not a readable zip archive: {error}", file=file) from None
    except (NotImplementedError, RuntimeError) as error:  # unsupported method, encryption
        raise InputError(f"cannot be unzipped: {error}", file=file) from None
    return into / "layer.shp"


def _checked_members(
    archive: zipfile.ZipFile, archive_bytes: int, file: str
) -> list[zipfile.ZipInfo]:
    """Return the archive's meaningful members; raises InputError if the archive is unsafe."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError(f"holds {len(infos)} files; at most {MAX_MEMBERS} are accepted", file=file)
    names: set[str] = set()
    for info in infos:
        name = info.filename
        parts = re.split(r"[/\\]", name)
        if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts:
            raise InputError(f"holds a file with an unsafe path: {name!r}", file=file)
        if name.lower() in names:
            raise InputError(f"holds {name!r} twice", file=file)
        names.add(name.lower())
        if info.flag_bits & 0x1:
            raise InputError("is password-protected", file=file)
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            f"would unpack to {total / 2**20:.0f} MiB; the limit is "
            f"{MAX_UNCOMPRESSED_BYTES // 2**20} MiB",
            file=file,
        )
    if total > MAX_COMPRESSION_RATIO * max(archive_bytes, 1):
        raise InputError(
            f"would unpack to {total // max(archive_bytes, 1)} times its size, "
            "which only a zip bomb does",
            file=file,
        )
    # macOS adds __MACOSX/ and ._name copies of resource forks, which are not layers.
    return [
        info
        for info in infos
        if not info.is_dir()
        and not info.filename.startswith("__MACOSX/")
        and not PurePosixPath(info.filename).name.startswith("._")
    ]


def _the_shp(members: list[zipfile.ZipInfo], file: str) -> zipfile.ZipInfo:
    shps = [m for m in members if m.filename.lower().endswith(".shp")]
    if len(shps) == 1:
        return shps[0]
    if shps:
        listed = ", ".join(m.filename for m in shps)
        raise InputError(
            f"holds {len(shps)} .shp files ({listed}); put one layer in each zip", file=file
        )
    names = {m.filename for m in members}
    if "[Content_Types].xml" in names:
        raise InputError(
            "is an Office document (such as .xlsx), not a zipped Shapefile; "
            "save the sheet as 'CSV UTF-8' instead",
            file=file,
        )
    listed = ", ".join(sorted(names)[:10]) or "nothing"
    raise InputError(f"holds no .shp (it holds: {listed})", file=file)


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, file: str) -> None:
    """Copy one member to `target`, never writing more than its declared size."""
    limit = member.file_size
    written = 0
    with archive.open(member) as source, target.open("wb") as sink:
        while chunk := source.read(_COPY_CHUNK):
            written += len(chunk)
            if written > limit:
                raise InputError(f"{member.filename} is larger than the zip declares", file=file)
            sink.write(chunk)
