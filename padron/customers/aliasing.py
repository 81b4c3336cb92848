"""Project place aliases applied to a resolution (issue 16).

A person decides what a sent state or city means in one project: ``(field,
the sent value folded as the resolver folds names, context) → place id`` or
"keep as sent" (see :class:`padron.store.records.PlaceAlias`). The resolver
stays project-agnostic: :func:`resolve_aliased` turns a sent value that has
an alias into the alias's id and lets the resolver resolve and check it like
any id the client sent.

The context of a state is the customer's country; of a city, its country and
state: both as the resolver answers them for what was sent (or, on a partial
update, stored). A state kept as sent is a context by its folded text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import msgspec

from padron.customers.places import LocationResolver
from padron.geo.fold import fold
from padron.geo.types import OMITTED, Resolution, Sent, StoredLocation
from padron.store.records import Customer, PlaceAlias, PlaceReview

#: The warnings of a city that padron chose for the customer: it stores the
#: chosen id, so the sent text is kept beside it (a :class:`PlaceReview`) for
#: "places to review".
CHOICE_CODES: Final = frozenset({"chosen", "state_mismatch"})

#: The fields an alias can name: a country that no data knows is the client's
#: error (``not_found``), never a gap to decide on.
ALIAS_FIELDS: Final = ("state", "city")


def value_key(text: str) -> str:
    """The key of a sent value: folded as the resolver folds names (case,
    accents, punctuation and spacing ignored)."""
    return fold(text)


def state_context(resolver: LocationResolver, state: str | None) -> str | None:
    """A city's context state as aliases key it: an ISO 3166-2 code as it is,
    a state kept as sent by its folded text, None for none."""
    if state is None:
        return None
    return state if resolver.describe("state", state) is not None else value_key(state)


class AliasBook:
    """One project's aliases, looked up by (field, sent value, context)."""

    __slots__ = ("_by",)

    def __init__(self, aliases: Iterable[PlaceAlias] = ()) -> None:
        self._by = {(a.field, a.key, a.country, a.state): a for a in aliases}

    def __bool__(self) -> bool:
        return bool(self._by)

    def find(
        self, field: str, sent: str, country: str | None, state: str | None
    ) -> PlaceAlias | None:
        if country is None:
            return None
        return self._by.get((field, value_key(sent), country, state))


NO_ALIASES: Final = AliasBook()


def resolve_aliased(
    resolver: LocationResolver,
    book: AliasBook,
    country: Sent,
    state: Sent,
    city: Sent,
    stored: StoredLocation,
    reject_unresolved: bool,
) -> Resolution:
    """``resolver.resolve`` of what was sent, with the project's aliases applied:
    a sent state or city that has an alias in its context is resolved as the
    alias's id (and checked against the rest like any id sent), or, for "keep
    as sent", resolved as sent without the warning for that field. Without
    aliases this is exactly ``resolver.resolve``."""
    if not book or not (isinstance(state, str) or isinstance(city, str)):
        return resolver.resolve(country, state, city, stored, reject_unresolved=reject_unresolved)
    confirmed: set[str] = set()
    if isinstance(state, str):
        # The context alone: the stored state and city may be what is replaced.
        around = resolver.resolve(country, OMITTED, OMITTED, StoredLocation(stored.country))
        alias = book.find("state", state, around.country, None) if around.ok else None
        if alias is not None:
            if alias.place_id is None:
                confirmed.add("state")
            else:
                state = alias.place_id
    if isinstance(city, str):
        around = resolver.resolve(
            country, state, OMITTED, StoredLocation(stored.country, stored.state)
        )
        alias = (
            book.find("city", city, around.country, state_context(resolver, around.state))
            if around.ok
            else None
        )
        if alias is not None:
            if alias.place_id is None:
                confirmed.add("city")
            else:
                city = alias.place_id
    if not confirmed:
        return resolver.resolve(country, state, city, stored, reject_unresolved=reject_unresolved)
    # A value confirmed "keep as sent" is admitted even where the project rejects
    # places kept as sent: the person decided it. The other fields keep the
    # project's rule, so a strict project resolves a second time to learn theirs.
    result = resolver.resolve(country, state, city, stored)
    if reject_unresolved and result.ok:
        strict = resolver.resolve(country, state, city, stored, reject_unresolved=True)
        errors = tuple(e for e in strict.errors if e.field not in confirmed)
        if errors:
            return msgspec.structs.replace(strict, errors=errors)
    if result.warnings:
        result = msgspec.structs.replace(
            result, warnings=tuple(w for w in result.warnings if w.field not in confirmed)
        )
    return result


def review_note(
    resolver: LocationResolver,
    customer: Customer,
    country: Sent,
    state: Sent,
    city: Sent,
    stored: StoredLocation,
    result: Resolution,
) -> PlaceReview | None:
    """The place review of ``customer`` written with ``result``, the resolution
    of the sent ``country``, ``state`` and ``city`` over ``stored``: when its
    city carries a warning of :data:`CHOICE_CODES` and was sent as text (an id
    is the client's own identification: nothing to decide), what was sent and
    its context; else None. Costs a resolution of the context, for these
    customers only."""
    if not result.warnings or not isinstance(city, str) or customer.city is None:
        return None
    warning = next(
        (w for w in result.warnings if w.field == "city" and w.code in CHOICE_CODES), None
    )
    if warning is None or resolver.describe("city", city) is not None:
        return None
    # The context alone: the stored city (being replaced) must not be checked against it.
    around = resolver.resolve(country, state, OMITTED, StoredLocation(stored.country, stored.state))
    key = value_key(city)
    if not around.ok or around.country is None or not key:
        return None
    return PlaceReview(
        customer_id=customer.id,
        project_id=customer.project_id,
        code=customer.code,
        field="city",
        warning=warning.code,
        key=key,
        value=city.strip(),
        country=around.country,
        state=around.state,
        place_id=customer.city,
        candidates=tuple(p.id for p in warning.candidates if p.id != customer.city),
    )
