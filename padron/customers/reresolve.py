"""Stored customers catch up with a new place index (``padron geo reresolve``).

A place that no data knew when it was written is stored as sent (see API.md
*Locations*). After an index upgrade the same text may resolve: this finds the
customers whose state or city is not a canonical id of the index loaded now and
re-resolves them through the service's write path (so a client's write at the
same moment is never overwritten: see :meth:`CustomerService.reresolve`).
Each project remembers the index it was last re-resolved with
(``Project.places_index``) so that ``padron serve`` can say when it is behind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from padron.customers.model import Customer, Project
from padron.customers.service import CustomerService, LocationResolver
from padron.store.base import Store

#: Customers re-resolved per write (the API's batch limit).
BATCH = 100


@dataclass(slots=True)
class Caught:
    """What a re-resolution of one project did."""

    examined: int = 0  # stored customers read
    kept: int = 0  # of those, with a state or city kept as sent
    updated: int = 0  # of those, now resolved (fully or further)


def index_id(resolver: LocationResolver) -> str:
    """The identity of the loaded place index: its data package versions (and
    format), "" when the resolver does not say."""
    index = getattr(resolver, "index", None)
    versions: dict[str, str] = getattr(index, "versions", None) or {}
    return ";".join(f"{name}={version}" for name, version in sorted(versions.items()))


def kept_as_sent(customer: Customer, resolver: LocationResolver) -> bool:
    """Whether the customer's state or city is text kept as sent rather than a
    canonical id of the loaded index."""
    return (customer.state is not None and resolver.describe("state", customer.state) is None) or (
        customer.city is not None and resolver.describe("city", customer.city) is None
    )


def _chunks(codes: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(codes), BATCH):
        yield codes[start : start + BATCH]


def reresolve_project(
    service: CustomerService,
    project: Project,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Caught:
    """Re-resolve every customer of ``project`` whose place was kept as sent,
    ``BATCH`` at a time; then record the index in the project. ``progress`` is
    called with (customers done, customers to do). Safe while the server runs."""
    caught = Caught()
    codes: list[str] = []
    for rows in service.store.iter_customers(project.id, 1000):
        caught.examined += len(rows)
        codes.extend(c.code for c in rows if kept_as_sent(c, service.resolver))
    caught.kept = len(codes)
    done = 0
    for chunk in _chunks(codes):
        caught.updated += len(service.reresolve(project, chunk))
        done += len(chunk)
        if progress is not None:
            progress(done, len(codes))
    mark_reresolved(service.store, project.id, index_id(service.resolver))
    return caught


def mark_reresolved(store: Store, project_id: str, index: str) -> None:
    """Record that the project's places are resolved with ``index`` (read afresh,
    so a setting changed meanwhile is kept)."""
    current = store.project_by_id(project_id)
    if current is not None and current.places_index != index:
        store.update_project(dataclasses.replace(current, places_index=index))


def behind(store: Store, resolver: LocationResolver) -> list[str]:
    """One line per project whose stored places were resolved with another index
    than the loaded one (what ``padron serve`` says at start). A project that was
    never re-resolved is taken as resolved with the index seen now, silently:
    what it stores was written with it or before any re-resolution existed."""
    now = index_id(resolver)
    lines = []
    for project in store.list_projects():
        if project.places_index is None:
            mark_reresolved(store, project.id, now)
        elif project.places_index != now:
            lines.append(
                f"padron: project {project.name!r}: the place index is newer than the last "
                f"re-resolution of its customers; run `padron geo reresolve --project "
                f"{project.name}` to resolve the places kept as sent"
            )
    return lines
