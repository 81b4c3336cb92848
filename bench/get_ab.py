"""GET by code at a fixed rate against ``padron serve`` on a preloaded template
database of bench_ingest.py (run that first for the level): a quick A/B tool.

    .venv/bin/python bench/get_ab.py --level 1000000 [--rate 1000] [--duration 8]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_ingest as b  # noqa: E402
import workload  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--level", type=int, default=1_000_000)
    ap.add_argument("--rate", type=float, default=1000)
    ap.add_argument("--duration", type=float, default=8)
    ap.add_argument("--data-dir", type=Path, default=b.ROOT / ".cache" / "test-data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/padron-bench"))
    ap.add_argument("--synchronous", default="full")
    ap.add_argument("--workers", type=int, default=1)
    opts = ap.parse_args()
    tmpl = opts.work / f"template-{opts.level}.db"
    key, _ = (opts.work / f"template-{opts.level}.key").read_text().split()
    db = b.copy_db(tmpl, opts.work / "get.db")
    port = b.free_port()
    rng = random.Random(5)
    codes = [workload.stored_code(rng.randrange(opts.level)) for _ in range(20_000)]
    with b.padron_serve(db, port, opts, opts.work / "get.log") as pgid:
        r = b.load(
            b.get_requests(key, codes),
            port,
            pgid,
            opts.work,
            duration=opts.duration,
            connections=8,
            rate=opts.rate,
        )
    print(
        f"GET at {opts.rate:.0f}/s: p50 {r['p50_ms']:.2f} ms, p90 {r['p90_ms']:.2f} ms, "
        f"p99 {r['p99_ms']:.2f} ms, {r['server_cpu_us_per_item']:.0f} µs server CPU/request, "
        f"statuses {r['statuses']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
