"""A customer in the field names of the wire (API.md), for every front that
shows one: the HTTP answers and ``padron export``."""

from __future__ import annotations

from typing import Any

import msgspec

from padron.customers.model import Customer


def payload(c: Customer) -> dict[str, Any]:
    """The eight payload fields; metadata, stored as compact JSON text, goes out
    as it is (``msgspec.Raw``), never decoded and encoded again."""
    return {
        "code": c.code,
        "isActive": c.is_active,
        "country": c.country,
        "state": c.state,
        "city": c.city,
        "yearBorn": c.year_born,
        "gender": c.gender,
        "metadata": None if c.metadata is None else msgspec.Raw(c.metadata.encode("utf-8")),
    }
