"""Hostile input: every request here is answered with a 4xx in the shape of
API.md, writes nothing, and leaves the app healthy (GUIDE.md: "Bad input gets a
clear error and changes nothing. No request can make the server answer 500").

These run against the in-process app; the transport-level cases (a huge header,
a huge body on the socket, a dropped connection) are in ``test_hostile_transport``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import Api

from ._support import assert_error_shape, assert_healthy, assert_rejected, field_codes

JSON_HEADERS = {"Content-Type": "application/json"}


@pytest.fixture
def shop(api: Api) -> Iterator[Api]:
    """The in-process API; afterwards: nothing was written and the app is healthy."""
    project = api.runtime.store.project_by_name("shop")
    assert project is not None
    api.post({"code": "already-there", "metadata": {"n": 1}})
    before = api.runtime.store.count_customers(project.id)
    yield api
    assert api.runtime.store.count_customers(project.id) == before, "a hostile request wrote"
    kept = api.get(code="already-there")
    assert kept.status_code == 200 and kept.json()["payload"]["metadata"] == {"n": 1}
    assert_healthy(api.client, api.key)


def post_raw(api: Api, body: bytes, headers: dict[str, str] | None = None) -> Any:
    return api.client.post(
        "/customers", content=body, headers={**api.headers, **JSON_HEADERS, **(headers or {})}
    )


# -- size ---------------------------------------------------------------------


def test_a_10_mb_body_is_413(shop: Api) -> None:
    body = b'{"code": "big", "metadata": {"x": "' + b"a" * (10 * 1024 * 1024) + b'"}}'
    assert_rejected(post_raw(shop, body), 413, "payload_too_large")


def test_a_10_mb_body_without_content_length_is_413(shop: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'[{"code": "big", "metadata": {"x": "'
        for _ in range(160):
            yield b"a" * 65536
        yield b'"}}]'

    r = shop.client.post("/customers", content=chunks(), headers={**shop.headers, **JSON_HEADERS})
    assert_rejected(r, 413, "payload_too_large")


def test_a_lying_content_length_is_refused_without_a_write(shop: Api) -> None:
    body = b'{"code": "liar"}'
    r = post_raw(shop, body, {"Content-Length": str(10 * 1024 * 1024)})
    assert 400 <= r.status_code < 500
    assert_error_shape(r)


# -- structure ----------------------------------------------------------------


DEEP_PLACES = ["body", "metadata", "code", "city"]


def test_nesting_200000_levels_deep(shop: Api) -> None:
    for where in DEEP_PLACES:
        depth = 200_000
        deep = b"[" * depth + b"]" * depth
        body = {
            "body": deep,
            "metadata": b'{"code": "deep", "metadata": %b}'
            % (b'{"a":' * depth + b"1" + b"}" * depth),
            "code": b'{"code": ' + deep + b"}",
            "city": b'{"code": "deep", "city": ' + deep + b"}",
        }[where]
        assert_rejected(post_raw(shop, body), 400, "malformed_json")


NEAR_LIMIT_DEPTHS = [50, 400, 800, 900, 950, 980, 990, 995, 1000, 1500, 5000]


def test_nesting_near_the_recursion_limit(shop: Api) -> None:
    for depth in NEAR_LIMIT_DEPTHS:
        """Depths around Python's recursion limit: decoded or not, validated or not,
        never a 5xx; accepted metadata comes back exactly."""
        metadata = '{"a":' * depth + "1" + "}" * depth
        for i, body in enumerate(
            [
                f'{{"code": "deep{depth}", "metadata": {metadata}}}',
                f'[{{"code": "deepl{depth}", "metadata": {{"l": {"[" * depth + "]" * depth}}}}}]',
            ]
        ):
            r = post_raw(shop, body.encode())
            assert r.status_code < 500, (depth, r.status_code, r.content[:300])
            if r.status_code in (200, 201):
                # accepted: clean up so that the fixture's "nothing written" still holds
                code = f"deep{depth}" if i == 0 else f"deepl{depth}"
                got = shop.get(code=code)
                assert got.status_code == 200
                sent = json.loads(body)
                sent = sent[0] if isinstance(sent, list) else sent
                assert got.json()["payload"]["metadata"] == sent["metadata"]
                assert shop.delete(code=code).status_code == 200
            else:
                assert_error_shape(r)


INVALID_UTF8 = [
    b'{"code": "\xff\xfe"}',
    b'{"code": "a\xc0\xafb"}',  # overlong encoding of "/"
    b'{"code": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8
    b'{"code": "ok", "city": "\xe2\x82"}',  # truncated sequence
    b'{"code": "ok", "metadata": {"k": "\xf8\x88\x80\x80\x80"}}',  # 5-byte form
    b"\xff\xfe{\x00}\x00",  # UTF-16 with a BOM
]


def test_invalid_utf8(shop: Api) -> None:
    for body in INVALID_UTF8:
        assert_rejected(post_raw(shop, body), 400, "malformed_json")


def test_nan_and_infinity(shop: Api) -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        for field in ("yearBorn", "gender", "code", "metadata.x", "metadata.x[0]"):
            value = {"metadata.x": '{"x": @}', "metadata.x[0]": '{"x": [@]}'}.get(field, "@")
            value = value.replace("@", constant)
            name = field.split(".")[0]
            body = (
                f'{{"code": "nan", "{name}": {value}}}'
                if name != "code"
                else f'{{"code": {value}}}'
            )
            assert_rejected(post_raw(shop, body.encode()), 400, "malformed_json")


def test_a_number_beyond_float_range_is_refused(shop: Api) -> None:
    # 1e400 parses as a float infinity: refused as a value, not stored as "Infinity"
    body = assert_rejected(post_raw(shop, b'{"code": "huge", "metadata": {"x": 1e400}}'), 400)
    assert ("metadata", "invalid_value") in field_codes(body)
    # for an integer field it is a whole number far out of range (issue 12: huge numbers)
    body = assert_rejected(post_raw(shop, b'{"code": "huge", "yearBorn": 1e400}'), 400)
    assert ("yearBorn", "out_of_range") in field_codes(body)


# -- text that cannot be stored -------------------------------------------------

LONE = "\\ud800"  # the JSON escape of a lone high surrogate


def at(template: str, value: str) -> str:
    return template.replace("@", value)


LONE_SURROGATES = [
    (at('{"code": "@"}', LONE), "code"),
    ('{"code": "x\\udfffy"}', "code"),
    (at('{"code": "lone", "city": "Pa@ris"}', LONE), "city"),
    (at('{"code": "lone", "country": "@"}', LONE), "country"),
    ('{"code": "lone", "state": "\\udc00"}', "state"),
    (at('{"code": "lone", "metadata": {"k": "@"}}', LONE), "metadata"),
    (at('{"code": "lone", "metadata": {"@": 1}}', LONE), "metadata"),
    (at('{"code": "lone", "metadata": {"a": [{"b": ["@"]}]}}', LONE), "metadata"),
    (at('{"code": "lone", "yearBorn": "@"}', LONE), "yearBorn"),
    (at('{"code": "lone", "gender": "@"}', LONE), "gender"),
    (at('{"code": "lone", "isActive": "@"}', LONE), "isActive"),
    (at('{"code": "lone", "@": 1}', LONE), None),  # an unknown field named by a surrogate
    (at('{"code": "lone", "metadata": "@"}', LONE), "metadata"),
]


def test_lone_surrogates(shop: Api) -> None:
    for body, field in LONE_SURROGATES:
        r = post_raw(shop, body.encode())
        errors = assert_rejected(r, 400, "invalid_customer")
        fields = {f for f, _ in field_codes(errors)}
        if field is not None:
            assert field in fields, errors
        # the answer itself is valid UTF-8 JSON (no surrogate echoed raw)
        r.content.decode("utf-8")


def test_a_lone_surrogate_pair_that_is_valid_is_stored(shop: Api) -> None:
    # "\ud83d\ude00" is a proper pair (😀): not hostile, stored and returned as the character
    r = post_raw(shop, b'{"code": "smile\\ud83d\\ude00", "metadata": {"e": "\\ud83d\\ude00"}}')
    assert r.status_code == 201, r.content
    assert r.json()["payload"]["code"] == "smile😀"
    assert r.json()["payload"]["metadata"] == {"e": "😀"}
    assert shop.delete(code="smile😀").status_code == 200


NULS_REFUSED = [
    ('{"code": "\\u0000"}', "code"),
    ('{"code": "a\\u0000b"}', "code"),
    ('{"code": "nul", "city": "Par\\u0000is"}', "city"),
    ('{"code": "nul", "country": "ES\\u0000"}', "country"),
]


def test_nul_characters_are_refused(shop: Api) -> None:
    for body, field in NULS_REFUSED:
        errors = assert_rejected(post_raw(shop, body.encode()), 400, "invalid_customer")
        assert (field, "invalid_value") in field_codes(errors), errors


NULS_IN_METADATA = [
    {"k": "a\u0000b"},
    {"k\u0000": 1},
    {"l": ["\u0000"]},
]


def test_nul_characters_inside_metadata_are_stored_verbatim(shop: Api) -> None:
    for metadata in NULS_IN_METADATA:
        # metadata is kept as JSON text, where a NUL is the escape \u0000: storable on
        # both backends, so it is kept as sent (unlike code and places, kept as text columns).
        r = shop.post({"code": "nul-meta", "metadata": metadata})
        assert r.status_code == 201, r.text
        assert r.json()["payload"]["metadata"] == metadata
        assert shop.get(code="nul-meta").json()["payload"]["metadata"] == metadata
        assert shop.delete(code="nul-meta").status_code == 200


def test_a_raw_nul_byte_is_malformed_json(shop: Api) -> None:
    # a control character unescaped inside a string is not JSON
    assert_rejected(post_raw(shop, b'{"code": "a\x00b"}'), 400, "malformed_json")


HOSTILE_QUERIES = [
    ("code=%00", 404),
    ("code=a%00b", 404),
    ("id=cus_%00", 404),
    ("code=%ED%A0%80", None),  # a surrogate, percent-encoded as UTF-8
    ("code=%FF%FE", None),  # not UTF-8 at all
    ("code=" + "x" * 30_000, None),  # 404, or 414 where the target is capped
    ("code=a&code=b", None),
    ("code=a&id=b", 400),
]


def test_hostile_text_in_a_query(shop: Api) -> None:
    for query, status in HOSTILE_QUERIES:
        for method in ("GET", "DELETE"):
            r = shop.client.request(method, "/customers?" + query, headers=shop.headers)
            assert 400 <= r.status_code < 500, (method, r.status_code, r.content[:300])
            if status is not None:
                assert r.status_code == status
            assert_error_shape(r)


# -- duplicates, big numbers, content types ------------------------------------


DUPLICATE_KEYS = [
    ('{"code": "a", "code": "b"}', "code"),
    ('{"code": "dup", "yearBorn": 1990, "yearBorn": 1991}', "yearBorn"),
    ('{"code": "dup", "metadata": {"k": 1, "k": 2}}', "metadata"),
    ('{"code": "dup", "metadata": {"a": {"k": 1, "k": 1}}}', "metadata"),
    ('[{"code": "ok1"}, {"code": "dup", "city": "x", "city": "y"}]', "city"),
]


def test_duplicate_keys(shop: Api) -> None:
    for body, field in DUPLICATE_KEYS:
        errors = assert_rejected(post_raw(shop, body.encode()), 400, "invalid_customer")
        assert (field, "invalid_value") in field_codes(errors), errors


HUGE_INTEGER_FIELDS = ["code", "yearBorn", "gender", "country", "metadata", "isActive"]


def test_a_5000_digit_integer(shop: Api) -> None:
    for field in HUGE_INTEGER_FIELDS:
        number = "9" * 5000
        if field == "metadata":
            body = f'{{"code": "big", "metadata": {{"n": {number}}}}}'
        elif field == "code":
            body = f'{{"code": {number}}}'
        else:
            body = f'{{"code": "big", "{field}": {number}}}'
        assert_rejected(post_raw(shop, body.encode()), 400, "malformed_json")


BIG_INTEGER_FIELDS = ["code", "yearBorn", "gender", "country", "isActive"]


def test_a_4000_digit_integer_in_a_field(shop: Api) -> None:
    for field in BIG_INTEGER_FIELDS:
        # within the decoder's limit: refused by the field rules, never a crash
        number = "9" * 4000
        body = (
            f'{{"code": {number}}}' if field == "code" else f'{{"code": "b", "{field}": {number}}}'
        )
        errors = assert_rejected(post_raw(shop, body.encode()), 400, "invalid_customer")
        assert field in {f for f, _ in field_codes(errors)}


def test_a_4000_digit_integer_in_metadata_is_kept_exactly(shop: Api) -> None:
    number = "7" * 4000
    r = post_raw(shop, f'{{"code": "bignum", "metadata": {{"n": {number}}}}}'.encode())
    assert r.status_code == 201, r.content[:300]
    raw = shop.client.get("/customers", params={"code": "bignum"}, headers=shop.headers).content
    assert b'"metadata":{"n":' + number.encode() + b"}" in raw
    assert shop.delete(code="bignum").status_code == 200


WRONG_CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "text/json",
    "application/jsonx",
]


def test_a_wrong_content_type_is_415(shop: Api) -> None:
    for content_type in WRONG_CONTENT_TYPES:
        r = post_raw(shop, b'{"code": "typed"}', {"Content-Type": content_type})
        assert_rejected(r, 415, "unsupported_media_type")


# -- hostile values that are valid: stored verbatim, harmless -----------------

FRAGMENTS = [
    "'; DROP TABLE customers; --",
    "Robert'); DROP TABLE students;--",
    "1' OR '1'='1",
    '" OR ""="',
    "1; SELECT pg_sleep(10); --",
    "x' UNION SELECT key_hash FROM api_keys --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "${jndi:ldap://example.invalid/a}",
    "{{7*7}}",
    "%s%s%n%x",
    "../../../../etc/passwd",
    "\\'\\\"\\\\",
    "\u202eevil\u202c",
    "\ufeffbom",
    "x\u2028\u2029",
    "$(rm -rf /)",
    "`id`",
    "' ; ATTACH DATABASE '/tmp/x.db' AS x; --",
]


def test_sql_and_script_fragments_are_stored_verbatim(api: Api) -> None:
    project = api.runtime.store.project_by_name("shop")
    assert project is not None
    for fragment in FRAGMENTS:
        code = fragment
        metadata = {fragment: fragment, "nested": [fragment, {"v": fragment}]}
        r = api.post({"code": code, "metadata": metadata})
        assert r.status_code == 201, r.content
        # byte for byte: the compact JSON of what was sent comes back inside the answer
        compact = json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode()
        for answer in (r, api.get(code=code), api.get(id=r.json()["id"])):
            assert answer.status_code == 200 or answer is r
            assert answer.json()["payload"]["code"] == code
            assert answer.json()["payload"]["metadata"] == metadata
            assert compact in answer.content
        # the fragment as a city too: no place is called that, so it is kept as sent
        # (trimmed) with a warning — or, if the folded text happens to name real
        # places, refused as a city error; either way nothing else is touched
        batch = [{"code": fragment + "/b", "city": fragment, "metadata": metadata}]
        b = api.post(batch)
        if b.status_code == 400:
            assert {f for f, _ in field_codes(b.json())} == {"city"}, b.content
            batch[0]["city"] = None
            b = api.post(batch)
        assert b.status_code == 200, b.content
        city = b.json()["payload"]["customers"][0]["payload"]["city"]
        assert city in (fragment.strip(), None), city
        # the database is intact: the tables answer, exactly these customers are there
        assert api.runtime.store.count_customers(project.id) == 2
        assert len(api.runtime.access.store.list_keys()) >= 1
        assert api.delete(code=code).json()["deleted"] is True
        assert api.get(code=code).status_code == 404
        assert api.delete(code=fragment + "/b").status_code == 200
    assert_healthy(api.client, api.key)
