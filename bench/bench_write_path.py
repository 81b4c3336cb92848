"""One client's single POST latency while other clients send batches that are
expensive to resolve (100 made-up country names each), against a real
``padron serve`` (SQLite, one worker): the write path must not wait for them.

The ceiling is the same single-POST loop with no other client, in the same run.

    .venv/bin/python bench/bench_write_path.py [--heavy 4] [--duration 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serving import create_key, serving  # noqa: E402


def singles(url: str, key: str, seconds: float) -> list[float]:
    headers = {"X-API-Key": key, "X-API-Version": "1"}
    out: list[float] = []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.perf_counter()
            r = http.post(
                "/customers", json={"code": "light-" + secrets.token_hex(6), "country": "ES"}
            )
            out.append(time.perf_counter() - t0)
            assert r.status_code == 201, r.text[:200]
    return out


def heavy(url: str, key: str, stop: threading.Event, done: list[int]) -> None:
    headers = {"X-API-Key": key, "X-API-Version": "1"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        while not stop.is_set():
            body = [
                {
                    "code": f"heavy-{secrets.token_hex(6)}",
                    "country": f"Qx{secrets.token_hex(5)}land",
                }
                for _ in range(100)
            ]
            http.post("/customers", json=body)
            done[0] += 1


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--heavy", type=int, default=4)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--data-dir", type=Path, default=ROOT / ".cache" / "test-data")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url_db = f"sqlite:///{Path(tmp) / 'padron.db'}"
        key = create_key(url_db, opts.data_dir)
        with serving(url_db, opts.data_dir, workers=opts.workers) as server:
            singles(server.url, key, 1)  # warm up
            alone = singles(server.url, key, opts.duration)
            stop = threading.Event()
            done = [0]
            threads = [
                threading.Thread(target=heavy, args=(server.url, key, stop, done), daemon=True)
                for _ in range(opts.heavy)
            ]
            for t in threads:
                t.start()
            time.sleep(1)
            beside = singles(server.url, key, opts.duration)
            stop.set()
            for t in threads:
                t.join(120)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"workers={opts.workers} heavy clients={opts.heavy}, batches of 100 made-up countries")
    for name, values in (("alone (ceiling)", alone), ("beside heavy", beside)):
        print(
            f"{name:16} n={len(values):5} median={statistics.median(values) * 1000:6.1f} ms "
            f"p99={p(values, 0.99):6.1f} ms max={max(values) * 1000:6.1f} ms"
        )
    print(f"heavy batches answered meanwhile: {done[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
