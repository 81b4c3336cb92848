"""GET /customers without code or id: the filtered, cursor-paged list (API.md).

Every test runs on SQLite and on PostgreSQL, through HTTP.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from padron.access import Access
from padron.api.app import create_app
from padron.config import Settings
from padron.customers.service import CustomerService, LocationResolver
from padron.runtime import Runtime
from padron.store import open_store
from tests.conftest import Api

DAY = 86_400
T0 = 1_763_000_000  # 2025-11-13T02:13:20+00:00


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shop(settings: Settings, resolver: LocationResolver, clock: Clock) -> Iterator[Api]:
    """A project whose writes take their time from ``clock``."""
    store = open_store(settings.database_url)
    service = CustomerService(store, resolver, clock=clock)
    rt = Runtime(settings, store, resolver, Access(store), service)
    key = rt.access.create_key("shop").secret
    with TestClient(create_app(rt, close_runtime=False), raise_server_exceptions=False) as client:
        yield Api(client, key, rt)
    rt.close()


def listing(api: Api, **params: Any) -> Any:
    return api.client.get("/customers", params=params, headers=api.headers)


def codes(api: Api, **params: Any) -> list[str]:
    """Every code the list gives for ``params``, walking all pages."""
    found: list[str] = []
    cursor = None
    for _ in range(1000):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        r = listing(api, **query)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["object"] == "customer_list" and body["payload"]["code"] == "ok"
        found += [c["payload"]["code"] for c in body["payload"]["customers"]]
        cursor = body["payload"]["nextCursor"]
        assert body["payload"]["hasMore"] == (cursor is not None)
        if cursor is None:
            return found
    raise AssertionError("the walk never ended")


def error_code(r: Any) -> str:
    assert r.status_code == 400, r.text
    body = r.json()
    assert isinstance(body, list) and len(body) == 1
    return str(body[0]["payload"]["code"])


def test_an_empty_project_lists_nothing(shop: Api) -> None:
    r = listing(shop)
    assert r.status_code == 200
    assert r.json() == {
        "object": "customer_list",
        "payload": {"code": "ok", "customers": [], "hasMore": False, "nextCursor": None},
    }


def test_pages_walk_every_customer_once_in_code_order(shop: Api) -> None:
    sent = [f"c{i:03d}" for i in range(250)]
    for start in range(0, 250, 100):
        assert shop.post([{"code": c} for c in sent[start : start + 100]]).status_code == 200
    first = listing(shop).json()["payload"]
    assert len(first["customers"]) == 100 and first["hasMore"] is True  # the default limit
    assert first["customers"][0] == shop.get(code="c000").json()  # entities as GET gives them
    assert codes(shop, limit=7) == sorted(sent)
    assert codes(shop, limit=1000) == sorted(sent)
    assert codes(shop, limit=250) == sorted(sent)


def test_is_active(shop: Api) -> None:
    shop.post([{"code": "on1"}, {"code": "off1", "isActive": False}, {"code": "on2"}])
    assert codes(shop, isActive="true") == ["on1", "on2"]
    assert codes(shop, isActive="false") == ["off1"]
    assert codes(shop, isActive="FALSE") == ["off1"]


def test_places_in_any_form_post_accepts(shop: Api) -> None:
    shop.post(
        [
            {"code": "es1", "country": "ESP", "state": "Barcelona"},
            {"code": "es2", "country": "Spain", "city": "Madrid"},
            {"code": "fr1", "country": "France"},
            {"code": "none"},
        ]
    )
    for form in ("Spain", "España", "ES", "ESP", "724", "Q29"):
        assert codes(shop, country=form) == ["es1", "es2"], form
    assert codes(shop, country="FRA") == ["fr1"]
    assert codes(shop, state="ES-B") == ["es1"]
    assert codes(shop, country="ES", state="Barcelona") == ["es1"]
    madrid = shop.get(code="es2").json()["payload"]["city"]
    assert codes(shop, city=madrid) == ["es2"]
    assert codes(shop, country="Spain", city="Madrid") == ["es2"]
    assert codes(shop, country="Portugal") == []


def test_a_filter_place_that_does_not_resolve_is_the_field_error_of_post(shop: Api) -> None:
    r = listing(shop, country="Narnia")
    assert error_code(r) == "invalid_customer"
    posted = shop.post({"code": "n", "country": "Narnia"}).json()
    assert r.json()[0]["payload"]["fieldErrors"] == posted[0]["payload"]["fieldErrors"]
    r = listing(shop, city="Paris")
    fields = r.json()[0]["payload"]["fieldErrors"]
    assert [(f["payload"]["field"], f["payload"]["code"]) for f in fields] == [
        ("city", "ambiguous")
    ]


def test_unresolved(shop: Api) -> None:
    shop.post(
        [
            {"code": "known", "country": "BE", "city": "Antwerpen"},
            {"code": "odd-city", "country": "BE", "state": "VAN", "city": "Nowhere Upon Zzyzx"},
            {"code": "odd-town", "country": "ES", "city": "Villaquimera de Abajo"},
            {"code": "bare"},
        ]
    ).raise_for_status()
    odd = shop.get(code="odd-city").json()
    assert odd["payload"]["city"] == "Nowhere Upon Zzyzx"  # kept as sent
    assert codes(shop, unresolved="true") == ["odd-city", "odd-town"]
    assert codes(shop, unresolved="false") == ["bare", "known", "odd-city", "odd-town"]
    assert codes(shop, unresolved="true", country="Spain") == ["odd-town"]


def test_updated_since_and_before(shop: Api, clock: Clock) -> None:
    shop.post({"code": "old"})
    clock.now += DAY
    shop.post({"code": "mid"})
    clock.now += DAY
    shop.post({"code": "new"})
    shop.post({"code": "old", "gender": 1})  # an update moves it forward
    day1 = "2025-11-14T02:13:20+00:00"  # T0 + 1 day
    assert codes(shop, updatedSince=day1) == ["mid", "new", "old"]
    assert codes(shop, updatedSince="2025-11-14T02:13:21Z") == ["new", "old"]
    assert codes(shop, updatedBefore=day1) == []
    assert codes(shop, updatedBefore="2025-11-14T02:13:21+00:00") == ["mid"]
    assert codes(shop, updatedSince="2025-11-13", updatedBefore="2025-11-15") == ["mid"]
    # A "+" sent unescaped arrives as a space: still the offset it meant.
    r = shop.client.get("/customers?updatedSince=2025-11-14T03:13:21+01:00", headers=shop.headers)
    assert [c["payload"]["code"] for c in r.json()["payload"]["customers"]] == ["new", "old"]


def test_code_prefix(shop: Api) -> None:
    shop.post([{"code": c} for c in ("AB1", "AB2", "ABC", "AC", "A", "ZAB", "ab1", "AB\U0010ffff")])
    assert codes(shop, codePrefix="AB") == ["AB1", "AB2", "ABC", "AB\U0010ffff"]
    assert codes(shop, codePrefix="AB", limit=1) == ["AB1", "AB2", "ABC", "AB\U0010ffff"]
    assert codes(shop, codePrefix="A") == ["A", "AB1", "AB2", "ABC", "AB\U0010ffff", "AC"]
    assert codes(shop, codePrefix="ab") == ["ab1"]
    assert codes(shop, codePrefix="Q") == []


def test_filters_combine(shop: Api) -> None:
    shop.post(
        [
            {"code": "a1", "country": "ES", "isActive": False},
            {"code": "a2", "country": "ES"},
            {"code": "b1", "country": "ES", "isActive": False},
            {"code": "a3", "country": "FR", "isActive": False},
        ]
    )
    assert codes(shop, country="Spain", isActive="false", codePrefix="a") == ["a1"]
    assert codes(shop, country="Spain", isActive="false", limit=1) == ["a1", "b1"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "5000"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": ""},
        {"isActive": "yes"},
        {"unresolved": "1"},
        {"updatedSince": "yesterday"},
        {"updatedBefore": "2025-13-01"},
        {"updatedSince": "2025-11-14T25:00:00Z"},
        {"codePrefix": ""},
        {"codePrefix": "x" * 256},
        {"colour": "red"},
        {"isactive": "true"},
        {"after": "x"},
    ],
)
def test_bad_parameters_are_400_invalid_query(shop: Api, params: dict[str, str]) -> None:
    shop.post({"code": "keep"})
    assert error_code(listing(shop, **params)) == "invalid_query"


def test_a_parameter_given_twice_is_400(shop: Api) -> None:
    r = shop.client.get("/customers?country=ES&country=FR", headers=shop.headers)
    assert error_code(r) == "invalid_query"


def test_limit_bounds_are_accepted(shop: Api) -> None:
    shop.post([{"code": f"x{i}"} for i in range(3)])
    assert len(listing(shop, limit=1).json()["payload"]["customers"]) == 1
    assert len(listing(shop, limit=1000).json()["payload"]["customers"]) == 3


def _flip(cursor: str, at: int) -> str:
    chars = list(cursor)
    chars[at] = "A" if chars[at] != "A" else "B"
    return "".join(chars)


def test_a_cursor_edited_by_hand_is_refused(shop: Api) -> None:
    shop.post([{"code": f"t{i}"} for i in range(5)])
    cursor = listing(shop, limit=2).json()["payload"]["nextCursor"]
    assert cursor
    for at in (0, len(cursor) // 2, len(cursor) - 1):
        assert error_code(listing(shop, cursor=_flip(cursor, at))) == "invalid_cursor"
    for junk in ("x", "!!!", "a" * 2000, base64.urlsafe_b64encode(b"Lt1").decode()):
        assert error_code(listing(shop, cursor=junk)) == "invalid_cursor"
    # Forging a position needs the database's secret: re-encoding another code fails.
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    forged = raw[:1] + b"t0" + raw[3:]
    forged_text = base64.urlsafe_b64encode(forged).decode().rstrip("=")
    assert error_code(listing(shop, cursor=forged_text)) == "invalid_cursor"
    assert codes(shop, limit=2) == [f"t{i}" for i in range(5)]  # the real one still works
    assert (
        listing(shop, limit=2, cursor=cursor).json()["payload"]["customers"][0]["payload"]["code"]
        == "t2"
    )


def test_projects_see_only_their_own_customers_and_cursors(shop: Api) -> None:
    other_key = shop.runtime.access.create_key("other").secret
    other = Api(shop.client, other_key, shop.runtime)
    shop.post([{"code": f"mine{i}"} for i in range(3)])
    other.post([{"code": f"theirs{i}"} for i in range(3)])
    assert codes(shop) == ["mine0", "mine1", "mine2"]
    assert codes(other) == ["theirs0", "theirs1", "theirs2"]
    cursor = listing(shop, limit=1).json()["payload"]["nextCursor"]
    # Another project's cursor is refused, not read as a position in this one.
    assert error_code(listing(other, cursor=cursor)) == "invalid_cursor"
    feed_cursor = other.client.get("/customers/changes/latest", headers=shop.headers).json()[
        "payload"
    ]["nextCursor"]
    assert error_code(listing(shop, cursor=feed_cursor)) == "invalid_cursor"


def test_listing_needs_depot_fetch(shop: Api) -> None:
    key = shop.runtime.access.create_key("shop", ["depotIngest"]).secret
    r = shop.client.get("/customers", headers={"X-API-Key": key, "X-API-Version": "1"})
    assert r.status_code == 403 and r.json()["payload"]["code"] == "permission_denied"
    r = shop.client.get("/customers", headers={"X-API-Key": "nope", "X-API-Version": "1"})
    assert r.status_code == 401
