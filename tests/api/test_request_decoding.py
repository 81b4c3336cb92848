"""Request decoding (issue 12): lenient paths on every route, compressed bodies,
query strings that are not UTF-8."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any

import pytest
from starlette.routing import Mount, Route

from tests.conftest import Api

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
JSON = {"Content-Type": "application/json"}
#: Absolute URLs: "//customers" alone would be read as a host name.
BASE = "http://testserver"


#: The dashboard is HTML for browsers: its answers are redirects (to ``/ui/``, to
#: sign-in) by design, and tests/ui covers them; the lenient paths are the API's.
DASHBOARD = "/ui"


def _routes(api: Api) -> list[str]:
    app: Any = api.client.app
    paths = []
    for route in app.routes:
        if isinstance(route, Route | Mount) and "{" not in route.path:
            path = route.path.rstrip("/") or "/"
            if path != DASHBOARD:
                paths.append(path)
    assert "/customers" in paths and "/status" in paths
    return paths


def _variants(path: str) -> list[str]:
    inner = path[1:]
    return [f"{path}/", f"/{path}", f"//{inner}/", f"{path}//", f"/{path}//"]


def _answer(r: Any) -> tuple[Any, ...]:
    kind = r.headers.get("content-type", "")
    if "json" in kind and r.content:
        body = r.json()
        first = body[0] if isinstance(body, list) and body else body
        shape = (first.get("object"), (first.get("payload") or {}).get("code"))
    else:
        shape = (kind.split(";")[0],)
    status = 200 if r.status_code in (200, 201) else r.status_code
    return status, r.headers.get("allow"), shape


def test_every_route_answers_the_same_under_every_path_variant(api: Api) -> None:
    body = json.dumps({"code": "path-walk", "gender": 1})
    for path in _routes(api):
        for method in METHODS:
            content = body if method in ("POST", "PUT", "PATCH") else None
            query = "?code=path-walk" if path == "/customers" and method != "POST" else ""
            api.post({"code": "path-walk", "gender": 1})  # each DELETE finds one to delete
            canonical = api.client.request(
                method, path + query, content=content, headers={**api.headers, **JSON}
            )
            for variant in _variants(path):
                api.post({"code": "path-walk", "gender": 1})
                r = api.client.request(
                    method,
                    BASE + variant + query,
                    content=content,
                    headers={**api.headers, **JSON},
                    follow_redirects=False,
                )
                where = (method, variant)
                assert not 300 <= r.status_code < 400, where
                assert _answer(r) == _answer(canonical), (where, r.status_code, r.content[:200])
                if method != "HEAD":
                    assert r.content, where
                    assert r.headers.get("content-type"), where


def test_the_php_sdk_joining_a_base_url_with_a_trailing_slash(api: Api) -> None:
    r = api.client.post(
        BASE + "//customers", content=b'{"code":"sdk1"}', headers={**api.headers, **JSON}
    )
    assert r.status_code == 201, r.text
    r = api.client.get(BASE + "//customers?code=sdk1", headers=api.headers)
    assert r.status_code == 200 and r.json()["payload"]["code"] == "sdk1"
    r = api.client.get("/status/", headers=api.headers)
    assert r.status_code == 200 and r.json()["object"] == "status"


def test_an_unknown_path_is_a_json_404_under_any_variant(api: Api) -> None:
    for path in ("/nope", "/nope/", "//nope", "/customers/x", "/customers/x/"):
        r = api.client.get(BASE + path, headers=api.headers, follow_redirects=False)
        assert r.status_code == 404, path
        assert r.json()["payload"]["code"] == "not_found"


# -- content codings ---------------------------------------------------------

CUSTOMERS = json.dumps([{"code": f"z{i}", "gender": i % 4} for i in range(40)]).encode()


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


ENCODED = [
    ("gzip", gzip.compress(CUSTOMERS)),
    ("x-gzip", gzip.compress(CUSTOMERS)),
    ("GZIP", gzip.compress(CUSTOMERS)),
    ("deflate", zlib.compress(CUSTOMERS)),
    ("deflate", _raw_deflate(CUSTOMERS)),
    ("identity", CUSTOMERS),
    ("gzip, deflate", zlib.compress(gzip.compress(CUSTOMERS))),
    ("gzip", gzip.compress(CUSTOMERS[:500]) + gzip.compress(CUSTOMERS[500:])),
]


@pytest.mark.parametrize(("coding", "body"), ENCODED, ids=[c for c, _ in ENCODED])
def test_compressed_bodies_are_taken(api: Api, coding: str, body: bytes) -> None:
    r = api.client.post(
        "/customers", content=body, headers={**api.headers, **JSON, "Content-Encoding": coding}
    )
    assert r.status_code == 200, r.text
    assert r.json()["payload"]["received"] == 40


@pytest.mark.parametrize("coding", ["br", "compress", "zstd", "x-unknown", "gzip, br"])
def test_other_codings_are_415_naming_the_coding(api: Api, coding: str) -> None:
    r = api.client.post(
        "/customers",
        content=gzip.compress(CUSTOMERS),
        headers={**api.headers, **JSON, "Content-Encoding": coding},
    )
    assert r.status_code == 415, r.text
    payload = r.json()["payload"]
    assert payload["code"] == "unsupported_media_type"
    named = coding.split(",")[-1].strip()
    assert repr(named) in payload["description"]
    assert "gzip" in payload["description"]


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", b"\x1f\x8b\x08\x00garbage-garbage"),
        ("gzip", gzip.compress(CUSTOMERS)[:-12]),  # cut off
        ("gzip", CUSTOMERS),  # not compressed at all
        ("deflate", b"\xff\xfe\xfd\xfc"),
        ("gzip", gzip.compress(CUSTOMERS) + b"trailing"),
    ],
)
def test_a_corrupt_body_says_the_coding_is_corrupt(api: Api, coding: str, body: bytes) -> None:
    r = api.client.post(
        "/customers", content=body, headers={**api.headers, **JSON, "Content-Encoding": coding}
    )
    assert r.status_code == 400, r.text
    (element,) = r.json()
    assert element["payload"]["code"] == "invalid_body"
    description = element["payload"]["description"]
    assert f"{coding} body is corrupt" in description
    assert "UTF-8" not in description
    assert api.runtime.store.count_customers(api.runtime.access.project("shop").id) == 0


def _bomb(size: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    parts = [c.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + c.flush()


def test_a_bomb_is_413_on_its_decompressed_size(api: Api) -> None:
    bomb = _bomb(64 << 20)
    assert len(bomb) < 100_000
    r = api.client.post(
        "/customers", content=bomb, headers={**api.headers, **JSON, "Content-Encoding": "gzip"}
    )
    assert r.status_code == 413, r.text
    payload = r.json()["payload"]
    assert payload["code"] == "payload_too_large"
    assert "decompressed" in payload["description"]


def test_the_body_limit_counts_decompressed_bytes(api: Api) -> None:
    limit = api.runtime.settings.max_body_bytes
    under = b'{"code":"pad","metadata":{"p":"' + b" " * 10 + b'"}}'
    padded = under + b" " * (limit - len(under))  # JSON may end in white space
    assert len(padded) == limit
    gz = {**api.headers, **JSON, "Content-Encoding": "gzip"}
    assert (
        api.client.post("/customers", content=gzip.compress(padded), headers=gz).status_code == 201
    )
    over = gzip.compress(padded + b" ")
    assert api.client.post("/customers", content=over, headers=gz).status_code == 413


def test_compressed_bytes_count_against_the_limit_even_when_they_inflate_to_nothing(
    api: Api,
) -> None:
    limit = api.runtime.settings.max_body_bytes
    empty_block = b"\x00\x00\x00\xff\xff"  # a stored deflate block of 0 bytes, not final

    def stream() -> Any:  # chunked: no Content-Length to refuse up front
        for _ in range(limit // len(empty_block) // 1000 + 2):
            yield empty_block * 1000
        yield b"\x01\x00\x00\xff\xff"

    r = api.client.post(
        "/customers",
        content=stream(),
        headers={**api.headers, **JSON, "Content-Encoding": "deflate"},
    )
    assert r.status_code == 413, r.text
    assert "compressed body is over" in r.json()["payload"]["description"]


def test_the_key_is_checked_before_the_coding(api: Api) -> None:
    r = api.client.post(
        "/customers",
        content=b"x",
        headers={"X-API-Key": "wrong", "X-API-Version": "1", "Content-Encoding": "br"},
    )
    assert r.status_code == 401


def test_an_empty_gzip_body_is_an_empty_body(api: Api) -> None:
    r = api.client.post(
        "/customers", content=b"", headers={**api.headers, **JSON, "Content-Encoding": "gzip"}
    )
    assert r.status_code == 400
    assert r.json()[0]["payload"]["code"] == "invalid_body"
    assert "empty" in r.json()[0]["payload"]["description"]


# -- query strings -------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/locations/resolve?city=M%FCnchen",
        "/customers?code=Jos%E9",
        "/customers?code=%FF%FE",
        "/customers?c%F6de=1",
        "/status?x=%C3",
    ],
)
def test_a_query_that_is_not_utf8_is_400_saying_so(api: Api, target: str) -> None:
    r = api.client.get(target, headers=api.headers)
    assert r.status_code == 400, r.text
    (element,) = r.json()
    assert element["payload"]["code"] == "invalid_query"
    assert "not UTF-8" in element["payload"]["description"]


def test_the_latin1_query_error_shows_the_utf8_spelling(api: Api) -> None:
    r = api.client.get("/locations/resolve?city=M%FCnchen", headers=api.headers)
    description = r.json()[0]["payload"]["description"]
    assert "'city'" in description and "0xFC" in description
    assert "M%C3%BCnchen" in description
    ok = api.client.get("/locations/resolve?country=DE&city=M%C3%BCnchen", headers=api.headers)
    assert ok.status_code == 200, ok.text


# -- every 4xx says what to change ---------------------------------------------------

INSTRUCTIONS = ("send", "remove", "use", "give", "format", "retry", "check", "percent-encode")


def test_every_refusal_of_a_request_says_what_to_change(api: Api) -> None:
    reader = api.runtime.access.create_key("shop", ["status"]).secret
    limit = api.runtime.settings.max_body_bytes
    h = api.headers
    cases: list[tuple[str, str, dict[str, str], bytes | None]] = [
        ("GET", "/customers?code=nobody", h, None),
        ("DELETE", "/customers?id=cus_00000000000000", h, None),
        ("GET", "/nowhere", h, None),
        ("PUT", "/customers", h, b"{}"),
        ("GET", "/customers?code=", h, None),
        ("GET", "/customers?code=a&id=b", h, None),
        ("GET", "/status", {"X-API-Version": "1"}, None),
        ("GET", "/status", {"X-API-Key": "pdn_wrong", "X-API-Version": "1"}, None),
        ("GET", "/status", {"X-API-Key": api.key}, None),
        ("GET", "/status", {"X-API-Key": api.key, "X-API-Version": "2"}, None),
        ("POST", "/customers", {"X-API-Key": reader, "X-API-Version": "1"}, b'{"code":"x"}'),
        ("POST", "/customers", {**h, "Content-Length": str(limit + 1)}, b"x" * (limit + 1)),
        ("POST", "/customers", {**h, "Content-Type": "text/csv"}, b"code\nx\n"),
        ("POST", "/customers", {**h, **JSON, "Content-Encoding": "br"}, b"x"),
        ("GET", "/locations/resolve?town=Paris", h, None),
        ("GET", "/locations/resolve?city=M%FCnchen", h, None),
    ]
    silent = []
    for method, target, headers, body in cases:
        r = api.client.request(method, target, headers=headers, content=body)
        assert 400 <= r.status_code < 500, (method, target, r.status_code)
        answer = r.json()
        payload = (answer[0] if isinstance(answer, list) else answer)["payload"]
        text = payload["description"]
        if not any(word in text for word in INSTRUCTIONS):
            silent.append((method, target, r.status_code, text))
    assert not silent
