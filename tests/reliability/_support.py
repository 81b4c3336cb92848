"""Helpers shared by the reliability tests: the error shapes of API.md and a
health check that proves a server still works after something hostile."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from typing import Any, Protocol

#: Answers of the fuzzing tests by status code, reported at the end of the run.
FUZZ_COUNTS: Counter[str] = Counter()


class HttpResponse(Protocol):
    status_code: int
    content: bytes
    headers: Any

    def json(self) -> Any: ...


class HttpClient(Protocol):
    def get(self, url: str, **kw: Any) -> Any: ...
    def post(self, url: str, **kw: Any) -> Any: ...
    def request(self, method: str, url: str, **kw: Any) -> Any: ...


def headers(key: str) -> dict[str, str]:
    return {"X-API-Key": key, "X-API-Version": "1"}


def assert_error_shape(r: HttpResponse) -> Any:
    """Every error answer of API.md: JSON; a 400 is an array whose elements have
    ``object`` and ``payload.code``; any other error is one such object."""
    assert r.headers["content-type"].startswith("application/json"), r.headers
    body = json.loads(r.content)
    elements = body if r.status_code == 400 else [body]
    assert isinstance(body, list) == (r.status_code == 400), (r.status_code, body)
    assert elements, body
    for element in elements:
        assert isinstance(element, dict), body
        assert isinstance(element.get("object"), str), body
        assert isinstance(element.get("payload"), dict), body
        assert isinstance(element["payload"].get("code"), str), body
    return body


def assert_rejected(r: HttpResponse, status: int = 400, code: str | None = None) -> Any:
    assert r.status_code == status, (r.status_code, r.content[:500])
    body = assert_error_shape(r)
    if code is not None:
        first = body[0] if isinstance(body, list) else body
        assert first["payload"]["code"] == code, body
    return body


def field_codes(body: Any) -> set[tuple[str, str]]:
    """The (field, code) pairs of every field error of a 400 body."""
    out: set[tuple[str, str]] = set()
    for element in body:
        for fe in element["payload"].get("fieldErrors", []):
            out.add((fe["payload"]["field"], fe["payload"]["code"]))
    return out


def assert_healthy(http: HttpClient, key: str) -> None:
    """``GET /healthz`` answers and a valid write and read still work."""
    assert http.get("/healthz").status_code == 200
    code = "healthy-" + secrets.token_hex(6)
    r = http.post(
        "/customers",
        json={"code": code, "yearBorn": 1990, "metadata": {"probe": True}},
        headers=headers(key),
    )
    assert r.status_code == 201, r.content[:500]
    got = http.get("/customers", params={"code": code}, headers=headers(key))
    assert got.status_code == 200
    assert got.json()["payload"]["metadata"] == {"probe": True}
    gone = http.request("DELETE", "/customers", params={"code": code}, headers=headers(key))
    assert gone.status_code == 200
