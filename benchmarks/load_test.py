"""Load test: the production server (`resilience serve`) under 20 concurrent clients.

Each client signs in and then, until the time is up, mixes page views (70 %), map loads (20 %)
and edits (10 %: changing an establishment's operator through the real form, CSRF token and all).
Prints requests/s, latency percentiles and errors. Traffic goes to 127.0.0.1 only.

    python benchmarks/load_test.py --clients 20 --seconds 60
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PASSWORD = "load test passphrase"
PAGES = [
    "/",
    "/establishments/",
    "/establishments/HAL-COMAH-01",
    "/pipelines/HAL-MAHP-ETH",
    "/wards/",
    "/wards/E05013184",
    "/receptors/",
]
MAPS = ["/maps/", "/maps/establishments/HAL-COMAH-09"]
SITES = [f"HAL-COMAH-{i:02d}" for i in range(1, 10)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.email = email

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def form_values(self, path: str) -> dict[str, str]:
        _, page = self.request(path)
        values = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
        for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
            values[name] = text
        for name, chosen in re.findall(
            r'<select[^>]*name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected', page, re.S
        ):
            values[name] = chosen
        return values

    def sign_in(self) -> None:
        token = self.form_values("/login").get("csrf_token", "")
        status, _ = self.request(
            "/login", {"csrf_token": token, "email": self.email, "password": PASSWORD}
        )
        if status != 200:
            raise RuntimeError(f"sign-in failed: {status}")


def run(clients: int, seconds: float) -> int:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "RESILIENCE_INSTANCE": folder}
        env.pop("DATABASE_URL", None)
        command = [sys.executable, "-m", "resilience.cli"]
        subprocess.run([*command, "init"], env=env, check=True, capture_output=True)
        subprocess.run([*command, "demo"], env=env, check=True, capture_output=True)
        subprocess.run(
            [*command, "users", "add", "load@test.invalid", "--role", "officer"],
            env=env,
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
        )
        port = _free_port()
        # The server's log goes to a file: a pipe nobody reads fills up and stalls the server.
        log = open(Path(folder) / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [*command, "serve", "--port", str(port), "--threads", "16"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/login", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            return _drive(base, clients, seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()


def _drive(base: str, clients: int, seconds: float) -> int:
    latencies: list[float] = []
    errors: list[str] = []
    counts = {"page": 0, "map": 0, "edit": 0}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def one_request(client: Client, rng: random.Random, number: int) -> tuple[str, bool, str]:
        roll = rng.random()
        if roll < 0.7:
            status, _ = client.request(rng.choice(PAGES))
            return "page", status == 200, str(status)
        if roll < 0.9:
            status, _ = client.request(rng.choice(MAPS))
            return "map", status == 200, str(status)
        ref = rng.choice(SITES)
        values = client.form_values(f"/establishments/{ref}/edit")
        values["operator"] = f"Operator {number}-{rng.randint(0, 999)}"
        status, _ = client.request(f"/establishments/{ref}/edit", values)
        return "edit", status == 200, str(status)  # the redirect to the record page is followed

    def worker(number: int) -> None:
        rng = random.Random(number)
        client = Client(base, "load@test.invalid")
        client.sign_in()
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                kind, ok, detail = one_request(client, rng, number)
            except Exception as error:  # a failed request is an error to report
                kind, ok, detail = "failed", False, f"{type(error).__name__}: {error}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                counts[kind] = counts.get(kind, 0) + 1
                if not ok:
                    errors.append(f"{kind} {detail}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"clients {clients}, {duration:.1f} s, {len(latencies)} requests "
        f"({counts['page']} pages, {counts['map']} maps, {counts['edit']} edits)"
    )
    print(f"throughput {len(latencies) / duration:.1f} requests/s")
    print(
        f"latency p50 {quantiles[49] * 1000:.0f} ms, p95 {quantiles[94] * 1000:.0f} ms, "
        f"p99 {quantiles[98] * 1000:.0f} ms"
    )
    print(f"errors {len(errors)}" + (f": {sorted(set(errors))[:5]}" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    sys.exit(run(args.clients, args.seconds))
