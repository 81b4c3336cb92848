"""Project place aliases in the domain: a person decides what a sent state or
city means in one project; adding the alias re-resolves at once, through the
write path, every customer of that project carrying the value in that context
(they show in the change feed as updates); the context is respected; other
projects are unaffected; removing an alias affects future writes only. A real
store (both backends) and the real place index."""

from __future__ import annotations

import json
from typing import Any

import pytest

from padron.customers.aliases import AliasError, AliasNotFound, AliasService
from padron.customers.decode import decode_json
from padron.customers.model import Project
from padron.customers.service import CustomerService
from padron.runtime import Runtime

BARCELONA = "Q1492"  # the city of Barcelona, in ES-B


def objs(*customers: dict[str, Any]) -> list[tuple[tuple[str, Any], ...]]:
    return [tuple(decode_json(json.dumps(c).encode())) for c in customers]


@pytest.fixture
def service(runtime: Runtime) -> CustomerService:
    return runtime.customers


@pytest.fixture
def aliases(service: CustomerService) -> AliasService:
    return AliasService(service)


@pytest.fixture
def shop(runtime: Runtime) -> Project:
    return runtime.access.create_key("shop").project


@pytest.fixture
def other(runtime: Runtime) -> Project:
    return runtime.access.create_key("other").project


def city_of(service: CustomerService, project: Project, code: str) -> str | None:
    found = service.get(project, code=code)
    assert found is not None
    return found.city


def head(runtime: Runtime, project: Project) -> int:
    return runtime.store.change_head(project.id)[0]


