"""A typed Python client for padron's HTTP API (Biteral API v1 customers endpoints).

::

    from padron.client import Client, ValidationFailed

    with Client("http://127.0.0.1:8000", "pdn_…") as client:
        stored = client.customers.ingest({"code": "C1", "country": "Spain", "city": "Barcelona"})
        print(stored.id, stored.country, stored.city)       # cus_…, ESP, Q1492
        with client.customers.batch() as batch:              # sends every 100
            for row in rows:
                batch.add(row)
"""

from typing import TYPE_CHECKING

from padron.client._client import (
    MAX_BATCH,
    ChangeStream,
    Client,
    CustomerBatch,
    Customers,
    Locations,
)
from padron.client._errors import (
    BadRequest,
    ClientError,
    CustomerError,
    FieldError,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from padron.client._models import (
    ApiVersion,
    Change,
    Customer,
    FieldWarning,
    IngestResult,
    Location,
    Place,
    Status,
)
from padron.errors import PadronError

__all__ = [
    "MAX_BATCH",
    "ApiVersion",
    "BadRequest",
    "Change",
    "ChangeStream",
    "Client",
    "ClientError",
    "Customer",
    "CustomerBatch",
    "CustomerError",
    "Customers",
    "FieldError",
    "FieldWarning",
    "Forbidden",
    "IngestResult",
    "Location",
    "Locations",
    "MethodNotAllowed",
    "NotFound",
    "PadronError",
    "PayloadTooLarge",
    "Place",
    "RateLimited",
    "ServerError",
    "Status",
    "TransportError",
    "Unauthorized",
    "Unavailable",
    "UnsupportedMediaType",
    "ValidationFailed",
]


if not TYPE_CHECKING:
    # ``Warning`` was the name of FieldWarning until 0.x; it shadowed the
    # builtin, so it is no longer bound here nor in __all__ (a star import would
    # shadow it in the caller). Looked up by name it still answers, with a
    # DeprecationWarning; type checkers do not see it, so they point at the rename.

    def __getattr__(name: str) -> object:
        if name == "Warning":
            import warnings

            warnings.warn(
                "padron.client.Warning is renamed FieldWarning", DeprecationWarning, stacklevel=2
            )
            return FieldWarning
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
