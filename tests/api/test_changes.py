"""GET /customers/changes and /customers/changes/latest through HTTP, both backends.

(The guarantee under concurrent writers and a killed server:
tests/reliability/test_change_feed.py.)
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.conftest import Api


def feed(api: Api, **params: Any) -> Any:
    return api.client.get("/customers/changes", params=params, headers=api.headers)


def page(api: Api, **params: Any) -> dict[str, Any]:
    r = feed(api, **params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "change_list" and body["payload"]["code"] == "ok"
    return dict(body["payload"])


def kinds(changes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(c["payload"]["type"], c["payload"]["customerCode"]) for c in changes]


def error_code(r: Any, status: int = 400) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    if status == 400:
        assert isinstance(body, list) and len(body) == 1
        body = body[0]
    return str(body["payload"]["code"])


def test_each_committed_write_is_one_change_in_order(api: Api) -> None:
    created = api.post({"code": "a", "gender": 1}).json()
    api.post({"code": "a", "gender": 1})  # no-op: no change
    api.post([{"code": "b"}, {"code": "a", "gender": 2}, {"code": "b", "yearBorn": 1990}])
    api.post({"code": "a", "gender": 2})  # no-op
    gone = api.delete(code="b").json()
    assert api.delete(code="b").status_code == 404  # nothing deleted: no change
    body = page(api)
    assert kinds(body["changes"]) == [
        ("created", "a"),
        # One change per customer per write (b as the batch left it), in the
        # order the batch first names them.
        ("created", "b"),
        ("updated", "a"),
        ("deleted", "b"),
    ]
    assert body["hasMore"] is False
    first = body["changes"][0]
    assert first == {
        "object": "change",
        "payload": {
            "type": "created",
            "at": created["updatedAt"],
            "customerId": created["id"],
            "customerCode": "a",
            "customer": created,
        },
    }
    assert body["changes"][2]["payload"]["customer"] == api.get(code="a").json()
    assert body["changes"][1]["payload"]["customer"]["payload"]["yearBorn"] == 1990
    deleted = body["changes"][3]["payload"]
    assert deleted["customer"] is None and deleted["customerId"] == gone["id"]
    # Nothing new after the last cursor.
    again = page(api, after=body["nextCursor"])
    assert again["changes"] == [] and again["nextCursor"] == body["nextCursor"]


def test_small_pages_resume_from_the_cursor(api: Api) -> None:
    api.post([{"code": f"p{i}"} for i in range(10)])
    api.post({"code": "p3", "gender": 3})
    seen: list[tuple[str, str]] = []
    cursor = None
    while True:
        body = page(api, limit=3, **({"after": cursor} if cursor else {}))
        seen += kinds(body["changes"])
        cursor = body["nextCursor"]
        if not body["hasMore"]:
            break
    assert seen == [("created", f"p{i}") for i in range(10)] + [("updated", "p3")]


def test_latest_follows_from_now(api: Api) -> None:
    api.post({"code": "before"})
    r = api.client.get("/customers/changes/latest", headers=api.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "change_cursor" and body["payload"]["code"] == "ok"
    api.post({"code": "after"})
    after = page(api, after=body["payload"]["nextCursor"])["changes"]
    assert kinds(after) == [("created", "after")]


def test_a_long_poll_answers_when_a_change_commits(api: Api) -> None:
    cursor = api.client.get("/customers/changes/latest", headers=api.headers).json()["payload"][
        "nextCursor"
    ]

    def write_soon() -> None:
        time.sleep(0.5)
        api.post({"code": "late"})

    writer = threading.Thread(target=write_soon)
    started = time.monotonic()
    writer.start()
    body = page(api, after=cursor, wait="10")
    took = time.monotonic() - started
    writer.join()
    assert kinds(body["changes"]) == [("created", "late")]
    assert 0.4 < took < 5, took


def test_a_long_poll_with_nothing_new_ends_at_its_wait(api: Api) -> None:
    cursor = api.client.get("/customers/changes/latest", headers=api.headers).json()["payload"][
        "nextCursor"
    ]
    started = time.monotonic()
    body = page(api, after=cursor, wait="0.6")
    assert body["changes"] == [] and body["nextCursor"] == cursor
    assert 0.5 < time.monotonic() - started < 5


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "5000"},
        {"wait": "-1"},
        {"wait": "abc"},
        {"wait": "31"},
        {"wait": "nan"},
        {"since": "x"},
        {"cursor": "x"},
    ],
)
def test_bad_parameters_are_400(api: Api, params: dict[str, str]) -> None:
    assert error_code(feed(api, **params)) == "invalid_query"


def test_cursors_are_bound_to_the_project_and_cannot_be_edited(api: Api) -> None:
    other = Api(api.client, api.runtime.access.create_key("other").secret, api.runtime)
    api.post([{"code": "x1"}, {"code": "x2"}])
    other.post({"code": "theirs"})
    cursor = page(api, limit=1)["nextCursor"]
    assert error_code(feed(other, after=cursor)) == "invalid_cursor"
    chars = list(cursor)
    chars[len(chars) // 2] = "A" if chars[len(chars) // 2] != "A" else "B"
    assert error_code(feed(api, after="".join(chars))) == "invalid_cursor"
    assert error_code(feed(api, after="garbage")) == "invalid_cursor"
    list_cursor = api.client.get("/customers", params={"limit": "1"}, headers=api.headers).json()[
        "payload"
    ]["nextCursor"]
    assert error_code(feed(api, after=list_cursor)) == "invalid_cursor"
    # Each project sees only its own changes.
    assert kinds(page(other)["changes"]) == [("created", "theirs")]
    assert kinds(page(api, after=cursor)["changes"]) == [("created", "x2")]


def test_a_cursor_older_than_what_is_kept_is_410(api: Api) -> None:
    api.post({"code": "old"})
    old_cursor = page(api)["nextCursor"]
    start = api.client.get("/customers/changes/latest", headers=api.headers)
    api.post({"code": "old", "gender": 2})
    api.post({"code": "older", "gender": 1})
    keep_from = page(api, after=old_cursor)["nextCursor"]
    assert api.runtime.customers.prune_changes(int(time.time()) + 10) == 3
    assert error_code(feed(api, after=start.json()["payload"]["nextCursor"]), 410) == (
        "cursor_expired"
    )
    assert error_code(feed(api, after=old_cursor), 410) == "cursor_expired"
    # A cursor at or past the pruned horizon still works, and so does starting afresh.
    assert page(api, after=keep_from)["changes"] == []
    assert page(api)["changes"] == []
    api.post({"code": "new"})
    assert kinds(page(api, after=keep_from)["changes"]) == [("created", "new")]
    assert kinds(page(api)["changes"]) == [("created", "new")]


def test_the_feed_needs_depot_fetch(api: Api) -> None:
    key = api.runtime.access.create_key("shop", ["depotIngest"]).secret
    for path in ("/customers/changes", "/customers/changes/latest"):
        r = api.client.get(path, headers={"X-API-Key": key, "X-API-Version": "1"})
        assert r.status_code == 403 and r.json()["payload"]["code"] == "permission_denied"


def test_a_list_walk_under_concurrent_writes_finds_each_lasting_customer_once(api: Api) -> None:
    lasting = [f"stay{i:03d}" for i in range(300)]
    for start in range(0, 300, 100):
        api.post([{"code": c} for c in lasting[start : start + 100]])
    stop = threading.Event()

    def churn() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            # New customers between lasting ones, updates of lasting ones, deletes.
            near = f"stay{n % 300:03d}"
            api.post([{"code": f"{near}x{n}"}, {"code": near, "gender": n % 4}])
            api.delete(code=f"stay{(n - 3) % 300:03d}x{n - 3}")

    writers = [threading.Thread(target=churn) for _ in range(2)]
    for t in writers:
        t.start()
    try:
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": "7"} | ({"cursor": cursor} if cursor else {})
            r = api.client.get("/customers", params=params, headers=api.headers)
            assert r.status_code == 200
            body = r.json()["payload"]
            seen += [c["payload"]["code"] for c in body["customers"]]
            cursor = body["nextCursor"]
            if cursor is None:
                break
    finally:
        stop.set()
        for t in writers:
            t.join()
    found = [c for c in seen if c in set(lasting)]
    assert found == lasting  # every one, once, in order
    assert len(seen) == len(set(seen))
