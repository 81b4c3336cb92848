"""Who pays for a gap in our data, through the HTTP API: the project setting
that rejects unresolved places (states and cities), the /locations/resolve dry
run agreeing with POST, and the PHP SDK's bulk example never refused for a gap."""

from __future__ import annotations

from typing import Any

import pytest

from bench.official_triples import official_triples
from tests.api.test_post import field_errors
from tests.conftest import Api


def dry_run(api: Api, **params: str) -> Any:
    return api.client.get("/locations/resolve", params=params, headers=api.headers)


def reject_unresolved(api: Api, on: bool) -> None:
    api.runtime.access.configure_project("shop", reject_unresolved_places=on)
    api.runtime.access._cache.clear()  # the setting is read with the key


UNKNOWN_STATE = {"country": "US", "state": "Zzyzx County", "city": "New York"}
UNKNOWN_CITY = {"country": "ES", "state": "ES-B", "city": "Zzyzx de Abajo"}


@pytest.mark.parametrize(("sent", "field"), [(UNKNOWN_STATE, "state"), (UNKNOWN_CITY, "city")])
def test_kept_as_sent_by_default_and_the_dry_run_agrees(
    api: Api, sent: dict[str, str], field: str
) -> None:
    r = api.post({"code": "k", **sent})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["payload"][field] == sent[field]
    assert ("unresolved", field) in [(w["code"], w["field"]) for w in body["warnings"]]
    r = dry_run(api, **sent)
    assert r.status_code == 200, r.text
    assert ("unresolved", field) in [(w["code"], w["field"]) for w in r.json()["warnings"]]


@pytest.mark.parametrize(("sent", "field"), [(UNKNOWN_STATE, "state"), (UNKNOWN_CITY, "city")])
def test_rejecting_unresolved_places_rejects_on_post_and_in_the_dry_run(
    api: Api, sent: dict[str, str], field: str
) -> None:
    reject_unresolved(api, True)
    r = api.post({"code": "k", **sent})
    assert field_errors(r).get(field) == "not_found"
    assert api.get(code="k").status_code == 404  # nothing stored
    r = dry_run(api, **sent)
    assert r.status_code == 400
    assert field_errors(r).get(field) == "not_found"


def test_a_known_place_is_accepted_whatever_the_setting(api: Api) -> None:
    reject_unresolved(api, True)
    r = api.post({"code": "b", "country": "ROU", "state": "RO-BZ", "city": "Beceni"})
    assert r.status_code == 201, r.text
    assert [w["code"] for w in r.json()["warnings"]] == ["chosen"]


def test_the_sdk_bulk_example_is_never_refused_for_a_gap(api: Api) -> None:
    # what the PHP SDK's bulk example sends: alpha-3, ISO 3166-2 state and city
    # name drawn from the official package, in batches of 100
    rows = official_triples(1000, seed=5)
    for start in range(0, len(rows), 100):
        batch = [
            {"code": f"sdk{start + i}", "country": c, "state": s, "city": name}
            for i, (c, s, name, *_) in enumerate(rows[start : start + 100])
        ]
        r = api.post(batch)
        assert r.status_code == 200, r.text[:2000]
        stored = [e["payload"] for e in r.json()["payload"]["customers"]]
        assert [p["country"] for p in stored] == [b["country"] for b in batch]
