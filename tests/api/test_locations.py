"""Locations through the HTTP API: POST stores canonical ids, GET
/locations/resolve answers the same resolution without storing anything."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_post import field_errors
from tests.conftest import Api


def resolve(api: Api, **params: str) -> Any:
    return api.client.get("/locations/resolve", params=params, headers=api.headers)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"country": "España"}, {"country": "ESP"}),
        ({"country": "724"}, {"country": "ESP"}),
        ({"country": 724}, {"country": "ESP"}),
        ({"country": "Q29"}, {"country": "ESP"}),
        ({"state": "Bayern", "country": "DE"}, {"country": "DEU", "state": "DE-BY"}),
        ({"state": "GM02"}, {"country": "DEU", "state": "DE-BY"}),
        ({"state": "B", "country": "ES"}, {"country": "ESP", "state": "ES-B"}),
        ({"city": "Q11492"}, {"country": "ESP", "state": "ES-B", "city": "Q11492"}),
    ],
)
def test_locations_are_stored_canonical_with_implied_parents(
    api: Api, sent: dict[str, Any], stored: dict[str, str]
) -> None:
    r = api.post({"code": "loc", **sent})
    assert r.status_code == 201, r.text
    payload = r.json()["payload"]
    assert {k: payload[k] for k in stored} == stored


def test_antwerpen_and_anvers_are_the_same_city(api: Api) -> None:
    a = api.post({"code": "a", "country": "BE", "city": "Antwerpen"}).json()["payload"]["city"]
    b = api.post({"code": "b", "country": "BE", "city": "Anvers"}).json()["payload"]["city"]
    assert a == b and a.startswith("Q")


@pytest.mark.parametrize("sent", [{"country": "United"}, {"state": "Granada"}, {"city": "Paris"}])
def test_the_sdk_documentations_ambiguous_examples(api: Api, sent: dict[str, str]) -> None:
    (field,) = sent
    assert field_errors(api.post({"code": "amb", **sent})) == {field: "ambiguous"}


def test_unknown_country_is_not_found_with_suggestions(api: Api) -> None:
    r = api.post({"code": "nf", "country": "Spainn"})
    fe = r.json()[0]["payload"]["fieldErrors"][0]["payload"]
    assert (fe["field"], fe["code"]) == ("country", "not_found")
    assert "ESP" in [s["id"] for s in fe["suggestions"]]
    assert len(fe["suggestions"]) <= 5


def test_resolve_answers_ids_with_names_and_stores_nothing(api: Api) -> None:
    r = resolve(api, country="Deutschland", state="Bayern")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "location" and body["payload"]["code"] == "ok"
    assert body["payload"]["country"]["id"] == "DEU"
    assert body["payload"]["country"]["name"] == "Germany"
    assert body["payload"]["state"]["id"] == "DE-BY"
    assert body["payload"]["city"] is None
    project = api.runtime.access.project("shop")
    assert api.runtime.store.count_customers(project.id) == 0


def test_resolve_errors_are_the_same_400_array(api: Api) -> None:
    r = resolve(api, city="Paris")
    assert field_errors(r) == {"city": "ambiguous"}
    r = resolve(api, country="FRA", state="ES-B")
    assert field_errors(r) == {"state": "inconsistent"}


def test_resolve_keeps_an_unknown_city_with_a_warning(api: Api) -> None:
    r = resolve(api, country="ES", city="Zzyzx de Abajo")
    body = r.json()
    assert body["payload"]["city"] == {
        "id": "Zzyzx de Abajo",
        "name": None,
        "country": None,
        "state": None,
        "resolved": False,
    }
    assert [w["code"] for w in body["warnings"]] == ["unresolved"]


def test_resolve_needs_a_valid_key_but_no_particular_permission(api: Api) -> None:
    only_fetch = api.runtime.access.create_key("shop", ["depotFetch"]).secret
    headers = {"X-API-Key": only_fetch, "X-API-Version": "1"}
    r = api.client.get("/locations/resolve", params={"country": "ES"}, headers=headers)
    assert r.status_code == 200
    r = api.client.get(
        "/locations/resolve", params={"country": "ES"}, headers={"X-API-Version": "1"}
    )
    assert r.status_code == 401


def test_resolve_refuses_unknown_parameters(api: Api) -> None:
    r = resolve(api, contry="ES")
    assert r.status_code == 400 and "contry" in r.json()[0]["payload"]["description"]
