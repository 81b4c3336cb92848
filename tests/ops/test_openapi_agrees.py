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
