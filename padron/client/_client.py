"""The client: ``Client(base_url, key)`` and its ``customers``, ``locations`` and ``status``."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, overload

import msgspec

from padron.client._errors import ClientError, ServerError, TransportError, Unavailable
from padron.client._models import Change, Customer, IngestResult, Location, Status
from padron.client._transport import USER_AGENT, Transport
from padron.customers.codes import normalise_code

MAX_BATCH: Final = 100
API_VERSION: Final = "1"
_encode: Final = msgspec.json.Encoder().encode


def _body(value: Any) -> bytes:
    try:
        return _encode(value)
    except (msgspec.EncodeError, TypeError) as exc:
        raise TypeError(f"the customer cannot be sent as JSON: {exc}") from None


def _lookup(code: str | None, id: str | None) -> dict[str, str]:
    if (code is None) == (id is None):
        raise TypeError("give exactly one of code= and id=")
    if code is not None:
        return {"code": normalise_code(code) if isinstance(code, str) else code}
    return {"id": id}  # type: ignore[dict-item]


def _customer(customer: Mapping[str, Any]) -> Mapping[str, Any]:
    """A customer to send, its code normalised as the server stores it (NFC,
    trimmed), so that a server of the same API that does not normalise still
    sees one code for one customer."""
    code = customer.get("code")
    if isinstance(code, str):
        normal = normalise_code(code)
        if normal != code:
            return {**customer, "code": normal}
    return customer


class Client:
    """A padron server (or any server of the Biteral API v1 customers endpoints).

    ``retries`` is how many times a request is tried again after a 429/503 or a
    failed connection (see :mod:`padron.client._transport` for which requests);
    ``backoff`` is the first wait in seconds when the server gives no
    ``Retry-After``, doubling each time up to ``max_wait``. A ``Retry-After``
    over ``max_wait`` is not waited for: the error is raised.

    The client keeps connections alive; close it (or use it as a context
    manager) when done. It may be shared between threads.
    """

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if not key:
            raise ValueError("an API key is required")
        self.base_url = base_url
        self._transport = Transport(
            base_url,
            {
                "X-API-Key": key,
                "X-API-Version": API_VERSION,
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_wait=max_wait,
            ssl_context=ssl_context,
        )
        self.customers = Customers(self._transport, timeout)
        self.locations = Locations(self._transport)

    def status(self) -> Status:
        """``GET /status``: the key's client id, project, permissions and the server's versions."""
        return Status.from_json(self._transport.request("GET", "/status", idempotent=True).body)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


#: The list's filters by their Python names (API.md, "GET /customers").
_FILTERS: Final = {
    "is_active": "isActive",
    "country": "country",
    "state": "state",
    "city": "city",
    "updated_since": "updatedSince",
    "updated_before": "updatedBefore",
    "unresolved": "unresolved",
    "code_prefix": "codePrefix",
}


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


class ChangeStream:
    """The changes of ``Customers.iter_changes``, one at a time. ``cursor`` is
    where to resume: after the last change of every page fully yielded (a
    consumer that stops inside a page sees that page's rest again)."""

    def __init__(
        self, customers: Customers, after: str | None, follow: bool, page: int, wait: float
    ) -> None:
        self._customers = customers
        self.cursor = after
        self._follow = follow
        self._page = page
        self._wait = wait

    def __iter__(self) -> Iterator[Change]:
        pause = 0.1
        while True:
            query = {"limit": str(self._page)}
            if self.cursor is not None:
                query["after"] = self.cursor
            if self._follow:
                query["wait"] = f"{self._wait:g}"
            try:
                answer = self._customers._t.request(
                    "GET", "/customers/changes", query=query, idempotent=True
                )
            except (TransportError, Unavailable, ServerError):
                if not self._follow:
                    raise
                # Following: the server restarts or the network drops; try again
                # from the same cursor, so nothing is skipped or seen twice.
                time.sleep(pause)
                pause = min(pause * 2, 5.0)
                continue
            pause = 0.1
            payload = (answer.body or {}).get("payload") or {}
            for item in payload.get("changes") or ():
                yield Change.from_json(item)
            self.cursor = str(payload.get("nextCursor"))
            if not payload.get("hasMore") and not self._follow:
                return


class Customers:
    def __init__(self, transport: Transport, timeout: float = 30.0) -> None:
        self._t = transport
        self._timeout = timeout

    def iter_customers(self, *, page_size: int = 1000, **filters: Any) -> Iterator[Customer]:
        """Every customer that passes ``filters``, in code order, page by page.

        Filters: ``is_active`` (bool), ``country`` / ``state`` / ``city`` (any
        form POST accepts), ``updated_since`` / ``updated_before`` (datetime or
        ISO 8601 text), ``unresolved`` (bool), ``code_prefix``. A customer that
        exists for the whole walk is yielded exactly once, whatever is written
        meanwhile. A place that does not resolve raises :class:`ValidationFailed`.
        """
        unknown = sorted(set(filters) - set(_FILTERS))
        if unknown:
            raise TypeError(f"unknown filter {unknown[0]!r}; use {', '.join(_FILTERS)}")
        query = {_FILTERS[k]: _query_value(v) for k, v in filters.items() if v is not None}
        query["limit"] = str(page_size)
        while True:
            answer = self._t.request("GET", "/customers", query=query, idempotent=True)
            payload = (answer.body or {}).get("payload") or {}
            for entity in payload.get("customers") or ():
                yield Customer.from_json(entity)
            cursor = payload.get("nextCursor")
            if not cursor:
                return
            query["cursor"] = str(cursor)

    def iter_changes(
        self,
        *,
        after: str | None = None,
        follow: bool = False,
        page_size: int = 100,
        wait: float | None = None,
    ) -> ChangeStream:
        """The project's changes after the cursor ``after`` (None: from the
        oldest kept), in commit order. ``follow``: never end; long-poll for new
        changes (``wait`` seconds a request, below the client's timeout) and
        reconnect from the same cursor when the server is away. A cursor older
        than the changes kept raises :class:`ClientError` with status 410
        (``cursor_expired``): read the list again."""
        held = wait if wait is not None else max(1.0, min(25.0, self._timeout - 5.0))
        return ChangeStream(self, after, follow, page_size, held)

    def latest_cursor(self) -> str:
        """The cursor of the latest change: ``iter_changes(after=…)`` follows from now."""
        answer = self._t.request("GET", "/customers/changes/latest", idempotent=True)
        return str(((answer.body or {}).get("payload") or {}).get("nextCursor"))

    @overload
    def ingest(self, customers: Mapping[str, Any]) -> Customer: ...

    @overload
    def ingest(self, customers: Sequence[Mapping[str, Any]]) -> IngestResult: ...

    def ingest(
        self, customers: Mapping[str, Any] | Sequence[Mapping[str, Any]]
    ) -> Customer | IngestResult:
        """Create or update: one customer (a mapping) → the stored :class:`Customer`;
        a list of 1 to 100 → an :class:`IngestResult`. Invalid customers raise
        :class:`ValidationFailed` and nothing is written."""
        if isinstance(customers, Mapping):
            body = _body(_customer(customers))
            answer = self._t.request("POST", "/customers", body=body, idempotent=False)
            return Customer.from_json(answer.body)
        if isinstance(customers, str | bytes) or not isinstance(customers, Sequence):
            raise TypeError("ingest takes a customer mapping or a list of them")
        if not 1 <= len(customers) <= MAX_BATCH:
            raise ValueError(
                f"a batch holds 1 to {MAX_BATCH} customers, not {len(customers)}; "
                "use customers.batch() for more"
            )
        body = _body([_customer(c) if isinstance(c, Mapping) else c for c in customers])
        answer = self._t.request("POST", "/customers", body=body, idempotent=False)
        return IngestResult.from_json(answer.body)

    def get(self, *, code: str | None = None, id: str | None = None) -> Customer:
        """The stored customer; :class:`NotFound` when there is none."""
        answer = self._t.request("GET", "/customers", query=_lookup(code, id), idempotent=True)
        return Customer.from_json(answer.body)

    def delete(self, *, code: str | None = None, id: str | None = None) -> Customer:
        """Delete and return the customer as it was (``deleted`` is True)."""
        answer = self._t.request("DELETE", "/customers", query=_lookup(code, id), idempotent=True)
        return Customer.from_json(answer.body)

    def batch(self, size: int = MAX_BATCH) -> CustomerBatch:
        """A session that sends customers in batches of ``size`` (at most 100)::

        with client.customers.batch() as batch:
            for row in rows:
                batch.add(row)
        print(batch.created, batch.updated, batch.unchanged)
        """
        return CustomerBatch(self, size)


class CustomerBatch:
    """Groups customers into batches: each ``size`` added are sent at once; the rest
    when the ``with`` block ends (not when it ends with an exception) or on ``flush()``.

    A batch the server refuses raises :class:`ValidationFailed` from the ``add``
    or ``flush`` that sent it; nothing of that batch was written, and its
    customers are in ``rejected_batch`` to fix and add again.
    """

    def __init__(self, customers: Customers, size: int = MAX_BATCH) -> None:
        if not 1 <= size <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} customers, not {size}")
        self._customers = customers
        self.size = size
        self.pending: list[Mapping[str, Any]] = []
        self.rejected_batch: list[Mapping[str, Any]] = []
        self.results: list[IngestResult] = []
        self.sent = 0
        self.created = 0
        self.updated = 0
        self.unchanged = 0

    def add(self, customer: Mapping[str, Any]) -> None:
        if not isinstance(customer, Mapping):
            raise TypeError("add takes one customer mapping")
        self.pending.append(customer)
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> IngestResult | None:
        if not self.pending:
            return None
        batch, self.pending = self.pending, []
        try:
            result = self._customers.ingest(batch)
        except ClientError:
            self.rejected_batch = batch
            raise
        self.results.append(result)
        self.sent += result.received
        self.created += result.created
        self.updated += result.updated
        self.unchanged += result.unchanged
        return result

    def __enter__(self) -> CustomerBatch:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.flush()


class Locations:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def resolve(
        self,
        *,
        country: str | int | None = None,
        state: str | int | None = None,
        city: str | None = None,
    ) -> Location:
        """Resolve a location without storing anything; ambiguous or unknown places
        raise :class:`ValidationFailed` with the candidates in the field errors."""
        query = {
            name: str(value)
            for name, value in (("country", country), ("state", state), ("city", city))
            if value is not None
        }
        answer = self._t.request("GET", "/locations/resolve", query=query, idempotent=True)
        return Location.from_json(answer.body)
