"""Places padron chose for a customer keep what was sent (issue 16): a city
resolved with a ``chosen`` or ``state_mismatch`` warning stores the chosen id,
and the sent text, its context, the warning and the candidates are kept beside
it in the same transaction, so "places to review" can list them. A later write
of the city without such a warning, or the customer's deletion, removes them;
a write that leaves the place alone keeps them. Both backends, the real index;
and a database made before this (schema 7) gains the table on opening."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from padron.customers.aliases import AliasService
from padron.customers.decode import decode_json
from padron.customers.model import Project
from padron.customers.service import CustomerService, Rejected
from padron.runtime import Runtime
from padron.store import migrations, open_store
from padron.store.records import PlaceReview
from tests.store.test_places_setting_migration import run_sql


def objs(*customers: dict[str, Any]) -> list[tuple[tuple[str, Any], ...]]:
    return [tuple(decode_json(json.dumps(c).encode())) for c in customers]


@pytest.fixture
def shop(runtime: Runtime) -> Project:
    return runtime.access.create_key("shop").project


def reviews(runtime: Runtime, project: Project) -> dict[str, PlaceReview]:
    """Every place review of the project, by customer code."""
    found = {}
    for review, _ in runtime.store.review_values(project.id):
        for r in runtime.store.reviews_of(project.id, review.field, review.key, review.country):
            found[r.code] = r
    return found


def test_a_chosen_city_keeps_what_was_sent_with_its_context_and_candidates(
    runtime: Runtime, shop: Project
) -> None:
    service: CustomerService = runtime.customers
    [one, two] = service.ingest(
        shop,
        objs(
            {"code": "b1", "country": "Romania", "state": "Buzău", "city": "Beceni"},
            {"code": "b2", "country": "RO", "state": "RO-BZ", "city": "  BECENI "},
        ),
    )
    [(value, carriers)] = runtime.store.review_values(shop.id)
    assert carriers == 2
    assert (value.field, value.warning, value.key, value.country, value.state) == (
        "city",
        "chosen",
        "beceni",
        "ROU",
        "RO-BZ",
    )
    assert value.value in ("Beceni", "BECENI")
    assert value.place_id == one.customer.city == two.customer.city
    passed_over = [c["id"] for c in one.warnings[0].extra["candidates"]]  # type: ignore[index]
    assert list(value.candidates) == passed_over and value.place_id not in passed_over
    kept = reviews(runtime, shop)
    assert {c: (r.value, r.customer_id) for c, r in kept.items()} == {
        "b1": ("Beceni", one.customer.id),
        "b2": ("BECENI", two.customer.id),
    }


def test_a_state_mismatch_keeps_the_state_sent_as_its_context(
    runtime: Runtime, shop: Project
) -> None:
    [written] = runtime.customers.ingest(
        shop, objs({"code": "m", "country": "ES", "state": "Barcelona", "city": "Madrid"})
    )
    assert written.customer.state == "ES-M"
    [r] = reviews(runtime, shop).values()
    assert (r.warning, r.value, r.country, r.state) == ("state_mismatch", "Madrid", "ESP", "ES-B")
    assert r.place_id == written.customer.city and r.candidates == ()


def test_a_city_resolved_without_a_choice_keeps_nothing(runtime: Runtime, shop: Project) -> None:
    runtime.customers.ingest(
        shop,
        objs(
            {"code": "plain", "country": "ES", "state": "ES-B", "city": "Barcelona"},
            {"code": "kept", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"},
            # the client's own id with a state it does not lie in: its own choice
            {"code": "id", "country": "ES", "state": "ES-M", "city": "Q1492"},
        ),
    )
    assert runtime.store.review_values(shop.id) == []


def test_writing_the_city_again_or_deleting_the_customer_removes_what_was_kept(
    runtime: Runtime, shop: Project
) -> None:
    service = runtime.customers
    chosen = {"country": "ROU", "state": "RO-BZ", "city": "Beceni"}
    service.ingest(
        shop,
        objs(
            {"code": "again", **chosen},
            {"code": "other-field", **chosen},
            {"code": "country-only", **chosen},
            {"code": "gone", **chosen},
        ),
    )
    assert set(reviews(runtime, shop)) == {"again", "other-field", "country-only", "gone"}
    service.ingest(
        shop,
        objs(
            {"code": "again", "country": "ES", "state": "ES-B", "city": "Barcelona"},
            {"code": "other-field", "yearBorn": 1980},
            {"code": "country-only", "country": "Romania"},
        ),
    )
    assert service.delete(shop, code="gone") is not None
    assert set(reviews(runtime, shop)) == {"other-field", "country-only"}
    # sent again as the same text: kept again, once
    service.ingest(shop, objs({"code": "again", **chosen}))
    assert set(reviews(runtime, shop)) == {"again", "other-field", "country-only"}
    [(_, carriers)] = runtime.store.review_values(shop.id)
    assert carriers == 3


def _schema_7(database_url: str) -> None:
    """A database as padron made it before place reviews (migrations 1–7)."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    statements = [
        "CREATE TABLE padron_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    ]
    for m in migrations.migrations(backend):
        if m.version <= 7:
            statements += migrations.split_statements(m.sql)
            statements.append(
                f"INSERT INTO padron_migrations VALUES ({m.version}, '{m.name}', '2026-01-01')"
            )
    run_sql(database_url, statements)


