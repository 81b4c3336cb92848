"""padron.client against a real ``padron serve``, and its retry policy against
a scripted HTTP server."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from padron.client import (
    BadRequest,
    Client,
    Customer,
    Forbidden,
    IngestResult,
    NotFound,
    RateLimited,
    TransportError,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from padron.client._transport import parse_retry_after
from tests.serving import Server, create_key, free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def client(server: tuple[Server, str, str]) -> Iterator[Client]:
    with Client(server[0].url, server[1]) as c:
        yield c


def test_ingest_one_returns_the_stored_entity(client: Client) -> None:
    made = client.customers.ingest({"code": "one", "country": "España", "yearBorn": "1990"})
    assert isinstance(made, Customer)
    assert made.id.startswith("cus_") and made.country == "ESP" and made.year_born == 1990
    assert made.is_active is True and made.created_at.tzinfo is not None
    again = client.customers.ingest({"code": "one", "gender": 2})
    assert again.id == made.id and again.gender == 2 and again.country == "ESP"
    assert client.customers.get(code="one") == again
    assert client.customers.get(id=made.id).code == "one"


def test_ingest_a_list_returns_the_counts(client: Client) -> None:
    client.customers.ingest({"code": "L0"})
    result = client.customers.ingest([{"code": "L0"}, {"code": "L1", "metadata": {"a": [1]}}])
    assert isinstance(result, IngestResult)
    assert (result.received, result.created, result.updated, result.unchanged) == (2, 1, 0, 1)
    assert [c.code for c in result.customers] == ["L0", "L1"]
    assert result.customers[1].metadata == {"a": [1]}
    with pytest.raises(ValueError, match="1 to 100"):
        client.customers.ingest([{"code": str(i)} for i in range(101)])


def test_validation_errors_carry_the_field_errors(client: Client) -> None:
    with pytest.raises(ValidationFailed) as caught:
        client.customers.ingest([{"code": "ok"}, {"code": "bad", "yearBorn": 1800, "yearborn": 1}])
    err = caught.value
    assert err.status == 400 and isinstance(err, BadRequest)
    assert len(err.errors) == 1
    bad = err.errors[0]
    assert (bad.index, bad.customer_code) == (1, "bad")
    assert {(f.field, f.code) for f in bad.field_errors} == {
        ("yearBorn", "out_of_range"),
        ("yearborn", "unknown_field"),
    }
    with pytest.raises(NotFound):
        client.customers.get(code="ok")  # the whole batch was refused


def test_ambiguous_city_lists_candidates(client: Client) -> None:
    with pytest.raises(ValidationFailed) as caught:
        client.customers.ingest({"code": "amb", "city": "Paris"})
    [field] = caught.value.errors[0].field_errors
    assert field.code == "ambiguous" and len(field.candidates) >= 2


def test_delete_and_not_found(client: Client) -> None:
    client.customers.ingest({"code": "gone"})
    deleted = client.customers.delete(code="gone")
    assert deleted.deleted and deleted.code == "gone"
    with pytest.raises(NotFound) as caught:
        client.customers.get(code="gone")
    assert caught.value.code == "customer_not_found" and caught.value.status == 404
    with pytest.raises(NotFound):
        client.customers.delete(code="gone")
    with pytest.raises(TypeError):
        client.customers.get()
    with pytest.raises(TypeError):
        client.customers.get(code="a", id="b")


def test_status_and_locations(client: Client, server: tuple[Server, str, str]) -> None:
    status = client.status()
    assert status.client_id.startswith("cli_") and status.project_id.startswith("prj_")
    assert "depotIngest" in status.permissions and status.latest_major == 1
    assert status.api_versions[0].version == "1.0.0"
    where = client.locations.resolve(country="ES", city="Barcelona")
    assert where.country is not None and where.country.id == "ESP"
    assert where.city is not None and where.city.resolved and where.state is not None


def test_batch_session_sends_every_100(client: Client) -> None:
    with client.customers.batch() as batch:
        for i in range(250):
            batch.add({"code": f"B{i}", "gender": i % 4})
        assert len(batch.results) == 2 and len(batch.pending) == 50
    assert len(batch.results) == 3
    assert (batch.sent, batch.created) == (250, 250)
    assert client.customers.get(code="B249").gender == 1


def test_batch_session_refused_batch_is_kept(client: Client) -> None:
    batch = client.customers.batch(size=2)
    batch.add({"code": "S1"})
    with pytest.raises(ValidationFailed):
        batch.add({"code": "S2", "gender": 7})
    assert [c["code"] for c in batch.rejected_batch] == ["S1", "S2"]
    with pytest.raises(NotFound):
        client.customers.get(code="S1")


def test_bad_key_and_missing_permission(server: tuple[Server, str, str], data_dir: Path) -> None:
    srv, _, db = server
    with Client(srv.url, "pdn_nope") as c, pytest.raises(Unauthorized) as caught:
        c.status()
    assert caught.value.code == "invalid_api_key"
    reader = create_key(db, data_dir, permissions="depotFetch")
    with Client(srv.url, reader) as c, pytest.raises(Forbidden):
        c.customers.ingest({"code": "x"})


# ---- the retry policy, against a scripted server ----------------------------------


class Scripted:
    """An HTTP server answering from a list of (status, headers, body) in turn;
    ``None`` in the list closes the connection without an answer."""

    def __init__(self, answers: list[tuple[int, dict[str, str], bytes] | None]) -> None:
        self.answers = answers
        self.seen: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                outer.seen.append(f"{self.command} {self.path}")
                answer = outer.answers.pop(0) if outer.answers else (500, {}, b"{}")
                if answer is None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, headers, body = answer
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


STATUS = (
    b'{"object":"status","payload":{"code":"ok"},"availableApiVersions":[],'
    b'"latestStableMajorApiVersion":1,"clientId":"cli_x","projectId":"prj_x",'
    b'"permissions":[],"roles":[],"serverTime":"2025-07-09T11:00:32+00:00","environment":"t"}'
)
LIMITED = b'{"object":"error","payload":{"code":"rate_limited","description":"slow down"}}'
DOWN = b'{"object":"error","payload":{"code":"unavailable","description":"storage"}}'
CUSTOMER = (
    b'{"object":"customer","id":"cus_x","createdAt":"2025-07-09T11:00:32+00:00",'
    b'"updatedAt":"2025-07-09T11:00:32+00:00","projectId":"prj_x","payload":{"code":"c",'
    b'"isActive":true,"country":null,"state":null,"city":null,"yearBorn":null,"gender":null,'
    b'"metadata":null}}'
)


def scripted_client(
    answers: list[tuple[int, dict[str, str], bytes] | None], retries: int = 3
) -> tuple[Scripted, Client, list[float]]:
    srv = Scripted(answers)
    client = Client(srv.url, "k", retries=retries, timeout=5)
    slept: list[float] = []
    sleep: Callable[[float], None] = slept.append
    client._transport.sleep = sleep
    return srv, client, slept


def test_429_and_503_are_retried_honouring_retry_after() -> None:
    srv, client, slept = scripted_client(
        [(429, {"Retry-After": "2"}, LIMITED), (503, {"Retry-After": "1"}, DOWN), (200, {}, STATUS)]
    )
    try:
        assert client.status().client_id == "cli_x"
        assert slept == [2.0, 1.0]
        assert len(srv.seen) == 3
    finally:
        client.close()
        srv.close()


def test_retries_run_out() -> None:
    srv, client, slept = scripted_client([(503, {}, DOWN)] * 3, retries=2)
    try:
        with pytest.raises(Unavailable) as caught:
            client.customers.ingest({"code": "c"})
        assert caught.value.code == "unavailable" and len(slept) == 2
        assert 0 < slept[0] < slept[1]  # exponential backoff without Retry-After
    finally:
        client.close()
        srv.close()
    srv, client, slept = scripted_client([(429, {"Retry-After": "3600"}, LIMITED)])
    try:
        with pytest.raises(RateLimited) as limited:
            client.status()
        assert limited.value.retry_after == 3600 and slept == []  # over max_wait: not waited
    finally:
        client.close()
        srv.close()


def test_connection_errors_retry_only_idempotent_requests() -> None:
    srv, client, _slept = scripted_client([None, (200, {}, CUSTOMER)])
    try:
        assert client.customers.get(code="c").id == "cus_x"  # GET: retried
        assert len(srv.seen) == 2
    finally:
        client.close()
        srv.close()
    srv, client, _ = scripted_client([None, (200, {}, CUSTOMER)])
    try:
        with pytest.raises(TransportError, match="may or may not"):
            client.customers.ingest({"code": "c"})  # POST: not retried
        assert len(srv.seen) == 1
    finally:
        client.close()
        srv.close()


def test_refused_connection_is_retried_then_raised() -> None:
    client = Client(f"http://127.0.0.1:{free_port()}", "k", retries=2)
    slept: list[float] = []
    client._transport.sleep = slept.append
    with pytest.raises(TransportError, match="cannot connect"):
        client.customers.ingest({"code": "c"})
    assert len(slept) == 2


def test_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", clock=lambda: 1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
