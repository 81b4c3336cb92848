"""Everything a running padron holds: settings, store, place resolver, services."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from padron.access import Access
from padron.config import Settings
from padron.customers.service import CustomerService, LocationResolver
from padron.store import Store, open_store

log = logging.getLogger("padron")


@dataclass
class Runtime:
    settings: Settings
    store: Store
    resolver: LocationResolver
    access: Access
    customers: CustomerService

    def close(self) -> None:
        self.store.close()


def open_runtime(settings: Settings, *, build_index: bool = True) -> Runtime:
    from padron.geo import open_resolver

    # The database first: a mistake in its URL or a schema from a newer padron is
    # reported before the place index is loaded (or built).
    store = open_store(settings.database_url)
    try:
        resolver = open_resolver(settings.data_dir, build_if_missing=build_index, log=log.info)
    except BaseException:
        store.close()
        raise
    customers = CustomerService(store, resolver, quota_customers=settings.quota_customers)
    return Runtime(settings, store, resolver, Access(store), customers)
