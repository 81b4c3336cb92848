"""What the client returns: typed views of padron's JSON answers.

Each keeps the decoded answer in ``raw`` for anything this module does not name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from padron.client._errors import TransportError


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TransportError(f"expected an ISO 8601 timestamp, got {value!r}")
    return datetime.fromisoformat(value)


def _expect(body: Any, kind: str) -> dict[str, Any]:
    if not isinstance(body, dict) or body.get("object") != kind:
        shown = body.get("object") if isinstance(body, dict) else type(body).__name__
        raise TransportError(f"expected a {kind!r} object in the answer, got {shown!r}", body=body)
    return body


@dataclass(frozen=True, slots=True)
class FieldWarning:
    """Something the server did and wants known (a city kept unresolved, ...)."""

    field: str
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as stored (the ``customer`` entity)."""

    id: str
    code: str
    project_id: str
    created_at: datetime
    updated_at: datetime
    is_active: bool
    country: str | None
    state: str | None
    city: str | None
    year_born: int | None
    gender: int | None
    metadata: dict[str, Any] | None
    warnings: tuple[FieldWarning, ...] = ()
    deleted: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def payload(self) -> dict[str, Any]:
        """The eight fields as on the wire (``code``, ``isActive``, ``country``, ...)."""
        p = self.raw.get("payload")
        return dict(p) if isinstance(p, dict) else {}

    @classmethod
    def from_json(cls, body: Any) -> Customer:
        entity = _expect(body, "customer")
        p = entity.get("payload")
        if not isinstance(p, dict):
            raise TransportError("a customer entity without payload", body=body)
        warnings = tuple(
            FieldWarning(
                str(w.get("field", "")), str(w.get("code", "")), str(w.get("description", ""))
            )
            for w in entity.get("warnings") or ()
            if isinstance(w, dict)
        )
        return cls(
            id=str(entity["id"]),
            code=str(p["code"]),
            project_id=str(entity.get("projectId", "")),
            created_at=_time(entity.get("createdAt")),
            updated_at=_time(entity.get("updatedAt")),
            is_active=bool(p.get("isActive", True)),
            country=p.get("country"),
            state=p.get("state"),
            city=p.get("city"),
            year_born=p.get("yearBorn"),
            gender=p.get("gender"),
            metadata=p.get("metadata"),
            warnings=warnings,
            deleted=bool(entity.get("deleted", False)),
            raw=entity,
        )


@dataclass(frozen=True, slots=True)
class IngestResult:
    """The answer to a batch: counts, and every customer as stored, in request order."""

    received: int
    created: int
    updated: int
    unchanged: int
    customers: list[Customer]

    @classmethod
    def from_json(cls, body: Any) -> IngestResult:
        p = _expect(body, "ingest_result").get("payload") or {}
        return cls(
            received=int(p.get("received", 0)),
            created=int(p.get("created", 0)),
            updated=int(p.get("updated", 0)),
            unchanged=int(p.get("unchanged", 0)),
            customers=[Customer.from_json(c) for c in p.get("customers") or ()],
        )


@dataclass(frozen=True, slots=True)
class ApiVersion:
    version: str
    status: str
    is_deprecated: bool


@dataclass(frozen=True, slots=True)
class Status:
    """``GET /status``: who the key is, what it may do, and the server's versions."""

    client_id: str
    project_id: str
    permissions: tuple[str, ...]
    roles: tuple[str, ...]
    server_time: datetime
    environment: str
    api_versions: tuple[ApiVersion, ...]
    latest_major: int
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Any) -> Status:
        s = _expect(body, "status")
        versions = tuple(
            ApiVersion(
                str(v["payload"].get("version")),
                str(v["payload"].get("status")),
                bool(v["payload"].get("isDeprecated")),
            )
            for v in s.get("availableApiVersions") or ()
            if isinstance(v, dict) and isinstance(v.get("payload"), dict)
        )
        return cls(
            client_id=str(s.get("clientId", "")),
            project_id=str(s.get("projectId", "")),
            permissions=tuple(s.get("permissions") or ()),
            roles=tuple(s.get("roles") or ()),
            server_time=_time(s.get("serverTime")),
            environment=str(s.get("environment", "")),
            api_versions=versions,
            latest_major=int(s.get("latestStableMajorApiVersion", 1)),
            raw=s,
        )


@dataclass(frozen=True, slots=True)
class Place:
    """One resolved (or kept-as-sent) location field."""

    id: str
    name: str | None
    country: str | None
    state: str | None
    resolved: bool


@dataclass(frozen=True, slots=True)
class Location:
    """``GET /locations/resolve``: the canonical ids of a country, state and city."""

    country: Place | None
    state: Place | None
    city: Place | None
    warnings: tuple[FieldWarning, ...] = ()

    @classmethod
    def from_json(cls, body: Any) -> Location:
        loc = _expect(body, "location")
        p = loc.get("payload") or {}

        def place(value: Any) -> Place | None:
            if not isinstance(value, dict):
                return None
            return Place(
                id=str(value.get("id")),
                name=value.get("name"),
                country=value.get("country"),
                state=value.get("state"),
                resolved=bool(value.get("resolved")),
            )

        warnings = tuple(
            FieldWarning(
                str(w.get("field", "")), str(w.get("code", "")), str(w.get("description", ""))
            )
            for w in loc.get("warnings") or ()
            if isinstance(w, dict)
        )
        return cls(place(p.get("country")), place(p.get("state")), place(p.get("city")), warnings)


@dataclass(frozen=True, slots=True)
class Change:
    """One change of the feed: ``type`` is ``created``, ``updated`` or
    ``deleted``; ``customer`` is the customer after it (None when deleted)."""

    type: str
    at: datetime
    customer_id: str
    customer_code: str
    customer: Customer | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: Any) -> Change:
        p = _expect(body, "change").get("payload") or {}
        entity = p.get("customer")
        return cls(
            type=str(p.get("type")),
            at=_time(p.get("at")),
            customer_id=str(p.get("customerId")),
            customer_code=str(p.get("customerCode")),
            customer=Customer.from_json(entity) if entity is not None else None,
            raw=body,
        )
