"""The resolver's interface: what goes in, what comes out.

The customer domain and the HTTP layer only ever see these types; how the
place index is built and searched stays inside ``padron.geo``.

The answers (``Place``, ``PlaceError``, ``PlaceWarning``, ``Resolution``,
``StoredLocation``) are frozen msgspec Structs without garbage-collector
tracking (``gc=False``): they are immutable trees of strings that cannot form a
cycle, and the resolver keeps one per distinct location in its memos, so a
tracked type made every full collection walk them all (a tenth of a cold
resolution's cost); a Struct is also made ten times faster than a frozen
dataclass. Copy one with ``msgspec.structs.replace``.
"""

from __future__ import annotations

import enum
from typing import Final, Literal

import msgspec

Field = Literal["country", "state", "city"]


class _Omitted(enum.Enum):
    OMITTED = "OMITTED"

    # Identity hash: Enum's own __hash__ runs Python code, and OMITTED is part of
    # every key of the resolver's memo.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "OMITTED"


#: A location field that the client did not send at all (as opposed to ``None``:
#: sent as JSON ``null``, which clears the field).
OMITTED: Final = _Omitted.OMITTED

#: What a client may send for one location field: omitted, null, a string, or
#: (for numeric country codes and FIPS codes) an integer.
Sent = _Omitted | None | str | int


class Place(msgspec.Struct, frozen=True, gc=False):
    """One place of the index, as shown to clients in candidates and suggestions."""

    id: str  # alpha-3, ISO 3166-2 code or Wikidata id
    name: str  # English name
    country: str | None  # alpha-3 of the country (the country itself for a country)
    state: str | None  # ISO 3166-2 code of the state (None for countries and states)


class PlaceError(msgspec.Struct, frozen=True, gc=False):
    """Why a place field rejects its customer (not a ``PlaceWarning``, which
    never rejects); the service turns it into a wire ``field_error``."""

    field: Field
    code: Literal["invalid_type", "invalid_value", "not_found", "ambiguous", "inconsistent"]
    description: str
    candidates: tuple[Place, ...] = ()  # for "ambiguous": up to 10, most prominent first
    suggestions: tuple[Place, ...] = ()  # for "not_found": up to 5 close names


class PlaceWarning(msgspec.Struct, frozen=True, gc=False):
    """Something the resolver did that the client should know; never rejects.

    ``code``: "unresolved" (kept as sent: no data knows it, or no trustworthy
    id), "ambiguous" (kept as sent: several places, none clearly meant),
    "chosen" (the most prominent of namesakes in the state sent),
    "state_mismatch" (the city lies in another state than the one sent; the
    city's state is stored), "prominence", "spelling"."""

    field: Field
    code: str
    description: str
    candidates: tuple[Place, ...] = ()  # the places passed over or in question
    suggestions: tuple[Place, ...] = ()  # for "unresolved": close names


class StoredLocation(msgspec.Struct, frozen=True, gc=False):
    """The canonical location already stored for a customer (the context of a
    partial update). A city that no data knows is stored as sent."""

    country: str | None = None
    state: str | None = None
    city: str | None = None


NO_LOCATION: Final = StoredLocation()


class Resolution(msgspec.Struct, frozen=True, gc=False):
    """The outcome for one customer: the three canonical values to store (the
    omitted fields' stored values carried over, implied parents filled in), or
    the errors that reject the customer. Warnings never reject."""

    country: str | None
    state: str | None
    city: str | None
    errors: tuple[PlaceError, ...] = ()
    warnings: tuple[PlaceWarning, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors
