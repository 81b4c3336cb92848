"""Stored customers catch up with a new place index (``padron geo reresolve``).

The store keeps the canonical ids a write resolved to, not what the client
sent, except in three cases: a place no data knew is stored as sent (see
API.md *Locations*); a city padron chose among namesakes or found in another
state keeps the text sent in its place review (:class:`PlaceReview`); and a
city id is, by the index that stored it, the place of one row of the data. So
after an index upgrade every stored customer is planned again, in memory, from
what it stands for as sent (:func:`as_sent`: its review's text, else its
stored values, with a city id that the index now knows only as a copy in its
state named by the place it stood for — ``IT-72`` with Nardò's Q18241891, as
an index that took copied rows for one place stored ``IT, Napoli``, stands for
``Napoli``). Those whose answer differs from what is stored are re-resolved
through the service's write path, ``BATCH`` at a time (so a client's write at
the same moment is never overwritten: see :meth:`CustomerService.reresolve`).
Each project remembers the index it was last re-resolved with
(``Project.places_index``) so that ``padron serve`` can say when it is behind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from padron.customers.aliasing import AliasBook, resolve_aliased
from padron.customers.model import Customer, Project
from padron.customers.service import CustomerService, LocationResolver, reviewed_as_sent
from padron.geo.types import NO_LOCATION, Sent
from padron.store.base import Store

#: Customers re-resolved per write (the API's batch limit).
BATCH = 100


@dataclass(slots=True)
class Caught:
    """What a re-resolution of one project did."""

    examined: int = 0  # stored customers read
    kept: int = 0  # of those, with a state or city kept as sent
    copied: int = 0  # of those, with a city id the index knows only as a copy there
    stale: int = 0  # of those, whose answer now differs from what is stored (re-resolved)
    updated: int = 0  # of those, written (a client's write meanwhile may make it fewer)


def index_identity(versions: Mapping[str, str], format: int, fold: str) -> str:
    """The identity of a place index: its data package and rule versions, its
    file format and its folding rules (a change of any builds a new index that
    may answer differently)."""
    parts = {**versions, "padron-index-format": str(format), "padron-fold": fold}
    return ";".join(f"{name}={version}" for name, version in sorted(parts.items()))


def index_id(resolver: LocationResolver) -> str:
    """The identity of the resolver's loaded index (:func:`index_identity`; a
    loaded index has the running format and folding rules); "" when the
    resolver has no index."""
    index = getattr(resolver, "index", None)
    versions: dict[str, str] = getattr(index, "versions", None) or {}
    if not versions:
        return ""
    from padron.geo.index import INDEX_FORMAT, fold_version

    return index_identity(versions, INDEX_FORMAT, fold_version())


def file_index_id(path: Path) -> str:
    """The identity of the index file at ``path``, read from its header alone
    (``padron serve --workers N`` says whether projects are behind without
    loading the index in the parent process)."""
    from padron.geo.index import read_header

    header = read_header(path)
    return index_identity(header["versions"], header["format"], header["fold"])


def kept_as_sent(customer: Customer, resolver: LocationResolver) -> bool:
    """Whether the customer's state or city is text kept as sent rather than a
    canonical id of the loaded index."""
    return (customer.state is not None and resolver.describe("state", customer.state) is None) or (
        customer.city is not None and resolver.describe("city", customer.city) is None
    )


def as_sent(customer: Customer, resolver: LocationResolver) -> tuple[Sent, Sent, Sent]:
    """What a stored customer's place stands for, as a client would send it:
    its stored country, state and city, except a city id that the loaded index
    knows in the stored state (else country) only as a copy of one place's row
    (:meth:`Resolver.copied_name`): that stands for the copy's name."""
    city: Sent = customer.city
    if customer.city is not None:
        name = resolver.copied_name(customer.city, customer.country, customer.state)
        if name is not None:
            city = name
    return customer.country, customer.state, city


def _chunks(codes: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(codes), BATCH):
        yield codes[start : start + BATCH]


def reresolve_project(
    service: CustomerService,
    project: Project,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Caught:
    """Re-resolve every customer of ``project`` whose place the loaded index
    answers otherwise than stored: a state or city kept as sent that it now
    knows, a city id it knows only as a copy (:func:`as_sent`), a city chosen
    from text it now reads otherwise (the place review's text), with the
    project's place aliases applied as on any write. Each stored customer is
    planned in memory first (one resolution each, memoised per distinct
    place); only those whose answer differs are written, ``BATCH`` at a time;
    then the index is recorded in the project. ``progress`` is called with
    (customers done, customers to do). Safe while the server runs."""
    resolver = service.resolver
    store = service.store
    book = AliasBook(store.list_aliases(project.id))
    reviews = {r.code: r for r in store.all_reviews(project.id)}
    caught = Caught()
    codes: list[str] = []
    # Customers share places: each distinct stored place is planned once
    # (kept as sent, a copied city id, answered otherwise now).
    planned: dict[tuple[str | None, str | None, str | None], tuple[bool, bool, bool]] = {}

    def answered_otherwise(sent: tuple[Sent, Sent, Sent], stored: tuple[Sent, Sent, Sent]) -> bool:
        # (what CustomerService.reresolve then writes: an answer without errors
        # that differs from the stored place)
        place = resolve_aliased(resolver, book, *sent, NO_LOCATION, False)
        return not place.errors and (place.country, place.state, place.city) != stored

    for rows in store.iter_customers(project.id, 1000):
        caught.examined += len(rows)
        for c in rows:
            where = (c.country, c.state, c.city)
            reviewed = reviewed_as_sent(c, reviews.get(c.code))
            if reviewed is not None:
                caught.kept += kept_as_sent(c, resolver)
                if answered_otherwise(reviewed, where):
                    codes.append(c.code)
                continue
            plan = planned.get(where)
            if plan is None:
                sent = as_sent(c, resolver)
                plan = planned[where] = (
                    kept_as_sent(c, resolver),
                    sent[2] != c.city,
                    answered_otherwise(sent, where),
                )
            caught.kept += plan[0]
            caught.copied += plan[1]
            if plan[2]:
                codes.append(c.code)
    caught.stale = len(codes)
    done = 0
    for chunk in _chunks(codes):
        mine = {code: reviews[code] for code in chunk if code in reviews}
        caught.updated += len(
            service.reresolve(project, chunk, mine, lambda c: as_sent(c, resolver))
        )
        done += len(chunk)
        if progress is not None:
            progress(done, len(codes))
    mark_reresolved(store, project.id, index_id(resolver))
    return caught


def mark_reresolved(store: Store, project_id: str, index: str) -> None:
    """Record that the project's places are resolved with ``index`` (read afresh,
    so a setting changed meanwhile is kept)."""
    current = store.project_by_id(project_id)
    if current is not None and current.places_index != index:
        store.update_project(dataclasses.replace(current, places_index=index))


def behind(store: Store, now: str) -> list[str]:
    """One line per project whose stored places were resolved with another index
    than ``now`` (:func:`index_id` of the loaded one: what ``padron serve`` says
    at start). A project that was never re-resolved (created since migration
    0009, which marks the older projects that hold customers as behind) is taken
    as resolved with the index seen now, silently: what it stores was written
    with it."""
    lines = []
    for project in store.list_projects():
        if project.places_index is None:
            mark_reresolved(store, project.id, now)
        elif project.places_index != now:
            lines.append(
                f"padron: project {project.name!r}: the place index is newer than the last "
                f"re-resolution of its customers; run `padron geo reresolve --project "
                f"{project.name}` to bring their places in line with it"
            )
    return lines
