"""``GET /locations/resolve``: a dry run of the place resolver; nothing is stored."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from padron.api import envelopes
from padron.api.context import Context
from padron.api.envelopes import JSONBody
from padron.api.errors import Refusal
from padron.customers.rules import check_places
from padron.customers.service import problem_from
from padron.geo.types import OMITTED, Sent
from padron.vocabulary import LOCATION_FIELDS


async def resolve_location(ctx: Context, request: Request) -> Response:
    """The ``location`` of ``?country=&state=&city=`` (any valid key), or a 400
    ``validation_error`` with the resolver's field errors."""
    _, project = await ctx.gate.authorize(request, None)
    params = request.query_params
    unknown = sorted(set(params) - set(LOCATION_FIELDS))
    if unknown:
        raise Refusal(
            400,
            "invalid_query",
            f"unknown query parameter {unknown[0]!r}; use country, state, city",
        )
    sent: dict[str, Sent] = {f: params.get(f, OMITTED) for f in LOCATION_FIELDS}
    # The field rules of POST first: what a POST refuses (a control character, a
    # lone surrogate, over 255 characters) is refused here too.
    refused = check_places(sent["country"], sent["state"], sent["city"])
    if refused:
        return JSONBody([envelopes.validation_error(0, None, refused)], status_code=400)
    # Off the event loop: resolving can take milliseconds that others would wait for.
    result = await run_in_threadpool(
        ctx.customers.resolve_location, project, sent["country"], sent["state"], sent["city"]
    )
    if result.errors:
        problems = [problem_from(e) for e in result.errors]
        return JSONBody([envelopes.validation_error(0, None, problems)], status_code=400)
    return JSONBody(envelopes.location(result, ctx.resolver))
