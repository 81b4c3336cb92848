"""``GET /customers`` (the list), ``GET /customers/changes`` (the change feed,
with long polling) and ``GET /customers/changes/latest`` (API.md).

The handlers take the request and the project of an authorized key (the app
checks the key and the ``depotFetch`` permission) and call the customer
service; they know nothing of SQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from padron.api import envelopes
from padron.api.envelopes import JSONBody, error
from padron.customers.cursors import InvalidCursor
from padron.customers.model import Project
from padron.customers.queries import QueryError, parse_changes, parse_list
from padron.customers.reading import ChangePage, CursorExpired
from padron.customers.service import CustomerService, Rejected
from padron.ids import iso
from padron.store.changes import Change

#: A reading handler: the request, the key's project, the service.
Handler = Callable[[Request, Project, CustomerService], Awaitable[Response]]


def change_entity(c: Change) -> dict[str, Any]:
    """One change as the wire shows it (API.md, "GET /customers/changes")."""
    return {
        "object": "change",
        "payload": {
            "type": c.type,
            "at": iso(c.at),
            "customerId": c.customer_id,
            "customerCode": c.code,
            "customer": envelopes.entity(c.customer) if c.customer is not None else None,
        },
    }


def _change_list(page: ChangePage) -> dict[str, Any]:
    return {
        "object": "change_list",
        "payload": {
            "code": "ok",
            "hasMore": page.has_more,
            "nextCursor": page.next_cursor,
            "changes": [change_entity(c) for c in page.changes],
        },
    }


async def list_customers(request: Request, project: Project, service: CustomerService) -> Response:
    """``GET /customers`` without code or id: one page of the filtered list."""
    try:
        query = parse_list(request.query_params.multi_items())
        page = await run_in_threadpool(service.list_customers, project, query)
    except QueryError as exc:
        return error(400, exc.code, exc.description)
    except InvalidCursor as exc:
        return error(400, "invalid_cursor", str(exc))
    except Rejected as exc:
        return envelopes.rejected(exc.customers)
    return JSONBody(
        {
            "object": "customer_list",
            "payload": {
                "code": "ok",
                "customers": [envelopes.entity(c) for c in page.customers],
                "hasMore": page.next_cursor is not None,
                "nextCursor": page.next_cursor,
            },
        }
    )


async def _client_gone(request: Request) -> None:
    """Returns when the client hangs up (the ASGI server says so through receive)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def changes(request: Request, project: Project, service: CustomerService) -> Response:
    """``GET /customers/changes``: the changes after a cursor; with ``wait``,
    held until one commits or the time is up. A client that hangs up while
    held costs nothing further: the wait ends at once."""
    try:
        query = parse_changes(request.query_params.multi_items())
        token = await run_in_threadpool(service.change_token, project) if query.wait else None
        page = await run_in_threadpool(service.changes, project, query)
        if page.changes or token is None:
            return JSONBody(_change_list(page))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + query.wait
        query = dataclasses.replace(query, after=page.next_cursor)
        gone = asyncio.ensure_future(_client_gone(request))
        try:
            while (remaining := deadline - loop.time()) > 0:
                woken = asyncio.ensure_future(service.wait_for_change(project, token, remaining))
                await asyncio.wait({woken, gone}, return_when=asyncio.FIRST_COMPLETED)
                if gone.done():
                    woken.cancel()
                    return Response(status_code=204)  # nobody is left to read it
                token = service.change_token(project)
                page = await run_in_threadpool(service.changes, project, query)
                if page.changes:
                    break
        finally:
            gone.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await gone
        return JSONBody(_change_list(page))
    except QueryError as exc:
        return error(400, exc.code, exc.description)
    except InvalidCursor as exc:
        return error(400, "invalid_cursor", str(exc))
    except CursorExpired as exc:
        return error(410, "cursor_expired", str(exc))


async def latest(request: Request, project: Project, service: CustomerService) -> Response:
    """``GET /customers/changes/latest``: the cursor to follow from now."""
    unknown = sorted(request.query_params)
    if unknown:
        return error(400, "invalid_query", f"unknown query parameter {unknown[0][:60]!r}")
    cursor = await run_in_threadpool(service.latest_change_cursor, project)
    return JSONBody({"object": "change_cursor", "payload": {"code": "ok", "nextCursor": cursor}})
