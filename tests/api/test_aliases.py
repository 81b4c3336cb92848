"""``/locations/aliases`` through HTTP: list, add (re-resolving at once the
customers that carry the value: GET shows the id, the change feed the update),
remove; permission depotIngest; validation errors as the other endpoints give
them (a 400 array of ``validation_error``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

BARCELONA = "Q1492"
ALIASES = "/locations/aliases"


def _edited(cursor: str) -> str:
    """The cursor with its last two characters changed (never to themselves:
    a cursor that happens to end in "AA" must not pass for an edited one)."""
    return cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")


def post_alias(api: Api, body: Any, key: str | None = None) -> Any:
    headers = {**api.headers, **({"X-API-Key": key} if key else {})}
    return api.client.post(ALIASES, json=body, headers=headers)


def nowhere(**over: Any) -> dict[str, Any]:
    return {
        "field": "city",
        "value": "Villa Nowhere",
        "country": "ES",
        "state": "Barcelona",
        "placeId": BARCELONA,
        **over,
    }


def test_an_alias_resolves_the_customers_that_carry_the_value(api: Api) -> None:
    api.post([{"code": c, "country": "ES", "state": "ES-B", "city": "Villa Nowhere"} for c in "ab"])
    cursor = api.client.get("/customers/changes/latest", headers=api.headers).json()
    after = cursor["payload"]["nextCursor"]

    r = post_alias(api, nowhere())

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["object"] == "place_alias" and body["id"].startswith("pal_")
    assert body["reresolved"] == 2
    assert body["payload"] == {
        "field": "city",
        "value": "Villa Nowhere",
        "country": "ESP",
        "state": "ES-B",
        "placeId": BARCELONA,
        "keepAsSent": False,
        "place": {"id": BARCELONA, "name": "Barcelona", "country": "ESP", "state": "ES-B"},
    }
    for code in "ab":
        assert api.get(code=code).json()["payload"]["city"] == BARCELONA
    feed = api.client.get("/customers/changes", params={"after": after}, headers=api.headers)
    changes = [c["payload"] for c in feed.json()["payload"]["changes"]]
    assert sorted(
        (c["type"], c["customerCode"], c["customer"]["payload"]["city"]) for c in changes
    ) == [
        ("updated", "a", BARCELONA),
        ("updated", "b", BARCELONA),
    ]
    # and a new customer sending the value is resolved without a warning
    new = api.post({"code": "c", "country": "Spain", "state": "ES-B", "city": "villa nowhere"})
    assert new.json()["payload"]["city"] == BARCELONA and "warnings" not in new.json()


def test_list_replace_and_delete(api: Api) -> None:
    first = post_alias(api, nowhere()).json()
    again = post_alias(api, nowhere(placeId=None))
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert (
        again.json()["payload"]["keepAsSent"] is True and again.json()["payload"]["place"] is None
    )
    listed = api.client.get(ALIASES, headers=api.headers)
    assert listed.status_code == 200
    assert listed.json()["object"] == "place_alias_list"
    assert [a["id"] for a in listed.json()["payload"]["aliases"]] == [first["id"]]

    gone = api.client.delete(f"{ALIASES}/{first['id']}", headers=api.headers)
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert gone.json()["payload"]["value"] == "Villa Nowhere"
    assert api.client.get(ALIASES, headers=api.headers).json()["payload"]["aliases"] == []
    again_gone = api.client.delete(f"{ALIASES}/{first['id']}", headers=api.headers)
    assert again_gone.status_code == 404
    assert again_gone.json()["payload"]["code"] == "alias_not_found"


def test_a_key_without_depot_ingest_is_refused(api: Api) -> None:
    made = post_alias(api, nowhere()).json()
    project = api.runtime.access.project("shop")
    reader = api.runtime.access.create_key(project.name, ["depotFetch", "status"]).secret
    headers = {**api.headers, "X-API-Key": reader}
    answers = [
        api.client.get(ALIASES, headers=headers),
        api.client.post(ALIASES, json=nowhere(value="Other"), headers=headers),
        api.client.delete(f"{ALIASES}/{made['id']}", headers=headers),
    ]
    for r in answers:
        assert r.status_code == 403, r.text
        assert r.json()["payload"]["code"] == "permission_denied"
    assert len(api.client.get(ALIASES, headers=api.headers).json()["payload"]["aliases"]) == 1


def test_another_projects_alias_is_not_found(api: Api) -> None:
    made = post_alias(api, nowhere()).json()
    stranger = api.runtime.access.create_key("elsewhere").secret
    headers = {**api.headers, "X-API-Key": stranger}
    assert api.client.get(ALIASES, headers=headers).json()["payload"]["aliases"] == []
    r = api.client.delete(f"{ALIASES}/{made['id']}", headers=headers)
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (nowhere(placeId="Q90"), "placeId", "inconsistent"),  # Paris is not in ES-B
        (nowhere(field="country"), "field", "invalid_value"),
        (nowhere(country="Narnia"), "country", "not_found"),
        ({k: v for k, v in nowhere().items() if k != "placeId"}, "placeId", "required"),
        ({k: v for k, v in nowhere().items() if k != "country"}, "country", "required"),
        ({"placeId": None}, "value", "required"),
        (nowhere(colour="red"), "colour", "unknown_field"),
        (nowhere(value=["x"]), "value", "invalid_type"),
    ],
)
def test_an_invalid_alias_is_a_400_array_and_stores_nothing(
    api: Api, body: dict[str, Any], field: str, code: str
) -> None:
    r = post_alias(api, body)
    assert r.status_code == 400, r.text
    [error] = r.json()
    assert error["object"] == "validation_error"
    assert error["payload"]["code"] == "invalid_alias"
    problems = [
        (e["payload"]["field"], e["payload"]["code"]) for e in error["payload"]["fieldErrors"]
    ]
    assert (field, code) in problems
    assert api.client.get(ALIASES, headers=api.headers).json()["payload"]["aliases"] == []


@pytest.mark.parametrize("raw", [b"[]", b"{", b"", b'"city"'])
def test_a_body_that_is_no_alias_object_is_a_400(api: Api, raw: bytes) -> None:
    r = api.client.post(
        ALIASES, content=raw, headers={**api.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 400, r.text
    assert r.json()[0]["payload"]["code"] in ("invalid_body", "malformed_json")


def _keep(api: Api, value: str, key: str | None = None) -> str:
    r = post_alias(api, nowhere(value=value, placeId=None), key)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_the_list_is_paged_by_cursor_newest_first(api: Api) -> None:
    made = [_keep(api, f"Villa {n}") for n in range(5)]
    seen: list[str] = []
    pages = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        r = api.client.get(ALIASES, params=params, headers=api.headers)
        assert r.status_code == 200, r.text
        payload = r.json()["payload"]
        pages.append(len(payload["aliases"]))
        seen += [a["id"] for a in payload["aliases"]]
        assert payload["hasMore"] is (payload["nextCursor"] is not None)
        if seen[:2] == [a["id"] for a in payload["aliases"]] and cursor is None:
            # an alias of the first page removed meanwhile shifts nothing
            api.client.delete(f"{ALIASES}/{seen[0]}", headers=api.headers)
        cursor = payload["nextCursor"]
        if cursor is None:
            break
    assert pages == [2, 2, 1]
    assert sorted(seen) == sorted(made) and len(set(seen)) == 5
    # newest first: creation time, then id, both descending
    project = api.runtime.access.project("shop")
    at = {a.id: (a.created_at, a.id) for a in api.runtime.store.list_aliases(project.id)}
    order = [at[i] for i in seen if i in at]
    assert order == sorted(order, reverse=True)
    # the default page holds up to 100
    assert len(api.client.get(ALIASES, headers=api.headers).json()["payload"]["aliases"]) == 4


def test_a_bad_page_request_is_a_400_and_another_projects_cursor_is_refused(api: Api) -> None:
    for n in range(3):
        _keep(api, f"Villa {n}")
    first = api.client.get(ALIASES, params={"limit": "1"}, headers=api.headers).json()
    cursor = first["payload"]["nextCursor"]
    stranger = api.runtime.access.create_key("elsewhere").secret
    customers_cursor = api.get(limit="1").json()["payload"]["nextCursor"]
    for params, headers, code in [
        ({"limit": "0"}, api.headers, "invalid_query"),
        ({"limit": "1001"}, api.headers, "invalid_query"),
        ({"colour": "red"}, api.headers, "invalid_query"),
        ({"cursor": cursor}, {**api.headers, "X-API-Key": stranger}, "invalid_cursor"),
        ({"cursor": _edited(cursor)}, api.headers, "invalid_cursor"),
        ({"cursor": customers_cursor or "x"}, api.headers, "invalid_cursor"),
    ]:
        r = api.client.get(ALIASES, params=params, headers=headers)
        assert r.status_code == 400, (params, r.text)
        [problem] = r.json()  # a one-element array, as the customer list answers
        assert problem["payload"]["code"] == code, params
