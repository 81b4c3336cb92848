"""The exceptions of :mod:`padron.client`: one class per kind of HTTP error.

Every error answer of padron is ``{"object": "error", "payload": {"code", "description"}}``
(a one-element array for 400), except invalid customers, which come back as an
array of ``validation_error`` objects with their field errors; those become
:class:`ValidationFailed` with the errors parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from padron.errors import PadronError


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field of one customer that the server refused."""

    field: str
    code: str  # required, invalid_type, too_long, out_of_range, invalid_value, unknown_field, ...
    description: str
    #: For ``ambiguous``: the places that match; for ``not_found``: close names.
    candidates: tuple[dict[str, Any], ...] = ()
    suggestions: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerError:
    """One refused customer of a request: its position in the request and why."""

    index: int
    customer_code: str | None
    description: str
    field_errors: tuple[FieldError, ...] = field(default=())


class ClientError(PadronError):
    """Base of every error of the client (a :class:`padron.errors.PadronError`).

    ``status`` is the HTTP status (None when no answer came), ``code`` the error
    code of the body (``invalid_api_key``, ``rate_limited``, ...), ``body`` the
    decoded JSON body when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        description: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.description = description if description is not None else message
        self.body = body


class TransportError(ClientError):
    """No (usable) answer: the connection failed, timed out or the answer was not JSON."""


class BadRequest(ClientError):
    """400: the request as a whole is wrong (``malformed_json``, ``too_many_customers``, ...)."""


class ValidationFailed(BadRequest):
    """400 with ``validation_error`` objects: some customers are invalid, nothing was written.

    ``errors`` lists each refused customer with its index in the request and its field errors.
    """

    def __init__(self, message: str, errors: list[CustomerError], *, body: Any = None) -> None:
        super().__init__(
            message, status=400, code="invalid_customer", description=message, body=body
        )
        self.errors = errors


class Unauthorized(ClientError):
    """401: the API key is missing, unknown or revoked."""


class Forbidden(ClientError):
    """403: the key lacks the permission the request needs."""


class NotFound(ClientError):
    """404: no such customer (``customer_not_found``) or endpoint."""


class MethodNotAllowed(ClientError):
    """405."""


class PayloadTooLarge(ClientError):
    """413: the body is over the server's limit."""


class UnsupportedMediaType(ClientError):
    """415."""


class RateLimited(ClientError):
    """429, after the retries were spent; ``retry_after`` is the server's advice in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ClientError):
    """500 (or another 5xx without a class of its own)."""


class Unavailable(ClientError):
    """503, after the retries were spent: the storage is unavailable."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


_BY_STATUS: dict[int, type[ClientError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    429: RateLimited,
    500: ServerError,
    503: Unavailable,
}


def _tuple_of_dicts(value: Any) -> tuple[dict[str, Any], ...]:
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, dict))
    return ()


def _customer_error(item: dict[str, Any]) -> CustomerError:
    payload = item.get("payload") or {}
    fields: list[FieldError] = []
    for fe in payload.get("fieldErrors") or []:
        p = fe.get("payload") if isinstance(fe, dict) else None
        if not isinstance(p, dict):
            continue
        fields.append(
            FieldError(
                field=str(p.get("field", "")),
                code=str(p.get("code", "")),
                description=str(p.get("description", "")),
                candidates=_tuple_of_dicts(p.get("candidates")),
                suggestions=_tuple_of_dicts(p.get("suggestions")),
            )
        )
    index = payload.get("index")
    code = payload.get("customerCode")
    return CustomerError(
        index=index if isinstance(index, int) else 0,
        customer_code=code if isinstance(code, str) else None,
        description=str(payload.get("description", "")),
        field_errors=tuple(fields),
    )


def error_from_response(status: int, body: Any, retry_after: float | None = None) -> ClientError:
    """The exception for an error answer of ``status`` with the decoded ``body``."""
    first = body[0] if isinstance(body, list) and body else body
    if (
        status == 400
        and isinstance(body, list)
        and body
        and all(isinstance(b, dict) and b.get("object") == "validation_error" for b in body)
    ):
        errors = [_customer_error(b) for b in body]
        n = len(errors)
        parts = []
        for e in errors[:3]:
            detail = "; ".join(f"{f.field}: {f.description}" for f in e.field_errors)
            parts.append(f"#{e.index} ({e.customer_code!r}): {detail or e.description}")
        more = f"; and {n - 3} more" if n > 3 else ""
        noun = "customer is" if n == 1 else "customers are"
        message = f"{n} {noun} invalid: " + "; ".join(parts) + more
        return ValidationFailed(message, errors, body=body)
    payload = first.get("payload") if isinstance(first, dict) else None
    code = payload.get("code") if isinstance(payload, dict) else None
    description = payload.get("description") if isinstance(payload, dict) else None
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ClientError)
    message = f"HTTP {status}" + (f" {code}" if code else "")
    if description:
        message += f": {description}"
    kw: dict[str, Any] = {
        "status": status,
        "code": str(code) if code is not None else None,
        "description": str(description) if description is not None else message,
        "body": body,
    }
    if cls in (RateLimited, Unavailable):
        return cls(message, retry_after=retry_after, **kw)
    return cls(message, **kw)
