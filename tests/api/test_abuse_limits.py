"""Limits that help against a careless or hostile client, in process: failed
authentication throttled per address (and logged once per interval), the
per-project customer quota, and the headers every answer carries."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from padron.access import Access
from padron.api.app import create_app
from padron.config import Settings
from padron.customers.service import CustomerService, LocationResolver
from padron.runtime import Runtime
from padron.store import open_store


def client_with(
    env: dict[str, str], database_url: str, data_dir: Path, resolver: LocationResolver
) -> Iterator[tuple[TestClient, str]]:
    settings = Settings.from_env(env, data_dir=str(data_dir), database_url=database_url)
    store = open_store(settings.database_url)
    customers = CustomerService(store, resolver, quota_customers=settings.quota_customers)
    runtime = Runtime(settings, store, resolver, Access(store), customers)
    key = runtime.access.create_key("shop").secret
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        client.headers.update({"X-API-Version": "1"})
        yield client, key


@pytest.fixture
def throttled(
    database_url: str, data_dir: Path, resolver: LocationResolver
) -> Iterator[tuple[TestClient, str]]:
    env = {"PADRON_AUTH_FAILURES": "5", "PADRON_AUTH_BACKOFF": "1"}
    yield from client_with(env, database_url, data_dir, resolver)


@pytest.fixture
def quota(
    database_url: str, data_dir: Path, resolver: LocationResolver
) -> Iterator[tuple[TestClient, str]]:
    yield from client_with({"PADRON_QUOTA_CUSTOMERS": "3"}, database_url, data_dir, resolver)


def test_failed_authentication_is_throttled_per_address(
    throttled: tuple[TestClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, key = throttled
    good = {"X-API-Key": key}
    assert client.get("/status", headers=good).status_code == 200
    caplog.set_level(logging.WARNING, logger="padron.api")
    answers = [
        client.get("/status", headers={"X-API-Key": f"pdn_wrong{i}"}).status_code for i in range(5)
    ]
    assert answers == [401] * 5
    for headers in ({"X-API-Key": "pdn_wrong"}, {}):
        r = client.get("/status", headers=headers)
        assert r.status_code == 429, r.text
        assert r.json()["payload"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["retry-after"]) <= 2
    # a valid key still works from that address
    assert client.get("/status", headers=good).status_code == 200
    for _ in range(40):
        client.get("/status", headers={"X-API-Key": "pdn_wrong"})
    logged = [r for r in caplog.records if "failed authentication" in r.getMessage()]
    assert len(logged) <= 1, [r.getMessage() for r in logged]
    time.sleep(1.1)  # the back-off is over
    assert client.get("/status", headers={"X-API-Key": "pdn_wrong"}).status_code == 401


def test_a_project_past_its_quota_gets_403_and_nothing_is_written(
    quota: tuple[TestClient, str],
) -> None:
    client, key = quota
    headers = {"X-API-Key": key}
    r = client.post("/customers", json=[{"code": "a"}, {"code": "b"}], headers=headers)
    assert r.status_code == 200, r.text
    r = client.post("/customers", json=[{"code": "c"}, {"code": "d"}], headers=headers)
    assert r.status_code == 403, r.text
    assert r.json()["payload"]["code"] == "quota_exceeded"
    assert client.get("/customers", params={"code": "c"}, headers=headers).status_code == 404
    # updates never count against the quota; one more new customer fits
    r = client.post("/customers", json={"code": "a", "yearBorn": 1990}, headers=headers)
    assert r.status_code == 200, r.text
    assert client.post("/customers", json={"code": "c"}, headers=headers).status_code == 201
    r = client.post("/customers", json={"code": "e"}, headers=headers)
    assert r.status_code == 403


def test_every_answer_says_no_store_and_nosniff(throttled: tuple[TestClient, str]) -> None:
    client, key = throttled
    headers = {"X-API-Key": key}
    answers = [
        client.post("/customers", json={"code": "h"}, headers=headers),
        client.get("/customers", params={"code": "h"}, headers=headers),
        client.get("/customers", params={"code": "nobody"}, headers=headers),
        client.get("/customers", params={"code": "h"}),
        client.get("/healthz"),
        client.get("/no/such/endpoint"),
    ]
    for r in answers:
        assert r.headers.get("cache-control") == "no-store", (r.status_code, r.headers)
        assert r.headers.get("x-content-type-options") == "nosniff", (r.status_code, r.headers)
        assert "server" not in r.headers
