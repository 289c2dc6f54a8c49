"""Backup benchmark: peak memory and time of `resilience backup` and `restore` with a large file.

Makes a fresh SQLite instance holding one large upload (zeros, so the archive stays small: the
case of a highly compressible member), backs it up, and restores it into a second empty
instance. Each command runs in its own process; its peak resident set size comes from the
kernel's accounting of that process (wait4), not from sampling.

    python benchmarks/backup_benchmark.py [--size-mib 1024]

The restore's per-member limit is raised through RESILIENCE_RESTORE_MAX_MEMBER_MIB when the
large file is bigger than the default limit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = 1024 * 1024


def _measured(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run `command`; return its wall time (s) and peak RSS (MiB), failing if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stderr is not None
    # Output is a few lines: read it after the process ends, and reap it with wait4 for rusage.
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.stdout.read(), process.stderr.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[3:])} failed ({process.returncode}): {err}{out}")
    return {"seconds": round(elapsed, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}


def _env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["RESILIENCE_INSTANCE"] = str(instance)
    env["SECRET_KEY"] = "benchmark"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="the large file's size")
    args = parser.parse_args()
    resilience = [sys.executable, "-m", "resilience.cli"]
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "source", Path(folder) / "target"
        subprocess.run([*resilience, "init"], env=_env(source), check=True, capture_output=True)
        large = source / "uploads" / "large.bin"
        large.parent.mkdir(parents=True)
        zeros = bytes(CHUNK)
        with large.open("wb") as out:
            for _ in range(args.size_mib):
                out.write(zeros)
        archive = Path(folder) / "backup.tar.gz"
        backup = _measured([*resilience, "backup", str(archive)], _env(source))
        restore_env = _env(target)
        restore_env["RESILIENCE_RESTORE_MAX_MEMBER_MIB"] = str(max(1024, args.size_mib))
        restore = _measured([*resilience, "restore", str(archive)], restore_env)
        restored = target / "uploads" / "large.bin"
        assert restored.stat().st_size == args.size_mib * CHUNK, "the large file was not restored"
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            json.dumps(
                {
                    "large_file_mib": args.size_mib,
                    "archive_mib": round(archive.stat().st_size / CHUNK, 2),
                    "backup": backup,
                    "restore": restore,
                    "benchmark_process_peak_rss_mib": round(own, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
