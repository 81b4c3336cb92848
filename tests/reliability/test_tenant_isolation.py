"""Tenant isolation: a key of project A can neither read, write, delete, nor
learn the existence of project B's customers (GUIDE.md: "A key sees only its
own project")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from padron.api.app import create_app
from padron.ids import new_id
from padron.runtime import Runtime

from ._support import headers


@dataclass
class Tenant:
    client: TestClient
    key: str
    project_id: str
    key_id: str

    def request(self, method: str, query: dict[str, str] | None = None, body: Any = None) -> Any:
        return self.client.request(
            method, "/customers", params=query, json=body, headers=headers(self.key)
        )


@pytest.fixture
def tenants(runtime: Runtime) -> Iterator[tuple[Tenant, Tenant]]:
    a = runtime.access.create_key("alpha")
    b = runtime.access.create_key("beta")
    app = create_app(runtime, close_runtime=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield (
            Tenant(client, a.secret, a.project.id, a.key.id),
            Tenant(client, b.secret, b.project.id, b.key.id),
        )


def same_answer(x: Any, y: Any) -> None:
    """Two answers a client cannot tell apart."""
    assert x.status_code == y.status_code
    assert x.content == y.content
    assert x.headers.get("content-type") == y.headers.get("content-type")


def test_a_key_sees_only_its_own_project(tenants: tuple[Tenant, Tenant], runtime: Runtime) -> None:
    a, b = tenants
    secret_b = {"code": "only-b", "yearBorn": 1970, "metadata": {"secret": "b's"}}
    made_b = b.request("POST", body=secret_b)
    assert made_b.status_code == 201
    b_id = made_b.json()["id"]
    never = new_id("cus")

    # the same code in both projects: two customers, each created, each its own
    same_b = b.request("POST", body={"code": "same", "gender": 2, "metadata": {"p": "b"}})
    same_a = a.request("POST", body={"code": "same", "gender": 1, "metadata": {"p": "a"}})
    assert same_b.status_code == 201 and same_a.status_code == 201
    assert same_a.json()["id"] != same_b.json()["id"]
    assert same_a.json()["projectId"] == a.project_id
    assert a.request("GET", {"code": "same"}).json()["payload"]["metadata"] == {"p": "a"}
    assert b.request("GET", {"code": "same"}).json()["payload"]["metadata"] == {"p": "b"}

    # read: B's code and B's id look exactly like things that never existed
    same_answer(a.request("GET", {"code": "only-b"}), a.request("GET", {"code": "never-was"}))
    same_answer(a.request("GET", {"id": b_id}), a.request("GET", {"id": never}))
    assert a.request("GET", {"id": b_id}).status_code == 404
    assert a.request("GET", {"id": same_b.json()["id"]}).status_code == 404

    # delete: the same 404, and nothing of B's is gone
    same_answer(a.request("DELETE", {"id": b_id}), a.request("DELETE", {"id": never}))
    same_answer(a.request("DELETE", {"code": "only-b"}), a.request("DELETE", {"code": "nope"}))
    assert b.request("GET", {"id": b_id}).json()["payload"]["metadata"] == {"secret": "b's"}

    # write: B's code written by A creates A's own customer and leaves B's alone
    mine = a.request("POST", body={"code": "only-b", "yearBorn": 2001})
    assert mine.status_code == 201, "an update: A learnt that B has this code"
    assert mine.json()["id"] != b_id and mine.json()["payload"]["metadata"] is None
    batch = a.request("POST", body=[{"code": "same", "gender": 3}, {"code": "new-a"}])
    assert batch.json()["payload"]["created"] == 1 and batch.json()["payload"]["updated"] == 1
    assert b.request("GET", {"code": "only-b"}).json() == made_b.json()
    assert b.request("GET", {"code": "same"}).json() == same_b.json()

    # A's delete of its own "same" leaves B's
    assert a.request("DELETE", {"code": "same"}).json()["deleted"] is True
    assert b.request("GET", {"code": "same"}).status_code == 200

    # /status names A only; no answer to A ever carries B's ids
    status = a.client.get("/status", headers=headers(a.key)).json()
    assert status["projectId"] == a.project_id and status["clientId"] == a.key_id
    for answer in (status, mine.json(), batch.json()):
        text = repr(answer)
        assert b.project_id not in text and b.key_id not in text and b_id not in text

    # and in storage the projects hold exactly their own customers
    codes = {
        p: sorted(c.code for page in runtime.store.iter_customers(p) for c in page)
        for p in (a.project_id, b.project_id)
    }
    assert codes == {a.project_id: ["new-a", "only-b"], b.project_id: ["only-b", "same"]}


def test_a_deleted_customer_of_b_and_a_foreign_id_shape(tenants: tuple[Tenant, Tenant]) -> None:
    """Ids of B in every position A can put them; a key that is B's with A's
    version header is still B (the key, not any header, decides the project)."""
    a, b = tenants
    b_id = b.request("POST", body={"code": "x"}).json()["id"]
    for query in ({"id": b_id}, {"id": b_id.lower()}, {"id": b_id + " "}, {"code": b_id}):
        for method in ("GET", "DELETE"):
            r = a.request(method, query)
            assert r.status_code == 404, (method, query, r.content)
            assert r.json()["payload"]["code"] == "customer_not_found"
    # a project id in the body is not a field: refused, never a way into B
    r = a.request("POST", body={"code": "y", "projectId": b.project_id})
    assert r.status_code == 400
    assert r.json()[0]["payload"]["fieldErrors"][0]["payload"]["code"] == "unknown_field"
    spoof = {**headers(a.key), "X-Project-Id": b.project_id, "X-API-Key": a.key}
    r = a.client.get("/customers", params={"code": "x"}, headers=spoof)
    assert r.status_code == 404
    assert b.request("GET", {"id": b_id}).status_code == 200
