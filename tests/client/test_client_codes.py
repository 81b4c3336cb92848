"""padron.client sends codes normalised (NFC, trimmed), as the server stores them,
so that a server of the same API that does not normalise sees one code too."""

from __future__ import annotations

import http.server
import json
import threading
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from padron.client import Client

NFD = unicodedata.normalize("NFD", " José-1\t")
NFC = "José-1"
ENTITY = {
    "object": "customer",
    "id": "cus_00000000000000",
    "createdAt": "2026-01-01T00:00:00+00:00",
    "updatedAt": "2026-01-01T00:00:00+00:00",
    "projectId": "prj_00000000000000",
    "payload": {"code": NFC},
}


@pytest.fixture
def seen() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A server that records each request (method, query, JSON body) and answers one entity."""
    requests: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            sent = json.loads(body) if body else None
            requests.append(
                {"method": self.command, "query": parse_qs(urlsplit(self.path).query), "body": sent}
            )
            answer: Any = ENTITY
            if isinstance(sent, list):
                answer = {"object": "ingest_result", "payload": {"code": "ok", "customers": []}}
            data = json.dumps(answer).encode()
            self.send_response(201 if self.command == "POST" else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_the_client_sends_codes_normalised(seen: tuple[str, list[dict[str, Any]]]) -> None:
    url, requests = seen
    with Client(url, "pdn_x", retries=0) as client:
        client.customers.ingest({"code": NFD, "gender": 1})
        client.customers.get(code=NFD)
        client.customers.delete(code=NFD)
        client.customers.ingest([{"code": NFD}, {"code": 7}])
    post, get, delete, batch = requests
    assert post["body"] == {"code": NFC, "gender": 1}
    assert get["query"] == {"code": [NFC]}
    assert delete["query"] == {"code": [NFC]}
    assert batch["body"] == [{"code": NFC}, {"code": 7}]
