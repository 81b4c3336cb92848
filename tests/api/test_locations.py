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


def test_resolve_names_a_city_filed_under_two_states_in_the_state_it_stores(
    api: Api,
) -> None:
    # the sources file a place under every state any of them gives (Norway's
    # 2024 counties and the older Troms og Finnmark; the Philippines' provinces
    # and their regions): the answer names the city in the state it stores,
    # never in the other one
    ix = api.runtime.customers.resolver.index  # type: ignore[attr-defined]
    ci, states, countries = ix.cities, ix.states, ix.countries
    apart: list[tuple[str, str, str]] = []  # (alpha-3, state, city id)
    for k in range(len(ci.qid) - 1):
        a, b = ci.state_of(k), ci.state_of(k + 1)
        if (
            ci.qid[k]
            and ci.qid[k] == ci.qid[k + 1]
            and ci.country[k] == ci.country[k + 1]
            and a >= 0
            and b >= 0
            and not states.within(a, b)
            and not states.within(b, a)
        ):
            alpha3 = countries.alpha3[ci.country[k]]
            apart += [(alpha3, states.code[a], f"Q{ci.qid[k]}")]
            apart += [(alpha3, states.code[b], f"Q{ci.qid[k]}")]
    assert ("NOR", "NO-56", "Q6535") in apart and ("NOR", "NO-54", "Q6535") in apart  # Alta
    for country, state, city in [
        *apart[::97],
        ("NOR", "NO-56", "Q6535"),
        ("NOR", "NO-54", "Q6535"),
    ]:
        body = resolve(api, country=country, state=state, city=city).json()
        stored = body["payload"]
        assert stored["state"]["id"] == state, (country, state, city, body)
        assert (stored["city"]["id"], stored["city"]["state"]) == (city, state), (state, body)


def test_resolve_names_an_id_sent_with_the_state_of_a_row_carrying_it_as_that_row(
    api: Api,
) -> None:
    # the API's own example: Q11355 with Barcelona. The data gives the id to
    # Mollet de Peralada (Girona) and copies it to Mollet del Vallès
    # (Barcelona); sent with Barcelona it is stored with ES-B, and the answer
    # names the place of Barcelona, never a place of Girona beside ES-B
    body = resolve(api, country="ES", state="Barcelona", city="Q11355").json()
    city = body["payload"]["city"]
    assert (body["payload"]["state"]["id"], city["id"]) == ("ES-B", "Q11355")
    assert (city["name"], city["state"]) == ("Mollet del Vallès", "ES-B")
    # every such id: the city named lies in the state stored
    ix = api.runtime.customers.resolver.index  # type: ignore[attr-defined]
    ci, states, countries = ix.cities, ix.states, ix.countries
    copies = [
        (countries.alpha3[ci.country[k]], states.code[ci.state_of(k)], f"Q{ci.carried[k]}")
        for k in range(len(ci.carried))
        if ci.carried[k] and ci.state_of(k) >= 0 and ci.by_qid(ci.carried[k])
    ]
    tried = 0
    for country, state, city_id in copies[::53]:
        body = resolve(api, country=country, state=state, city=city_id).json()
        if not isinstance(body, dict) or body["payload"]["city"]["id"] != city_id:
            continue  # (an id of another country: inconsistent, as it should be)
        tried += 1
        stored = body["payload"]["state"]["id"]
        named = body["payload"]["city"]["state"]
        assert states.within(states.codes[named], states.codes[stored]), (state, body)
    assert tried > 50