def test_adding_an_alias_resolves_every_customer_that_carries_the_value(
    runtime: Runtime, service: CustomerService, aliases: AliasService, shop: Project, other: Project
) -> None:
    service.ingest(
        shop,
        objs(
            {"code": "a", "country": "ES", "state": "Barcelona", "city": "Villa Nowhere"},
            {"code": "b", "country": "ESP", "state": "ES-B", "city": "  villa NOWHERE "},
            {"code": "madrid", "country": "ES", "state": "Madrid", "city": "Villa Nowhere"},
            {"code": "france", "country": "FR", "city": "Villa Nowhere"},
        ),
    )
    service.ingest(
        other, objs({"code": "a", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"})
    )
    before = head(runtime, shop)
    other_before = head(runtime, other)

    added = aliases.add(
        shop,
        field="city",
        value="Villa Nowhere",
        country="Spain",
        state="Barcelona",
        place_id=BARCELONA,
    )

    assert added.created and added.reresolved == 2
    assert added.alias.country == "ESP" and added.alias.state == "ES-B"
    assert city_of(service, shop, "a") == BARCELONA
    assert city_of(service, shop, "b") == BARCELONA
    # the context is respected: another state, another country, another project
    assert city_of(service, shop, "madrid") == "Villa Nowhere"
    assert city_of(service, shop, "france") == "Villa Nowhere"
    assert city_of(service, other, "a") == "Villa Nowhere"
    feed = runtime.store.changes(shop.id, before, 100)
    assert sorted((c.type, c.code, c.customer.city if c.customer else None) for c in feed) == [
        ("updated", "a", BARCELONA),
        ("updated", "b", BARCELONA),
    ]
    assert head(runtime, other) == other_before


def test_a_later_write_of_the_value_resolves_through_the_alias_without_a_warning(
    service: CustomerService, aliases: AliasService, shop: Project, other: Project
) -> None:
    aliases.add(
        shop, field="city", value="Villa Nowhere", country="ES", state="ES-B", place_id=BARCELONA
    )
    [w] = service.ingest(
        shop, objs({"code": "n", "country": "ES", "state": "ES-B", "city": "VILLA nowhere"})
    )
    assert (w.customer.state, w.customer.city) == ("ES-B", BARCELONA) and w.warnings == ()
    # a partial update takes its context from the stored customer
    service.ingest(shop, objs({"code": "p", "country": "ES", "state": "ES-B"}))
    [partial] = service.ingest(shop, objs({"code": "p", "city": "Villa Nowhere"}))
    assert partial.customer.city == BARCELONA
    # never in another country, another state, or another project
    [fr] = service.ingest(shop, objs({"code": "f", "country": "FR", "city": "Villa Nowhere"}))
    [md] = service.ingest(
        shop, objs({"code": "m", "country": "ES", "state": "ES-M", "city": "Villa Nowhere"})
    )
    [elsewhere] = service.ingest(
        other, objs({"code": "n", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"})
    )
    for kept in (fr, md, elsewhere):
        assert kept.customer.city == "Villa Nowhere"
        assert [(p.field, p.code) for p in kept.warnings] == [("city", "unresolved")]


def test_a_state_alias_maps_a_state_kept_as_sent(
    service: CustomerService, aliases: AliasService, shop: Project
) -> None:
    service.ingest(shop, objs({"code": "k", "country": "HK", "state": "Kowloon"}))
    added = aliases.add(shop, field="state", value="kowloon", country="HKG", place_id="HK-KKC")
    assert added.reresolved == 1
    stored = service.get(shop, code="k")
    assert stored is not None and stored.state == "HK-KKC"
    [w] = service.ingest(shop, objs({"code": "k2", "country": "Hong Kong", "state": "KOWLOON"}))
    assert w.customer.state == "HK-KKC" and w.warnings == ()


def test_keep_as_sent_silences_the_warning_and_changes_no_customer(
    runtime: Runtime, service: CustomerService, aliases: AliasService, shop: Project
) -> None:
    service.ingest(shop, objs({"code": "a", "country": "ES", "state": "ES-B", "city": "Can Roca"}))
    before = head(runtime, shop)
    added = aliases.add(
        shop, field="city", value="Can Roca", country="ES", state="ES-B", place_id=None
    )
    assert added.alias.place_id is None and added.reresolved == 0
    assert head(runtime, shop) == before
    [w] = service.ingest(
        shop, objs({"code": "b", "country": "ES", "state": "ES-B", "city": "Can Roca"})
    )
    assert w.customer.city == "Can Roca" and w.warnings == ()
    assert [p.value for p in aliases.to_review(shop)] == []


def test_removing_an_alias_affects_future_writes_only(
    service: CustomerService, aliases: AliasService, shop: Project
) -> None:
    service.ingest(
        shop, objs({"code": "a", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"})
    )
    added = aliases.add(
        shop, field="city", value="Villa Nowhere", country="ES", state="ES-B", place_id=BARCELONA
    )
    gone = aliases.remove(shop, added.alias.id)
    assert gone == added.alias and aliases.list_aliases(shop) == []
    assert city_of(service, shop, "a") == BARCELONA  # kept
    [w] = service.ingest(
        shop, objs({"code": "b", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"})
    )
    assert w.customer.city == "Villa Nowhere"
    with pytest.raises(AliasNotFound):
        aliases.remove(shop, added.alias.id)


def test_another_projects_alias_cannot_be_removed(
    aliases: AliasService, shop: Project, other: Project
) -> None:
    added = aliases.add(shop, field="state", value="Kowloon", country="HK", place_id="HK-KKC")
    with pytest.raises(AliasNotFound):
        aliases.remove(other, added.alias.id)
    assert aliases.list_aliases(shop) == [added.alias]


def test_adding_the_same_value_again_replaces_its_place(
    aliases: AliasService, shop: Project
) -> None:
    first = aliases.add(shop, field="state", value="Kowloon", country="HK", place_id="HK-KKC")
    again = aliases.add(shop, field="state", value="KOWLOON", country="HKG", place_id=None)
    assert not again.created and again.alias.id == first.alias.id
    assert [(a.id, a.place_id) for a in aliases.list_aliases(shop)] == [(first.alias.id, None)]


@pytest.mark.parametrize(
    ("field", "value", "country", "state", "place", "problem"),
    [
        ("country", "Narnia", "ES", None, None, ("field", "invalid_value")),
        ("city", "", "ES", None, None, ("value", "invalid_value")),
        ("city", "!!", "ES", None, None, ("value", "invalid_value")),
        ("city", 7, "ES", None, None, ("value", "invalid_type")),
        ("city", "X", None, None, None, ("country", "required")),
        ("city", "X", "Narnia", None, None, ("country", "not_found")),
        # a place that is not where the alias says: Barcelona is not in France
        ("city", "X", "FR", None, BARCELONA, ("placeId", "inconsistent")),
        ("city", "X", "ES", None, "Q0", ("placeId", "not_found")),
        ("state", "X", "ES", None, "FR-IDF", ("placeId", "inconsistent")),
        ("state", "X", "ES", "ES-B", None, ("state", "invalid_value")),
    ],
)
def test_an_invalid_alias_is_refused_and_nothing_is_stored(
    aliases: AliasService,
    shop: Project,
    field: str,
    value: Any,
    country: Any,
    state: Any,
    place: Any,
    problem: tuple[str, str],
) -> None:
    with pytest.raises(AliasError) as refused:
        aliases.add(shop, field=field, value=value, country=country, state=state, place_id=place)
    assert [(p.field, p.code) for p in refused.value.problems][:1] == [problem]
    assert aliases.list_aliases(shop) == []


def test_places_to_review_counts_the_customers_of_each_value_kept_as_sent(
    service: CustomerService, aliases: AliasService, shop: Project, other: Project
) -> None:
    service.ingest(
        shop,
        objs(
            {"code": "1", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"},
            {"code": "2", "country": "ES", "state": "ES-B", "city": "villa nowhere"},
            {"code": "3", "country": "ES", "state": "ES-M", "city": "Villa Nowhere"},
            {"code": "4", "country": "HK", "state": "Kowloon"},
            {"code": "5", "country": "ES", "state": "ES-B", "city": BARCELONA},
        ),
    )
    service.ingest(other, objs({"code": "9", "country": "HK", "state": "Kowloon"}))
    review = aliases.to_review(shop)
    seen = sorted((p.field, p.country, p.state, p.customers, p.code) for p in review)
    assert seen == [
        ("city", "ESP", "ES-B", 2, "unresolved"),
        ("city", "ESP", "ES-M", 1, "unresolved"),
        ("state", "HKG", None, 1, "unresolved"),
    ]
    kowloon = next(p for p in review if p.field == "state")
    assert "HK-KKC" in [s.id for s in kowloon.suggestions]
    aliases.add(shop, field="state", value="Kowloon", country="HK", place_id="HK-KKC")
    assert sorted((p.field, p.state) for p in aliases.to_review(shop)) == [
        ("city", "ES-B"),
        ("city", "ES-M"),
    ]


def test_an_update_moving_a_customer_to_the_aliases_context_resolves_through_it(
    service: CustomerService, aliases: AliasService, shop: Project
) -> None:
    # stored in Paris; the update sends a new country, state and the aliased text:
    # the stored city (being replaced) must not stand in the alias's context
    service.ingest(shop, objs({"code": "mover", "country": "FR", "city": "Paris"}))
    aliases.add(
        shop, field="city", value="Villa Nowhere", country="ES", state="ES-B", place_id=BARCELONA
    )
    [w] = service.ingest(
        shop, objs({"code": "mover", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"})
    )
    assert (w.customer.country, w.customer.state, w.customer.city) == ("ESP", "ES-B", BARCELONA)
    assert w.warnings == ()
