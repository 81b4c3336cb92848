"""The OpenAPI description (padron/api/openapi.py) matches the app: every route
is described with its methods, nothing described is missing, and the status
codes the app answers for each operation are ones the description lists."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from padron.api.app import create_app
from padron.api.openapi import SCHEMA
from padron.runtime import Runtime
from tests.conftest import Api


def described() -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, item in SCHEMA["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_route_is_described_and_nothing_else(runtime: Runtime) -> None:
    app = create_app(runtime, close_runtime=False)
    served = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route)
        for method in (route.methods or set()) - {"HEAD"}
    }
    # /openapi.json is described before the route serving it may be added
    assert served - described() == set()
    assert described() - served <= {("/openapi.json", "GET")}


def test_refs_resolve() -> None:
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                target: Any = SCHEMA
                for part in ref.removeprefix("#/").split("/"):
                    target = target[part]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(SCHEMA)


def test_answered_statuses_are_described(api: Api) -> None:
    responses = {
        (path, method.upper()): set(op["responses"])
        for path, item in SCHEMA["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "responses" in op
    }
    seen = [
        ("/customers", "POST", api.post({"code": "o1"})),
        ("/customers", "POST", api.post({"code": "o1", "gender": 1})),
        ("/customers", "POST", api.post([{"code": "o2"}])),
        ("/customers", "POST", api.post({"code": "o3", "nope": 1})),
        ("/customers", "GET", api.get(code="o1")),
        ("/customers", "GET", api.get(code="missing")),
        ("/customers", "GET", api.get()),
        ("/customers", "GET", api.get(limit="0")),
        ("/customers/changes", "GET", api.client.get("/customers/changes", headers=api.headers)),
        (
            "/customers/changes",
            "GET",
            api.client.get("/customers/changes?after=x", headers=api.headers),
        ),
        (
            "/customers/changes/latest",
            "GET",
            api.client.get("/customers/changes/latest", headers=api.headers),
        ),
        ("/customers", "DELETE", api.delete(code="o1")),
        ("/customers", "DELETE", api.delete(code="o1")),
        ("/status", "GET", api.client.get("/status", headers=api.headers)),
        ("/status", "GET", api.client.get("/status")),
        ("/healthz", "GET", api.client.get("/healthz")),
        (
            "/locations/resolve",
            "GET",
            api.client.get("/locations/resolve?country=ES", headers=api.headers),
        ),
    ]
    for path, method, r in seen:
        assert str(r.status_code) in responses[(path, method)], (path, method, r.status_code)
        body = r.json()
        if r.status_code == 400:
            assert isinstance(body, list)
        else:
            assert {"object", "payload"} <= set(body)
