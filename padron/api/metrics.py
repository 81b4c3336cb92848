"""``GET /metrics``: padron's counters in the Prometheus text format (prometheus-client).

Series (no label ever carries a project, a key or customer data):

- ``padron_http_requests_total{route, method, status}`` and
  ``padron_http_request_duration_seconds{route, method}`` (histogram, seconds):
  ``route`` is the route's template (``/customers``, ``/locations/aliases/{id}``,
  the dashboard's ``/ui/customers/{customer_id}``, ``/ui/static/{path:path}``),
  or ``other`` for paths padron does not serve, so a scan of random paths or
  ids cannot grow the series.
- ``padron_customers_written_total{outcome}``: created / updated / unchanged.
- ``padron_places_total{field, outcome}``: each country, state and city sent,
  resolved / unresolved (kept as sent, with a warning) / rejected.
- ``padron_database_errors_total``: requests answered 503 because the database failed.

With ``--workers N`` every worker counts into files of a shared folder
(``PROMETHEUS_MULTIPROC_DIR``, set by the parent before the workers start) and
any worker answers ``/metrics`` with the sum. ``PADRON_METRICS=off`` removes the
route.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

from padron.vocabulary import LOCATION_FIELDS

#: The environment variable prometheus-client reads for its multiprocess mode.
MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS: Final = Counter(
    "padron_http_requests",
    "HTTP requests answered, by route, method and status",
    ["route", "method", "status"],
)
LATENCY: Final = Histogram(
    "padron_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, in seconds",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
WRITTEN: Final = Counter("padron_customers_written", "Customers written, by outcome", ["outcome"])
PLACES: Final = Counter(
    "padron_places", "Places sent in customers, by field and outcome", ["field", "outcome"]
)
DATABASE_ERRORS: Final = Counter(
    "padron_database_errors", "Requests answered 503 because the database failed"
)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)


def record_written(sent: Sequence[Any], written: Sequence[Any]) -> None:
    """Count a successful write: ``sent`` are the decoded customers in request
    order (mappings or sequences of key/value pairs), ``written`` the matching
    ``Written`` records."""
    for raw, one in zip(sent, written, strict=False):
        body: Mapping[str, Any] = raw if isinstance(raw, Mapping) else dict(raw)
        WRITTEN.labels(one.outcome).inc()
        unresolved = {w.field for w in one.warnings if w.code == "unresolved"}
        for field in LOCATION_FIELDS:
            if body.get(field) is not None:
                outcome = "unresolved" if field in unresolved else "resolved"
                PLACES.labels(field, outcome).inc()


def record_rejected(customers: Iterable[Any]) -> None:
    """Count the place errors of rejected customers (``RejectedCustomer`` records)."""
    for customer in customers:
        for problem in customer.problems:
            if problem.field in LOCATION_FIELDS:
                PLACES.labels(problem.field, "rejected").inc()


def record_database_error() -> None:
    DATABASE_ERRORS.inc()


def _registry() -> CollectorRegistry | None:
    if not os.environ.get(MULTIPROC_ENV):
        return None
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


async def metrics_endpoint(request: Request) -> Response:
    registry = _registry()
    body = generate_latest(registry) if registry is not None else generate_latest()
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def worker_gone(pid: int) -> None:
    """Forget a dead worker's live series (multiprocess mode only)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
