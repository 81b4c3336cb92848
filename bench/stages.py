"""Where one batch's time goes, stage by stage, in one process (no HTTP).

    .venv/bin/python bench/stages.py [--data-dir .cache/test-data] [--batches 400]

Times, per customer, on the bodies the HTTP benchmark sends (new customers):
decode (``decode_customers``), field rules (``check``), location resolution
(warm memo and cold), the service's whole write (``CustomerService.ingest`` on
a ``SQLiteStore`` with ``synchronous=off``, so the disk is left out), and the
response (``ingest_result`` + ``JSONBody.render``). ``--profile`` adds a
pyinstrument profile of the service write.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import workload  # noqa: E402

from padron.api import envelopes  # noqa: E402
from padron.customers.decode import decode_customers  # noqa: E402
from padron.customers.model import Project  # noqa: E402
from padron.customers.rules import check  # noqa: E402
from padron.customers.service import CustomerService  # noqa: E402
from padron.geo import open_resolver  # noqa: E402
from padron.store.sqlite import SQLiteStore  # noqa: E402


def per_customer(label: str, fn: Callable[[], Any], customers: int) -> float:
    started = time.perf_counter()
    fn()
    us = (time.perf_counter() - started) / customers * 1e6
    print(f"  {label:<44} {us:8.2f} µs/customer")
    return us


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=HERE.parent / ".cache" / "test-data")
    ap.add_argument("--batches", type=int, default=400)
    ap.add_argument("--work", type=Path, default=Path("/tmp/padron-bench"))
    ap.add_argument("--profile", action="store_true")
    opts = ap.parse_args()
    places = workload.places(opts.data_dir)
    bodies, _ = workload.batches(
        places, opts.batches, run="s", stored=0, update_share=0, project_id="prj_stages"
    )
    n = len(bodies) * workload.BATCH
    decoded = [decode_customers(b)[0] for b in bodies]
    resolver = open_resolver(opts.data_dir, build_if_missing=False)
    opts.work.mkdir(parents=True, exist_ok=True)
    db = opts.work / "stages.db"
    for p in opts.work.glob("stages.db*"):
        p.unlink()
    store = SQLiteStore(db, synchronous="off")
    project = Project("prj_stages", "stages", 0)
    store.create_project(project)
    service = CustomerService(store, resolver)
    print(f"{n:,} customers in {len(bodies)} batches")

    per_customer("decode_customers", lambda: [decode_customers(b) for b in bodies], n)
    per_customer("check (field rules)", lambda: [[check(o) for o in objs] for objs in decoded], n)
    checked = [check(o)[0] for objs in decoded for o in objs]

    def resolve_all() -> None:
        for p in checked:
            assert p is not None
            resolver.resolve(p.country, p.state, p.city)

    resolver2 = open_resolver(opts.data_dir, build_if_missing=False)

    def resolve_cold() -> None:
        for p in checked:
            assert p is not None
            resolver2.resolve(p.country, p.state, p.city)

    per_customer("resolve, first sight (6,000 distinct)", resolve_cold, n)
    resolve_all()  # warm the memo of `resolver` first: only the second pass is warm
    per_customer("resolve, warm", resolve_all, n)
    written: list[Any] = []

    def ingest() -> None:
        for objs in decoded:
            written.append(service.ingest(project, objs))

    if opts.profile:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.0005)
        prof.start()
        per_customer("CustomerService.ingest (new, sync=off)", ingest, n)
        prof.stop()
    else:
        per_customer("CustomerService.ingest (new, sync=off)", ingest, n)
    per_customer(
        "response: ingest_result + render",
        lambda: [envelopes.JSONBody(envelopes.ingest_result(w)) for w in written],
        n,
    )
    store.close()
    if opts.profile:
        print(prof.output_text(unicode=True, color=False, show_all=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
