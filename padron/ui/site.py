"""What every dashboard page is given: the services it calls and the templates.

Assembled by :func:`padron.api.app.create_app` (the dashboard shares the API's
process, port, store and failed-authentication throttle); the pages call the
customers service and the access layer only, never the store or HTTP internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from padron.access import Access
from padron.access.sessions import Sessions
from padron.customers.service import CustomerService
from padron.ui.templating import Pages


class Throttle(Protocol):
    """Failed authentications per client address (the API's own throttle, shared,
    so that failed sign-ins and failed API keys count together)."""

    def wait(self, address: str) -> float:
        """Seconds ``address`` must still wait before it may try a key (0: none)."""
        ...

    def failed(self, address: str) -> None:
        """Count one failed authentication of ``address``."""
        ...


@dataclass(frozen=True, slots=True)
class Dashboard:
    customers: CustomerService
    access: Access
    sessions: Sessions
    throttle: Throttle
    pages: Pages
