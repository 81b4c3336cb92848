"""Merge semantics (API.md, updates): an omitted field keeps its value, null
removes it, ``isActive: null`` means true, metadata is replaced whole, a write
that changes nothing is "unchanged" and keeps the stored customer as it was."""

from __future__ import annotations

import json
from typing import Any

from padron.customers.decode import decode_json
from padron.customers.model import Customer
from padron.customers.rules import Patch, check
from padron.customers.service import merge
from padron.geo.types import Resolution

STORED = Customer(
    id="cus_STORED00000001",
    project_id="prj_P",
    code="C1",
    created_at=100,
    updated_at=200,
    is_active=False,
    country="ESP",
    state="ES-B",
    city="Q1492",
    year_born=1980,
    gender=2,
    metadata='{"a":1}',
)


def patch(**fields: Any) -> Patch:
    p, _, problems = check(tuple(decode_json(json.dumps({"code": "C1", **fields}).encode())))
    assert problems == []
    return p


def test_a_new_customer_is_created_with_a_fresh_id() -> None:
    merged, outcome = merge(None, "prj_P", patch(gender=1), None, 500)
    assert outcome == "created"
    assert merged.id.startswith("cus_") and merged.id != STORED.id
    assert (merged.project_id, merged.code, merged.created_at, merged.updated_at) == (
        "prj_P",
        "C1",
        500,
        500,
    )
    assert merged.is_active is True and merged.gender == 1
    assert (merged.country, merged.state, merged.city, merged.year_born, merged.metadata) == (
        None,
        None,
        None,
        None,
        None,
    )
    other, _ = merge(None, "prj_P", patch(), None, 500)
    assert other.id != merged.id


def test_omitted_fields_keep_their_values() -> None:
    merged, outcome = merge(STORED, "prj_P", patch(gender=1), None, 500)
    assert outcome == "updated"
    assert merged.id == STORED.id and merged.created_at == 100 and merged.updated_at == 500
    assert merged.gender == 1
    assert (merged.is_active, merged.year_born, merged.metadata) == (False, 1980, '{"a":1}')
    assert (merged.country, merged.state, merged.city) == ("ESP", "ES-B", "Q1492")


def test_null_removes_and_is_active_null_means_true() -> None:
    merged, _ = merge(
        STORED, "prj_P", patch(isActive=None, yearBorn=None, gender=None, metadata=None), None, 500
    )
    assert merged.is_active is True
    assert (merged.year_born, merged.gender, merged.metadata) == (None, None, None)


def test_metadata_is_replaced_whole() -> None:
    merged, _ = merge(STORED, "prj_P", patch(metadata={"b": 2}), None, 500)
    assert merged.metadata == '{"b":2}'


def test_a_resolution_sets_all_three_places() -> None:
    location = Resolution("FRA", None, "Q90")
    merged, outcome = merge(STORED, "prj_P", patch(country="FR", city="Paris"), location, 500)
    assert (merged.country, merged.state, merged.city) == ("FRA", None, "Q90")
    assert outcome == "updated"


def test_a_write_that_changes_nothing_is_unchanged() -> None:
    same = patch(isActive=False, yearBorn=1980, gender=2, metadata={"a": 1})
    merged, outcome = merge(STORED, "prj_P", same, Resolution("ESP", "ES-B", "Q1492"), 500)
    assert outcome == "unchanged"
    assert merged is STORED and merged.updated_at == 200
    for changed in (
        patch(isActive=True),
        patch(yearBorn=1981),
        patch(gender=3),
        patch(metadata={"a": 2}),
    ):
        assert merge(STORED, "prj_P", changed, None, 500)[1] == "updated"
    for location in (
        Resolution("FRA", "ES-B", "Q1492"),
        Resolution("ESP", "ES-M", "Q1492"),
        Resolution("ESP", "ES-B", "Q2807"),
    ):
        assert merge(STORED, "prj_P", patch(country="x"), location, 500)[1] == "updated"
