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
    IngestResult,
    Location,
    Place,
    Status,
    Warning,
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
    "Warning",
]
