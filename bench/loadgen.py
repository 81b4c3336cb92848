"""An HTTP/1.1 load generator with pre-encoded requests, run as its own process.

    python bench/loadgen.py REQUESTS_FILE --port P --duration S [--connections C]
                                          [--rate R] [--out result.json]

``REQUESTS_FILE`` holds complete pre-encoded requests (msgspec-encoded list of
bytes, each a whole HTTP/1.1 request with keep-alive). Closed loop (default):
``C`` connections send back to back, cycling through the requests, for
``S`` seconds: the saturating load. Open loop (``--rate R``): request i is due
at ``start + i/R`` and its latency counts from that moment (no coordinated
omission: a late server shows up in the latency, not in a slower sender).

It writes a JSON object: requests, errors (status >= 400 or broken), elapsed
seconds, latencies (p50, p90, p99, max, in ms), statuses, and the client's own
CPU seconds (to show that it is not the bottleneck).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import sys
import time
from pathlib import Path
from typing import Any

import msgspec


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    at = lower.find(b"content-length:")
    if at >= 0:
        end = lower.find(b"\r\n", at)
        length = int(lower[at + 15 : end])
        if length:
            await reader.readexactly(length)
    elif b"transfer-encoding: chunked" in lower:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


async def run(
    requests: list[bytes], port: int, duration: float, connections: int, rate: float | None
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    counter = 0
    start = time.perf_counter()
    stop_at = start + duration

    async def worker() -> None:
        nonlocal counter, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                i = counter
                counter += 1
                if rate is not None:
                    due = start + i / rate
                    if due >= stop_at:
                        return
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    t0 = due
                else:
                    t0 = time.perf_counter()
                    if t0 >= stop_at:
                        return
                writer.write(requests[i % len(requests)])
                try:
                    status = await _read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status >= 400:
                    errors += 1
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    cpu0 = _cpu()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    cpu = _cpu() - cpu0
    latencies.sort()
    ms = [x * 1000 for x in latencies]
    return {
        "requests": len(latencies),
        "errors": errors,
        "elapsed": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1] if ms else float("nan"),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "client_cpu_s": cpu,
        "client_cpu_share": cpu / elapsed,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("requests_file")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--rate", type=float)
    ap.add_argument("--out")
    args = ap.parse_args()
    requests = msgspec.msgpack.decode(Path(args.requests_file).read_bytes(), type=list[bytes])
    coro = run(requests, args.port, args.duration, args.connections, args.rate)
    try:
        import uvloop

        result = uvloop.run(coro)
    except ImportError:
        result = asyncio.run(coro)
    text = msgspec.json.encode(result)
    if args.out:
        Path(args.out).write_bytes(text)
    else:
        sys.stdout.buffer.write(text + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
