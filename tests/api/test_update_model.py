"""Property: any sequence of partial writes ends in the payload a dictionary
model of "omitted keeps, null removes" predicts (API.md, update semantics)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api

COUNTRIES = {"ES": "ESP", "Deutschland": "DEU", "250": "FRA", "Q29": "ESP", "jp": "JPN"}

json_leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "isActive": st.none() | st.booleans(),
    "yearBorn": st.none() | st.integers(1900, 2020),
    "gender": st.none() | st.integers(0, 3),
    "metadata": st.none() | st.dictionaries(st.text(max_size=5), json_value, max_size=3),
    "country": st.none() | st.sampled_from(sorted(COUNTRIES)),
}
partial_write = st.fixed_dictionaries({}, optional=FIELD_VALUES)
codes = itertools.count()


def apply(model: dict[str, Any], write: dict[str, Any]) -> None:
    for field, value in write.items():
        if field == "isActive":
            model[field] = True if value is None else value
        elif field == "country":
            model[field] = None if value is None else COUNTRIES[value]
        else:
            model[field] = value


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(partial_write, min_size=1, max_size=8), batched=st.booleans())
def test_partial_writes_match_the_dictionary_model(
    api: Api, writes: list[dict[str, Any]], batched: bool
) -> None:
    code = f"model-{next(codes)}"
    model: dict[str, Any] = {
        "code": code,
        "isActive": True,
        "country": None,
        "state": None,
        "city": None,
        "yearBorn": None,
        "gender": None,
        "metadata": None,
    }
    if batched:
        r = api.post([{"code": code, **w} for w in writes])
        assert r.status_code == 200, r.text
        for w in writes:
            apply(model, w)
        assert r.json()["payload"]["customers"][-1]["payload"] == model
    else:
        for w in writes:
            r = api.post({"code": code, **w})
            assert r.status_code in (200, 201), r.text
            apply(model, w)
            assert r.json()["payload"] == model
    assert api.get(code=code).json()["payload"] == model
