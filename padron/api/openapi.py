"""The OpenAPI 3.1 description of padron's HTTP API (API.md in machine form).

Served at ``GET /openapi.json`` (no key needed) with
``Route("/openapi.json", openapi_endpoint, methods=["GET"])``; fuzzers such as
schemathesis and client generators read it.
"""

from __future__ import annotations

import time
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from padron import __version__
from padron.api.envelopes import JSONBody
from padron.vocabulary import FIELDS

_NULLABLE_STRING: Final = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS: Final = {
    "400": _json(_ref("ErrorList"), "the request is invalid: always an array"),
    "401": _json(_ref("Error"), "missing or unknown API key (invalid_api_key)"),
    "403": _json(_ref("Error"), "the key lacks the permission (permission_denied)"),
    "429": _json(_ref("Error"), "rate limited (rate_limited), with Retry-After"),
    "503": _json(_ref("Error"), "the storage is unavailable (unavailable)"),
}

#: Text with at least one character that is not white space, and no control characters
#: (what the field rules accept: they trim, and refuse what is empty after trimming).
_CONTROL: Final = "\\u0000-\\u001f\\u007f-\\u009f"
_TEXT: Final = f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$"
_NON_EMPTY: Final = {"type": "string", "minLength": 1, "pattern": _TEXT}

_CUSTOMER_ID: Final = {"type": "string", "pattern": "^cus_[0-9A-Za-z]{14}$"}
#: code and id are two query parameters that exclude each other. OpenAPI has no way to
#: say that of separate parameters, so they are the properties of one query object
#: (style form, exploded: each property is its own ``name=value`` pair on the wire)
#: whose schema says it: exactly one of them.
_BY_CODE: Final = {
    "title": "by code",
    "type": "object",
    "required": ["code"],
    "properties": {"code": {**_NON_EMPTY, "description": "the customer's code"}},
    "not": {"required": ["id"]},
}
_BY_ID: Final = {
    "title": "by id",
    "type": "object",
    "required": ["id"],
    "properties": {"id": {**_CUSTOMER_ID, "description": "the customer's id"}},
    "not": {"required": ["code"]},
}


def _query_object(description: str, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    return {
        "name": "query",
        "in": "query",
        "required": required,
        "style": "form",
        "explode": True,
        "description": description,
        "schema": schema,
    }


_LOOKUP: Final = _query_object(
    "exactly one of code (the customer's code) and id (its cus_ id), e.g. "
    "?code=D314K1432 or ?id=cus_C0fCLwecMysLj9; both together are refused (400 invalid_query)",
    {"type": "object", "oneOf": [_BY_CODE, _BY_ID]},
    required=True,
)

_LOCATION: Final = {
    "description": "a name in any language the data carries, an ISO code or a Wikidata id",
    "oneOf": [{**_NON_EMPTY, "maxLength": 255}, {"type": "integer"}, {"type": "null"}],
}


def _years() -> str:
    """A pattern for the years from 1900 to this one, written as digits."""
    this_year = time.gmtime().tm_year
    return "^(" + "|".join(str(y) for y in range(1900, this_year + 1)) + ")$"


_YEAR: Final = {
    "description": "from 1900 to the current year; digits in a string are read as the number",
    "oneOf": [
        {"type": "integer", "minimum": 1900, "maximum": time.gmtime().tm_year},
        {"type": "string", "pattern": _years()},
        {"type": "null"},
    ],
}
_GENDER: Final = {
    "description": "0 unknown, 1 male, 2 female, 3 other (also as a string of that digit)",
    "enum": [0, 1, 2, 3, "0", "1", "2", "3", None],
}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


_LIMIT_SCHEMA: Final = {"type": "integer", "minimum": 1, "maximum": 1000}
_LIMIT: Final = _query("limit", "page size (default 100)", _LIMIT_SCHEMA)
_PLACE_FILTER: Final = {
    **_NON_EMPTY,
    "maxLength": 255,
    "examples": ["ES", "Spain", "ESP", "724", "Q29"],
}
_TIME: Final = {
    "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}]
}
#: The list's filters (GET /customers without code or id); see docs/api.md. A place
#: the data does not know (country=Narnia) is refused 400 like an unknown country in POST.
_LIST_FILTERS: Final = {
    "title": "a page of the list",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "isActive": {"type": "boolean", "description": "true or false"},
        "country": {
            **_PLACE_FILTER,
            "description": "any form POST accepts (Spain, ES, ESP, 724, Q29)",
        },
        "state": {
            **_PLACE_FILTER,
            "description": "any form POST accepts",
            "examples": ["ES-B", "Bayern"],
        },
        "city": {
            **_PLACE_FILTER,
            "description": "any form POST accepts",
            "examples": ["Q11492", "Madrid"],
        },
        "updatedSince": {**_TIME, "description": "ISO 8601 date or time, inclusive"},
        "updatedBefore": {**_TIME, "description": "ISO 8601 date or time, exclusive"},
        "unresolved": {
            "type": "boolean",
            "description": "true: only customers with a place kept as sent",
        },
        "codePrefix": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "description": "codes that start with this text (any text: a prefix no code has "
            "finds nothing)",
        },
        "limit": {**_LIMIT_SCHEMA, "description": "page size (default 100)"},
        "cursor": {
            "type": "string",
            "description": "nextCursor of the previous page (opaque: any other text is "
            "refused, 400 invalid_cursor)",
        },
    },
}
_GET_QUERY: Final = _query_object(
    "code or id (exactly one): that customer, and any other parameter is ignored; neither: "
    "a page of the list, filtered by the list's parameters (no others)",
    {"type": "object", "oneOf": [_BY_CODE, _BY_ID, _LIST_FILTERS]},
    required=False,
)
_GONE: Final = _json(_ref("Error"), "the cursor is older than the changes kept (cursor_expired)")

