"""/healthz follows the database, /metrics counts, the access log tells without telling secrets."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
import pytest
from starlette.testclient import TestClient

from padron.api.app import create_app
from padron.runtime import Runtime
from tests.conftest import Api
from tests.serving import create_key, serving


def _healthz(client: TestClient) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    answer = client.get("/healthz")
    return answer.status_code, answer.json(), time.monotonic() - started


def test_healthz_is_ok_while_the_database_answers(api: Api) -> None:
    status, body, _ = _healthz(api.client)
    assert (status, body) == (200, {"object": "health", "payload": {"code": "ok"}})


def test_healthz_is_503_within_a_second_when_the_sqlite_file_is_unreadable(
    runtime: Runtime, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite only")
    with TestClient(create_app(runtime, close_runtime=False)) as client:
        assert _healthz(client)[0] == 200
        path = Path(runtime.settings.database_url.removeprefix("sqlite:///"))
        size = path.stat().st_size
        with path.open("r+b") as db:  # the same file, its content no database any more
            db.write(b"\x00garbage" * (size // 8))
        status, body, took = _healthz(client)
    assert status == 503 and took < 1.0
    assert body["payload"]["code"] == "unavailable"


@pytest.mark.parametrize("how", ["dropped", "blocked"])
def test_healthz_is_503_within_a_second_when_postgresql_loses_the_database(
    runtime: Runtime, backend: str, how: str, postgres_admin: str
) -> None:
    if backend != "postgres":
        pytest.skip("PostgreSQL only")
    name = runtime.settings.database_url.rsplit("/", 1)[1]
    with TestClient(create_app(runtime, close_runtime=False)) as client:
        assert _healthz(client)[0] == 200
        with psycopg.connect(postgres_admin, autocommit=True) as admin:
            if how == "dropped":
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            else:
                admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (name,),
                )
        try:
            answers = [_healthz(client) for _ in range(3)]
        finally:
            if how == "blocked":
                with psycopg.connect(postgres_admin, autocommit=True) as admin:
                    admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    for status, body, took in answers:
        assert status == 503 and took < 1.0, (status, body, took)
        assert body["payload"]["code"] == "unavailable"


def _samples(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def test_metrics_count_requests_customers_and_places_without_project_labels(api: Api) -> None:
    before = _samples(api.client.get("/metrics").text)
    assert api.post({"code": "m1", "country": "ES", "city": "Barcelona"}).status_code == 201
    assert api.post({"code": "m1", "country": "ES", "city": "Nowhereville"}).status_code == 200
    assert api.post({"code": "m2", "country": "Narnia"}).status_code == 400
    assert api.get(code="m1").status_code == 200
    answer = api.client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    after = _samples(answer.text)

    def moved(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)

    assert moved('padron_http_requests_total{method="POST",route="/customers",status="201"}') == 1
    assert moved('padron_http_requests_total{method="POST",route="/customers",status="400"}') == 1
    assert moved('padron_http_requests_total{method="GET",route="/customers",status="200"}') == 1
    assert moved('padron_http_request_duration_seconds_count{method="GET",route="/customers"}') == 1
    assert moved('padron_customers_written_total{outcome="created"}') == 1
    assert moved('padron_customers_written_total{outcome="updated"}') == 1
    assert moved('padron_places_total{field="country",outcome="resolved"}') == 2
    assert moved('padron_places_total{field="city",outcome="resolved"}') == 1
    assert moved('padron_places_total{field="city",outcome="unresolved"}') == 1
    assert moved('padron_places_total{field="country",outcome="rejected"}') == 1
    project = api.runtime.access.project("shop")
    for secret in (project.id, "shop", api.key, "m1", "Barcelona", "Narnia"):
        assert secret not in answer.text


def test_unknown_paths_share_one_route_label(api: Api) -> None:
    for i in range(5):
        api.client.get(f"/random-{i}")
    text = api.client.get("/metrics").text
    assert "random" not in text and 'route="other"' in text


def test_dashboard_and_templated_routes_are_named_by_their_template(api: Api) -> None:
    before = _samples(api.client.get("/metrics").text)
    for i in range(5):
        api.client.get(f"/ui/customers/cus_guess{i}", follow_redirects=False)
        api.client.delete(f"/locations/aliases/pal_guess{i}", headers=api.headers)
    api.client.get("/ui/review", follow_redirects=False)
    api.client.get("/ui/static/nothing-here.css")
    text = api.client.get("/metrics").text
    assert "guess" not in text and "nothing-here" not in text
    samples = _samples(text)

    def count(route: str, method: str) -> float:
        return sum(
            v - before.get(k, 0.0)
            for k, v in samples.items()
            if k.startswith("padron_http_requests_total{")
            and f'route="{route}"' in k
            and f'method="{method}"' in k
        )

    assert count("/ui/customers/{customer_id}", "GET") == 5
    assert count("/locations/aliases/{id}", "DELETE") == 5
    assert count("/ui/review", "GET") == 1
    assert count("/ui/static/{path:path}", "GET") == 1


def test_metrics_can_be_turned_off(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PADRON_METRICS", "off")
    with TestClient(create_app(runtime, close_runtime=False)) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 404 and answer.json()["payload"]["code"] == "not_found"


def test_the_access_log_has_one_line_per_request_and_no_key_or_body(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="padron.access")
    answer = api.client.post(
        "/customers?code=secret-query",
        json={"code": "secret-code-42", "metadata": {"note": "secret-body"}},
        headers={**api.headers, "X-Request-Id": "abc-123"},
    )
    assert answer.headers["x-request-id"] == "abc-123"
    made = api.client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    bogus = api.client.get("/healthz", headers={"X-Request-Id": "bad id\twith spaces"})
    assert bogus.headers["x-request-id"] != "bad id\twith spaces"
    lines = [r for r in caplog.records if r.name == "padron.access"]
    assert len(lines) == 3
    first = lines[0]
    assert (first.method, first.path, first.request_id) == ("POST", "/customers", "abc-123")  # type: ignore[attr-defined]
    assert first.status == answer.status_code and first.duration_ms >= 0  # type: ignore[attr-defined]
    text = "\n".join(r.getMessage() for r in lines) + repr([vars(r) for r in lines])
    for secret in (api.key, "secret-code-42", "secret-body", "secret-query"):
        assert secret not in text


def test_metrics_with_two_workers_are_the_sum_of_both(tmp_path: Path, data_dir: Path) -> None:
    """``--workers 2``: each worker counts the requests it serves, and /metrics,
    whichever worker answers it, gives the sum (prometheus-client's multiprocess
    mode). Each request comes on a new connection, so the kernel spreads them
    over both workers' sockets (SO_REUSEPORT)."""
    database = f"sqlite:///{tmp_path / 'padron.db'}"
    key = create_key(database, data_dir)
    with serving(database, data_dir, workers=2) as server:
        deadline = time.monotonic() + 120
        while "2 workers serving" not in server.output():  # both listen before we send
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
        headers = {"X-API-Key": key, "X-API-Version": "1"}
        sent = 40
        for i in range(sent):
            answer = httpx.post(
                server.url + "/customers", json={"code": f"w{i}"}, headers=headers, timeout=30
            )
            assert answer.status_code == 201, answer.text
        for _ in range(6):  # any worker may answer: every answer has the whole count
            samples = _samples(httpx.get(server.url + "/metrics", timeout=30).text)
            assert samples['padron_customers_written_total{outcome="created"}'] == sent
            posts = 'padron_http_requests_total{method="POST",route="/customers",status="201"}'
            assert samples[posts] == sent


@pytest.mark.parametrize(("level", "lines"), [(None, 3), ("warning", 0)])
def test_serve_prints_an_access_line_per_request_unless_quieted(
    tmp_path: Path, data_dir: Path, level: str | None, lines: int
) -> None:
    """What the README's Operations section promises: at the default level (info)
    ``padron serve`` writes one access line per request, as uvicorn and most
    servers do; ``PADRON_LOG_LEVEL=warning`` quiets them and keeps the ready line."""
    database = f"sqlite:///{tmp_path / 'padron.db'}"
    key = create_key(database, data_dir)
    env = {"PADRON_LOG_LEVEL": level} if level else {}
    if not level:
        env["PADRON_LOG_LEVEL"] = ""  # the default, whatever the caller's environment says
    with serving(database, data_dir, env=env) as server:
        headers = {"X-API-Key": key, "X-API-Version": "1"}
        for _ in range(3):
            assert httpx.get(server.url + "/status", headers=headers).status_code == 200
        deadline = time.monotonic() + 10
        while server.output().count(" GET /status 200 ") < lines and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)
        output = server.output()
    assert output.count(" GET /status 200 ") == lines, output
    assert "ready in" in output
    assert key not in output.split("ready in")[-1]
