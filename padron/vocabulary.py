"""The words of the wire, written once: the customer's field names and the
names of JSON types that error descriptions use ("… must be a string, not an
array"). The field rules, the resolver, the importer, the exporter and the
OpenAPI description all read them from here, so they cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Final

#: The wire's field names of a customer, in the order of the entity's payload.
FIELDS: Final = ("code", "isActive", "country", "state", "city", "yearBorn", "gender", "metadata")
#: The fields the place resolver reads, parents first.
LOCATION_FIELDS: Final = ("country", "state", "city")


def type_name(value: Any) -> str:
    """The JSON type of a decoded value, as a description says it: "null",
    "a boolean", "an integer", "a number with a fraction", "a string", "an
    object" (a ``tuple`` of key/value pairs, as padron's decoder keeps objects,
    or a ``dict``), "an array" (a ``list``); any other Python value by its type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, tuple | dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
