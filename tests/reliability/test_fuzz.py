"""Fuzzing the HTTP API with hypothesis over the request schema of API.md:
JSON values of every type in every field, unknown keys, batches of every size,
bodies that are not JSON at all, query strings, methods, paths and headers.

Whatever is sent: never a 5xx, every answer JSON with ``object`` and
``payload.code``, every 400 an array of such objects (the PHP SDK reads
``body[0]``), and an accepted write answers with whole entities.

``PADRON_FUZZ_EXAMPLES`` sets the number of examples per test (default 300).
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api

from ._support import FUZZ_COUNTS, assert_error_shape

EXAMPLES = int(os.environ.get("PADRON_FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = ("code", "isActive", "country", "state", "city", "yearBorn", "gender", "metadata")

# -- JSON values ---------------------------------------------------------------

# every code point, lone surrogates and NUL included
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)
texts = st.one_of(
    any_text,
    st.sampled_from(
        [
            "",
            " ",
            "ES",
            "ESP",
            "Spain",
            "España",
            "724",
            "Q29",
            "ES-B",
            "B",
            "Barcelona",
            "Paris",
            "Antwerpen",
            "Q90",
            "United",
            "Granada",
            "x" * 255,
            "x" * 256,
            "\u0000",
            "\ud800",
            "1990",
            "０１",
        ]
    ),
)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([0, 1, 2, 3, 4, -1, 1899, 1900, 1990, 2100, 724, 10**9, 2**63, -(2**63)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(any_text, inner, max_size=4),
    ),
    max_leaves=12,
)


@st.composite
def customers(draw: st.DrawFn) -> dict[str, Any]:
    """A customer object: each known field left out, plausible or anything at all,
    sometimes with unknown keys."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        choice = draw(st.integers(0, 9))
        if choice < 3 and field != "code":
            continue  # left out
        if choice < 7:
            out[field] = draw(
                {
                    "code": st.one_of(texts, st.integers()),
                    "isActive": st.one_of(st.booleans(), st.none()),
                    "country": texts,
                    "state": texts,
                    "city": texts,
                    "yearBorn": st.one_of(st.integers(1890, 2030), texts),
                    "gender": st.integers(-1, 5),
                    "metadata": st.dictionaries(any_text, json_values, max_size=5),
                }[field]
            )
        elif choice < 9 or field == "code":
            out[field] = draw(json_values)
    if draw(st.integers(0, 4)) == 0:
        out.update(draw(st.dictionaries(any_text, json_values, min_size=1, max_size=3)))
    return out


