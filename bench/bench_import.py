"""Import of 100,000 customers from CSV through a local ``padron serve`` vs posting
the same batches directly (pre-encoded bodies on one kept-alive connection).

    .venv/bin/python bench/bench_import.py [--customers 100000] [--data-dir DIR]

Both write new customers with the same fields into the same server, one
request at a time; the ratio is import rate / direct rate (target ≥ 0.5).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CITIES = ["Barcelona", "Madrid", "Sevilla", "Valencia", "Bilbao", "Zaragoza"]


def row(prefix: str, i: int) -> dict[str, object]:
    return {
        "code": f"{prefix}{i:07d}",
        "country": "ES",
        "city": CITIES[i % 6],
        "yearBorn": 1950 + i % 60,
        "gender": i % 4,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def padron(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "padron", *args], check=True, capture_output=True, text=True
    ).stdout


def direct(port: int, key: str, n: int) -> float:
    bodies = []
    for start in range(0, n, 100):
        bodies.append(json.dumps([row("D", i) for i in range(start, min(n, start + 100))]).encode())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"X-API-Key": key, "X-API-Version": "1", "Content-Type": "application/json"}
    started = time.perf_counter()
    for body in bodies:
        conn.request("POST", "/customers", body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--data-dir", default=os.environ.get("PADRON_DATA_DIR", "/tmp/padron-data"))
    args = parser.parse_args()
    n = args.customers
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        key = (
            padron(
                "keys",
                "create",
                "--project",
                "bench",
                "--database",
                db,
                "--data-dir",
                args.data_dir,
            )
            .strip()
            .splitlines()[-1]
        )
        path = Path(tmp) / "customers.csv"
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["code", "country", "city", "yearBorn", "gender"])
            for i in range(n):
                r = row("I", i)
                w.writerow([r["code"], r["country"], r["city"], r["yearBorn"], r["gender"]])
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "padron",
                "serve",
                "--port",
                str(port),
                "--database",
                db,
                "--data-dir",
                args.data_dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(600):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            t_direct = direct(port, key, n)
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "padron.transfer",
                    "import",
                    str(path),
                    "--url",
                    f"http://127.0.0.1:{port}",
                    "--key",
                    key,
                    "--quiet",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            t_import = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait()
    rate_d, rate_i = n / t_direct, n / t_import
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(f"direct batches: {n:,} in {t_direct:.1f} s = {rate_d:,.0f}/s")
    print(f"padron import:  {n:,} in {t_import:.1f} s = {rate_i:,.0f}/s (process start included)")
    print(f"ratio import/direct: {rate_i / rate_d:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
