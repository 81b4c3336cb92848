"""``padron serve`` as a real process, spoken to over a socket."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.serving import create_key, start

pytestmark = pytest.mark.slow


def test_first_serve_creates_a_default_project_and_prints_its_key(
    tmp_path: Path, data_dir: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'fresh.db'}"
    server = start(db, data_dir)
    try:
        lines = server.output().splitlines()
        key = next(line for line in lines if line.startswith("pdn_"))
        with server.client(key) as http:
            status = http.get("/status")
            assert status.status_code == 200
            r = http.post(
                "/customers", json={"code": "first", "country": "España", "city": "Antwerpen"}
            )
            assert r.status_code == 201, r.text
            assert r.json()["payload"]["country"] == "ESP"
    finally:
        server.stop()
    # a second start on the same database makes no new key
    again = start(db, data_dir)
    try:
        assert not any(line.startswith("pdn_") for line in again.output().splitlines())
    finally:
        again.stop()


def test_data_survives_a_restart(database_url: str, data_dir: Path) -> None:
    key = create_key(database_url, data_dir)
    server = start(database_url, data_dir)
    try:
        with server.client(key) as http:
            r = http.post(
                "/customers",
                json=[{"code": f"r{i}", "gender": i % 4, "state": "DE-BY"} for i in range(50)],
            )
            assert r.status_code == 200, r.text
            before = {c["payload"]["code"]: c for c in r.json()["payload"]["customers"]}
    finally:
        server.stop()
    server = start(database_url, data_dir)
    try:
        with server.client(key) as http:
            for code, entity in before.items():
                assert http.get("/customers", params={"code": code}).json() == entity
            assert http.delete("/customers", params={"code": "r1"}).json()["deleted"] is True
            assert http.get("/customers", params={"code": "r1"}).status_code == 404
    finally:
        server.stop()


def test_every_endpoint_over_the_socket(database_url: str, data_dir: Path) -> None:
    key = create_key(database_url, data_dir, permissions="status,depotIngest,depotFetch")
    server = start(database_url, data_dir)
    try:
        with server.client(key) as http:
            assert http.get("/healthz").status_code == 200
            assert http.get("/status").json()["permissions"] == [
                "status",
                "depotIngest",
                "depotFetch",
            ]
            created = http.post(
                "/customers", json={"code": "e2e", "state": "Bayern", "country": "DE"}
            )
            assert created.status_code == 201
            assert created.json()["payload"]["state"] == "DE-BY"
            assert http.get("/customers", params={"id": created.json()["id"]}).status_code == 200
            assert http.delete("/customers", params={"code": "e2e"}).status_code == 403
            bad = http.post(
                "/customers", content=b"{nope", headers={"Content-Type": "application/json"}
            )
            assert bad.status_code == 400 and isinstance(bad.json(), list)
            assert http.patch("/customers").status_code == 405
    finally:
        server.stop()