def test_a_database_of_schema_7_gains_the_place_reviews_on_opening(
    database_url: str, data_dir: Path, resolver: Any
) -> None:
    _schema_7(database_url)
    store = open_store(database_url)
    try:
        assert store.schema_version() >= 8
        service = CustomerService(store, resolver)
        from padron.access import Access

        project = Access(store).create_key("old").project
        service.ingest(
            project, objs({"code": "b", "country": "RO", "state": "RO-BZ", "city": "Beceni"})
        )
        [(value, carriers)] = store.review_values(project.id)
        assert (value.key, carriers) == ("beceni", 1)
    finally:
        store.close()


BECENI_VILLAGE = "Q3292959"  # the village padron chooses (more prominent)
BECENI_COMMUNE = "Q2725070"  # the commune passed over


def test_a_chosen_city_is_listed_and_mapping_it_re_resolves_its_customers(
    runtime: Runtime, shop: Project
) -> None:
    service = runtime.customers
    aliases = AliasService(service)
    chosen = {"country": "ROU", "state": "RO-BZ", "city": "Beceni"}
    service.ingest(
        shop,
        objs(
            {"code": "b1", **chosen},
            {"code": "b2", **chosen, "city": "beceni"},
            {"code": "m", "country": "ES", "state": "Barcelona", "city": "Madrid"},
            {"code": "kept", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"},
        ),
    )
    listed = {(p.code, p.value.lower()): p for p in aliases.to_review(shop)}
    assert set(listed) == {
        ("chosen", "beceni"),
        ("state_mismatch", "madrid"),
        ("unresolved", "villa nowhere"),
    }
    beceni = listed[("chosen", "beceni")]
    assert (beceni.field, beceni.country, beceni.state, beceni.customers) == (
        "city",
        "ROU",
        "RO-BZ",
        2,
    )
    assert beceni.chosen is not None and beceni.chosen.id == BECENI_VILLAGE
    assert [p.id for p in beceni.candidates] == [BECENI_COMMUNE]
    assert BECENI_COMMUNE in beceni.description
    before = runtime.store.change_head(shop.id)[0]

    added = aliases.add(
        shop, field="city", value="BECENI", country="RO", state="Buzău", place_id=BECENI_COMMUNE
    )

    assert added.reresolved == 2
    for code in ("b1", "b2"):
        found = service.get(shop, code=code)
        assert found is not None and found.city == BECENI_COMMUNE
    changes = runtime.store.changes(shop.id, before, 10)
    assert sorted((c.type, c.code) for c in changes) == [("updated", "b1"), ("updated", "b2")]
    assert {(p.code, p.value.lower()) for p in aliases.to_review(shop)} == {
        ("state_mismatch", "madrid"),
        ("unresolved", "villa nowhere"),
    }
    assert set(reviews(runtime, shop)) == {"m"}
    # later customers sending it resolve through the decision, with no warning
    [w] = service.ingest(shop, objs({"code": "b3", **chosen}))
    assert w.customer.city == BECENI_COMMUNE and w.warnings == ()
    assert set(reviews(runtime, shop)) == {"m"}


def test_keeping_padrons_choice_clears_it_without_changing_the_customers(
    runtime: Runtime, shop: Project
) -> None:
    service = runtime.customers
    aliases = AliasService(service)
    service.ingest(
        shop, objs({"code": "m", "country": "ES", "state": "Barcelona", "city": "Madrid"})
    )
    before = runtime.store.change_head(shop.id)[0]
    [entry] = aliases.to_review(shop)
    assert entry.code == "state_mismatch" and entry.state == "ES-B"
    added = aliases.add(
        shop, field="city", value=entry.value, country="ES", state="ES-B", place_id=None
    )
    assert added.reresolved == 0 and runtime.store.change_head(shop.id)[0] == before
    assert aliases.to_review(shop) == [] and reviews(runtime, shop) == {}
    found = service.get(shop, code="m")
    assert found is not None and found.state == "ES-M"


def test_keep_as_sent_admits_the_value_in_a_project_that_rejects_unresolved_places(
    runtime: Runtime, shop: Project
) -> None:
    service = runtime.customers
    strict = runtime.access.configure_project(shop.name, reject_unresolved_places=True)
    nowhere = {"code": "n", "country": "ES", "state": "ES-B", "city": "Villa Nowhere"}
    with pytest.raises(Rejected):
        service.ingest(strict, objs(nowhere))
    AliasService(service).add(
        strict, field="city", value="villa nowhere", country="ES", state="ES-B", place_id=None
    )
    [w] = service.ingest(strict, objs(nowhere))
    assert w.customer.city == "Villa Nowhere" and w.warnings == ()
    # another value, or the same one elsewhere, is still refused
    for other in (
        {**nowhere, "city": "Villa Elsewhere"},
        {**nowhere, "state": "ES-M"},
    ):
        with pytest.raises(Rejected) as refused:
            service.ingest(strict, objs(other))
        [customer] = refused.value.customers
        assert [(p.field, p.code) for p in customer.problems] == [("city", "not_found")]
