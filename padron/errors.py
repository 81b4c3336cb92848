"""The root of padron's exceptions: every error the server side raises is a
:class:`PadronError`, so a caller can catch padron's failures in one clause and
the HTTP layer maps them to answers in one function (``padron.api.errors.answer``).

The tree (each class lives in the module that raises it)::

    PadronError
    ├── ConfigError          padron.config: a set-up mistake (a setting, a folder)
    │   └── IndexUnavailable padron.geo.provision: no place index to load or build
    ├── AccessError          padron.access: unknown project or key (command line)
    ├── BodyError            padron.customers.decode: the request body as a whole
    ├── Rejected             padron.customers.service: invalid customers, nothing written
    ├── QuotaExceeded        padron.customers.service: a project past its customer quota
    ├── CursorExpired        padron.customers.reading: a change-feed cursor older than kept
    ├── InvalidCursor        padron.customers.cursors: a cursor padron did not make (400)
    ├── QueryError           padron.customers.queries: a bad list or feed query (400)
    ├── StoreError           padron.store.base: the database is unavailable or failed
    │   └── SchemaTooNew     padron.store.migrations: a database of a newer padron
    ├── BadDatabaseURL       padron.store: a database URL padron cannot open
    ├── IndexFormatError     padron.geo.errors: a place index of another format
    ├── DataPackageMissing   padron.geo.errors: a place-data package not installed
    ├── FileProblem          padron.transfer.files: an import file cannot be read
    ├── ImportStopped        padron.transfer.importer: an import cut short (resumable)
    ├── BatchRejected        padron.transfer.sinks: invalid customers in an import batch
    ├── SinkFailed           padron.transfer.sinks: the import target refused or failed
    ├── Refusal              padron.api.errors: a request refused by the HTTP layer
    ├── BodyCodingError      padron.api.codings: a compressed body that does not inflate
    ├── BufferFull           padron.api.budget: too many request bodies held at once
    └── ClientError          padron.client: an error answer of a remote padron

ConfigError, AccessError, BadDatabaseURL, IndexFormatError, InvalidCursor and
QueryError are also ``ValueError`` and DataPackageMissing ``RuntimeError``, as
they were before the tree, so that existing ``except ValueError`` keeps working.
Two private classes never leave their module: ``_Changed`` (the service plans a
batch again) and the client's ``_ConnectError`` (a ``TransportError``).
"""

from __future__ import annotations


class PadronError(Exception):
    """Base of every error padron raises on purpose."""
