"""POST /customers: the field rules, update rules and envelopes of API.md."""

from __future__ import annotations

import re
from typing import Any

import pytest

from padron.ids import current_year
from tests.conftest import Api

# The SDK's example sends city Q11355 (see test_the_sdk_example_is_stored_as_the_
# contract_shows); the seed here keeps the example's shape with a Barcelona city
# whose id the data confirms.
SEED = {
    "code": "D314K1432",
    "country": "ES",
    "state": "Barcelona",
    "city": "Q11492",
    "yearBorn": 1990,
    "gender": 2,
    "metadata": {"currentDiscountRate": "10%", "isNew": True},
}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def field_errors(response: Any, index: int = 0) -> dict[str, str]:
    """field → error code of the rejected customer at ``index`` of a 400 answer."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert isinstance(body, list)
    element = next(e for e in body if e["payload"]["index"] == index)
    assert element["object"] == "validation_error"
    assert element["payload"]["code"] == "invalid_customer"
    return {
        fe["payload"]["field"]: fe["payload"]["code"] for fe in element["payload"]["fieldErrors"]
    }


def test_the_seed_example_is_created_with_canonical_locations(api: Api) -> None:
    r = api.post(SEED)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["object"] == "customer"
    assert re.fullmatch(r"cus_[0-9A-Za-z]{14}", body["id"])
    assert re.fullmatch(r"prj_[0-9A-Za-z]{14}", body["projectId"])
    assert TIMESTAMP.match(body["createdAt"]) and body["createdAt"] == body["updatedAt"]
    assert body["payload"] == {
        "code": "D314K1432",
        "isActive": True,
        "country": "ESP",
        "state": "ES-B",
        "city": "Q11492",
        "yearBorn": 1990,
        "gender": 2,
        "metadata": {"currentDiscountRate": "10%", "isNew": True},
    }


def test_the_sdk_example_is_stored_as_the_contract_shows(api: Api) -> None:
    # Q11355 is the client's own identification of a place in Barcelona: the
    # place data gives it to Mollet de Peralada (Girona) and copies it to Mollet
    # del Vallès (Barcelona), so the state sent is stored with it, unwarned.
    r = api.post({**SEED, "city": "Q11355"})
    assert r.status_code == 201, r.text
    body = r.json()
    payload = body["payload"]
    assert (payload["country"], payload["state"], payload["city"]) == ("ESP", "ES-B", "Q11355")
    assert not body.get("warnings")
    again = api.get(code=SEED["code"])
    assert again.status_code == 200, again.text
    stored = again.json()["payload"]
    assert (stored["country"], stored["state"], stored["city"]) == ("ESP", "ES-B", "Q11355")


def test_an_id_with_no_row_in_the_state_sent_stores_its_own_state(api: Api) -> None:
    # no row carrying Q11355 lies in Madrid: the id's own place, and said so
    r = api.post({**SEED, "state": "Madrid", "city": "Q11355"})
    assert r.status_code == 201, r.text
    body = r.json()
    payload = body["payload"]
    assert (payload["country"], payload["state"], payload["city"]) == ("ESP", "ES-GI", "Q11355")
    warnings = body.get("warnings") or []
    assert [w["code"] for w in warnings] == ["state_mismatch"]
    assert "Mollet de Peralada" in warnings[0]["description"]


def test_payload_always_has_all_eight_keys(api: Api) -> None:
    r = api.post({"code": "bare"})
    assert r.status_code == 201
    assert r.json()["payload"] == {
        "code": "bare",
        "isActive": True,
        "country": None,
        "state": None,
        "city": None,
        "yearBorn": None,
        "gender": None,
        "metadata": None,
    }


def test_resending_the_same_customer_is_unchanged_and_keeps_updated_at(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api.post(SEED).json()
    clock = api.runtime.customers.clock
    monkeypatch.setattr(api.runtime.customers, "clock", lambda: clock() + 3600)
    again = api.post(SEED)
    assert again.status_code == 200
    assert again.json() == first


def test_an_update_answers_200_and_moves_updated_at_only(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = api.post(SEED).json()
    clock = api.runtime.customers.clock
    monkeypatch.setattr(api.runtime.customers, "clock", lambda: clock() + 3600)
    r = api.post({"code": SEED["code"], "gender": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == first["id"] and body["createdAt"] == first["createdAt"]
    assert body["updatedAt"] > first["updatedAt"]
    assert body["payload"] == {**first["payload"], "gender": 1}


def test_omitted_keeps_null_removes(api: Api) -> None:
    api.post(SEED)
    r = api.post({"code": SEED["code"], "yearBorn": None, "metadata": None, "city": None})
    payload = r.json()["payload"]
    assert payload["yearBorn"] is None and payload["metadata"] is None and payload["city"] is None
    # what was left out stays, including the state the city had implied
    assert payload["gender"] == 2 and payload["country"] == "ESP" and payload["state"] == "ES-B"


def test_is_active_rules(api: Api) -> None:
    assert api.post({"code": "a", "isActive": False}).json()["payload"]["isActive"] is False
    # left out of an update: keeps false
    assert api.post({"code": "a", "gender": 0}).json()["payload"]["isActive"] is False
    # null returns it to the default
    assert api.post({"code": "a", "isActive": None}).json()["payload"]["isActive"] is True
    assert api.post({"code": "a", "isActive": False}).json()["payload"]["isActive"] is False
    assert api.post({"code": "a", "isActive": True}).json()["payload"]["isActive"] is True


def test_metadata_is_replaced_as_a_whole_not_merged(api: Api) -> None:
    api.post({"code": "m", "metadata": {"a": 1, "b": {"c": [1, 2]}}})
    r = api.post({"code": "m", "metadata": {"d": "x"}})
    assert r.json()["payload"]["metadata"] == {"d": "x"}


def test_metadata_comes_back_as_sent(api: Api) -> None:
    meta = {"ünï": "çødé", "n": 1.5, "big": 10**18, "list": [None, True, {"x": []}], "empty": {}}
    r = api.post({"code": "m", "metadata": meta})
    assert r.json()["payload"]["metadata"] == meta
    assert api.get(code="m").json()["payload"]["metadata"] == meta


def test_integer_code_is_taken_as_its_decimal_string(api: Api) -> None:
    r = api.post({"code": 12345})
    assert r.status_code == 201 and r.json()["payload"]["code"] == "12345"
    assert api.get(code="12345").status_code == 200


def test_year_born_accepts_digit_strings(api: Api) -> None:
    assert api.post({"code": "y", "yearBorn": "1984"}).json()["payload"]["yearBorn"] == 1984


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "code", "required"),
        ({"code": None}, "code", "required"),
        ({"code": ""}, "code", "invalid_value"),
        ({"code": "x" * 256}, "code", "too_long"),
        ({"code": {"a": 1}}, "code", "invalid_type"),
        ({"code": True}, "code", "invalid_type"),
        ({"code": 1.5}, "code", "invalid_type"),
        ({"code": "c", "isActive": "yes"}, "isActive", "invalid_type"),
        ({"code": "c", "isActive": 1}, "isActive", "invalid_type"),
        ({"code": "c", "yearBorn": True}, "yearBorn", "invalid_type"),
        ({"code": "c", "yearBorn": 1990.5}, "yearBorn", "invalid_type"),
        ({"code": "c", "yearBorn": "19x0"}, "yearBorn", "invalid_type"),
        ({"code": "c", "yearBorn": 1899}, "yearBorn", "out_of_range"),
        ({"code": "c", "yearBorn": current_year() + 1}, "yearBorn", "out_of_range"),
        ({"code": "c", "gender": 4}, "gender", "out_of_range"),
        ({"code": "c", "gender": -1}, "gender", "out_of_range"),
        ({"code": "c", "gender": "2.5"}, "gender", "invalid_type"),
        ({"code": "c", "gender": False}, "gender", "invalid_type"),
        ({"code": "c", "metadata": [1, 2]}, "metadata", "invalid_type"),
        ({"code": "c", "metadata": "{}"}, "metadata", "invalid_type"),
        ({"code": "c", "metadata": {"x": "y" * 60_000}}, "metadata", "too_long"),
        ({"code": "c", "yearborn": 1990}, "yearborn", "unknown_field"),
        ({"code": "c", "country": True}, "country", "invalid_type"),
        ({"code": "c", "city": ["Paris"]}, "city", "invalid_type"),
        ({"code": "c", "state": "x" * 256}, "state", "too_long"),
    ],
)
def test_field_rules(api: Api, body: dict[str, Any], field: str, code: str) -> None:
    r = api.post(body)
    assert field_errors(r) == {field: code}
    # nothing was written
    assert api.runtime.store.count_customers(api.runtime.access.project("shop").id) == 0


def test_year_boundaries_are_accepted(api: Api) -> None:
    assert api.post({"code": "old", "yearBorn": 1900}).status_code == 201
    assert api.post({"code": "new", "yearBorn": current_year()}).status_code == 201


def test_metadata_at_the_limit_is_accepted(api: Api) -> None:
    filler = "y" * (60_000 - len('{"x":""}'))
    assert api.post({"code": "c", "metadata": {"x": filler}}).status_code == 201


def test_metadata_nesting_has_a_fixed_bound(api: Api) -> None:
    def nested(depth: int) -> dict[str, Any]:
        value: dict[str, Any] = {"leaf": 1}
        for _ in range(depth - 1):
            value = {"a": value}
        return value

    deepest = nested(64)
    r = api.post({"code": "deep", "metadata": deepest})
    assert r.status_code == 201, r.text
    assert r.json()["payload"]["metadata"] == deepest
    r = api.post({"code": "deeper", "metadata": nested(65)})
    assert field_errors(r) == {"metadata": "invalid_value"}
    assert (
        "deeper than 64 levels"
        in r.json()[0]["payload"]["fieldErrors"][0]["payload"]["description"]
    )


def test_every_field_error_of_a_customer_is_listed(api: Api) -> None:
    r = api.post(
        {"code": "D314K1432", "yearBorn": 1800, "gender": 9, "yearborn": 1, "city": "Paris"}
    )
    errors = field_errors(r)
    assert errors == {
        "yearBorn": "out_of_range",
        "gender": "out_of_range",
        "yearborn": "unknown_field",
        "city": "ambiguous",
    }
    element = r.json()[0]["payload"]
    assert element["customerCode"] == "D314K1432"
    assert element["description"] == "4 fields are invalid"
    unknown = next(fe for fe in element["fieldErrors"] if fe["payload"]["field"] == "yearborn")
    assert "yearBorn" in unknown["payload"]["description"]  # says what was meant


def test_ambiguous_city_lists_candidates(api: Api) -> None:
    r = api.post({"code": "p", "city": "Paris"})
    fe = r.json()[0]["payload"]["fieldErrors"][0]["payload"]
    assert fe["code"] == "ambiguous"
    ids = [c["id"] for c in fe["candidates"]]
    assert 2 <= len(ids) <= 10
    assert all(set(c) >= {"id", "name", "country", "state"} for c in fe["candidates"])
    assert any(c["country"] == "FRA" for c in fe["candidates"])


def test_unknown_city_is_kept_as_sent_with_a_warning(api: Api) -> None:
    r = api.post({"code": "u", "country": "ES", "city": "  Villanueva de Nowhere Zzyzx  "})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["payload"]["city"] == "Villanueva de Nowhere Zzyzx"
    assert body["payload"]["country"] == "ESP"
    assert [w["code"] for w in body["warnings"] if w["field"] == "city"] == ["unresolved"]


def test_a_project_can_reject_unknown_cities(api: Api) -> None:
    api.runtime.access.configure_project("shop", reject_unresolved_places=True)
    api.runtime.access._cache.clear()  # the setting is read with the key
    r = api.post({"code": "u", "country": "ES", "city": "Villanueva de Nowhere Zzyzx"})
    assert field_errors(r) == {"city": "not_found"}


def test_partial_update_resolves_in_the_stored_context(api: Api) -> None:
    api.post({"code": "ctx", "country": "DE"})
    # "Bayern" alone is looked for in the stored country
    r = api.post({"code": "ctx", "state": "Bayern"})
    assert r.json()["payload"]["country"] == "DEU"
    assert r.json()["payload"]["state"] == "DE-BY"


def test_state_implies_country(api: Api) -> None:
    r = api.post({"code": "s", "state": "DE-BY"})
    assert r.json()["payload"]["country"] == "DEU"


def test_contradicting_country_and_state_is_inconsistent(api: Api) -> None:
    assert field_errors(api.post({"code": "x", "country": "FRA", "state": "ES-B"})) == {
        "state": "inconsistent"
    }


# batches


def test_a_batch_answers_an_ingest_result_in_request_order(api: Api) -> None:
    api.post({"code": "old", "gender": 1})
    api.post({"code": "same", "gender": 1})
    r = api.post(
        [
            {"code": "new1"},
            {"code": "old", "gender": 2},
            {"code": "same", "gender": 1},
            {"code": "new2"},
        ]
    )
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "ingest_result"
    assert {
        k: body["payload"][k] for k in ("code", "received", "created", "updated", "unchanged")
    } == {
        "code": "ok",
        "received": 4,
        "created": 2,
        "updated": 1,
        "unchanged": 1,
    }
    assert [c["payload"]["code"] for c in body["payload"]["customers"]] == [
        "new1",
        "old",
        "same",
        "new2",
    ]


def test_a_batch_of_one_is_still_a_batch(api: Api) -> None:
    r = api.post([{"code": "solo"}])
    assert r.status_code == 200 and r.json()["object"] == "ingest_result"


def test_the_same_code_twice_in_a_batch_is_applied_in_order(api: Api) -> None:
    r = api.post([{"code": "twice", "gender": 1, "yearBorn": 1970}, {"code": "twice", "gender": 2}])
    payload = r.json()["payload"]
    assert (payload["created"], payload["updated"]) == (1, 1)
    assert api.get(code="twice").json()["payload"]["gender"] == 2
    assert api.get(code="twice").json()["payload"]["yearBorn"] == 1970
    ids = {c["id"] for c in payload["customers"]}
    assert len(ids) == 1


def test_a_batch_with_an_invalid_customer_writes_nothing_and_lists_every_invalid_one(
    api: Api,
) -> None:
    api.post({"code": "keep", "gender": 1})
    body = [
        {"code": "ok1"},
        {"code": "bad1", "gender": 7},
        {"code": "keep", "gender": 3},
        {"gender": 1},
    ]
    r = api.post(body)
    assert r.status_code == 400
    elements = r.json()
    assert [e["payload"]["index"] for e in elements] == [1, 3]
    assert [e["payload"]["customerCode"] for e in elements] == ["bad1", None]
    assert field_errors(r, 3) == {"code": "required"}
    assert api.get(code="ok1").status_code == 404
    assert api.get(code="keep").json()["payload"]["gender"] == 1


def test_a_batch_of_100_is_accepted_and_101_refused(api: Api) -> None:
    assert api.post([{"code": f"c{i}"} for i in range(100)]).status_code == 200
    r = api.post([{"code": f"d{i}"} for i in range(101)])
    assert r.status_code == 400
    assert r.json()[0]["object"] == "error"
    assert r.json()[0]["payload"]["code"] == "too_many_customers"
    assert api.get(code="d0").status_code == 404


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"{", "malformed_json"),
        (b"", "invalid_body"),
        (b"[]", "invalid_body"),
        (b'"customer"', "invalid_body"),
        (b"42", "invalid_body"),
        (b"null", "invalid_body"),
        (b"[1, 2]", "invalid_body"),
        (b"\xff\xfe{}", "malformed_json"),
        (b'{"code": NaN}', "malformed_json"),
    ],
)
def test_request_level_errors(api: Api, content: bytes, code: str) -> None:
    r = api.client.post(
        "/customers", content=content, headers={**api.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert isinstance(body, list) and body[0]["object"] == "error"
    assert body[0]["payload"]["code"] == code
    assert body[0]["payload"]["description"]


def test_duplicate_keys_are_refused(api: Api) -> None:
    r = api.client.post("/customers", content=b'{"code": "a", "code": "b"}', headers=api.headers)
    assert field_errors(r) == {"code": "invalid_value"}
    r = api.client.post(
        "/customers", content=b'{"code": "a", "metadata": {"k": 1, "k": 2}}', headers=api.headers
    )
    assert field_errors(r) == {"metadata": "invalid_value"}
