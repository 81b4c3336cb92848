"""The client's public names: ``FieldWarning`` (was ``Warning``, which shadowed
the builtin). The old name still answers, with a DeprecationWarning, but no
padron module binds it, so ``from padron.client import *`` cannot shadow the
builtin in the caller's module."""

from __future__ import annotations

import builtins

import pytest

import padron.client
from padron.client import Customer, FieldWarning


def test_warnings_of_an_answer_are_field_warnings() -> None:
    customer = Customer.from_json(
        {
            "object": "customer",
            "id": "cus_1",
            "projectId": "prj_1",
            "createdAt": "2026-01-01T00:00:00+00:00",
            "updatedAt": "2026-01-01T00:00:00+00:00",
            "payload": {"code": "C1", "country": "ESP", "city": "Villaquimera"},
            "warnings": [{"field": "city", "code": "unresolved", "description": "kept"}],
        }
    )
    assert customer.warnings == (FieldWarning("city", "unresolved", "kept"),)


def test_the_old_name_still_answers_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="FieldWarning"):
        old = padron.client.Warning  # type: ignore[attr-defined]
    assert old is FieldWarning


def test_no_padron_module_shadows_the_builtin_warning() -> None:
    assert "Warning" not in padron.client.__all__
    assert "Warning" not in vars(padron.client)
    namespace: dict[str, object] = {}
    exec("from padron.client import *", namespace)
    assert "Warning" not in namespace
    assert builtins.Warning is not FieldWarning
