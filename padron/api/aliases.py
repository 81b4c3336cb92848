"""``/locations/aliases``: the project's place aliases (list, add, remove).

Permission ``depotIngest`` for all three: an alias changes how the project's
customers are written. Adding one re-resolves at once the customers that carry
the value (they appear in the change feed as updates); removing one affects
future resolutions only.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from padron.api import envelopes
from padron.api.context import Context
from padron.api.envelopes import JSONBody, error
from padron.api.incoming import read_body
from padron.customers.aliases import AliasError, AliasService
from padron.customers.cursors import InvalidCursor
from padron.customers.decode import BodyError, decode_json
from padron.customers.queries import QueryError, parse_page
from padron.customers.rules import Problem

PERMISSION: Final = "depotIngest"
METHODS: Final = ["GET", "POST"]
#: The keys of POST's body: the domain's names on the wire.
_KEYS: Final = {
    "field": "field",
    "value": "value",
    "country": "country",
    "state": "state",
    "placeId": "place_id",
}


def _service(ctx: Context) -> AliasService:
    return AliasService(ctx.customers)


async def endpoint(ctx: Context, request: Request) -> Response:
    """One route for GET and POST, so that a 405 names both in Allow."""
    if request.method == "POST":
        return await add_alias(ctx, request)
    return await list_aliases(ctx, request)


async def list_aliases(ctx: Context, request: Request) -> Response:
    """200 ``place_alias_list``: a page of the key's project's aliases, newest
    first (``limit`` 1–1000, default 100; ``cursor``: the ``nextCursor`` of
    the page before). 400 ``invalid_query`` (an unknown or repeated parameter,
    a bad limit) or ``invalid_cursor``."""
    _, project = await ctx.gate.authorize(request, PERMISSION)
    try:
        limit, cursor = parse_page(request.query_params.multi_items())
        page = await run_in_threadpool(_service(ctx).page, project, limit, cursor)
    except QueryError as exc:
        return error(400, exc.code, exc.description)
    except InvalidCursor as exc:
        return error(400, "invalid_cursor", str(exc))
    return JSONBody(envelopes.alias_list(page.aliases, ctx.resolver, page.next_cursor))


def _arguments(body: bytes) -> dict[str, Any]:
    """POST's body as the service's keyword arguments.

    :raises BodyError: not a JSON object. :raises AliasError: unknown or doubled
        keys, or ``placeId`` left out (null says "keep as sent")."""
    doc = decode_json(body) if body.strip() else None
    if not isinstance(doc, tuple):
        raise BodyError(
            "invalid_body",
            'the body must be one alias object: {"field": "city", "value": …, "country": …, '
            '"state": …, "placeId": "Q…" or null}',
        )
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for key, value in doc:
        name = _KEYS.get(key)
        if name is None:
            problems.append(
                Problem(
                    str(key)[:64],
                    "unknown_field",
                    f"unknown field {str(key)[:64]!r}; the fields are " + ", ".join(_KEYS),
                )
            )
        elif name in out:
            problems.append(Problem(key, "invalid_value", f"{key!r} is sent twice; send it once"))
        else:
            out[name] = value
    if "place_id" not in out:
        problems.append(
            Problem(
                "placeId",
                "required",
                "placeId is required: the place's id, or null to keep the value as sent",
            )
        )
    if problems:
        raise AliasError(problems)
    return out


async def add_alias(ctx: Context, request: Request) -> Response:
    """201 with the alias created (200 when it replaced the alias of the same
    value and context), plus ``reresolved``: the customers updated at once.
    Raises what :func:`padron.api.errors.answer` maps (400 ``invalid_alias``)."""
    _, project = await ctx.gate.authorize(request, PERMISSION)
    body = await read_body(request, ctx.settings.max_body_bytes)

    def add() -> Any:
        return _service(ctx).add(project, **_arguments(body))

    added = await run_in_threadpool(add)
    out = envelopes.alias_entity(added.alias, ctx.resolver)
    out["reresolved"] = added.reresolved
    return JSONBody(out, status_code=201 if added.created else 200)


async def remove_alias(ctx: Context, request: Request) -> Response:
    """200 with the alias as it was, plus ``"deleted": true``; 404
    ``alias_not_found``."""
    _, project = await ctx.gate.authorize(request, PERMISSION)
    alias_id = request.path_params["id"]
    gone = await run_in_threadpool(_service(ctx).remove, project, alias_id)
    out = envelopes.alias_entity(gone, ctx.resolver)
    out["deleted"] = True
    return JSONBody(out)
