"""The outcome of a write, and the records the domain works on.

The records (projects, keys, customers) are the store's (:mod:`padron.store.records`);
they are re-exported here for the domain's callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from padron.customers.rules import Problem
from padron.store.records import PERMISSIONS, ApiKey, Customer, Project


@dataclass(slots=True)
class Written:
    """One customer of a write, as stored after it, and what the write did."""

    customer: Customer
    outcome: str  # "created" | "updated" | "unchanged"
    #: The place warnings of the write, as on the wire (``Problem.extra`` holds
    #: their ``candidates`` / ``suggestions``).
    warnings: tuple[Problem, ...] = field(default=())


__all__ = ["PERMISSIONS", "ApiKey", "Customer", "Project", "Written"]
