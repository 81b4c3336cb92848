"""/openapi.json and the server agree on which customers are valid.

A schema-driven tester (schemathesis) found the schema allowing what the server
refuses (empty code, country and city strings, ``yearBorn: ""``). Here each
body is judged twice, by the schema padron serves and by padron itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema_rs import Draft202012Validator  # schemathesis's own validator

from tests.conftest import Api

REFUSED: list[dict[str, Any]] = [
    {"code": ""},
    {"code": "   "},
    {"code": "a\x00b"},
    {"code": "x" * 256},
    {"code": "ok", "country": ""},
    {"code": "ok", "state": " "},
    {"code": "ok", "city": ""},
    {"code": "ok", "yearBorn": ""},
    {"code": "ok", "yearBorn": "1899"},
    {"code": "ok", "yearBorn": 1899},
    {"code": "ok", "gender": ""},
    {"code": "ok", "gender": 4},
    {"code": "ok", "gender": "x"},
    {"code": "ok", "isActive": "yes"},
    {"code": "ok", "unknown": 1},
]
ACCEPTED: list[dict[str, Any]] = [
    {"code": "ok"},
    {"code": 12345},
    {"code": "ok", "country": "ES", "state": "Barcelona", "city": "Q1492"},
    {"code": "ok", "country": 724},
    {"code": "ok", "yearBorn": 1990, "gender": 2},
    {"code": "ok", "yearBorn": "1990", "gender": "2"},
    {"code": "ok", "yearBorn": None, "gender": None, "metadata": None},
    {"code": "ok", "metadata": {"a": [1, {"b": None}]}},
    {"code": "ok", "metadata": []},
]


@pytest.fixture
def customer_schema(api: Api) -> Draft202012Validator:
    served = api.client.get("/openapi.json").json()
    return Draft202012Validator({**served, "$ref": "#/components/schemas/CustomerIn"})


@pytest.mark.parametrize("body", REFUSED, ids=repr)
def test_what_the_server_refuses_the_schema_refuses(
    body: dict[str, Any], api: Api, customer_schema: Draft202012Validator
) -> None:
    assert not customer_schema.is_valid(body), "the schema allows it"
    assert api.post(body).status_code == 400


@pytest.mark.parametrize("body", ACCEPTED, ids=repr)
def test_what_the_schema_allows_the_server_takes(
    body: dict[str, Any], api: Api, customer_schema: Draft202012Validator
) -> None:
    assert customer_schema.is_valid(body), [str(e) for e in customer_schema.iter_errors(body)]
    assert api.post(body).status_code in (200, 201)


def test_every_operation_has_an_id_a_description_and_the_examples_are_valid(api: Api) -> None:
    served = api.client.get("/openapi.json").json()
    ids = []
    for path, item in served["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation.get("operationId"), (path, method)
            assert operation.get("description"), (path, method)
            ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))


def _lookup_schema(served: dict[str, Any], path: str, method: str) -> Draft202012Validator:
    (query,) = served["paths"][path][method]["parameters"]
    assert (query["in"], query["style"], query["explode"]) == ("query", "form", True)
    return Draft202012Validator({**served, **query["schema"]})


@pytest.mark.parametrize("method", ["get", "delete"])
def test_code_and_id_exclude_each_other_in_the_schema_as_on_the_server(
    api: Api, method: str
) -> None:
    served = api.client.get("/openapi.json").json()
    lookup = _lookup_schema(served, "/customers", method)
    assert lookup.is_valid({"code": "D314K1432"})
    assert lookup.is_valid({"id": "cus_C0fCLwecMysLj9"})
    both = {"code": "D314K1432", "id": "cus_C0fCLwecMysLj9"}
    assert not lookup.is_valid(both)
    answer = api.client.request(method.upper(), "/customers", params=both, headers=api.headers)
    assert answer.status_code == 400
    assert answer.json()[0]["payload"]["code"] == "invalid_query"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"country": "ES", "city": "Mata\x01ró"}, "invalid_value"),
        ({"state": "\x85Bayern"}, "invalid_value"),
        ({"country": "ES", "state": "x" * 256}, "too_long"),
    ],
    ids=repr,
)
def test_locations_resolve_refuses_what_post_refuses(
    api: Api, params: dict[str, str], code: str
) -> None:
    posted = api.post({"code": "c1", **params})
    assert posted.status_code == 400
    resolved = api.client.get("/locations/resolve", params=params, headers=api.headers)
    assert resolved.status_code == 400, resolved.text
    errors = resolved.json()[0]["payload"]["fieldErrors"]
    assert [e["payload"]["code"] for e in errors] == [code]
    assert errors == posted.json()[0]["payload"]["fieldErrors"]


def test_the_feed_takes_any_number_of_seconds_the_schema_allows(api: Api) -> None:
    api.post({"code": "c1"})  # something to answer at once
    for wait in ("2.7885341286612004e-301", "2.2250738585072014e-308", "0", "1.5"):
        answer = api.client.get("/customers/changes", params={"wait": wait}, headers=api.headers)
        assert answer.status_code == 200, (wait, answer.text)
    refused = api.client.get("/customers/changes", params={"wait": "31"}, headers=api.headers)
    assert refused.status_code == 400
