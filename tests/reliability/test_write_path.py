"""No request holds the write path for others: while clients send batches whose
places are expensive to resolve, another client's single POST stays fast.

"Expensive" is made deterministic with a resolver that takes 20 ms for every
field that names ``Slowland…`` (a sleep, as a slow lookup would wait, then the
answer for Spain / Madrid) and answers everything else as the real resolver
does. (CPU-bound resolution would also compete for the interpreter lock of
the worker process; keeping each field cheap is the resolver's own bound.)
Before, place resolution ran inside the single SQLite write transaction: one
such batch held every other write for 2 s. The server is the real uvicorn
with padron's protocol, in this process so that the slow resolver can be
injected; both backends.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn

from padron.api.app import create_app
from padron.api.limits import LimitedHttpToolsProtocol
from padron.customers.decode import decode_customers
from padron.customers.service import CustomerService, LocationResolver
from padron.geo.types import NO_LOCATION, Resolution, Sent, StoredLocation
from padron.runtime import Runtime
from tests.serving import free_port

pytestmark = pytest.mark.slow

SLOW_SECONDS = 0.02


class SlowResolver:
    """The real resolver, where a field naming Slowland takes 20 ms and means
    Spain (country) or Madrid (state, city)."""

    def __init__(self, real: LocationResolver) -> None:
        self.real = real

    def resolve(
        self,
        country: Sent,
        state: Sent,
        city: Sent,
        stored: StoredLocation = NO_LOCATION,
        *,
        reject_unresolved: bool = False,
    ) -> Resolution:
        fields = [country, state, city]
        for i, value in enumerate(fields):
            if isinstance(value, str) and value.startswith("Slowland"):
                time.sleep(SLOW_SECONDS)
                fields[i] = "Spain" if i == 0 else "Madrid"
        country, state, city = fields
        return self.real.resolve(country, state, city, stored, reject_unresolved=reject_unresolved)

    def describe(self, field: Any, id: str) -> Any:
        return self.real.describe(field, id)


@pytest.fixture
def slow_server(runtime: Runtime) -> Iterator[tuple[str, str]]:
    slow = SlowResolver(runtime.resolver)
    rt = Runtime(
        runtime.settings,
        runtime.store,
        slow,
        runtime.access,
        CustomerService(runtime.store, slow),
    )
    key = rt.access.create_key("shop").secret
    port = free_port()
    config = uvicorn.Config(
        create_app(rt, close_runtime=False),
        host="127.0.0.1",
        port=port,
        http=LimitedHttpToolsProtocol,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", key
    finally:
        server.should_exit = True
        thread.join(30)


def test_expensive_batches_do_not_slow_another_clients_post(
    slow_server: tuple[str, str],
) -> None:
    url, key = slow_server
    headers = {"X-API-Key": key, "X-API-Version": "1"}
    stop = threading.Event()
    batches = [0]

    def expensive(n: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            i = 0
            while not stop.is_set():
                body = [
                    {"code": f"heavy-{n}-{i}-{j}", "country": f"Slowland {j}", "city": "Slowland"}
                    for j in range(50)
                ]  # 50 customers × 2 slow fields: 2 s of resolving
                r = http.post("/customers", json=body)
                assert r.status_code == 200, r.text[:300]
                batches[0] += 1
                i += 1

    heavy = [threading.Thread(target=expensive, args=(n,), daemon=True) for n in range(4)]
    for t in heavy:
        t.start()
    time.sleep(0.5)  # the batches are being resolved
    latencies = []
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            started = time.monotonic()
            i = 0
            while time.monotonic() - started < 6:
                t0 = time.perf_counter()
                r = http.post("/customers", json={"code": f"light-{i}", "country": "ES"})
                latencies.append(time.perf_counter() - t0)
                assert r.status_code == 201, r.text[:300]
                i += 1
    finally:
        stop.set()
        for t in heavy:
            t.join(30)
    assert batches[0] >= 4, "the expensive batches did not run"
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if len(latencies) >= 100 else latencies[-1]
    print(
        f"single POSTs beside 4 expensive clients: n={len(latencies)} "
        f"median={statistics.median(latencies) * 1000:.1f} ms p99={p99 * 1000:.1f} ms"
    )
    assert p99 < 0.1, f"p99 {p99 * 1000:.0f} ms (n={len(latencies)})"


class StaleReads:
    """A store whose reads outside the write transaction miss every customer, as
    if another client wrote them between the plan and the write."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.stale_reads = 0

    def customers_by_codes(self, project_id: str, codes: Any) -> dict[str, Any]:
        self.stale_reads += 1
        return {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_a_batch_planned_on_rows_that_changed_is_planned_again(runtime: Runtime) -> None:
    if not runtime.store.serial_writes:
        pytest.skip("planned inside the write where a write locks only its own codes")
    project = runtime.access.create_key("shop").project
    (obj,), _ = decode_customers(b'[{"code": "c1", "metadata": {"v": 1}}]')
    first = runtime.customers.ingest(project, [obj])[0]
    stale = StaleReads(runtime.store)
    service = CustomerService(stale, runtime.resolver)
    again = service.ingest(project, [(("code", "c1"), ("yearBorn", 1990))])[0]
    assert stale.stale_reads == 1
    assert again.outcome == "updated", "planned as new on rows that were not current"
    assert again.customer.id == first.customer.id
    assert again.customer.metadata == first.customer.metadata  # omitted keeps
    stored = runtime.store.get_customer(project.id, code="c1")
    assert stored is not None and stored.year_born == 1990 and stored.id == first.customer.id
