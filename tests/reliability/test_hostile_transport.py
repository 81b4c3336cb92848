"""Hostile input at the transport level, against a real ``padron serve``: the
HTTP server's own limits (headers, request target), bodies too big for memory,
and clients that vanish mid-request. Each is answered with a 4xx (or, for a
client that is gone, nothing), writes nothing, and leaves the server healthy.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from padron.api.app import create_app
from padron.api.limits import TransportLimits
from padron.runtime import Runtime
from padron.store import open_store
from tests.serving import Server, create_key, start

from ._support import assert_error_shape, assert_healthy, headers

pytestmark = pytest.mark.slow


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


@dataclass
class Running:
    server: Server
    key: str
    database_url: str

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.url.removeprefix("http://").split(":")
        return host, int(port)

    def raw(self, data: bytes, *, read: bool = True, timeout: float = 10) -> bytes:
        """Send raw bytes on a fresh connection; the answer's first bytes."""
        with socket.create_connection(self.address, timeout=timeout) as s:
            # the server may answer and close before we finish: fine
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                s.sendall(data)
            if not read:
                return b""
            chunks = []
            try:
                while chunk := s.recv(65536):
                    chunks.append(chunk)
                    if b"\r\n\r\n" in b"".join(chunks):
                        break
            except (ConnectionResetError, TimeoutError):
                pass
            return b"".join(chunks)

    def count(self) -> int:
        store = open_store(self.database_url)
        try:
            project = store.project_by_name("shop")
            assert project is not None
            return store.count_customers(project.id)
        finally:
            store.close()


@pytest.fixture
def running(database_url: str, data_dir: Path) -> Iterator[Running]:
    key = create_key(database_url, data_dir)
    server = start(database_url, data_dir)
    try:
        r = Running(server, key, database_url)
        before = r.count()
        yield r
        assert r.count() == before, "a hostile request wrote"
        assert server.process.poll() is None, "the server died"
        with server.client(key) as http:
            assert_healthy(http, key)
    finally:
        server.stop()


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def post_head(key: str, length: int | None, extra: str = "") -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else ""
    return (
        "POST /customers HTTP/1.1\r\nHost: padron\r\n"
        f"X-API-Key: {key}\r\nX-API-Version: 1\r\nContent-Type: application/json\r\n"
        f"{size}{extra}\r\n"
    ).encode()


def test_a_200_kb_header_is_refused(running: Running) -> None:
    with running.server.client(running.key) as http:
        big = "a" * 200_000
        for extra in (
            {"X-Junk": big},
            {"Cookie": big},
            {f"X-Many-{i}": "v" * 100 for i in range(2000)},
        ):
            r = http.post("/customers", json={"code": "header-bomb"}, headers=extra)
            assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
            assert_error_shape(r)
        r = http.get("/status", headers={"X-API-Key": big})
        assert 400 <= r.status_code < 500
    target = b"GET /customers?code=" + b"x" * 200_000 + b" HTTP/1.1\r\nHost: padron\r\n"
    answer = running.raw(target + f"X-API-Key: {running.key}\r\nX-API-Version: 1\r\n\r\n".encode())
    assert 400 <= status_of(answer) < 500


def test_a_200_kb_header_never_crashes(running: Running) -> None:
    """Whatever the header limit: no 5xx, no dropped connection, nothing stored
    from a refused request (the fixture checks the count)."""
    with running.server.client(running.key) as http:
        r = http.get("/customers", params={"code": "x"}, headers={"X-Junk": "a" * 200_000})
        assert r.status_code < 500
        r = http.get("/status", headers={"X-API-Key": "a" * 200_000})
        assert r.status_code == 401 or r.status_code == 431
        assert_error_shape(r)


def test_a_10_mb_body_over_the_socket(running: Running) -> None:
    body = b'{"code": "big", "metadata": {"x": "' + b"a" * (10 * 1024 * 1024) + b'"}}'
    with running.server.client(running.key) as http:
        r = http.post("/customers", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert_error_shape(r)

        def chunks() -> Iterator[bytes]:
            yield b'[{"code": "big", "metadata": {"x": "'
            for _ in range(160):
                yield b"a" * 65536
            yield b'"}}]'

        r = http.post("/customers", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert_error_shape(r)
    # a 10 GB promise is refused from the head alone, before any body is sent
    answer = running.raw(post_head(running.key, 10 * 1024**3))
    assert status_of(answer) == 413


def test_clients_that_vanish_mid_request(running: Running) -> None:
    """Half a request line, a head without its body, half a body, garbage: each
    connection closed by the client. The server keeps serving everyone else."""
    body = b'{"code": "vanished", "metadata": {"x": 1}}'
    fragments = [
        b"",
        b"POST /custo",
        post_head(running.key, len(body))[:-10],
        post_head(running.key, len(body)),
        post_head(running.key, len(body)) + body[:-5],
        post_head(running.key, 1000) + body,
        post_head(running.key, None, "Transfer-Encoding: chunked\r\n") + b"10\r\n" + body[:16],
    ]
    for _ in range(5):
        for data in fragments:
            running.raw(data, read=False)
    garbage = running.raw(b"GARBAGE\x00\xff\r\n\r\n")
    assert 400 <= status_of(garbage) < 500
    # uvicorn's own answer is text/plain; padron's is API.md's JSON
    assert b"content-type: application/json" in garbage.lower(), garbage
    answer = running.raw(b"GET /healthz HTTP/1.1\r\nHost: padron\r\nConnection: close\r\n\r\n")
    assert status_of(answer) == 200
    time.sleep(0.3)  # let the server notice the hang-ups
    with running.server.client(running.key) as http:
        assert http.get("/customers", params={"code": "vanished"}).status_code == 404


def test_a_vanished_client_is_not_an_internal_error(running: Running) -> None:
    body = b'{"code": "vanished", "metadata": {"x": 1}}'
    for _ in range(3):
        running.raw(post_head(running.key, len(body)) + body[:-5], read=False)
    time.sleep(0.5)
    output = running.server.output()
    assert "internal error" not in output and "Traceback" not in output, output[-2000:]


def test_a_header_of_megabytes_is_cut_off(running: Running) -> None:
    """The server stops reading a head long before 20 MB and does not grow."""
    before = rss_kb(running.server.process.pid)
    sent = 0
    with socket.create_connection(running.address, timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: padron\r\nX-Junk: ")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(20):
                s.sendall(b"a" * 1024 * 1024)
                sent += 1
    grown = rss_kb(running.server.process.pid) - before
    assert sent < 20, "the server read a 20 MB header to the end"
    assert grown < 16 * 1024, f"the server grew by {grown} KB"


# -- the limits themselves, in process ----------------------------------------


@pytest.fixture
def limited(runtime: Runtime) -> Iterator[tuple[TestClient, str]]:
    key = runtime.access.create_key("shop").secret
    app: Any = TransportLimits(create_app(runtime, close_runtime=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, key


def test_transport_limits_answer_431_and_414(limited: tuple[TestClient, str]) -> None:
    client, key = limited
    r = client.post(
        "/customers", json={"code": "h"}, headers={**headers(key), "X-Junk": "a" * 200_000}
    )
    assert r.status_code == 431 and r.json()["payload"]["code"] == "headers_too_large"
    r = client.get("/customers?code=" + "x" * 20_000, headers=headers(key))
    assert r.status_code == 414 and r.json()["payload"]["code"] == "uri_too_long"
    ok = client.post("/customers", json={"code": "h"}, headers=headers(key))
    assert ok.status_code == 201
    assert client.get("/customers", params={"code": "h"}, headers=headers(key)).status_code == 200
