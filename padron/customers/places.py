"""What the customers domain needs of the place resolver: one protocol, so that
the service, the aliases and the readers name the same thing (the real one is
:class:`padron.geo.resolver.Resolver`; tests may give a slower or simpler one)."""

from __future__ import annotations

from typing import Protocol

from padron.geo.types import NO_LOCATION, Place, Resolution, Sent, StoredLocation
from padron.geo.types import Field as GeoField


class LocationResolver(Protocol):
    def resolve(
        self,
        country: Sent,
        state: Sent,
        city: Sent,
        stored: StoredLocation = NO_LOCATION,
        *,
        reject_unresolved: bool = False,
    ) -> Resolution: ...

    def describe(
        self, field: GeoField, place_id: str, state: str | None = None
    ) -> Place | None: ...

    def copied_name(self, place_id: str, country: str | None, state: str | None) -> str | None:
        """The name of the place a stored city id stood for where the index
        knows it only as a copy (see ``Resolver.copied_name``); None otherwise."""
        ...
