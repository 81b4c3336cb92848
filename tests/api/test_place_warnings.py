"""Place warnings carry on the wire what API.md promises: an ``unresolved``
warning its ``suggestions``, a ``chosen`` / ``state_mismatch`` / ``ambiguous``
one its ``candidates``, each a place object shaped like an error's candidates
(``{"id", "name", "country", "state"}``); on POST (one and batch) and on
``GET /locations/resolve``."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

PLACE_KEYS = {"id", "name", "country", "state"}


def warnings_of(entity: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(w["field"], w["code"]): w for w in entity.get("warnings", [])}


def test_an_unknown_state_carries_its_suggestions(api: Api) -> None:
    r = api.post({"code": "hk1", "country": "HK", "state": "Kowloon"})
    assert r.status_code == 201, r.text
    warning = warnings_of(r.json())[("state", "unresolved")]
    assert "HK-KKC" in [s["id"] for s in warning["suggestions"]]
    assert all(set(s) == PLACE_KEYS for s in warning["suggestions"])
    kowloon_city = next(s for s in warning["suggestions"] if s["id"] == "HK-KKC")
    assert kowloon_city == {"id": "HK-KKC", "name": "Kowloon City", "country": "HKG", "state": None}


def test_an_unknown_city_says_it_has_no_suggestions(api: Api) -> None:
    r = api.post({"code": "nw", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"})
    warning = warnings_of(r.json())[("city", "unresolved")]
    assert warning["suggestions"] == []


def test_a_chosen_city_names_the_places_passed_over(api: Api) -> None:
    r = api.post([{"code": "b1", "country": "ROU", "state": "RO-BZ", "city": "Beceni"}])
    assert r.status_code == 200, r.text
    [entity] = r.json()["payload"]["customers"]
    warning = warnings_of(entity)[("city", "chosen")]
    passed_over = warning["candidates"]
    assert passed_over and all(set(c) == PLACE_KEYS for c in passed_over)
    assert entity["payload"]["city"] not in [c["id"] for c in passed_over]
    assert {(c["country"], c["state"]) for c in passed_over} == {("ROU", "RO-BZ")}


def test_a_state_mismatch_names_the_city_found(api: Api) -> None:
    r = api.post({"code": "m1", "country": "ES", "state": "Barcelona", "city": "Madrid"})
    warning = warnings_of(r.json())[("city", "state_mismatch")]
    assert [(c["id"], c["state"]) for c in warning["candidates"]] == [
        (r.json()["payload"]["city"], "ES-M")
    ]


def test_the_dry_run_answers_warnings_in_the_same_shape(api: Api) -> None:
    r = api.client.get(
        "/locations/resolve",
        params={"country": "HK", "state": "Kowloon"},
        headers=api.headers,
    )
    assert r.status_code == 200, r.text
    warning = warnings_of(r.json())[("state", "unresolved")]
    assert "HK-KKC" in [s["id"] for s in warning["suggestions"]]
    posted = warnings_of(api.post({"code": "hk2", "country": "HK", "state": "Kowloon"}).json())
    assert posted[("state", "unresolved")] == warning