SCHEMA: Final[dict[str, Any]] = {
    "openapi": "3.1.0",
    "info": {
        "title": "padron",
        "version": __version__,
        "description": "The Biteral API v1 customers endpoints: see API.md.",
    },
    "components": {
        "securitySchemes": {
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        },
        "parameters": {
            "version": {
                "name": "X-API-Version",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "enum": ["1"]},
            },
        },
        "schemas": {
            "CustomerIn": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code"],
                "properties": {
                    "code": {
                        "description": "the customer's code in the project (an integer is read "
                        "as its digits); stored trimmed, in Unicode NFC",
                        "oneOf": [{**_NON_EMPTY, "maxLength": 255}, {"type": "integer"}],
                    },
                    "isActive": {"type": ["boolean", "null"]},
                    "country": _LOCATION,
                    "state": _LOCATION,
                    "city": _LOCATION,
                    # Whole numbers also as digit strings and zero fractions ("2", 2.0).
                    "yearBorn": _YEAR,
                    "gender": _GENDER,
                    # [] is PHP's empty map: read as {}.
                    "metadata": {
                        "oneOf": [
                            {"type": ["object", "null"]},
                            {"type": "array", "maxItems": 0},
                        ]
                    },
                },
            },
            "Payload": {
                "type": "object",
                "required": list(FIELDS),
                "properties": {
                    "code": {"type": "string"},
                    "isActive": {"type": "boolean"},
                    "country": _NULLABLE_STRING,
                    "state": _NULLABLE_STRING,
                    "city": _NULLABLE_STRING,
                    "yearBorn": {"type": ["integer", "null"]},
                    "gender": {"type": ["integer", "null"]},
                    "metadata": {"type": ["object", "null"]},
                },
            },
            "Customer": {
                "type": "object",
                "required": ["object", "id", "createdAt", "updatedAt", "projectId", "payload"],
                "properties": {
                    "object": {"const": "customer"},
                    "id": {"type": "string", "pattern": "^cus_[0-9A-Za-z]{14}$"},
                    "createdAt": {"type": "string"},
                    "updatedAt": {"type": "string"},
                    "projectId": {"type": "string"},
                    "payload": _ref("Payload"),
                    "deleted": {"type": "boolean"},
                    "warnings": {"type": "array", "items": _ref("Warning")},
                },
            },
            "Place": {
                "type": "object",
                "description": "a place of the index, as in candidates and suggestions",
                "required": ["id", "name", "country", "state"],
                "properties": {
                    "id": {"type": "string", "description": "alpha-3, ISO 3166-2 or Wikidata id"},
                    "name": {"type": "string", "description": "English name"},
                    "country": _NULLABLE_STRING,
                    "state": _NULLABLE_STRING,
                },
            },
            "Warning": {
                "type": "object",
                "description": "a place the resolver kept as sent or chose; never rejects. "
                "unresolved carries suggestions; ambiguous, chosen, state_mismatch, "
                "prominence and spelling carry candidates (the places in question or "
                "passed over)",
                "required": ["field", "code", "description"],
                "properties": {
                    "field": {"enum": ["country", "state", "city"]},
                    "code": {"type": "string"},
                    "description": {"type": "string"},
                    "candidates": {"type": "array", "items": _ref("Place")},
                    "suggestions": {"type": "array", "items": _ref("Place")},
                },
            },
            "PlaceAlias": {
                "type": "object",
                "required": ["object", "id", "createdAt", "projectId", "payload"],
                "properties": {
                    "object": {"const": "place_alias"},
                    "id": {"type": "string", "pattern": "^pal_[0-9A-Za-z]{14}$"},
                    "createdAt": {"type": "string"},
                    "projectId": {"type": "string"},
                    "payload": {
                        "type": "object",
                        "required": [
                            "field",
                            "value",
                            "country",
                            "state",
                            "placeId",
                            "keepAsSent",
                            "place",
                        ],
                        "properties": {
                            "field": {"enum": ["state", "city"]},
                            "value": {"type": "string"},
                            "country": {"type": "string"},
                            "state": _NULLABLE_STRING,
                            "placeId": _NULLABLE_STRING,
                            "keepAsSent": {"type": "boolean"},
                            "place": {"oneOf": [_ref("Place"), {"type": "null"}]},
                        },
                    },
                    "reresolved": {"type": "integer", "minimum": 0},
                    "deleted": {"type": "boolean"},
                },
            },
            "PlaceAliasList": {
                "type": "object",
                "required": ["object", "payload"],
                "properties": {
                    "object": {"const": "place_alias_list"},
                    "payload": {
                        "type": "object",
                        "required": ["code", "aliases", "hasMore", "nextCursor"],
                        "properties": {
                            "code": {"const": "ok"},
                            "aliases": {"type": "array", "items": _ref("PlaceAlias")},
                            "hasMore": {"type": "boolean"},
                            "nextCursor": _NULLABLE_STRING,
                        },
                    },
                },
            },
            "IngestResult": {
                "type": "object",
                "required": ["object", "payload"],
                "properties": {
                    "object": {"const": "ingest_result"},
                    "payload": {
                        "type": "object",
                        "required": [
                            "code",
                            "received",
                            "created",
                            "updated",
                            "unchanged",
                            "customers",
                        ],
                        "properties": {
                            "code": {"const": "ok"},
                            "received": {"type": "integer"},
                            "created": {"type": "integer"},
                            "updated": {"type": "integer"},
                            "unchanged": {"type": "integer"},
                            "customers": {"type": "array", "items": _ref("Customer")},
                        },
                    },
                },
            },
            "CustomerList": {
                "type": "object",
                "required": ["object", "payload"],
                "properties": {
                    "object": {"const": "customer_list"},
                    "payload": {
                        "type": "object",
                        "required": ["code", "customers", "hasMore", "nextCursor"],
                        "properties": {
                            "code": {"const": "ok"},
                            "customers": {"type": "array", "items": _ref("Customer")},
                            "hasMore": {"type": "boolean"},
                            "nextCursor": {"type": ["string", "null"]},
                        },
                    },
                },
            },
            "Change": {
                "type": "object",
                "required": ["object", "payload"],
                "properties": {
                    "object": {"const": "change"},
                    "payload": {
                        "type": "object",
                        "required": ["type", "at", "customerId", "customerCode", "customer"],
                        "properties": {
                            "type": {"enum": ["created", "updated", "deleted"]},
                            "at": {"type": "string"},
                            "customerId": {"type": "string"},
                            "customerCode": {"type": "string"},
                            "customer": {"oneOf": [_ref("Customer"), {"type": "null"}]},
                        },
                    },
                },
            },
            "ChangeList": {
                "type": "object",
                "required": ["object", "payload"],
                "properties": {
                    "object": {"const": "change_list"},
                    "payload": {
                        "type": "object",
                        "required": ["code", "changes", "hasMore", "nextCursor"],
                        "properties": {
                            "code": {"const": "ok"},
                            "changes": {"type": "array", "items": _ref("Change")},
                            "hasMore": {"type": "boolean"},
                            "nextCursor": {"type": "string"},
                        },
                    },
                },
            },
            "Error": {
                "type": "object",
                "required": ["object", "payload"],
                "properties": {
                    "object": {"type": "string"},
                    "payload": {
                        "type": "object",
                        "required": ["code"],
                        "properties": {
                            "code": {"type": "string"},
                            "description": {"type": "string"},
                        },
                    },
                },
            },
            "ErrorList": {"type": "array", "minItems": 1, "items": _ref("Error")},
            "Object": {
                "type": "object",
                "required": ["object", "payload"],
                "properties": {"object": {"type": "string"}, "payload": {"type": "object"}},
            },
        },
    },
    "security": [{"apiKey": []}],
    "paths": {
        "/customers": {
            "parameters": [{"$ref": "#/components/parameters/version"}],
            "post": {
                "summary": "Create or update one customer, or a batch of 1 to 100",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "examples": {
                                "one": {
                                    "value": {
                                        "code": "D314K1432",
                                        "country": "ES",
                                        "state": "Barcelona",
                                        "city": "Q11492",
                                        "yearBorn": 1990,
                                        "gender": 2,
                                        "metadata": {"currentDiscountRate": "10%"},
                                    }
                                },
                                "batch": {
                                    "value": [
                                        {
                                            "code": "N4213S4123",
                                            "country": "Deutschland",
                                            "state": "Bayern",
                                            "city": "München",
                                        },
                                        {"code": "D314K1432", "gender": 1},
                                    ]
                                },
                            },
                            "schema": {
                                "oneOf": [
                                    _ref("CustomerIn"),
                                    {
                                        "type": "array",
                                        "minItems": 1,
                                        "maxItems": 100,
                                        "items": _ref("CustomerIn"),
                                    },
                                ]
                            },
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        {"oneOf": [_ref("Customer"), _ref("IngestResult")]},
                        "updated or unchanged (one object), or the batch's result",
                    ),
                    "201": _json(_ref("Customer"), "created (one object)"),
                    "413": _json(_ref("Error"), "the body is too large (payload_too_large)"),
                    "415": _json(_ref("Error"), "the body is not JSON (unsupported_media_type)"),
                    **_ERRORS,
                },
            },
            "get": {
                "summary": "One customer by code or id; without both, a page of the list",
                "parameters": [_GET_QUERY],
                "responses": {
                    "200": _json(
                        {"oneOf": [_ref("Customer"), _ref("CustomerList")]},
                        "the customer (code or id), or a page of the filtered list",
                    ),
                    "404": _json(_ref("Error"), "customer_not_found"),
                    **_ERRORS,
                },
            },
            "delete": {
                "summary": "Delete one customer by code or id",
                "parameters": [_LOOKUP],
                "responses": {
                    "200": _json(_ref("Customer"), "the customer as it was, deleted: true"),
                    "404": _json(_ref("Error"), "customer_not_found"),
                    **_ERRORS,
                },
            },
        },
        "/customers/changes": {
            "get": {
                "summary": "The change feed: changes after a cursor, in commit order",
                "parameters": [
                    {"$ref": "#/components/parameters/version"},
                    _query("after", "nextCursor of the previous answer (absent: the oldest)"),
                    _LIMIT,
                    _query(
                        "wait",
                        "seconds to hold the request when nothing is newer (long poll)",
                        {"type": "number", "minimum": 0, "maximum": 30},
                    ),
                ],
                "responses": {
                    "200": _json(_ref("ChangeList"), "a page of changes"),
                    "410": _GONE,
                    **_ERRORS,
                },
            }
        },
        "/customers/changes/latest": {
            "get": {
                "summary": "The cursor of the latest change, to follow from now",
                "parameters": [{"$ref": "#/components/parameters/version"}],
                "responses": {"200": _json(_ref("Object"), "change_cursor"), **_ERRORS},
            }
        },
        "/status": {
            "get": {
                "summary": "The key's project, permissions and the API versions served",
                "parameters": [{"$ref": "#/components/parameters/version"}],
                "responses": {"200": _json(_ref("Object"), "status"), **_ERRORS},
            }
        },
        "/locations/resolve": {
            "get": {
                "summary": "Resolve a location without storing anything",
                "parameters": [
                    {"$ref": "#/components/parameters/version"},
                    *(
                        {
                            "name": f,
                            "in": "query",
                            "required": False,
                            "description": f"the {f}, in any form POST accepts; what POST "
                            "refuses (control characters, over 255 characters) is refused",
                            "schema": {**_NON_EMPTY, "maxLength": 255},
                            "example": example,
                        }
                        for f, example in (
                            ("country", "Belgique"),
                            ("state", "Antwerpen"),
                            ("city", "Antwerpen"),
                        )
                    ),
                ],
                "responses": {"200": _json(_ref("Object"), "location"), **_ERRORS},
            }
        },
        "/locations/aliases": {
            "parameters": [{"$ref": "#/components/parameters/version"}],
            "get": {
                "summary": "The project's place aliases, a page at a time (newest first)",
                "parameters": [
                    _LIMIT,
                    _query(
                        "cursor",
                        "nextCursor of the previous page (opaque: any other text is refused, "
                        "400 invalid_cursor)",
                    ),
                ],
                "responses": {"200": _json(_ref("PlaceAliasList"), "place_alias_list"), **_ERRORS},
            },
            "post": {
                "summary": "Decide what a sent state or city means in the project",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "examples": {
                                "city": {
                                    "value": {
                                        "field": "city",
                                        "value": "Villa Nowhere",
                                        "country": "ES",
                                        "state": "Barcelona",
                                        "placeId": "Q1492",
                                    }
                                },
                                "keepAsSent": {
                                    "value": {
                                        "field": "state",
                                        "value": "Kowloon",
                                        "country": "HK",
                                        "placeId": None,
                                    }
                                },
                            },
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["field", "value", "country", "placeId"],
                                "properties": {
                                    "field": {"enum": ["state", "city"]},
                                    "value": {**_NON_EMPTY, "maxLength": 255},
                                    "country": {**_NON_EMPTY, "maxLength": 255},
                                    "state": {
                                        "oneOf": [
                                            {**_NON_EMPTY, "maxLength": 255},
                                            {"type": "null"},
                                        ]
                                    },
                                    "placeId": {
                                        "oneOf": [
                                            {**_NON_EMPTY, "maxLength": 255},
                                            {"type": "null"},
                                        ]
                                    },
                                },
                            },
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        _ref("PlaceAlias"), "replaced the alias of that value and context"
                    ),
                    "201": _json(_ref("PlaceAlias"), "created"),
                    "413": _json(_ref("Error"), "the body is too large (payload_too_large)"),
                    "415": _json(_ref("Error"), "the body is not JSON (unsupported_media_type)"),
                    **_ERRORS,
                },
            },
        },
        "/locations/aliases/{id}": {
            "parameters": [
                {"$ref": "#/components/parameters/version"},
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "description": "the alias's id",
                    "schema": {"type": "string"},
                    "example": "pal_3kQvG8mZ1xYb2W",
                },
            ],
            "delete": {
                "summary": "Remove a place alias (future resolutions only)",
                "responses": {
                    "200": _json(_ref("PlaceAlias"), "the alias as it was, deleted: true"),
                    "404": _json(_ref("Error"), "alias_not_found"),
                    **_ERRORS,
                },
            },
        },
        "/": {
            "get": {
                "summary": "The dashboard for a browser; not_found for an API client",
                "security": [],
                "responses": {
                    "303": {"description": "Accept: text/html: a redirect to /ui/ (the dashboard)"},
                    "404": _json(_ref("Error"), "any other client (not_found)"),
                },
            }
        },
        "/ui": {
            "get": {
                "summary": "The dashboard (HTML pages under /ui/)",
                "security": [],
                "responses": {"303": {"description": "a redirect to /ui/"}},
            }
        },
        "/healthz": {
            "get": {
                "summary": "Health probe (no key needed)",
                "security": [],
                "responses": {"200": _json(_ref("Object"), "health")},
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This description",
                "security": [],
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
            }
        },
        "/metrics": {
            "get": {
                "summary": "Counters in the Prometheus text format (no key needed)",
                "description": "Absent (404) under PADRON_METRICS=off.",
                "security": [],
                "responses": {
                    "200": {
                        "description": "Prometheus text exposition format 0.0.4",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "404": _json(_ref("Error"), "metrics are turned off (not_found)"),
                },
            }
        },
        "/docs": {
            "get": {
                "summary": "This description as a page for people (Swagger UI)",
                "security": [],
                "responses": {
                    "200": {
                        "description": "an HTML page",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/docs/{name}": {
            "get": {
                "summary": "The page's script and style sheet",
                "security": [],
                "parameters": [
                    {
                        "name": "name",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": ["swagger-ui-bundle.js", "swagger-ui.css"]},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "the asset",
                        "content": {
                            "text/javascript": {"schema": {"type": "string"}},
                            "text/css": {"schema": {"type": "string"}},
                        },
                    },
                    "404": _json(_ref("Error"), "no such asset (not_found)"),
                },
            }
        },
    },
}


async def openapi_endpoint(request: Request) -> Response:
    return JSONBody(SCHEMA)


#: (path, method) → the operation's id and what it does, for generated clients and /docs.
_OPERATIONS: Final = {
    ("/customers", "post"): (
        "ingestCustomers",
        "Creates or updates customers matched by code in the key's project: one object "
        "(201 created, 200 updated or unchanged) or an array of 1 to 100 (200, all or "
        "nothing). Places are resolved to canonical ids; a field left out keeps its value, "
        "null clears it. Permission depotIngest.",
    ),
    ("/customers", "get"): (
        "getCustomers",
        "With code or id (not both): that one customer. Without them: a page of the "
        "project's customers in a stable order, filtered (isActive, country, state, city, "
        "updatedSince, updatedBefore, unresolved, codePrefix), with an opaque cursor to the "
        "next page. Permission depotFetch.",
    ),
    ("/customers/changes", "get"): (
        "listChanges",
        "The change feed: every committed create, update and delete of the project's "
        "customers after a cursor, in commit order, each exactly once; wait holds the "
        "request up to 30 s until a change commits (long poll). Permission depotFetch.",
    ),
    ("/customers/changes/latest", "get"): (
        "getLatestChangeCursor",
        "The cursor of the newest change, to follow the feed from now. Permission depotFetch.",
    ),
    ("/customers", "delete"): (
        "deleteCustomer",
        "Deletes one customer by code or by id and answers it as it was, with "
        '"deleted": true. Permission depotDelete.',
    ),
    ("/status", "get"): (
        "getStatus",
        "The key's client id, project, permissions and the API versions served. Permission status.",
    ),
    ("/locations/resolve", "get"): (
        "resolveLocation",
        "Resolves country, state and city as POST would, with the project's settings, "
        "and stores nothing. Any valid key.",
    ),
    ("/locations/aliases", "get"): (
        "listPlaceAliases",
        "The project's place aliases: what a sent state or city means in a context "
        "(country; for a city, country and state), a page at a time, newest first, "
        "with an opaque cursor to the next page. Permission depotIngest.",
    ),
    ("/locations/aliases", "post"): (
        "addPlaceAlias",
        "Decides what a state or city value means in the project: a place id, or null to "
        "keep it as sent (which silences its warning). Re-resolves at once every customer "
        "of the project that carries the value in that context (they appear in the change "
        "feed as updates); later writes resolve through it. 201 created, 200 when it "
        "replaced the alias of the same value and context. Permission depotIngest.",
    ),
    ("/locations/aliases/{id}", "delete"): (
        "removePlaceAlias",
        "Removes a place alias: future resolutions only; customers resolved through it "
        "keep their place. Permission depotIngest.",
    ),
    ("/", "get"): (
        "getRoot",
        "A browser (Accept: text/html) is sent to the dashboard at /ui/, which signs in "
        "with a key that has the dashboard permission; other clients get 404 not_found.",
    ),
    ("/ui", "get"): (
        "getDashboard",
        "Redirects to /ui/, the dashboard: HTML pages signed in with a key that has the "
        "dashboard permission (the project's customers, places to review, keys).",
    ),
    ("/healthz", "get"): (
        "getHealth",
        "200 when the database answers, 503 unavailable within a second when it does not.",
    ),
    ("/openapi.json", "get"): ("getOpenApi", "This OpenAPI 3.1 description."),
    ("/metrics", "get"): (
        "getMetrics",
        "Request counts and latency by route and status, customers written, place "
        "outcomes and database errors, in the Prometheus text format.",
    ),
    ("/docs", "get"): ("getDocs", "A page that renders this description (Swagger UI)."),
    ("/docs/{name}", "get"): ("getDocsAsset", "The script and style sheet of the /docs page."),
}


def _describe(schema: dict[str, Any]) -> None:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or (path, method) not in _OPERATIONS:
                continue
            operation_id, description = _OPERATIONS[(path, method)]
            operation.setdefault("operationId", operation_id)
            operation.setdefault("description", description)


_describe(SCHEMA)
