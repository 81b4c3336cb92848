"""A gzip bomb against a real ``padron serve``: 413, and the server's memory stays flat
(issue 12: the decompressed size counts against the body limit)."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from pathlib import Path

import pytest

from tests.serving import create_key, serving

pytestmark = pytest.mark.slow

GB = 1 << 30


def _gzip_of_zeros(size: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    return b"".join(c.compress(block) for _ in range(size >> 20)) + c.flush()


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _server_pid(parent: int) -> int:
    """The process that serves (the worker when ``serve`` runs one under it)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return int(children[0]) if children else parent


def _post(url: str, key: str, body: bytes, coding: str) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"POST /customers HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {key}\r\nX-API-Version: 1\r\n"
        f"Content-Type: application/json\r\nContent-Encoding: {coding}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=60) as s:
        # All of it: the server reads a refused body to its end (within the limit)
        # before it answers, so the answer is not lost to a connection reset.
        s.sendall(head + body)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


@pytest.mark.parametrize("layers", [1, 2])
def test_a_1_gb_gzip_bomb_is_413_with_flat_memory(
    tmp_path: Path, data_dir: Path, layers: int
) -> None:
    bomb = _gzip_of_zeros(GB)  # ≈ 1 MB
    coding = "gzip"
    if layers == 2:
        bomb = gzip.compress(bomb, 9)  # ≈ 10 KB that inflate to 1 GB
        coding = "gzip, gzip"
        assert len(bomb) < 20_000
    db = f"sqlite:///{tmp_path / 'bomb.db'}"
    key = create_key(db, data_dir)
    with serving(db, data_dir) as server:
        pid = _server_pid(server.process.pid)
        warm = _post(server.url, key, gzip.compress(b'{"code": "warm"}'), "gzip")
        assert warm[0] == 201, warm
        before = _rss_kb(pid)
        started = time.monotonic()
        status, body = _post(server.url, key, bomb, coding)
        took = time.monotonic() - started
        grown = _rss_kb(pid) - before
        print(f"bomb of {len(bomb)} bytes ({coding}): 413 in {took:.2f} s, RSS +{grown} KB")
        assert status == 413, body
        assert b"payload_too_large" in body and b"decompressed" in body
        assert grown < 20 * 1024, f"RSS grew by {grown} KB"
        assert took < 10, took  # inflated up to the limit only, not the whole gigabyte
