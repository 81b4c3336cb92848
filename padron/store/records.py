"""The records padron keeps: projects, API keys and customers.

They are the store's rows as Python values; the domain (``padron.customers``)
builds and reads them, the store persists them, and neither side owns them, so
they live here, below both: imports run ``api → customers → store``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: The permissions of the HTTP API (API.md, "Other errors"): what a key is given
#: unless told otherwise.
API_PERMISSIONS: Final = ("status", "depotIngest", "depotFetch", "depotDelete")
#: Signing in to the dashboard (``/ui/``) with the key.
DASHBOARD: Final = "dashboard"
#: Every permission a key can hold.
PERMISSIONS: Final = (*API_PERMISSIONS, DASHBOARD)


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    name: str
    created_at: int
    #: Reject states and cities that would be kept as sent (no data knows them,
    #: or no trustworthy id) with ``not_found`` / ``ambiguous`` instead.
    reject_unresolved_places: bool = False
    #: The place index (its data versions) that the project's stored places were
    #: last re-resolved with (``padron geo reresolve``); None: never.
    places_index: str | None = None


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str  # cli_…: the key's public id, the "clientId" of /status
    project_id: str
    key_hash: bytes  # SHA-256 of the secret; the secret itself is never stored
    permissions: tuple[str, ...]
    created_at: int
    revoked_at: int | None = None
    label: str = ""
    #: Epoch seconds of the last use, recorded at most once a minute; None: never used.
    last_used_at: int | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# Not frozen: a frozen dataclass's __init__ sets each field through
# object.__setattr__, 3-4× slower, and one is built for every customer written.
# Treat instances as values all the same.
@dataclass(slots=True)
class Customer:
    id: str
    project_id: str
    code: str
    created_at: int
    updated_at: int
    is_active: bool = True
    country: str | None = None
    state: str | None = None
    city: str | None = None
    year_born: int | None = None
    gender: int | None = None
    metadata: str | None = None  # compact JSON text of an object, kept as sent

    def same_payload(self, other: Customer) -> bool:
        return (
            self.is_active == other.is_active
            and self.country == other.country
            and self.state == other.state
            and self.city == other.city
            and self.year_born == other.year_born
            and self.gender == other.gender
            and self.metadata == other.metadata
        )


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in dashboard browser: the SHA-256 of its cookie's token, the key
    it signed in with (as stored now: revoked or not), epoch seconds."""

    token_hash: bytes
    key: ApiKey
    created_at: int
    seen_at: int


@dataclass(frozen=True, slots=True)
class PlaceAlias:
    """What a person decided a sent place means in one project.

    The key is (``field``, ``key``: the sent value folded as the resolver folds
    names, ``country``, ``state``): a state alias applies to that value sent
    with that country; a city alias to that value in that country and state.
    ``place_id`` None means "keep as sent" (the value is confirmed as it is)."""

    id: str  # pal_…
    project_id: str
    field: str  # "state" | "city"
    key: str
    value: str  # the value as the person gave it (trimmed), for display
    country: str  # alpha-3 of the context
    state: str | None  # a city's context state: ISO 3166-2, or a state kept as sent (folded)
    place_id: str | None  # canonical id (ISO 3166-2, Wikidata id); None: keep as sent
    created_at: int


@dataclass(frozen=True, slots=True)
class PlaceReview:
    """A customer whose city padron chose for it: resolved with a ``chosen`` (the
    most prominent of namesakes) or ``state_mismatch`` (found only in another
    state) warning. The customer stores the id chosen; this keeps what was sent,
    so that a person can decide what it means (issue 16, "places to review").

    The context is as aliases key it: ``country`` (alpha-3) and ``state`` as
    the resolver answered the state sent (ISO 3166-2, the text kept as sent, or
    None)."""

    customer_id: str  # cus_…
    project_id: str
    code: str  # the customer's code
    field: str  # "city"
    warning: str  # "chosen" | "state_mismatch"
    key: str  # the sent value folded as the resolver folds names
    value: str  # the value as sent (trimmed)
    country: str
    state: str | None
    place_id: str  # the place padron stored
    candidates: tuple[str, ...]  # ids of the other places in question


@dataclass(frozen=True, slots=True)
class ReviewNotes:
    """What a write does to the place reviews (:class:`PlaceReview`) of its
    customers, in the same transaction: ``put`` replaces each one's row,
    ``clear`` deletes the rows of these customer ids (a place written again
    without such a warning)."""

    put: tuple[PlaceReview, ...] = ()
    clear: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.put or self.clear)


NO_NOTES: Final = ReviewNotes()


__all__ = [
    "API_PERMISSIONS",
    "DASHBOARD",
    "NO_NOTES",
    "PERMISSIONS",
    "ApiKey",
    "Customer",
    "PlaceAlias",
    "PlaceReview",
    "Project",
    "ReviewNotes",
    "Session",
]
