"""Place resolution: country, state and city as sent → canonical ids.

Countries are ISO 3166-1 alpha-3, states current ISO 3166-2 codes, cities the
Wikidata ids of the countries-states-cities database. The index is built ahead
of time from pinned data packages (``build_index``) and loaded by
``open_resolver``.
"""

from padron.geo.attribution import ATTRIBUTION
from padron.geo.build import build_index, index_path
from padron.geo.resolver import Resolver, open_resolver
from padron.geo.types import (
    NO_LOCATION,
    OMITTED,
    Field,
    Place,
    PlaceError,
    PlaceWarning,
    Resolution,
    Sent,
    StoredLocation,
)

__all__ = [
    "ATTRIBUTION",
    "NO_LOCATION",
    "OMITTED",
    "Field",
    "Place",
    "PlaceError",
    "PlaceWarning",
    "Resolution",
    "Resolver",
    "Sent",
    "StoredLocation",
    "build_index",
    "index_path",
    "open_resolver",
]
