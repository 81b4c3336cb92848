"""``/customers``: create or update (POST), read (GET, HEAD) and delete (DELETE)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from padron.api import envelopes, metrics, reading
from padron.api.context import Context
from padron.api.envelopes import JSONBody
from padron.api.errors import Refusal
from padron.api.incoming import lookup_query, read_body
from padron.customers.decode import decode_customers
from padron.customers.model import Written
from padron.customers.service import Rejected

METHODS = ["POST", "GET", "DELETE"]


async def endpoint(ctx: Context, request: Request) -> Response:
    """One route for the three methods, so that a 405 names them all in Allow.
    (HEAD is answered as GET, as Starlette does for every GET route.)"""
    if request.method == "POST":
        return await post_customers(ctx, request)
    if request.method == "DELETE":
        return await delete_customer(ctx, request)
    return await get_customer(ctx, request)


async def post_customers(ctx: Context, request: Request) -> Response:
    """201 with the customer created, 200 when updated or unchanged, or an
    ``ingest_result`` for an array; raises what :func:`padron.api.errors.answer` maps."""
    _, project = await ctx.gate.authorize(request, "depotIngest")
    body = await read_body(request, ctx.settings.max_body_bytes)

    def decode_and_ingest() -> tuple[list[Written], bool]:
        # Decoding a large body takes milliseconds: off the event loop, with the write.
        objects, batch = decode_customers(body)
        written = ctx.customers.ingest(project, objects)
        metrics.record_written(objects, written)
        return written, batch

    try:
        written, batch = await run_in_threadpool(decode_and_ingest)
    except Rejected as exc:
        metrics.record_rejected(exc.customers)
        raise
    if batch:
        return JSONBody(envelopes.ingest_result(written))
    one = written[0]
    return JSONBody(
        envelopes.written_entity(one), status_code=201 if one.outcome == "created" else 200
    )


async def get_customer(ctx: Context, request: Request) -> Response:
    _, project = await ctx.gate.authorize(request, "depotFetch")
    if "code" not in request.query_params and "id" not in request.query_params:
        return await reading.list_customers(request, project, ctx.customers)
    code, id_ = lookup_query(request)
    if ctx.inline_reads:
        # A SQLite point read by key (tens of µs; WAL readers never wait for the
        # writer) costs less on the event loop than a hop to the threadpool.
        found = ctx.customers.get(project, code=code, id=id_)
    else:
        found = await run_in_threadpool(lambda: ctx.customers.get(project, code=code, id=id_))
    if found is None:
        raise _not_found(code)
    return JSONBody(envelopes.entity(found))


async def delete_customer(ctx: Context, request: Request) -> Response:
    _, project = await ctx.gate.authorize(request, "depotDelete")
    code, id_ = lookup_query(request)
    gone = await run_in_threadpool(lambda: ctx.customers.delete(project, code=code, id=id_))
    if gone is None:
        raise _not_found(code)
    body = envelopes.entity(gone)
    body["deleted"] = True
    return JSONBody(body)


def fetching(ctx: Context, handler: reading.Handler) -> Callable[[Request], Awaitable[Response]]:
    """A read-side endpoint (``/customers/changes``…) behind the depotFetch permission."""

    async def endpoint(request: Request) -> Response:
        _, project = await ctx.gate.authorize(request, "depotFetch")
        return await handler(request, project, ctx.customers)

    return endpoint


def _not_found(code: str | None) -> Refusal:
    return Refusal(
        404,
        "customer_not_found",
        "check the code or id: no customer with that " + ("code" if code is not None else "id"),
    )
