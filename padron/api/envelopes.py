"""The JSON shapes padron answers with (API.md), and nothing else.

The PHP SDK reads ``object`` and ``payload.code`` of every answer and
``body[0]`` of every 400, so every 400 is an array and every object has both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import msgspec
from starlette.responses import Response

from padron.customers.model import Customer, Written
from padron.customers.rules import Problem
from padron.customers.service import RejectedCustomer, warning_from
from padron.customers.wire import payload
from padron.ids import iso
from padron.store.records import PlaceAlias
from padron.vocabulary import LOCATION_FIELDS

_encode: Final = msgspec.json.Encoder().encode
JSON: Final = "application/json"


class JSONBody(Response):
    media_type = JSON

    def render(self, content: Any) -> bytes:
        return _encode(content)


def error_object(code: str, description: str) -> dict[str, Any]:
    return {"object": "error", "payload": {"code": code, "description": description}}


def error(
    status: int, code: str, description: str, headers: Mapping[str, str] | None = None
) -> JSONBody:
    """An error answer: a single object, or a one-element array for 400."""
    body: Any = error_object(code, description)
    if status == 400:
        body = [body]
    return JSONBody(body, status_code=status, headers=headers)


def _problem(problem: Problem) -> dict[str, Any]:
    """``{"field", "code", "description"}`` and the problem's places (candidates,
    suggestions): the payload of a field error, and a warning as it is."""
    out: dict[str, Any] = {
        "field": problem.field,
        "code": problem.code,
        "description": problem.description,
    }
    if problem.extra:
        out.update(problem.extra)
    return out


def field_error(problem: Problem) -> dict[str, Any]:
    return {"object": "field_error", "payload": _problem(problem)}


def validation_error(index: int, code: str | None, problems: Sequence[Problem]) -> dict[str, Any]:
    n = len(problems)
    return {
        "object": "validation_error",
        "payload": {
            "code": "invalid_customer",
            "index": index,
            "customerCode": code,
            "description": f"{n} field is invalid" if n == 1 else f"{n} fields are invalid",
            "fieldErrors": [field_error(p) for p in problems],
        },
    }


def rejected(customers: Iterable[RejectedCustomer]) -> JSONBody:
    return JSONBody(
        [validation_error(c.index, c.code, c.problems) for c in customers], status_code=400
    )


def entity(c: Customer, warnings: Sequence[Problem] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "object": "customer",
        "id": c.id,
        "createdAt": iso(c.created_at),
        "updatedAt": iso(c.updated_at),
        "projectId": c.project_id,
        "payload": payload(c),
    }
    if warnings:
        out["warnings"] = [_problem(w) for w in warnings]
    return out


def written_entity(w: Written) -> dict[str, Any]:
    return entity(w.customer, w.warnings)


def ingest_result(written: Sequence[Written]) -> dict[str, Any]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for w in written:
        counts[w.outcome] += 1
    return {
        "object": "ingest_result",
        "payload": {
            "code": "ok",
            "received": len(written),
            **counts,
            "customers": [written_entity(w) for w in written],
        },
    }


def location(result: Any, resolver: Any) -> dict[str, Any]:
    """``GET /locations/resolve``: each canonical id with its place's names."""
    payload: dict[str, Any] = {"code": "ok"}
    for field in LOCATION_FIELDS:
        value = getattr(result, field)
        if value is None:
            payload[field] = None
            continue
        # the city as filed under the state stored beside it (a place filed
        # under two states is named in the one the answer stores)
        place = (
            resolver.describe(field, value, state=result.state)
            if field == "city"
            else resolver.describe(field, value)
        )
        payload[field] = (
            {
                "id": place.id,
                "name": place.name,
                "country": place.country,
                "state": place.state,
                "resolved": True,
            }
            if place is not None
            else {"id": value, "name": None, "country": None, "state": None, "resolved": False}
        )
    out: dict[str, Any] = {"object": "location", "payload": payload}
    if result.warnings:
        out["warnings"] = [_problem(warning_from(w)) for w in result.warnings]
    return out


def alias_entity(a: PlaceAlias, resolver: Any) -> dict[str, Any]:
    """One place alias: what the value means in its context (``place`` named,
    or null with ``keepAsSent``)."""
    place = resolver.describe(a.field, a.place_id) if a.place_id is not None else None
    return {
        "object": "place_alias",
        "id": a.id,
        "createdAt": iso(a.created_at),
        "projectId": a.project_id,
        "payload": {
            "field": a.field,
            "value": a.value,
            "country": a.country,
            "state": a.state,
            "placeId": a.place_id,
            "keepAsSent": a.place_id is None,
            "place": None if place is None else msgspec.structs.asdict(place),
        },
    }


def alias_list(
    aliases: Sequence[PlaceAlias], resolver: Any, next_cursor: str | None = None
) -> dict[str, Any]:
    """A page of aliases, with ``hasMore`` and ``nextCursor`` as the customer list's."""
    return {
        "object": "place_alias_list",
        "payload": {
            "code": "ok",
            "aliases": [alias_entity(a, resolver) for a in aliases],
            "hasMore": next_cursor is not None,
            "nextCursor": next_cursor,
        },
    }


def invalid_alias(problems: Sequence[Problem]) -> JSONBody:
    """400: the alias's field errors, as the customers' are (the PHP SDK reads
    ``body[0].payload.fieldErrors``)."""
    n = len(problems)
    return JSONBody(
        [
            {
                "object": "validation_error",
                "payload": {
                    "code": "invalid_alias",
                    "description": f"{n} field is invalid" if n == 1 else f"{n} fields are invalid",
                    "fieldErrors": [field_error(p) for p in problems],
                },
            }
        ],
        status_code=400,
    )
