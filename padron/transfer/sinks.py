"""Where an import sends its batches: the local database (the customer service
itself) or a remote padron (through :mod:`padron.client`). Both answer alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from padron.client import Client, ClientError, ValidationFailed
from padron.customers.model import Project
from padron.customers.service import CustomerService, Rejected
from padron.errors import PadronError
from padron.transfer.convert import RowProblem


@dataclass(slots=True)
class Accepted:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unresolved_cities: int = 0


@dataclass(frozen=True, slots=True)
class RefusedCustomer:
    index: int  # in the batch sent
    code: str | None
    problems: list[RowProblem]


class BatchRejected(PadronError):
    """Some customers of the batch are invalid; nothing of the batch was written."""

    def __init__(self, refused: list[RefusedCustomer]) -> None:
        super().__init__(f"{len(refused)} customers refused")
        self.refused = refused


class SinkFailed(PadronError):
    """The target cannot take the batch (server down, key refused, ...): stop."""


class Sink(Protocol):
    target: str

    def send(self, customers: Sequence[dict[str, Any]]) -> Accepted: ...


def _pairs(value: Any) -> Any:
    """Plain JSON values → the decoder's shape the service takes (objects as pairs)."""
    if isinstance(value, dict):
        return tuple((k, _pairs(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_pairs(v) for v in value]
    return value


class LocalSink:
    def __init__(self, service: CustomerService, project: Project) -> None:
        self.service = service
        self.project = project
        self.target = f"project {project.name!r}"

    def send(self, customers: Sequence[dict[str, Any]]) -> Accepted:
        objects = [_pairs(c) for c in customers]
        try:
            written = self.service.ingest(self.project, objects)
        except Rejected as exc:
            raise BatchRejected(
                [
                    RefusedCustomer(
                        c.index, c.code, [(p.field, p.code, p.description) for p in c.problems]
                    )
                    for c in exc.customers
                ]
            ) from None
        except Exception as exc:  # the store failed: nothing of the batch is acknowledged
            raise SinkFailed(f"{type(exc).__name__}: {exc}") from exc
        done = Accepted()
        for w in written:
            setattr(done, w.outcome, getattr(done, w.outcome) + 1)
            if any(p.field == "city" and p.code == "unresolved" for p in w.warnings):
                done.unresolved_cities += 1
        return done


class RemoteSink:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.target = client.base_url

    def send(self, customers: Sequence[dict[str, Any]]) -> Accepted:
        try:
            result = self.client.customers.ingest(list(customers))
        except ValidationFailed as exc:
            raise BatchRejected(
                [
                    RefusedCustomer(
                        e.index,
                        e.customer_code,
                        [(f.field, f.code, f.description) for f in e.field_errors]
                        or [("", "invalid_customer", e.description)],
                    )
                    for e in exc.errors
                ]
            ) from None
        except ClientError as exc:
            raise SinkFailed(str(exc)) from exc
        unresolved = sum(
            1
            for c in result.customers
            if any(w.field == "city" and w.code == "unresolved" for w in c.warnings)
        )
        return Accepted(result.created, result.updated, result.unchanged, unresolved)
