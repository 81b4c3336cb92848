"""Stateful property: the register behaves like a dictionary of customers.

Hypothesis drives random sequences of batch writes, deletes and reads through
the HTTP API and compares every answer with a plain dictionary model.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.conftest import Api

CODES = st.sampled_from([f"k{i}" for i in range(6)])
WRITE = st.fixed_dictionaries(
    {"code": CODES},
    optional={
        "gender": st.none() | st.integers(0, 3),
        "yearBorn": st.none() | st.integers(1900, 2000),
        "isActive": st.none() | st.booleans(),
        "metadata": st.none() | st.dictionaries(st.sampled_from("abc"), st.integers(), max_size=2),
    },
)
EMPTY = {
    "isActive": True,
    "country": None,
    "state": None,
    "city": None,
    "yearBorn": None,
    "gender": None,
    "metadata": None,
}


def build_machine(api: Api) -> type[RuleBasedStateMachine]:
    class Register(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            for code in list(api.runtime.store.iter_customers(project_id)):
                for customer in code:
                    api.delete(code=customer.code)
            self.model: dict[str, dict[str, Any]] = {}
            self.ids: dict[str, str] = {}

        @rule(writes=st.lists(WRITE, min_size=1, max_size=5), poison=st.booleans())
        def post_batch(self, writes: list[dict[str, Any]], poison: bool) -> None:
            body = [*writes, {"code": "bad", "gender": 9}] if poison else writes
            r = api.post(body)
            if poison:
                assert r.status_code == 400  # nothing of the batch is written
                return
            assert r.status_code == 200, r.text
            created = 0
            for w, entity in zip(writes, r.json()["payload"]["customers"], strict=True):
                code = w["code"]
                if code not in self.model:
                    created += 1
                    self.model[code] = {"code": code, **EMPTY}
                    self.ids[code] = entity["id"]
                for k, v in w.items():
                    self.model[code][k] = (True if v is None else v) if k == "isActive" else v
                assert entity["id"] == self.ids[code]
                assert entity["payload"] == self.model[code]
            assert r.json()["payload"]["created"] == created

        @rule(code=CODES, by_id=st.booleans())
        def delete(self, code: str, by_id: bool) -> None:
            params = {"id": self.ids[code]} if by_id and code in self.ids else {"code": code}
            r = api.delete(**params)
            if code in self.model:
                assert r.status_code == 200 and r.json()["payload"] == self.model.pop(code)
                del self.ids[code]
            else:
                assert r.status_code == 404

        @rule(code=CODES)
        def get(self, code: str) -> None:
            r = api.get(code=code)
            if code in self.model:
                assert r.json()["payload"] == self.model[code]
            else:
                assert r.status_code == 404

        @invariant()
        def count_matches(self) -> None:
            assert api.runtime.store.count_customers(project_id) == len(self.model)

    project_id = api.runtime.access.project("shop").id
    return Register


def test_the_register_behaves_like_a_dictionary(api: Api) -> None:
    machine = build_machine(api)
    machine.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    machine.TestCase().runTest()