safe_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
safe_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), safe_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(safe_text, inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def plausible_customers(draw: st.DrawFn) -> dict[str, Any]:
    """Customers that are mostly valid, so that the fuzzing reaches the resolver,
    the merge and the store, not only the field rules."""
    out: dict[str, Any] = {"code": draw(st.one_of(safe_text.filter(str.strip), st.integers()))}
    pools = {
        "isActive": st.one_of(st.booleans(), st.none()),
        "country": st.one_of(
            st.sampled_from(["ES", "ESP", "Spain", "España", "724", "Q29", "FR", "DEU", "US"]),
            st.integers(0, 999),
            st.none(),
        ),
        "state": st.one_of(
            st.sampled_from(["ES-B", "Barcelona", "B", "Bayern", "DE-BY", "California"]),
            st.none(),
            safe_text,
        ),
        "city": st.one_of(
            st.sampled_from(["Antwerpen", "Anvers", "Q12892", "Madrid", "Paris", "Springfield"]),
            st.none(),
            safe_text,
        ),
        "yearBorn": st.one_of(st.integers(1900, 2025), st.integers(1900, 2025).map(str)),
        "gender": st.one_of(st.integers(0, 3), st.none()),
        "metadata": st.one_of(st.none(), st.dictionaries(safe_text, safe_json, max_size=4)),
    }
    for field, pool in pools.items():
        if draw(st.booleans()):
            out[field] = draw(pool)
    return out


bodies = st.one_of(
    customers(),
    plausible_customers(),
    st.lists(plausible_customers(), min_size=1, max_size=5),
    st.lists(customers(), min_size=0, max_size=6),
    # around the batch limit of 100: a few customers repeated (cheap to generate)
    st.builds(
        lambda few, n: (few * n)[:n],
        st.lists(customers(), min_size=1, max_size=3),
        st.sampled_from([99, 100, 101]),
    ),
    json_values,
)


def encode(body: Any, ascii_only: bool) -> bytes:
    """JSON text of ``body``; NaN/Infinity and lone surrogates kept as they come
    (as escapes when ``ascii_only``, as raw invalid UTF-8 otherwise)."""
    text = json.dumps(body, ensure_ascii=ascii_only, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


def check(r: Any, method: str = "POST") -> None:
    FUZZ_COUNTS[str(r.status_code)] += 1
    assert r.status_code < 500, (r.status_code, r.content[:500])
    if method == "HEAD":
        return
    if r.status_code >= 400:
        assert_error_shape(r)
        return
    body = json.loads(r.content)
    assert isinstance(body, dict) and isinstance(body.get("object"), str), body
    assert isinstance(body.get("payload"), dict) and "code" in body["payload"], body
    if body["object"] == "customer":
        assert set(body["payload"]) == set(FIELDS), body
    if body["object"] == "ingest_result":
        for entity in body["payload"]["customers"]:
            assert set(entity["payload"]) == set(FIELDS), entity


# -- the tests -----------------------------------------------------------------


@FUZZ
@given(body=bodies, ascii_only=st.booleans())
def test_fuzz_post_bodies(api: Api, body: Any, ascii_only: bool) -> None:
    raw = encode(body, ascii_only)
    r = api.client.post(
        "/customers", content=raw, headers={**api.headers, "Content-Type": "application/json"}
    )
    check(r)
    if r.status_code in (200, 201):
        # what was accepted reads back as answered
        entities = (
            [r.json()]
            if r.status_code == 201 or r.json()["object"] == "customer"
            else (r.json()["payload"]["customers"])
        )
        last = {e["payload"]["code"]: e for e in entities}
        for code, entity in last.items():
            got = api.get(code=code)
            assert got.status_code == 200
            assert got.json()["payload"] == entity["payload"]


@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=300), any_text.map(lambda t: t.encode("utf-8", "surrogatepass"))
    )
)
def test_fuzz_post_bytes(api: Api, raw: bytes) -> None:
    r = api.client.post(
        "/customers", content=raw, headers={**api.headers, "Content-Type": "application/json"}
    )
    check(r)


def _quote(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


query_keys = st.one_of(st.sampled_from(["code", "id", "country", "state", "city"]), any_text)


@FUZZ
@given(
    method=st.sampled_from(["GET", "DELETE", "POST", "PUT", "PATCH", "HEAD", "OPTIONS"]),
    path=st.one_of(
        st.sampled_from(["/customers", "/status", "/healthz", "/locations/resolve", "/"]),
        any_text.map(lambda t: "/" + _quote(t)),
        st.sampled_from(["/customers/", "//customers", "/customers/../status", "/CUSTOMERS"]),
    ),
    query=st.lists(st.tuples(query_keys, st.one_of(texts, any_text)), max_size=4),
    key=st.sampled_from(["good", "none", "bad"]),
    version=st.one_of(st.sampled_from(["1", "1.0", "1.0.0", None, "2", "", " 1 ", "1x"]), any_text),
    body=st.one_of(st.none(), bodies),
)
def test_fuzz_requests(
    api: Api,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    key: str,
    version: str | None,
    body: Any,
) -> None:
    headers: dict[str, str] = {}
    if key != "none":
        headers["X-API-Key"] = api.key if key == "good" else "pdn_" + "x" * 40
    if version is not None:
        headers["X-API-Version"] = version.encode("utf-8", "surrogatepass")  # type: ignore[assignment]
    url = path + ("?" + "&".join(f"{_quote(k)}={_quote(v)}" for k, v in query) if query else "")
    content = None if body is None else encode(body, True)
    r = api.client.request(method, url, headers=headers, content=content)
    check(r, method)
