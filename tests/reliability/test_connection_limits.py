"""A client cannot hold the server's memory, descriptors or time: trailers,
slow heads, slow bodies, and more connections than the cap, against a real
``padron serve`` with short limits (so that each test takes seconds).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import Server, create_key, start

from ._support import assert_healthy

pytestmark = pytest.mark.slow

LIMITS = {
    "PADRON_HEAD_TIMEOUT": "1",
    "PADRON_BODY_TIMEOUT": "1",
    "PADRON_BODY_MIN_RATE": "1000",
    "PADRON_KEEPALIVE_TIMEOUT": "1",
    "PADRON_MAX_CONNECTIONS": "10",
    "PADRON_MAX_BUFFERED_BYTES": str(1024 * 1024),
}


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class Limited:
    def __init__(self, server: Server, key: str) -> None:
        self.server = server
        self.key = key
        host, port = server.url.removeprefix("http://").split(":")
        self.address = (host, int(port))

    @property
    def pid(self) -> int:
        return self.server.process.pid

    def connect(self, timeout: float = 10) -> socket.socket:
        return socket.create_connection(self.address, timeout=timeout)

    def post_head(self, extra: str, key: bool = True) -> bytes:
        auth = f"X-API-Key: {self.key}\r\n" if key else ""
        return (
            "POST /customers HTTP/1.1\r\nHost: padron\r\nX-API-Version: 1\r\n"
            f"Content-Type: application/json\r\n{auth}{extra}\r\n"
        ).encode()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[Limited]:
    url = f"sqlite:///{tmp_path_factory.mktemp('limits') / 'padron.db'}"
    key = create_key(url, data_dir)
    server = start(url, data_dir, env=LIMITS)
    try:
        yield Limited(server, key)
        assert server.process.poll() is None, "the server died"
    finally:
        server.stop()


def read_all(s: socket.socket, seconds: float) -> tuple[bytes, bool]:
    """What the server sends within ``seconds``, and whether it closed."""
    s.settimeout(seconds)
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
        return data, True
    except TimeoutError:
        return data, False
    except ConnectionResetError:
        return data, True


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def test_a_trailer_flood_is_cut_off(limited: Limited) -> None:
    """The body ends, then trailer lines stream: the server stops reading them
    after the head limit, closes, and does not grow (it grew 1 GB in 14 s)."""
    before = rss_kb(limited.pid)
    sent = 0
    line = b"X-T: " + b"a" * 1000 + b"\r\n"
    with limited.connect() as s:
        s.sendall(limited.post_head("Transfer-Encoding: chunked\r\n", key=False) + b"0\r\n")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(50):  # 50 MB of trailers, if the server kept reading
                s.sendall(line * 1000)
                sent += 1
        _, closed = read_all(s, 5)
    grown = rss_kb(limited.pid) - before
    assert sent < 50, "the server read 50 MB of trailers"
    assert closed, "the connection stayed open"
    assert grown < 20 * 1024, f"the server grew by {grown} KB"


def test_a_key_sent_as_a_trailer_does_not_authenticate(limited: Limited) -> None:
    body = b'{"code": "trailer-key"}'
    request = (
        limited.post_head("Transfer-Encoding: chunked\r\n", key=False)
        + f"{len(body):x}\r\n".encode()
        + body
        + b"\r\n0\r\n"
        + f"X-API-Key: {limited.key}\r\n\r\n".encode()
    )
    with limited.connect() as s:
        s.sendall(request)  # one read: the trailer is parsed before the app runs
        answer, _ = read_all(s, 3)
    assert status_of(answer) == 401, answer[:300]
    with limited.server.client(limited.key) as http:
        assert http.get("/customers", params={"code": "trailer-key"}).status_code == 404


def test_a_slow_head_and_a_silent_connection_are_closed(limited: Limited) -> None:
    started = time.monotonic()
    with limited.connect() as silent, limited.connect() as slow:
        slow.sendall(b"POST /customers HTTP/1.1\r\n")
        closed_slow = False
        for _ in range(12):  # one header byte every 0.25 s: 3 s unless cut off
            time.sleep(0.25)
            try:
                slow.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed_slow = True
                break
        answer, closed = read_all(slow, 2)
        assert closed_slow or closed
        assert b"408" in answer.split(b"\r\n", 1)[0] or not answer, answer[:200]
        _, silent_closed = read_all(silent, 2)
        assert silent_closed
    assert time.monotonic() - started < 4.5


def test_a_slow_body_is_closed(limited: Limited) -> None:
    """10 bytes every 0.1 s (100 B/s) where 1000 B/s is the minimum: closed
    within a window or two of a second."""
    started = time.monotonic()
    with limited.connect() as s:
        s.sendall(limited.post_head("Content-Length: 100000\r\n"))
        cut = False
        for _ in range(50):
            time.sleep(0.1)
            try:
                s.sendall(b"a" * 10)
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
        answer, closed = read_all(s, 2)
    assert cut or closed, "a 100 B/s body was still being read after 5 s"
    assert time.monotonic() - started < 4.5
    assert not answer or status_of(answer) == 408, answer[:200]


def _busy_connection(limited: Limited, stop: threading.Event, opened: threading.Barrier) -> None:
    """A request whose body arrives fast enough never to be timed out, for as long as told."""
    with limited.connect() as s:
        s.sendall(limited.post_head("Content-Length: 1000000\r\n", key=False))
        opened.wait()
        while not stop.wait(0.1):
            with contextlib.suppress(OSError):
                s.sendall(b"a" * 1000)


def test_connections_past_the_cap_are_refused_while_a_normal_client_gets_through(
    limited: Limited,
) -> None:
    base = descriptors(limited.pid)
    # Idle and silent connections, three times the cap: the newest evict the
    # idlest, so a normal client still gets through and descriptors stay bounded.
    idle = [limited.connect() for _ in range(30)]
    time.sleep(0.2)
    with limited.server.client(limited.key) as http:
        assert_healthy(http, limited.key)
    assert descriptors(limited.pid) <= base + 2 * 10 + 4
    for s in idle:
        s.close()
    time.sleep(0.2)
    # Ten connections inside a request (bodies arriving at 10 KB/s): the next is 503.
    stop = threading.Event()
    opened = threading.Barrier(11)
    threads = [
        threading.Thread(target=_busy_connection, args=(limited, stop, opened)) for _ in range(10)
    ]
    for t in threads:
        t.start()
    try:
        opened.wait(timeout=10)
        time.sleep(0.3)
        with limited.connect() as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: padron\r\n\r\n")
            answer, closed = read_all(s, 3)
        assert status_of(answer) == 503, answer[:300]
        assert b"retry-after: 1" in answer.lower(), answer[:300]
        assert closed
    finally:
        stop.set()
        for t in threads:
            t.join()
    time.sleep(0.3)
    with limited.server.client(limited.key) as http:
        assert_healthy(http, limited.key)


def test_bodies_held_at_once_are_capped(limited: Limited) -> None:
    """One request holds 800 KB of its body while it arrives: a second body
    of 600 KB would pass the 1 MiB total and is answered 503 with
    Retry-After; once the first is gone, the second is read."""
    pad = b"a" * 600_000
    second = b'{"code": "second", "metadata": {"pad": "' + pad + b'"}}'
    stop = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with limited.connect() as s:
            s.sendall(limited.post_head("Content-Length: 1000000\r\n") + b"a" * 800_000)
            holding.set()
            while not stop.wait(0.1):  # 10 KB/s: above the minimum rate
                with contextlib.suppress(OSError):
                    s.sendall(b"a" * 1000)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(10)
        time.sleep(0.3)
        with limited.server.client(limited.key) as http:
            r = http.post(
                "/customers", content=second, headers={"Content-Type": "application/json"}
            )
            assert r.status_code == 503, r.text[:300]
            assert r.headers["retry-after"]
    finally:
        stop.set()
        holder.join()
    time.sleep(0.3)
    with limited.server.client(limited.key) as http:
        r = http.post("/customers", content=second, headers={"Content-Type": "application/json"})
        assert r.status_code != 503, r.text[:300]


def test_no_server_version_is_disclosed(limited: Limited) -> None:
    with limited.server.client(limited.key) as http:
        r = http.get("/status")
    assert r.status_code == 200
    assert "server" not in r.headers, r.headers
    assert r.headers["x-content-type-options"] == "nosniff"


def _smuggled(limited: Limited, code: str) -> bytes:
    body = f'{{"code": "{code}"}}'.encode()
    return (
        b"POST /customers HTTP/1.1\r\nHost: padron\r\nX-API-Version: 1\r\n"
        + f"X-API-Key: {limited.key}\r\nContent-Type: application/json\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


@pytest.mark.parametrize(
    "framing",
    [
        "Content-Length: {n}\r\nTransfer-Encoding: chunked",  # CL.TE
        "Transfer-Encoding: chunked\r\nContent-Length: {n}",  # TE.CL
        "Content-Length: {n}\r\nContent-Length: 0",  # two lengths
        "Transfer-Encoding: xchunked",  # obfuscated encodings
        "Transfer-Encoding : chunked",
        "Transfer-Encoding: chunked, identity",
        "Transfer-Encoding:\tchunked\r\nTransfer-Encoding: identity",
    ],
)
def test_no_request_is_smuggled(limited: Limited, framing: str) -> None:
    """Ambiguous framing is refused: the request hidden after the first body is
    never run (it would create the customer ``smuggled-…``)."""
    code = f"smuggled-{abs(hash(framing)) % 10**8}"
    hidden = _smuggled(limited, code)
    first = b"0\r\n\r\n" + hidden
    head = framing.format(n=len(first))
    request = (
        b"POST /customers HTTP/1.1\r\nHost: padron\r\nX-API-Version: 1\r\n"
        + f"Content-Type: application/json\r\n{head}\r\n\r\n".encode()
        + first
    )
    with limited.connect() as s:
        with contextlib.suppress(OSError):
            s.sendall(request)
        answer, _ = read_all(s, 2)
    assert answer.count(b"HTTP/1.1 ") <= 1, answer[:500]
    if answer:
        assert 400 <= status_of(answer) < 500, answer[:300]
    with limited.server.client(limited.key) as http:
        assert http.get("/customers", params={"code": code}).status_code == 404
