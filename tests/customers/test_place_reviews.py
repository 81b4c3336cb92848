"""Places padron chose for a customer keep what was sent (issue 16): a city
resolved with a ``chosen`` or ``state_mismatch`` warning stores the chosen id,
and the sent text, its context, the warning and the candidates are kept beside
it in the same transaction, so "places to review" can list them. A later write
of the city without such a warning, or the customer's deletion, removes them;
a write that leaves the place alone keeps them. Both backends, the real index;
and a database made before this (schema 7) gains the table on opening."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from padron.customers.decode import decode_json
from padron.customers.model import Project
from padron.customers.service import CustomerService
from padron.runtime import Runtime
from padron.store import migrations, open_store
from padron.store.records import PlaceReview


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
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as pg:
            for statement in statements:
                pg.execute(statement)


def test_a_database_of_schema_7_gains_the_place_reviews_on_opening(
    database_url: str, data_dir: Path, resolver: Any
) -> None:
    assert resources.files("padron.store").joinpath("migrations").is_dir()
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
