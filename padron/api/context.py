"""What the HTTP handlers use of a running padron, handed to each of them."""

from __future__ import annotations

from dataclasses import dataclass

from padron.api.auth import Gate
from padron.config import Settings
from padron.customers.service import CustomerService, LocationResolver
from padron.store.base import Store


@dataclass(frozen=True, slots=True)
class Context:
    settings: Settings
    customers: CustomerService
    resolver: LocationResolver
    gate: Gate
    store: Store

    @property
    def inline_reads(self) -> bool:
        """Point reads may run on the event loop (an embedded database; see Store)."""
        return self.store.inline_reads
