"""GET and DELETE /customers, /status, /healthz, keys, versions, permissions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import Api


def test_get_by_code_and_by_id(api: Api) -> None:
    created = api.post({"code": "g1", "gender": 3}).json()
    assert api.get(code="g1").json() == created
    assert api.get(id=created["id"]).json() == created


# (Neither code nor id is the list: tests/api/test_list.py.)
@pytest.mark.parametrize("params", [{"code": "g1", "id": "cus_x"}, {"code": ""}])
def test_get_needs_exactly_one_of_code_and_id(api: Api, params: dict[str, str]) -> None:
    r = api.get(**params)
    assert r.status_code == 400
    assert r.json()[0]["object"] == "error" and r.json()[0]["payload"]["code"]


def test_get_unknown_is_404(api: Api) -> None:
    for params in ({"code": "nope"}, {"id": "cus_AAAAAAAAAAAAAA"}, {"id": "garbage"}):
        r = api.get(**params)
        assert r.status_code == 404
        assert r.json() == {
            "object": "error",
            "payload": {
                "code": "customer_not_found",
                "description": r.json()["payload"]["description"],
            },
        }


def test_delete_answers_the_entity_as_it_was(api: Api) -> None:
    created = api.post({"code": "d1", "yearBorn": 1999}).json()
    r = api.delete(code="d1")
    assert r.status_code == 200
    assert r.json() == {**created, "deleted": True}
    assert api.get(code="d1").status_code == 404
    assert api.delete(code="d1").status_code == 404


def test_delete_by_id(api: Api) -> None:
    created = api.post({"code": "d2"}).json()
    assert api.delete(id=created["id"]).json()["deleted"] is True
    assert api.delete(id=created["id"]).json()["payload"]["code"] == "customer_not_found"


def test_a_deleted_code_can_be_created_again(api: Api) -> None:
    first = api.post({"code": "again"}).json()
    api.delete(code="again")
    second = api.post({"code": "again"})
    assert second.status_code == 201 and second.json()["id"] != first["id"]


def test_status(api: Api) -> None:
    r = api.client.get("/status", headers=api.headers)
    assert r.status_code == 200
    body = r.json()
    key = api.runtime.access.authenticate(api.key)
    assert key is not None
    assert body["object"] == "status" and body["payload"] == {"code": "ok"}
    assert body["availableApiVersions"] == [
        {
            "object": "api_version",
            "payload": {"version": "1.0.0", "status": "stable", "isDeprecated": False},
        }
    ]
    assert body["latestStableMajorApiVersion"] == 1 and body["requestMajorApiVersion"] == 1
    assert body["clientId"] == key[0].id and body["projectId"] == key[1].id
    assert re.fullmatch(r"cli_[0-9A-Za-z]{14}", body["clientId"])
    assert body["roles"] == ["ROLE_API_USER"]
    assert body["permissions"] == ["status", "depotIngest", "depotFetch", "depotDelete"]
    server_time = datetime.fromisoformat(body["serverTime"])
    assert abs((server_time - datetime.now(UTC)).total_seconds()) < 5
    assert body["serverTime"].endswith("+00:00")


def test_healthz_needs_no_key(api: Api) -> None:
    r = api.client.get("/healthz")
    assert r.status_code == 200 and r.json()["payload"]["code"] == "ok"


@pytest.mark.parametrize("path", ["/customers?code=a", "/status"])
def test_missing_or_unknown_key_is_401(api: Api, path: str) -> None:
    for headers in ({"X-API-Version": "1"}, {"X-API-Version": "1", "X-API-Key": "pdn_not-a-key"}):
        r = api.client.get(path, headers=headers)
        assert r.status_code == 401
        assert r.json()["object"] == "error" and r.json()["payload"]["code"] == "invalid_api_key"


def test_revoked_key_is_401(api: Api) -> None:
    made = api.runtime.access.create_key("shop")
    headers = {"X-API-Key": made.secret, "X-API-Version": "1"}
    assert api.client.get("/status", headers=headers).status_code == 200
    assert api.runtime.access.revoke(made.key.id)
    api.runtime.access._cache.clear()  # what AUTH_CACHE_SECONDS would do
    assert api.client.get("/status", headers=headers).status_code == 401


def test_api_version_header(api: Api) -> None:
    r = api.client.get("/status", headers={"X-API-Key": api.key})
    assert r.status_code == 400 and r.json()[0]["payload"]["code"] == "api_version_required"
    r = api.client.get("/status", headers={"X-API-Key": api.key, "X-API-Version": "2"})
    assert r.status_code == 400
    assert r.json()[0]["payload"]["code"] == "unsupported_api_version"
    assert "1.0.0" in r.json()[0]["payload"]["description"]
    ok = api.client.get("/status", headers={"X-API-Key": api.key, "X-API-Version": "1.0.0"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "permission"),
    [
        ("GET", "/status", "status"),
        ("POST", "/customers", "depotIngest"),
        ("GET", "/customers?code=a", "depotFetch"),
        ("DELETE", "/customers?code=a", "depotDelete"),
    ],
)
def test_each_endpoint_needs_its_permission(
    api: Api, method: str, path: str, permission: str
) -> None:
    others = [p for p in ("status", "depotIngest", "depotFetch", "depotDelete") if p != permission]
    lacking = api.runtime.access.create_key("shop", others).secret
    holding = api.runtime.access.create_key("shop", [permission]).secret
    kw = {"json": {"code": "a"}} if method == "POST" else {}
    denied = api.client.request(
        method, path, headers={"X-API-Key": lacking, "X-API-Version": "1"}, **kw
    )
    assert denied.status_code == 403
    assert denied.json()["payload"]["code"] == "permission_denied"
    assert permission in denied.json()["payload"]["description"]
    allowed = api.client.request(
        method, path, headers={"X-API-Key": holding, "X-API-Version": "1"}, **kw
    )
    assert allowed.status_code in (200, 201, 404)


def test_other_methods_are_405_and_unknown_paths_404(api: Api) -> None:
    r = api.client.put("/customers", headers=api.headers)
    assert r.status_code == 405 and r.json()["payload"]["code"] == "method_not_allowed"
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST", "DELETE", "HEAD"}
    head = api.client.head("/customers", params={"code": "none"}, headers=api.headers)
    assert head.status_code == 404
    r = api.client.get("/nothing-here", headers=api.headers)
    assert r.status_code == 404 and r.json()["payload"]["code"] == "not_found"


def test_body_over_the_limit_is_413_before_parsing(api: Api) -> None:
    limit = api.runtime.settings.max_body_bytes
    r = api.client.post("/customers", content=b"[" + b" " * limit + b"]", headers=api.headers)
    assert r.status_code == 413 and r.json()["payload"]["code"] == "payload_too_large"


def test_non_json_content_type_is_refused(api: Api) -> None:
    r = api.client.post(
        "/customers", content=b'{"code":"a"}', headers={**api.headers, "Content-Type": "text/plain"}
    )
    assert r.status_code == 415
    assert "application/json" in r.json()["payload"]["description"]
    assert api.get(code="a").status_code == 404


def test_projects_are_isolated(api: Api) -> None:
    other = api.runtime.access.create_key("other-shop").secret
    other_headers = {"X-API-Key": other, "X-API-Version": "1"}
    mine = api.post({"code": "shared", "gender": 1}).json()
    theirs = api.client.post(
        "/customers", json={"code": "shared", "gender": 2}, headers=other_headers
    )
    assert theirs.status_code == 201  # the same code is a new customer there
    assert theirs.json()["id"] != mine["id"]
    assert api.get(code="shared").json()["payload"]["gender"] == 1
    assert (
        api.client.get("/customers", params={"id": mine["id"]}, headers=other_headers).status_code
        == 404
    )
    assert (
        api.client.delete(
            "/customers", params={"id": mine["id"]}, headers=other_headers
        ).status_code
        == 404
    )
    assert api.get(id=mine["id"]).status_code == 200
